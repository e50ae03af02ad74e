package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.testing.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module cross-compiles for arm64 (docs/arm64.md): Debian's cross compiler
 * (gcc-aarch64-linux-gnu) against the arm64 headers of the host's 6.1 ABI, which scripts/setup
 * unpacks under .cache/cross/arm64/root. The build must be warning-free and give an AArch64 module.
 * Nothing here runs it: that needs an arm64 guest.
 */
class CrossBuildTest {

  private static final String CROSS_COMPILE = "aarch64-linux-gnu-";

  /** e_machine of an AArch64 ELF file (EM_AARCH64). */
  private static final int EM_AARCH64 = 183;

  @Test
  void moduleBuildsForArm64WithoutWarnings() throws Exception {
    Path root = Repository.root();
    Path kdir = arm64Headers(root);
    assertThat(onPath(CROSS_COMPILE + "gcc"))
        .as(CROSS_COMPILE + "gcc on PATH: run scripts/setup (installs gcc-aarch64-linux-gnu)")
        .isTrue();
    Path dir = FtguardGuest.copyModuleSources(root.resolve("it/target/kmod-arm64"));

    List<String> make =
        List.of(
            "make",
            "-C",
            kdir.toString(),
            "M=" + dir,
            "ARCH=arm64",
            "CROSS_COMPILE=" + CROSS_COMPILE,
            "-j" + Runtime.getRuntime().availableProcessors(),
            "modules");
    Path logFile = dir.resolve("build.log");
    Process p =
        new ProcessBuilder(make)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    boolean done = p.waitFor(10, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String log = Files.readString(logFile, StandardCharsets.UTF_8);
    assertThat(done).as("make finished within 10 minutes:\n" + log).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", make) + "\n" + log).isZero();
    assertThat(log.lines().filter(l -> l.contains("warning:") || l.contains("error:")).toList())
        .as(log)
        .isEmpty();

    Path ko = dir.resolve("ftguard.ko");
    assertThat(ko).as(log).isRegularFile();
    byte[] header = new byte[20];
    try (InputStream in = Files.newInputStream(ko)) {
      assertThat(in.readNBytes(header, 0, header.length))
          .as("ELF header of " + ko)
          .isEqualTo(header.length);
    }
    assertThat(new byte[] {header[0], header[1], header[2], header[3]})
        .as("ELF magic")
        .containsExactly(0x7f, 'E', 'L', 'F');
    assertThat(header[4]).as("EI_CLASS: ELFCLASS64").isEqualTo((byte) 2);
    assertThat(header[5]).as("EI_DATA: little-endian").isEqualTo((byte) 1);
    ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(Short.toUnsignedInt(b.getShort(16))).as("e_type: ET_REL").isEqualTo(1);
    assertThat(Short.toUnsignedInt(b.getShort(18)))
        .as("e_machine: EM_AARCH64")
        .isEqualTo(EM_AARCH64);
  }

  /** The unpacked linux-headers-ABI-arm64 that scripts/setup prepares. */
  private static Path arm64Headers(Path root) throws IOException {
    Path src = root.resolve(".cache/cross/arm64/root/usr/src");
    assertThat(src).as("arm64 headers: run scripts/setup (prepares " + src + ")").isDirectory();
    List<Path> found;
    try (Stream<Path> s = Files.list(src)) {
      found =
          s.filter(p -> p.getFileName().toString().matches("linux-headers-.*-arm64"))
              .filter(p -> Files.isRegularFile(p.resolve("Makefile")))
              .sorted()
              .toList();
    }
    assertThat(found).as("linux-headers-*-arm64 in " + src + ": run scripts/setup").hasSize(1);
    return found.getFirst();
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }
}
