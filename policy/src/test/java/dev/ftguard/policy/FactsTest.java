package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.DecisionEvent.Kind;
import dev.ftguard.policy.Facts.ConnectFacts;
import dev.ftguard.policy.Facts.ExecFacts;
import dev.ftguard.policy.Facts.ModuleLoadFacts;
import dev.ftguard.policy.Facts.OpenFacts;
import dev.ftguard.policy.Facts.PrivilegeFacts;
import dev.ftguard.policy.Facts.PtraceFacts;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FactsTest {
  static final List<String> NONE = List.of();

  @Test
  void execValidation() {
    assertThatThrownBy(
            () -> new ExecFacts("bash", "/p", NONE, 0, 0, NONE, false, false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ExecFacts("", "/p", NONE, 0, 0, NONE, false, false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ExecFacts("/a\0b", "/p", NONE, 0, 0, NONE, false, false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ExecFacts(null, "/p", NONE, 0, 0, NONE, false, false, Optional.empty()))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(
            () -> new ExecFacts("/b", "p", NONE, 0, 0, NONE, false, false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new ExecFacts(
                    "/b", "/p", List.of("rel"), 0, 0, NONE, false, false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ExecFacts("/b", "/p", NONE, -1, 0, NONE, false, false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new ExecFacts(
                    "/b", "/p", NONE, 0, 4_294_967_295L, NONE, false, false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new ExecFacts(
                    "/b",
                    "/p",
                    NONE,
                    0,
                    0,
                    Arrays.asList("a", null),
                    false,
                    false,
                    Optional.empty()))
        .isInstanceOf(NullPointerException.class);
    var ok =
        new ExecFacts(
            "/b", "/p", NONE, 4_294_967_294L, 0, List.of(""), true, true, Optional.empty());
    assertThat(ok.kind()).isEqualTo(Kind.EXEC);
    assertThat(ok.binary()).isEqualTo("/b");
  }

  @Test
  void execCopiesLists() {
    List<String> argv = new ArrayList<>(List.of("a"));
    var f = new ExecFacts("/b", "/p", NONE, 0, 0, argv, false, false, Optional.empty());
    argv.add("b");
    assertThat(f.argv()).containsExactly("a");
    assertThatThrownBy(() -> f.argv().add("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void openValidation() {
    assertThatThrownBy(() -> new OpenFacts("etc/passwd", Set.of(Access.READ), "/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OpenFacts("/etc/passwd", Set.of(), "/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OpenFacts("/etc/passwd", Set.of(Access.READ), "b"))
        .isInstanceOf(IllegalArgumentException.class);
    var access = EnumSet.of(Access.WRITE);
    var f = new OpenFacts("/" + "x".repeat(4000), access, "/b");
    access.add(Access.READ);
    assertThat(f.access()).containsExactly(Access.WRITE);
    assertThat(f.kind()).isEqualTo(Kind.OPEN);
  }

  @Test
  void connectValidation() {
    InetAddress a = InetAddress.ofLiteral("10.0.0.1");
    assertThatThrownBy(() -> new ConnectFacts(null, 1, "/b"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ConnectFacts(a, -1, "/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectFacts(a, 65_536, "/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectFacts(a, 1, "b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ConnectFacts(a, 65_535, "/b").kind()).isEqualTo(Kind.CONNECT);
    assertThat(new ConnectFacts(InetAddress.ofLiteral("::1"), 0, "/b").address())
        .isEqualTo(InetAddress.ofLiteral("::1"));
  }

  @Test
  void moduleLoadValidation() {
    assertThatThrownBy(() -> new ModuleLoadFacts(null, "/b"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ModuleLoadFacts(Optional.of(""), "/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ModuleLoadFacts(Optional.of("a/b"), "/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ModuleLoadFacts(Optional.of("nf"), "b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ModuleLoadFacts(Optional.empty(), "/b").kind()).isEqualTo(Kind.MODULE_LOAD);
  }

  @Test
  void ptraceValidation() {
    assertThatThrownBy(() -> new PtraceFacts("t", "/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PtraceFacts("/t", null)).isInstanceOf(NullPointerException.class);
    assertThat(new PtraceFacts("/t", "/b").kind()).isEqualTo(Kind.PTRACE);
  }

  @Test
  void privilegeValidation() {
    assertThatThrownBy(() -> new PrivilegeFacts("/b", Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PrivilegeFacts("b", Set.of(Gain.UID0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new PrivilegeFacts("/b", Set.of(Gain.UID0)).kind()).isEqualTo(Kind.PRIVILEGE);
  }
}
