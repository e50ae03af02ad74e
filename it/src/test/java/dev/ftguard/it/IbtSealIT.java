package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.DebianKernel;
import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import dev.ftguard.vm.KernelCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The indirect-branch-tracking check against what a kernel built with IBT really runs. Such a
 * kernel seals (overwrites with a NOP) the ENDBR of every function it never calls through a
 * pointer; a hook wrapper that calls such a function through a pointer would trap on a CPU that
 * enforces IBT. TCG enforces nothing, but the sealed bytes are in the guest's kernel text.
 *
 * <p>In one boot per IBT kernel: the first bytes of the hook targets, of the functions the module
 * calls through pointers and of a sample of the kernel's text symbols are read from {@code
 * /proc/kcore} by a helper that knows nothing of ftguard; the test build of the module ({@code
 * FTG_TEST_ENTRY=1}) classifies the same functions with its own check, and with {@code test_ibt=1}
 * (acting as on an IBT CPU) refuses to load because a wrapper's original is sealed, naming it;
 * without it, it loads.
 */
class IbtSealIT {

  /** Functions the module hooks with wrappers or calls through pointers. */
  private static final List<String> NAMED =
      List.of(
          "__x64_sys_execve",
          "__x64_sys_execveat",
          "security_bprm_check",
          "security_mmap_file",
          "security_file_open",
          "commit_creds",
          "wake_up_new_task",
          "acct_collect",
          "strncpy_from_kernel_nofault",
          "strncpy_from_user_nofault",
          "ftrace_location",
          "__x64_sys_getppid");

  private static final String PAYLOAD =
      """
            set -u
            # functions of vmlinux (not modules, not init text, not the __pfx_/__cfi_ padding before
            # functions) named once: kallsyms finds those
            start=$(awk '$3 == "_stext" {print $1}' /proc/kallsyms)
            end=$(awk '$3 == "_etext" {print $1}' /proc/kallsyms)
            awk -v s=$start -v e=$end 'NF == 3 && ($2 == "T" || $2 == "t") && $1 > s && $1 < e && $3 !~ /\\./ && $3 !~ /^__(pfx|cfi)_/ {print $3}' \\
              /proc/kallsyms | sort | uniq -u | awk 'NR %% 1009 == 7' | head -n 40 > /tmp/sample
            names="%1$s $(tr '\\n' ' ' < /tmp/sample)"
            for n in $names; do
              a=$(awk -v n=$n 'NF == 3 && $3 == n {print $1; exit}' /proc/kallsyms)
              [ -n "$a" ] && echo "$n $a"
            done > /out/addrs
            %2$s $(awk '{print $2}' /out/addrs) > /out/bytes
            list=$(awk '{print $1}' /out/addrs | paste -sd, -)
            dmesg -C
            insmod %3$s test_ibt=1 test_entry=$list; echo $? > /out/enforced.rc
            dmesg > /out/enforced.txt
            insmod %3$s; echo $? > /out/plain.rc
            rmmod ftguard
            """;

  private static final Pattern ENTRY =
      Pattern.compile("ftguard: test: entry (\\S+) (\\S+) callable=(yes|no)");

  static Stream<DebianKernel> ibtKernels() {
    return KernelCatalog.ofRepo().all().stream().filter(IbtSealIT::builtWithIbt);
  }

  private static boolean builtWithIbt(DebianKernel k) {
    try {
      return Files.readAllLines(k.config()).contains("CONFIG_X86_KERNEL_IBT=y");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ibtKernels")
  void theCheckSeesTheSealsTheKernelWrote(DebianKernel kernel) throws Exception {
    Path ko = FtguardGuest.module(kernel, "FTG_TEST_ENTRY=1");
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.guest("ibt-seal-" + kernel.series(), Duration.ofMinutes(4), kernel, ko)
                .file(GuestFile.copyOf(FtguardGuest.compileHelper("kcore"), "/kcore"))
                .payload(
                    PAYLOAD.formatted(String.join(" ", NAMED), "/kcore", FtguardGuest.MODULE)));

    Map<String, String> addresses = new HashMap<>();
    r.readOutFile("addrs").lines().map(l -> l.split(" ")).forEach(w -> addresses.put(w[0], w[1]));
    Map<String, String> oracle = new HashMap<>();
    r.readOutFile("bytes")
        .lines()
        .map(l -> l.split(" ", 2))
        .forEach(
            w ->
                addresses.forEach(
                    (name, addr) -> {
                      if (addr.equals(w[0])) {
                        oracle.put(name, classify(w[1]));
                      }
                    }));
    Map<String, String[]> checked = new HashMap<>();
    Matcher m = ENTRY.matcher(r.readOutFile("enforced.txt"));
    while (m.find()) {
      checked.put(m.group(1), new String[] {m.group(2), m.group(3)});
    }

    assertThat(oracle.keySet())
        .as("functions read from /proc/kcore")
        .containsAll(NAMED)
        .hasSizeGreaterThan(30);
    assertThat(oracle.values())
        .as("the sample holds sealed and intact ENDBRs")
        .contains("sealed", "endbr");
    SoftAssertions soft = new SoftAssertions();
    oracle.forEach(
        (name, kind) -> {
          soft.assertThat(checked).as("the module classified %s", name).containsKey(name);
          if (checked.containsKey(name)) {
            soft.assertThat(checked.get(name)[0])
                .as("entry of %s at %s", name, addresses.get(name))
                .isEqualTo(kind);
            soft.assertThat(checked.get(name)[1])
                .as("%s callable through a pointer under IBT", name)
                .isEqualTo(kind.equals("endbr") ? "yes" : "no");
          }
        });
    soft.assertAll();

    // acting as on an IBT CPU, the module refuses to load: a wrapper's original is sealed
    String sealedTarget =
        Stream.of(
                "__x64_sys_execve",
                "__x64_sys_execveat",
                "security_bprm_check",
                "security_mmap_file")
            .filter(n -> oracle.get(n).equals("sealed"))
            .findFirst()
            .orElse(null);
    if (sealedTarget != null) {
      assertThat(r.readOutFile("enforced.rc").strip())
          .as("insmod with test_ibt=1")
          .isNotEqualTo("0");
      assertThat(r.readOutFile("enforced.txt"))
          .contains(
              "ftguard: "
                  + sealedTarget
                  + ": its ENDBR was sealed: a call through a pointer would trap");
    } else {
      assertThat(r.readOutFile("enforced.rc").strip())
          .as(r.readOutFile("enforced.txt"))
          .isEqualTo("0");
    }
    // the default call mode (auto) falls back to guard under IBT, and says why
    assertThat(r.readOutFile("enforced.txt"))
        .contains("ftguard: call_mode=auto: guard (indirect branch tracking is enforced");
    assertThat(r.readOutFile("plain.rc").strip()).as("insmod without IBT enforced").isEqualTo("0");
  }

  /**
   * {@code f3 0f 1e fa} is ENDBR64; the two NOPs kernels write over a sealed one; anything else.
   */
  private static String classify(String bytes) {
    return switch (bytes) {
      case "f3 0f 1e fa" -> "endbr";
      case "66 0f 1f 00", "0f 1f 40 d6" -> "sealed";
      case "unreadable" -> "unreadable";
      default -> "plain";
    };
  }
}
