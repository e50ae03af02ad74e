package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      # literal
      /usr/bin/curl        | /usr/bin/curl          | true
      /usr/bin/curl        | /usr/bin/curlx         | false
      /usr/bin/curl        | /usr/bin/cur           | false
      # '*' stays inside one segment
      /usr/bin/*           | /usr/bin/curl          | true
      /usr/bin/*           | /usr/bin/              | true
      /usr/bin/*           | /usr/bin               | false
      /usr/bin/*           | /usr/bin/x/curl        | false
      /usr/*/curl          | /usr/bin/curl          | true
      /usr/*/curl          | /usr/curl              | false
      /usr/*/curl          | /usr/local/bin/curl    | false
      /usr/*/curl          | /usr//curl             | true
      /tmp*                | /tmp/x                 | false
      /tmp*                | /tmpfoo                | true
      *                    | /x                     | false
      /*                   | /                      | true
      # multiple '*'
      /usr/lib/*/python3*  | /usr/lib/x86_64/python3.12 | true
      /usr/lib/*/python3*  | /usr/lib/x86_64/python2    | false
      /a*b*c*d             | /abcd                  | true
      /a*b*c*d             | /aXbYYcZZZd            | true
      /a*b*c*d             | /aXbYYcZZZ             | false
      /a*b*c*d             | /a/b/c/d               | false
      /*a*a*a*             | /aaa                   | true
      /*a*a*a*             | /aa                    | false
      /*.so                | /libc.so               | true
      /*.so                | /libc.so.6             | false
      /x*y                 | /xy                    | true
      /x*y                 | /xyy                   | true
      /x*y                 | /xyz                   | false
      # '?' is exactly one character, never '/'
      /bin/?sh             | /bin/zsh               | true
      /bin/?sh             | /bin/sh                | false
      /bin/?sh             | /bin/bash              | false
      /a?b                 | /a/b                   | false
      /?                   | /é                     | true
      /?                   | /                      | false
      # classes
      /dev/tty[0-9]        | /dev/tty7              | true
      /dev/tty[0-9]        | /dev/ttyS              | false
      /dev/tty[0-9]        | /dev/tty10             | false
      /dev/tty[!0-9]       | /dev/ttyS              | true
      /dev/tty[!0-9]       | /dev/tty1              | false
      /dev/tty[^0-9]       | /dev/ttyS              | true
      /x[abc]              | /xb                    | true
      /x[abc]              | /xd                    | false
      /x[a-]               | /x-                    | true
      /x[-a]               | /x-                    | true
      /x[]a]               | /x]                    | true
      /x[]a]               | /xa                    | true
      /x[!]a]              | /x]                    | false
      /x[!]a]              | /xb                    | true
      /x[!a]               | /x/                    | false
      /x[/]y               | /x/y                   | false
      /x[*?]               | /x*                    | true
      /x[*?]               | /xa                    | false
      /sbin/[a-c]*[0-9]    | /sbin/b-helper2        | true
      # empty segments
      /a//b                | /a//b                  | true
      /a//b                | /a/b                   | false
      /a/*/b               | /a//b                  | true
      /a/                  | /a/                    | true
      /a/                  | /a                     | false
      """)
  void matches(String pattern, String text, boolean expected) {
    assertThat(Glob.matches(pattern, text)).isEqualTo(expected);
  }

  @Test
  void moduleNames() {
    assertThat(Glob.matches("nf_*", "nf_tables")).isTrue();
    assertThat(Glob.matches("nf_*", "nf_")).isTrue();
    assertThat(Glob.matches("nf_*", "nft_compat")).isFalse();
    assertThat(Glob.matches("xt_?", "xt_u")).isTrue();
  }

  @Test
  void noBacktrackingBlowup() {
    String text = "/" + "a".repeat(100_000) + "b";
    long t0 = System.nanoTime();
    assertThat(Glob.matches("/*a*a*a*c", text)).isFalse();
    assertThat(Glob.matches("/*a*a*a*b", text)).isTrue();
    assertThat(Glob.matches("/a*a*a*a", "/" + "a".repeat(100_000))).isTrue();
    assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
  }

  @Test
  void unclosedClassIsRejected() {
    assertThatThrownBy(() -> Glob.compile("/x[ab")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Glob.compile("/x[]")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compiledIsReusable() {
    Glob g = Glob.compile("/usr/*/bin/?");
    assertThat(g.pattern()).isEqualTo("/usr/*/bin/?");
    assertThat(g.matches("/usr/local/bin/x")).isTrue();
    assertThat(g.matches("/usr/local/bin/xy")).isFalse();
  }
}
