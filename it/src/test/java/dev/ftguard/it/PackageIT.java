package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import dev.ftguard.vm.DiskVm;
import dev.ftguard.vm.DmesgChecker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Debian package as an administrator meets it: {@code apt install ./ftguard_*.deb} into a
 * Debian 12 root (scripts/setup's sysroot), where DKMS builds and signs the module against the
 * root's own kernel headers; then that root boots in the VM with systemd as init. The guest's
 * driver ({@code resources/package/ftguard-it}) checks the service at boot, an enforced policy from
 * /etc/ftguard/policies.d (a denied exec, its event in the journal at warning priority and in the
 * output file), {@code systemctl reload} of a changed policy, a broken one refused with the old
 * rules kept, enforcement back after a reboot before logins are allowed, and a purge that unloads
 * the module and leaves no file behind.
 */
class PackageIT {
  private static final String SUITE = "bookworm";

  /** Every check the guest's driver reports, in order; each must say "ok". */
  static final List<String> EXPECTED =
      List.of(
          "service-active",
          "module-loaded",
          "module-signed",
          "allowed-exec",
          "denied-exec",
          "event-in-journal",
          "event-priority-warning",
          "event-in-file",
          "reload-ok",
          "reload-applied",
          "reload-by-sighup",
          "reload-old-rule-gone",
          "broken-refused",
          "broken-located",
          "broken-keeps-rules",
          "broken-service-active",
          "fixed-reloads",
          "probe-before-login",
          "ready-before-logins",
          "denied-after-reboot",
          "allowed-after-reboot",
          "upgraded-kernel",
          "upgraded-module-loaded",
          "upgraded-module-from-dkms",
          "upgraded-denied",
          "upgraded-allowed",
          "purged",
          "purge-unloads-module",
          "purge-removes-unit",
          "purge-removes-dkms",
          "purge-removes-logs",
          "purge-removes-module-files",
          "purge-leaves-nothing");

  private static void progress(String line) {
    System.err.println("[package] " + line);
  }

  @Test
  void installsBootsEnforcesReloadsAndPurges() throws Exception {
    Path repo = Repository.root();
    Path deb = theDeb(repo);
    Path work = repo.resolve("it/target/package-it");
    Path root = copyRoot(repo.resolve(".cache/sysroots/" + SUITE), work, "the " + SUITE + " root");

    stage(root);
    // What the root holds before the package; the guest compares after the purge.
    Files.writeString(
        root.resolve("var/lib/ftguard-it/before.list"),
        inRoot(root, "listing", "bash", "-c", ". /usr/local/sbin/ftguard-it-listing && listing"));

    String kernel = kernelReleases(root).getFirst();
    progress("apt install ./" + deb.getFileName() + " (DKMS builds and signs the module)");
    Files.copy(deb, root.resolve("tmp/" + deb.getFileName()));
    // (not --no-download: apt then refuses a file name; what it needs is in the root anyway)
    String install = apt(root, "install the package", "/tmp/" + deb.getFileName());
    Files.writeString(work.resolve("install.log"), install);
    Files.delete(root.resolve("tmp/" + deb.getFileName()));
    assertSignedModule(root, kernel, install);
    Path wants = root.resolve("etc/systemd/system/multi-user.target.wants/ftguard.service");
    assertThat(Files.isSymbolicLink(wants)).as("the package enables its service").isTrue();
    assertThat(Files.readSymbolicLink(wants).toString())
        .endsWith("/systemd/system/ftguard.service");
    assertThat(inRoot(root, "ftguard --version", "ftguard", "--version")).contains("ftguard");
    startsFasterThanTheLauncher(repo, root);

    // A kernel upgrade after the package: DKMS's kernel hooks build the module for it.
    progress("installing a newer kernel (" + SUITE + "-backports): DKMS builds the module for it");
    String upgrade =
        apt(
            root,
            "install a newer kernel",
            "--no-download",
            "-t",
            SUITE + "-backports",
            "linux-image-amd64",
            "linux-headers-amd64");
    Files.writeString(work.resolve("upgrade.log"), upgrade);
    List<String> kernels = new ArrayList<>(kernelReleases(root));
    kernels.remove(kernel);
    assertThat(kernels).as("one new kernel\n%s", upgrade).hasSize(1);
    String upgraded = kernels.getFirst();
    assertSignedModule(root, upgraded, upgrade);
    Files.writeString(root.resolve("var/lib/ftguard-it/upgrade"), upgraded + "\n");
    inRoot(root, "apt-get clean", "apt-get", "clean");

    Path disk = work.resolve("disk.img");
    long bytes = sizeOf(root);
    progress("making the disk image (" + (bytes >> 20) + " MiB of files)");
    run(
        List.of(
            "mkfs.ext4",
            "-q",
            "-F",
            "-L",
            "ftgroot",
            "-d",
            root.toString(),
            disk.toString(),
            ((bytes + (bytes >> 1)) >> 20) + 1024 + "M"),
        "make the disk image");

    progress("boot 1 and 2 (a reboot) on " + kernel + ", then boot 3 on " + upgraded);
    DiskVm.Result first = boot(root, disk, kernel, work.resolve("vm-" + kernel));
    DiskVm.Result second = boot(root, disk, upgraded, work.resolve("vm-" + upgraded));
    DiskVm.Result r =
        new DiskVm.Result(
            first.console() + second.console(),
            first.report() + second.report(),
            first.timedOut() || second.timedOut(),
            first.panicked() || second.panicked(),
            first.took().plus(second.took()));
    Files.writeString(work.resolve("report.log"), r.report());
    List<String> ftgit = r.lines().stream().filter(l -> l.startsWith("FTGIT ")).toList();
    assertThat(r.timedOut()).as("the guest powered off in time\n%s", tail(r)).isFalse();
    assertThat(r.panicked()).as("no kernel panic\n%s", tail(r)).isFalse();
    List<String> left =
        ftgit.stream().filter(l -> l.startsWith("FTGIT left ")).map(l -> l.substring(11)).toList();
    assertThat(left).as("files left after the purge").isEmpty();
    List<String> failed = ftgit.stream().filter(l -> l.startsWith("FTGIT fail ")).toList();
    assertThat(failed).as("failed checks (serial log in %s)", work).isEmpty();
    List<String> passed =
        ftgit.stream().filter(l -> l.startsWith("FTGIT ok ")).map(l -> l.substring(9)).toList();
    assertThat(passed).as("checks the guest passed").containsExactlyElementsOf(EXPECTED);
    assertThat(ftgit)
        .contains(
            "FTGIT phase 1",
            "FTGIT rebooting",
            "FTGIT phase 2",
            "FTGIT powering off",
            "FTGIT phase 3",
            "FTGIT done");
    String dmesg =
        String.join(
            "\n",
            ftgit.stream()
                .filter(l -> l.startsWith("FTGIT dmesg "))
                .map(l -> l.substring(12))
                .toList());
    assertThat(dmesg).as("the guest's dmesg was printed").contains("ftguard");
    assertThat(DmesgChecker.check(dmesg)).as("kernel findings").isEmpty();
  }

  /**
   * Debian 13 as well: the same package installs into a copy of scripts/setup's trixie build root
   * (its dependencies from the archive: dkms, Capstone 5, ...), where DKMS builds, verifies ({@code
   * ftguard verify} with Capstone 5) and signs the module against trixie's own kernel headers and
   * compiler; the command runs; a purge leaves nothing of ftguard. (The booted system test above
   * runs on Debian 12.)
   */
  @Test
  void installsAndBuildsOnDebian13() throws Exception {
    Path repo = Repository.root();
    Path deb = theDeb(repo);
    Path work = repo.resolve("it/target/package-it-trixie");
    Path root =
        copyRoot(
            repo.resolve(".cache/buildroots/trixie"), work, "Debian 13: the trixie build root");
    String kernel = kernelReleases(root).getFirst();
    String before = ftguardFiles(root);
    Files.copy(deb, root.resolve("tmp/" + deb.getFileName()));
    progress("Debian 13: apt install ./" + deb.getFileName() + " (dependencies from the archive)");
    inRoot(root, "apt-get update", "apt-get", "update", "-q");
    String install = apt(root, "install the package on Debian 13", "/tmp/" + deb.getFileName());
    Files.writeString(work.resolve("install.log"), install);
    assertThat(inRoot(root, "dpkg-query", "dpkg-query", "-W", "-f=${Version}", "libcapstone5"))
        .as("Debian 13 brings Capstone 5")
        .startsWith("5.");
    assertSignedModule(root, kernel, install);
    assertThat(inRoot(root, "ftguard --version", "ftguard", "--version")).contains("ftguard");
    refusesATailCallingBuild(root, kernel);
    String purge = inRoot(root, "purge", "apt-get", "purge", "-y", "-q", "ftguard");
    assertThat(purge).as("a clean purge").doesNotContain("warning");
    assertThat(ftguardFiles(root))
        .as("nothing of ftguard after the purge\n%s", purge)
        .isEqualTo(before);
  }

  /**
   * A module whose wrappers tail-call their original (the hang the article describes; Kbuild's
   * {@code FTG_TEST_TAILCALL=1} builds one) fails {@code ftguard verify} inside DKMS's build: DKMS
   * reports the failure and neither signs nor installs anything.
   */
  private static void refusesATailCallingBuild(Path root, String kernel) throws IOException {
    String version = inRoot(root, "version", "dpkg-query", "-W", "-f=${Version}", "ftguard");
    inRoot(root, "dkms remove", "dkms", "remove", "ftguard/" + version, "-k", kernel);
    String out =
        inRoot(
            root,
            "a tail-calling build",
            "sh",
            "-c",
            "FTG_TEST_TAILCALL=1 dkms install ftguard/"
                + version
                + " -k "
                + kernel
                + "; echo \"dkms exit $?\"; cat /var/lib/dkms/ftguard/*/build/make.log"
                + " 2>/dev/null; true");
    assertThat(out).as("DKMS's build failed").doesNotContain("dkms exit 0");
    // verify's report on a module with findings: the TAIL CALL rows and their list
    assertThat(out).as("ftguard verify refused it").contains("TAIL CALL", "tail calls:");
    try (Stream<Path> s = Files.walk(root.resolve("lib/modules/" + kernel))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("ftguard.ko")).toList())
          .as("no module installed for %s after a refused build\n%s", kernel, out)
          .isEmpty();
    }
  }

  /** A fresh copy of one of scripts/setup's roots at {@code work/root}. */
  private static Path copyRoot(Path source, Path work, String what) throws IOException {
    assertThat(source.resolve("usr/bin/apt-get"))
        .as("%s made by scripts/setup", what)
        .isRegularFile();
    run(List.of("rm", "-rf", work.toString()), "clean " + work);
    Files.createDirectories(work);
    Path root = work.resolve("root");
    progress("copying " + what);
    // all but /tmp: module builds of the other test JVM come and go there
    List<String> cp = new ArrayList<>(List.of("cp", "-a", "--reflink=auto"));
    try (var entries = Files.list(source)) {
      entries
          .filter(e -> !e.getFileName().toString().equals("tmp"))
          .sorted()
          .forEach(e -> cp.add(e.toString()));
    }
    Files.createDirectories(root.resolve("tmp"));
    run(List.of("chmod", "1777", root.resolve("tmp").toString()), "make " + root + "/tmp");
    cp.add(root.toString());
    run(cp, "copy " + what);
    return root;
  }

  /** Files named after ftguard (scripts/setup's own apt setting is one before the install). */
  private static String ftguardFiles(Path root) {
    return inRoot(
        root,
        "find ftguard's files",
        "sh",
        "-c",
        "find / -xdev -name '*ftguard*' -not -path '/tmp/*' -not -path '/proc/*' | LC_ALL=C sort");
  }

  /**
   * The start-up benchmark: the packaged command (bundled runtime, AOT cache) against the
   * repository's launcher on the host's JDK 25, for {@code --version} and {@code policy validate};
   * the packaged one must cost less CPU (docs/performance.md has the figures).
   */
  private static void startsFasterThanTheLauncher(Path repo, Path root) {
    // with its own /proc, as on a host (the runtime's loader resolves $ORIGIN through it)
    List<String> chroot = concat(IN_ROOT.apply(root), "/usr/bin/ftguard");
    String launcher = repo.resolve("ftguard").toString();
    String example = "/usr/share/doc/ftguard/examples/events.yaml";
    assertThat(root.resolve(example.substring(1))).as("the package's example").isRegularFile();
    for (StartupComparison c :
        List.of(
            StartupComparison.measure(
                "--version",
                concat(chroot, "--version"),
                List.of(launcher, "--version"),
                STARTUP_PAIRS),
            StartupComparison.measure(
                "policy validate",
                concat(chroot, "policy", "validate", example),
                List.of(
                    launcher,
                    "policy",
                    "validate",
                    repo.resolve("policies/events.yaml").toString()),
                STARTUP_PAIRS))) {
      progress("start-up, packaged (A) against ./ftguard (B): " + c.row());
      assertThat(c.medianRatio()).as("packaged/launcher CPU, %s", c.row()).isLessThan(1.0);
    }
  }

  /** Pairs of runs in the start-up benchmark. */
  private static final int STARTUP_PAIRS = 7;

  private static List<String> concat(List<String> head, String... tail) {
    List<String> l = new ArrayList<>(head);
    l.addAll(List.of(tail));
    return l;
  }

  /** The driver, its units, the test binaries and the policies, copied into the root. */
  private static void stage(Path root) throws IOException {
    Path state = root.resolve("var/lib/ftguard-it");
    Files.createDirectories(state);
    Files.writeString(state.resolve("phase"), "1\n");
    Files.writeString(state.resolve("policy-v2.yaml"), policy("forbidden2"));
    Files.writeString(
        state.resolve("broken.yaml"),
        "apiVersion: ftguard.dev/v1\nkind: Policy\nmetadata: {name: broken}\nspec:\n"
            + "  rules:\n    - name: no-event\n      action: deny\n");
    Path policies = root.resolve("etc/ftguard/policies.d");
    Files.createDirectories(policies);
    Files.writeString(policies.resolve("10-it.yaml"), policy("forbidden"));
    for (String b : List.of("allowed", "forbidden", "forbidden2")) {
      Files.copy(root.resolve("usr/bin/true"), root.resolve("usr/local/bin/" + b));
    }
    Path sbin = root.resolve("usr/local/sbin");
    for (String f : List.of("ftguard-it", "ftguard-it-probe", "ftguard-it-listing")) {
      Files.writeString(sbin.resolve(f), resource(f));
      Files.setPosixFilePermissions(sbin.resolve(f), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path units = root.resolve("etc/systemd/system");
    Files.createDirectories(units.resolve("multi-user.target.wants"));
    for (String u : List.of("ftguard-it.service", "ftguard-it-probe.service")) {
      Files.writeString(units.resolve(u), resource(u));
      Files.createSymbolicLink(
          units.resolve("multi-user.target.wants/" + u), Path.of("/etc/systemd/system/" + u));
    }
  }

  /** A policy that denies running {@code /usr/local/bin/NAME}. */
  static String policy(String name) {
    return """
        apiVersion: ftguard.dev/v1
        kind: Policy
        metadata: {name: it-exec}
        spec:
          mode: enforce
          rules:
            - name: deny-NAME
              event: exec
              match: {binary: {exact: [/usr/local/bin/NAME]}}
              action: deny
        """
        .replace("NAME", name);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PackageIT.class.getResourceAsStream("/package/" + name)) {
      assertThat(in).as("resource package/%s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Path theDeb(Path repo) throws IOException {
    Path dir = repo.resolve("deb/target");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> debs =
          s.filter(p -> p.getFileName().toString().matches("ftguard_.*_amd64\\.deb")).toList();
      assertThat(debs).as("one package built in %s (./mvnw package)", dir).hasSize(1);
      return debs.getFirst();
    }
  }

  /** The kernels installed in the root, sorted. */
  private static List<String> kernelReleases(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("lib/modules"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * DKMS built the module for this kernel, {@code ftguard verify} passed in that build, and the
   * module installed is signed: {@code ftguard.ko}, compressed as the kernel compresses its own
   * ({@code CONFIG_MODULE_COMPRESS_*}: 6.12's are {@code .ko.xz}).
   */
  private static void assertSignedModule(Path root, String kernel, String log) throws IOException {
    Path dir = root.resolve("lib/modules/" + kernel + "/updates/dkms");
    List<Path> kos;
    try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
      kos =
          s.filter(p -> p.getFileName().toString().matches("ftguard\\.ko(\\.(xz|zst|gz))?"))
              .toList();
    }
    assertThat(kos).as("DKMS installed the module for %s\n%s", kernel, log).hasSize(1);
    String ko = "/" + root.relativize(kos.getFirst());
    assertThat(inRoot(root, "modinfo", "modinfo", "-F", "signer", ko).strip())
        .as("the module DKMS built for %s (%s) is signed", kernel, ko)
        .isNotEmpty();
    // DKMS keeps the build's log: ftguard verify ran in the build and passed
    String makeLog =
        inRoot(
            root,
            "the DKMS build log",
            "sh",
            "-c",
            "cat /var/lib/dkms/ftguard/*/" + kernel + "/*/log/make.log");
    assertThat(makeLog)
        .as("ftguard verify ran in DKMS's build for %s", kernel)
        .containsPattern("kmod/ftguard.ko: \\d+ wrappers, no tail call");
  }

  /** {@code apt-get install}: everything it needs is in the root already (scripts/setup). */
  private static String apt(Path root, String purpose, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "-o",
                "Dpkg::Options::=--force-unsafe-io"));
    cmd.addAll(List.of(args));
    return inRoot(root, purpose, cmd.toArray(String[]::new));
  }

  /** Boots the disk on one of the root's kernels until the guest powers off. */
  private static DiskVm.Result boot(Path root, Path disk, String kernel, Path work) {
    return DiskVm.run(
        new DiskVm.Spec(
            root.resolve("boot/vmlinuz-" + kernel),
            root.resolve("boot/initrd.img-" + kernel),
            disk,
            "root=/dev/vda rw console=ttyS0 no_timer_check quiet",
            2048,
            Duration.ofMinutes(8),
            work,
            "FTGIT",
            line -> {
              if (!line.startsWith("FTGIT dmesg ")) {
                progress(line); // the checks as they pass; dmesg is read afterwards
              }
            }));
  }

  private static long sizeOf(Path root) {
    return Long.parseLong(run(List.of("du", "-sb", root.toString()), "size").split("\\s+")[0]);
  }

  private static String tail(DiskVm.Result r) {
    List<String> l = r.console().lines().toList();
    return String.join("\n", l.subList(Math.max(0, l.size() - 60), l.size()));
  }

  /** The command prefix that runs in the root with its own /proc, as on a booted system. */
  private static final java.util.function.Function<Path, List<String>> IN_ROOT =
      root ->
          List.of(
              "unshare",
              "--mount",
              "--pid",
              "--fork",
              "--mount-proc=" + root.resolve("proc"),
              "chroot",
              root.toString());

  /** Runs in the root (as scripts/setup's build roots do). */
  private static String inRoot(Path root, String purpose, String... command) {
    List<String> cmd =
        concat(
            IN_ROOT.apply(root),
            "/usr/bin/env",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "DEBIAN_FRONTEND=noninteractive",
            "LC_ALL=C");
    cmd.addAll(List.of(command));
    return run(cmd, purpose);
  }

  /** Runs a host command, which must succeed; its output (stdout and stderr). */
  static String run(List<String> cmd, String purpose) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      assertThat(rc).as("%s: %s exited with %d:\n%s", purpose, cmd, rc, out).isZero();
      return out;
    } catch (IOException e) {
      throw new AssertionError(purpose + ": cannot run " + cmd + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(purpose + ": interrupted", e);
    }
  }
}
