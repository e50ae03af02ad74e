package dev.ftguard.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots Debian's kernel in QEMU (TCG here). Needs {@code scripts/setup}; without it every test
 * fails with a {@link KernelNotPreparedException} that says to run it.
 */
class VmIT {

  @TempDir Path work;

  private GuestSpec.Builder guest() {
    return GuestSpec.builder().workDir(work);
  }

  @Test
  void payloadExitStatusAndOutFilesComeBack() throws Exception {
    List<String> live = new CopyOnWriteArrayList<>();
    GuestResult r =
        Vm.run(
            guest()
                .timeout(Duration.ofSeconds(60))
                .output(live::add)
                .payload(
                    """
                        echo "hello from $(uname -r)" > /out/hello.txt
                        echo to-stdout
                        echo to-stderr >&2
                        exit 7
                        """)
                .build());

    assertThat(r.outcome()).as(r.summary()).isEqualTo(new GuestResult.Outcome.Exited(7));
    assertThat(r.timedOut()).isFalse();
    assertThat(r.readOutFile("hello.txt"))
        .isEqualTo("hello from " + GuestSpec.builder().build().kernel().abi() + "\n");
    assertThat(live).containsSubsequence("to-stdout", "to-stderr");
    assertThat(r.payloadOutput()).containsSubsequence("to-stdout", "to-stderr");
    assertThat(r.readOutFile("payload.log")).contains("to-stdout\n").contains("to-stderr\n");
    assertThat(r.dmesg()).contains("Linux version");
    assertThat(Files.readString(r.outFile("dmesg.txt"))).isEqualTo(r.dmesg());
    assertThat(r.findings()).as(DmesgChecker.report(r.findings())).isEmpty();
    assertThat(r.timings().toMarker()).isPresent();
  }

  @Test
  void hostJdkRunsInTheGuest() {
    // the JDK running this test lives under the host's /usr, which the guest mounts read-only
    Path javaHome = Path.of(System.getProperty("java.home"));
    assertThat(javaHome.toString())
        .as("test JDK must be under /usr to be visible in the guest")
        .startsWith("/usr/");
    GuestResult r =
        Vm.run(
            guest()
                .timeout(Duration.ofSeconds(90))
                .payload(javaHome.resolve("bin/java") + " -version")
                .build());

    assertThat(r.outcome()).as(r.summary()).isEqualTo(new GuestResult.Outcome.Exited(0));
    assertThat(String.join("\n", r.payloadOutput())).contains("version \"25");
    assertThat(r.findings()).as(DmesgChecker.report(r.findings())).isEmpty();
  }

  @Test
  void kernelCrashIsDetectedAndTheRunEnds() {
    Duration timeout = Duration.ofSeconds(60);
    GuestResult r =
        Vm.run(
            guest()
                .timeout(timeout)
                // output travels through a pipe to the console; give it a moment before the crash
                .payload("echo crashing now; sleep 0.5; echo c > /proc/sysrq-trigger; sleep 1000")
                .build());

    assertThat(r.outcome()).as(r.summary()).isInstanceOf(GuestResult.Outcome.Crashed.class);
    assertThat(r.crashed()).isTrue();
    assertThat(r.timedOut()).isFalse();
    assertThat(r.exitStatus()).isEmpty();
    assertThat(r.payloadOutput()).contains("crashing now");
    assertThat(r.findings()).extracting(Finding::kind).contains(Finding.Kind.PANIC);
    assertThat(((GuestResult.Outcome.Crashed) r.outcome()).reason())
        .contains("sysrq triggered crash");
    assertThat(r.timings().total()).isLessThan(timeout);
  }

