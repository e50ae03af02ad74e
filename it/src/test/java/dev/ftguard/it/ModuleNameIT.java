package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.it.PolicyEnforcementIT.Scenario;
import dev.ftguard.it.Scenarios.Outcome;
import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.KernelCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A {@code module_load} rule on a name holds for the module's own name, whatever its file is called
 * and whichever system call loads it (docs/enforcement.md, "Module loads"). {@code ftg_hello.ko}
 * copied to {@code nice.ko} is still {@code ftg_hello}: denied through {@code finit_module}, {@code
 * init_module} and {@code insmod}; {@code ftg_nice} (ftg_hello renamed inside) in a file named
 * {@code ftg_hello.ko} loads. On a kernel that decompresses modules itself (6.12), a compressed
 * image handed over with {@code MODULE_INIT_COMPRESSED_FILE} has no name at the decision: the name
 * rule cannot see it, the allowlist's rule without a name selector denies it. Every scenario in
 * enforce and in monitor mode, with the decision event and whether the module got loaded.
 */
class ModuleNameIT {

  private static final String T = FtguardGuest.TEST_HELPER;
  private static final String XZ_IMAGE = "/ftg_hello.ko.xz";

  private static final String POLICY =
      """
            apiVersion: ftguard.dev/v1
            kind: Policy
            metadata: {name: mn}
            spec:
              mode: enforce
              rules:
                - name: deny-hello
                  event: module_load
                  match: {name: {exact: [ftg_hello]}}
                  action: deny
                - name: allow-nice
                  event: module_load
                  match: {name: {exact: [ftg_nice]}}
                  action: allow
                - name: allowlist-rest
                  event: module_load
                  action: deny
                  errno: EACCES
            """;

  private static final String SETUP =
      """
            mkdir -p /opt/mn
            cp %1$s /opt/mn/nice.ko
            cp %2$s /opt/mn/ftg_hello.ko
            [ ! -e %3$s ] || cp %3$s /opt/mn/nice.ko.xz
            head -c 4000 %1$s > /opt/mn/truncated.ko
            cp %1$s /opt/mn/bad-shoff.ko
            printf '\\377\\377\\377\\377\\377\\377\\377\\177' | dd of=/opt/mn/bad-shoff.ko bs=1 seek=40 conv=notrunc 2>/dev/null
            loaded() {
              cut -d' ' -f1 /proc/modules | grep -x -e ftg_hello -e ftg_nice > /out/$1/$2.loaded
              for m in ftg_hello ftg_nice; do rmmod $m 2>/dev/null; done
              true
            }
            """;

  private static Scenario module(String name, String command) {
    return new Scenario("module_load", name, command, "ok").post("loaded $ph " + name);
  }

  /** Played on every kernel. */
  private static List<Scenario> plain() {
    return List.of(
        module("finit-renamed", T + " finit-module /opt/mn/nice.ko")
            .blocked("EPERM")
            .decision("mn", "deny-hello", "deny", "ftg_hello"),
        module("init-renamed", T + " init-module /opt/mn/nice.ko")
            .blocked("EPERM")
            .decision("mn", "deny-hello", "deny", "ftg_hello"),
        module("finit-impostor", T + " finit-module /opt/mn/ftg_hello.ko"),
        module("init-impostor", T + " init-module /opt/mn/ftg_hello.ko"),
        // malformed images: no name (only the rule without one matches), the kernel refuses them
        malformed("init-truncated", T + " init-module /opt/mn/truncated.ko"),
        malformed("finit-bad-shoff", T + " finit-module /opt/mn/bad-shoff.ko"));
  }

  /** An image the kernel refuses (ENOEXEC) and whose name is unknown here. */
  private static Scenario malformed(String name, String command) {
    return new Scenario("module_load", name, command, "errno=ENOEXEC")
        .post("loaded $ph " + name)
        .blocked("EACCES")
        .decision("mn", "allowlist-rest", "deny", null);
  }

  /** Played where the kernel decompresses modules (MODULE_INIT_COMPRESSED_FILE). */
  private static final Scenario XZ =
      module("finit-xz", T + " finit-module /opt/mn/nice.ko.xz compressed")
          .blocked("EACCES")
          .decision("mn", "allowlist-rest", "deny", null);

  @Test
  void theOwnNameHoldsOnTheDefaultKernel() throws Exception {
    DebianKernel kernel = FtguardGuest.kernel();
    List<Scenario> scenarios = plain();
    Scenarios run = play("module-name", kernel, scenarios, null);
    SoftAssertions soft = new SoftAssertions();
    checkAll(soft, run, scenarios);
    checkInsmod(soft, run);
    checkUnnamed(soft, run, "init-truncated");
    checkUnnamed(soft, run, "finit-bad-shoff");
    soft.assertAll();
  }

