package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
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
      /?                   | /                      | false
      # bytes: 'é' is two bytes in UTF-8, '?' and classes match one
      /?                   | /é                     | false
      /??                  | /é                     | true
      /???                 | /é                     | false
      /?é                  | /aé                    | true
      /é?                  | /éa                    | true
      /é                   | /é                     | true
      /é                   | /e                     | false
      /*é                  | /caféé                 | true
      /caf*                | /café                  | true
      /caf?                | /café                  | false
      /[!a]                | /é                     | false
      /[!a][!a]            | /é                     | true
      /[a-z]*              | /éa                    | false
      /*[a-z]              | /éa                    | true
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
  void rawBytesMatchAsTheKernelSeesThem() {
    // not valid UTF-8: the kernel still sees bytes, and so does Glob
    assertThat(Glob.compile("/x?").matches(new byte[] {'/', 'x', (byte) 0x80})).isTrue();
    assertThat(Glob.compile("/[!a]").matches(new byte[] {'/', (byte) 0xff})).isTrue();
    assertThat(Glob.compile("/*").matches(new byte[] {'/', (byte) 0xc3, (byte) 0xa9})).isTrue();
    assertThat(Glob.compile("/é").matches(new byte[] {'/', (byte) 0xc3, (byte) 0xa9})).isTrue();
    // a class built from a character's bytes (the validator refuses such patterns) holds those
    // bytes as unsigned values: 0xc3 and 0xa9
    Glob cls = Glob.compile("/[é]");
    assertThat(cls.matches(new byte[] {'/', (byte) 0xa9})).isTrue();
    assertThat(cls.matches(new byte[] {'/', (byte) 0xc3})).isTrue();
    assertThat(cls.matches("/é")).isFalse();
    // U+0080 '-' U+00FF is c2 80 '-' c3 bf: members c2, the unsigned range 0x80-0xc3, and bf
    Glob range = Glob.compile("/[" + (char) 0x80 + "-" + (char) 0xff + "]");
    assertThat(range.matches(new byte[] {'/', (byte) 0x90})).isTrue();
    assertThat(range.matches(new byte[] {'/', (byte) 0xc4})).isFalse();
    assertThat(range.matches(new byte[] {'/', 'a'})).isFalse();
  }

  @Test
  void evaluatorComparesExactAndPrefixAsBytes() {
    PathMatcher pm = new PathMatcher(List.of("/home/café"), List.of("/srv/é"), List.of("/opt/??"));
    assertThat(PolicyEvaluator.matches(pm, "/home/café")).isTrue();
    assertThat(PolicyEvaluator.matches(pm, "/home/cafe")).isFalse();
    assertThat(PolicyEvaluator.matches(pm, "/srv/éx")).isTrue();
    assertThat(PolicyEvaluator.matches(pm, "/srv/e")).isFalse();
    assertThat(PolicyEvaluator.matches(pm, "/opt/é")).isTrue();
    assertThat(PolicyEvaluator.matches(pm, "/opt/ab")).isTrue();
    assertThat(PolicyEvaluator.matches(pm, "/opt/a")).isFalse();
  }

  @Test
  void validatorRejectsNonAsciiInsideAClassWithAHint() {
    String yaml =
        """
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: p}
        spec:
          rules:
            - {name: r, event: open, match: {path: {glob: ["/srv/[a-zü]/*"]}}, action: audit}
        """;
    LoadResult r = PolicyLoader.load(new PolicySource("c.yaml", yaml));
    assertThat(r).isInstanceOf(LoadResult.Invalid.class);
    PolicyError e = ((LoadResult.Invalid) r).errors().getFirst();
    assertThat(e.message())
        .isEqualTo(
            "'/srv/[a-zü]/*' has the non-ASCII character 'ü' (2 bytes in UTF-8) inside a '[...]' class, which matches one byte");
    assertThat(e.hint()).contains("outside the class").contains("one '?' per byte");
    // outside a class, non-ASCII characters are fine
    assertThat(PolicyLoader.load(new PolicySource("ok.yaml", yaml.replace("[a-zü]", "[a-z]ü"))))
        .isInstanceOf(LoadResult.Loaded.class);
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