  @Test
  void hungPayloadIsKilledAtTheTimeout() {
    Duration timeout = Duration.ofSeconds(8);
    GuestResult r = Vm.run(guest().timeout(timeout).payload("echo sleeping; sleep 1000").build());

    assertThat(r.outcome())
        .as(r.summary())
        .isEqualTo(new GuestResult.Outcome.TimedOut(r.timings().total()));
    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitStatus()).isEmpty();
    assertThat(r.timings().toPayload()).as("guest booted before the timeout").isPresent();
    assertThat(r.payloadOutput()).containsExactly("sleeping");
    assertThat(r.timings().total()).isBetween(timeout, timeout.plusSeconds(10));
  }

  @Test
  void sharesGuestFilesTracefsAndKernelArgs() throws Exception {
    Path repo = Repository.root();
    Path data = Files.createDirectories(work.resolve("data"));
    Files.writeString(data.resolve("in.txt"), "from host\n");
    GuestResult r =
        Vm.run(
            guest()
                .timeout(Duration.ofSeconds(60))
                .shareRepository()
                .share(Share.writable(data, "/data"))
                .file(GuestFile.text("/root/tool.sh", "#!/bin/sh\necho tool ran\n", 0755))
                .kernelArg("ftguard.test=1")
                .payload(
                    """
                        #!/bin/bash
                        set -u
                        test -x /ftguard/mvnw && echo repo-visible
                        touch /ftguard/should-fail 2>/dev/null || echo repo-read-only
                        cat /data/in.txt
                        echo from guest > /data/back.txt
                        /root/tool.sh
                        grep -o ftguard.test=1 /proc/cmdline
                        grep -q -m1 execve /sys/kernel/tracing/available_filter_functions && echo tracefs-ok
                        grep -c ^ /proc/modules >/dev/null && lsmod | awk 'NR>1 {print $1}' | sort | tr '\n' ' '; echo
                        """)
                .build());

    assertThat(r.outcome()).as(r.summary()).isEqualTo(new GuestResult.Outcome.Exited(0));
    assertThat(r.payloadOutput())
        .contains(
            "repo-visible",
            "repo-read-only",
            "from host",
            "tool ran",
            "ftguard.test=1",
            "tracefs-ok");
    assertThat(repo.resolve("should-fail")).doesNotExist();
    assertThat(Files.readString(data.resolve("back.txt"))).isEqualTo("from guest\n");
    assertThat(r.payloadOutput().getLast()).contains("9p", "9pnet_virtio", "virtio_pci", "overlay");
  }

  @Test
  void baseInitramfsHasBusyboxAndTheModuleClosureAndIsCachedByContent() throws IOException {
    DebianKernel kernel = KernelCatalog.ofRepo().defaultKernel();
    Initramfs base = GuestImage.base(kernel, List.of());
    Path first = GuestImage.cachedBase(kernel, base);
    Path again = GuestImage.cachedBase(kernel, GuestImage.base(kernel, List.of()));

    assertThat(again).isEqualTo(first);
    assertThat(first.getFileName().toString())
        .isEqualTo("base-" + base.sha256().substring(0, 16) + ".cpio.gz");
    List<String> listing = Initramfs.list(first);
    assertThat(listing)
        .contains(
            "c 0600 5:1 /dev/console",
            "l /bin/sh -> busybox",
            "l /bin/insmod -> busybox",
            "l /bin/poweroff -> busybox",
            "l /bin/chroot -> busybox");
    assertThat(listing).anyMatch(l -> l.matches("f 0755 \\d+ /bin/busybox"));
    List<String> modules =
        listing.stream()
            .filter(l -> l.endsWith(".ko"))
            .map(l -> l.substring(l.lastIndexOf('/') + 1))
            .toList();
    assertThat(modules)
        .contains(
            "virtio_ring.ko",
            "virtio.ko",
            "virtio_pci.ko",
            "9pnet.ko",
            "9pnet_virtio.ko",
            "netfs.ko",
            "fscache.ko",
            "9p.ko",
            "overlay.ko")
        .doesNotHaveDuplicates();
    // dependencies before dependants (insmod order), as the kernel's modules.dep has them
    Map<String, List<String>> deps = modulesDep(kernel);
    for (int i = 0; i < modules.size(); i++) {
      assertThat(modules.subList(0, i))
          .as("loaded before %s", modules.get(i))
          .containsAll(deps.getOrDefault(modules.get(i), List.of()));
    }
    assertThat(GuestImage.base(kernel, List.of("dummy")).sha256()).isNotEqualTo(base.sha256());
  }

  /** modules.dep as file name → the file names it depends on. */
  private static Map<String, List<String>> modulesDep(DebianKernel kernel) throws IOException {
    Map<String, List<String>> deps = new HashMap<>();
    for (String line : Files.readAllLines(kernel.modules().resolve("modules.dep"))) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      List<String> on =
          Arrays.stream(line.substring(colon + 1).trim().split("\\s+"))
              .filter(d -> !d.isEmpty())
              .map(VmIT::fileName)
              .toList();
      deps.put(fileName(line.substring(0, colon)), on);
    }
    return deps;
  }

  private static String fileName(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return name.replaceFirst("\\.ko(\\.(xz|zst|gz))?$", ".ko");
  }
}
