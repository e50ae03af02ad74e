package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files the verifier cannot prove anything about: each error names the file and the problem. */
class VerifierInputTest {
  @TempDir Path tmp;

  static void fails(Path file, VerifyException.Kind kind, String... parts) {
    assertThatThrownBy(() -> Verifier.verify(file))
        .isInstanceOfSatisfying(
            VerifyException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(kind);
              assertThat(e.getMessage()).contains(file.toString()).contains(parts);
            });
  }

  @Test
  void aMissingFileOrADirectory() {
    fails(tmp.resolve("none.ko"), VerifyException.Kind.UNREADABLE, "does not exist");
    fails(tmp, VerifyException.Kind.UNREADABLE, "is a directory");
  }

  @Test
  void notElf() throws Exception {
    Path text = Files.writeString(tmp.resolve("notes.ko"), "int x;\n");
    fails(text, VerifyException.Kind.NOT_ELF, "not an ELF file");
    Path empty = Files.write(tmp.resolve("empty.ko"), new byte[0]);
    fails(empty, VerifyException.Kind.NOT_ELF, "is empty", "give the built module");
    Path random = tmp.resolve("random.ko");
    byte[] noise = new byte[4096];
    new java.util.Random(7).nextBytes(noise);
    Files.write(random, noise);
    fails(random, VerifyException.Kind.NOT_ELF, "not an ELF file");
  }

  @Test
  void aFifoIsRefusedWithoutOpeningIt() throws Exception {
    Path fifo = tmp.resolve("fifo.ko");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(5),
        () -> fails(fifo, VerifyException.Kind.UNREADABLE, "is not a regular file"));
  }

  @Test
  void aDeviceIsRefusedWithoutReadingIt() {
    fails(Path.of("/dev/zero"), VerifyException.Kind.UNREADABLE, "is not a regular file");
  }

  @Test
  void aCorruptedElfFileIsOneLineThatSaysHowToFixIt() throws Exception {
    Path obj = Tools.compile("no_wrappers.c", tmp, List.of());
    byte[] bytes = Files.readAllBytes(obj);
    java.util.Random r = new java.util.Random(1);
    for (int i = 64; i < bytes.length; i += 7) {
      bytes[i] = (byte) r.nextInt();
    }
    Path bad = Files.write(tmp.resolve("bad.ko"), bytes);
    assertThatThrownBy(() -> Verifier.verify(bad))
        .isInstanceOfSatisfying(
            VerifyException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(VerifyException.Kind.NOT_ELF);
              assertThat(e.getMessage())
                  .startsWith(bad + " is a corrupted ELF file (")
                  .endsWith("; rebuild it (ftguard load --build-only) or copy it again")
                  .doesNotContain("\n");
            });
  }

  @Test
  void aTruncatedElfFile() throws Exception {
    Path obj = Tools.compile("no_wrappers.c", tmp, List.of());
    byte[] bytes = Files.readAllBytes(obj);
    Path cut = Files.write(tmp.resolve("cut.ko"), java.util.Arrays.copyOf(bytes, 40));
    fails(cut, VerifyException.Kind.NOT_ELF, "is truncated", "end inside the 64-byte ELF header");
    Path tail =
        Files.write(tmp.resolve("tail.ko"), java.util.Arrays.copyOf(bytes, bytes.length - 10));
    fails(
        tail,
        VerifyException.Kind.NOT_ELF,
        "is truncated: its section headers end at byte " + bytes.length,
        "has " + (bytes.length - 10) + " bytes",
        "rebuild it");
  }

  @Test
  void anExecutableOrSharedObjectIsNotAModule() {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow()).toAbsolutePath();
    fails(java, VerifyException.Kind.NOT_X86_64_RELOCATABLE, "not an x86-64 relocatable object");
  }

  @Test
  void a32BitObjectIsNotAModuleForX8664() {
    Path obj = Tools.compile("x86_32.S", tmp, List.of("-m32"));
    fails(obj, VerifyException.Kind.NOT_X86_64_RELOCATABLE, "32-bit", "for machine 3");
  }

  @Test
  void anObjectWithoutTheWrapperList() {
    Path obj = Tools.compile("no_wrappers.c", tmp, List.of());
    fails(
        obj,
        VerifyException.Kind.NO_WRAPPERS,
        "has no .ftg_wrappers section",
        "FTG_DEFINE_WRAPPER");
  }

  @Test
  void aWrapperListOfTheWrongSize() {
    Path obj = Tools.compile("bad_size.S", tmp, List.of());
    fails(obj, VerifyException.Kind.BAD_WRAPPERS, "size 12 is not a multiple of 16");
  }

  @Test
  void anEntryThatPointsToData() {
    Path obj = Tools.compile("bad_target.S", tmp, List.of());
    fails(
        obj,
        VerifyException.Kind.BAD_WRAPPERS,
        "entry 0 points to .data",
        "where no function starts");
  }
}