  @Test
  void aCompressedImageHasNoNameOn612() throws Exception {
    DebianKernel kernel = KernelCatalog.ofRepo().require("6.12");
    Path xz = compressed(FtguardGuest.helloModule(kernel), kernel);
    List<Scenario> scenarios = new ArrayList<>(plain());
    scenarios.add(XZ);
    Scenarios run = play("module-name-6.12", kernel, scenarios, xz);
    SoftAssertions soft = new SoftAssertions();
    checkAll(soft, run, scenarios);
    checkInsmod(soft, run);
    checkUnnamed(soft, run, XZ.name);
    soft.assertAll();
  }

  /** The scenario's decisions have no object: the name is unknown. */
  private static void checkUnnamed(SoftAssertions soft, Scenarios run, String name) {
    for (String ph : List.of("enforce", "monitor")) {
      for (JsonNode e : run.decisions(ph, name)) {
        soft.assertThat(Scenarios.text(e, "object"))
            .as("%s %s: the name is unknown: %s", ph, name, e)
            .isNullOrEmpty();
      }
    }
  }

  private static Scenarios play(String name, DebianKernel kernel, List<Scenario> scenarios, Path xz)
      throws Exception {
    List<Scenario> all = new ArrayList<>(scenarios);
    all.add(
        new Scenario("module_load", "insmod", "insmod /opt/mn/nice.ko", "ok")
            .post("loaded $ph insmod"));
    String setup =
        SETUP.formatted(
            FtguardGuest.HELLO_MODULE, FtguardGuest.renamedModulePath("ftg_nice"), XZ_IMAGE);
    var guest =
        FtguardGuest.withTestFiles(
            FtguardGuest.guest(name, Duration.ofMinutes(8), kernel, FtguardGuest.module(kernel)),
            kernel);
    if (xz != null) {
      guest.file(GuestFile.copyOf(xz, XZ_IMAGE));
    }
    Scenarios run =
        Scenarios.play(
            guest,
            Scenarios.twoPhasePayload(setup, POLICY, PolicyEnforcementIT.scenarioScript(all)));
    run.assertApplied("enforce", "monitor");
    assertThat(run.file("reader.rc").strip()).isEqualTo("0");
    return run;
  }

  /** Outcome, decision events and the loaded module of each scenario in both phases. */
  private static void checkAll(SoftAssertions soft, Scenarios run, List<Scenario> scenarios) {
    for (String ph : List.of("enforce", "monitor")) {
      for (Scenario s : scenarios) {
        PolicyEnforcementIT.checkPhase(soft, run, s, ph);
        boolean loads = (ph.equals("enforce") ? s.enforced : s.monitored).equals("ok");
        String expected =
            !loads ? "" : s.command.contains("/opt/mn/ftg_hello.ko") ? "ftg_nice" : "ftg_hello";
        soft.assertThat(run.file(ph + "/" + s.name + ".loaded").strip())
            .as("%s %s: the module in /proc/modules after the load", ph, s)
            .isEqualTo(expected);
      }
    }
  }

  /** insmod of the renamed file: whichever call it makes, the decision names ftg_hello. */
  private static void checkInsmod(SoftAssertions soft, Scenarios run) {
    for (String ph : List.of("enforce", "monitor")) {
      boolean monitor = ph.equals("monitor");
      Outcome o = run.outcome(ph, "insmod");
      List<JsonNode> d = run.decisions(ph, "insmod");
      String ctx = ph + " insmod: " + o + Scenarios.describe(d);
      if (monitor) {
        soft.assertThat(o.rc()).as(ctx).isZero();
        soft.assertThat(d).as(ctx).hasSize(1);
      } else {
        soft.assertThat(o.rc()).as(ctx).isNotZero();
        soft.assertThat(d).as(ctx).isNotEmpty();
      }
      for (JsonNode e : d) {
        soft.assertThat(Scenarios.text(e, "rule")).as(ctx).isEqualTo("deny-hello");
        soft.assertThat(Scenarios.text(e, "object")).as(ctx).isEqualTo("ftg_hello");
        soft.assertThat(Scenarios.text(e, "mode")).as(ctx).isEqualTo(ph);
        soft.assertThat(e.path("would").asBoolean()).as(ctx).isEqualTo(monitor);
      }
      soft.assertThat(run.file(ph + "/insmod.loaded").strip())
          .as(ctx)
          .isEqualTo(monitor ? "ftg_hello" : "");
    }
  }

  /** xz as kmod compresses modules (CRC32: what the kernel's decoder checks), on the host. */
  private static Path compressed(Path ko, DebianKernel kernel)
      throws IOException, InterruptedException {
    Path dir = FtguardGuest.scratch().resolve("kmod-xz-" + kernel.abi());
    Files.createDirectories(dir);
    Path out = dir.resolve("ftg_hello.ko.xz");
    Process p =
        new ProcessBuilder("xz", "--check=crc32", "--lzma2=dict=1MiB", "-c", ko.toString())
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertThat(p.waitFor()).as("xz " + ko).isZero();
    return out;
  }
}
