package dev.ftguard.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ftguard.abi.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStatTest {
  @TempDir Path tmp;

  private static FileStat.Info jdk(Path p) throws Exception {
    Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,ctime,size");
    return new FileStat.Info(
        (Long) a.get("dev"),
        (Long) a.get("ino"),
        (Long) a.get("size"),
        ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS));
  }

  @Test
  void tellsWhatTheJdkTellsOfAFileAndFollowsLinks() throws Exception {
    Path f = Files.write(tmp.resolve("bin"), new byte[1234]);
    Path link = Files.createSymbolicLink(tmp.resolve("exe"), f);
    assertThat(FileStat.stat(f.toString())).isEqualTo(jdk(f));
    assertThat(FileStat.stat(link.toString())).isEqualTo(jdk(f));
    assertThat(FileStat.stat(link.toString()).size()).isEqualTo(1234);
    assertThat(FileStat.stat("/proc/self/exe")).isEqualTo(jdk(Path.of("/proc/self/exe")));
  }

  @Test
  void anotherFileHasAnotherInodeAndAChangeMovesCtime() throws Exception {
    Path a = Files.writeString(tmp.resolve("a"), "a");
    Path b = Files.writeString(tmp.resolve("b"), "b");
    assertThat(FileStat.stat(a.toString()).ino()).isNotEqualTo(FileStat.stat(b.toString()).ino());
    FileStat.Info before = FileStat.stat(a.toString());
    Files.setLastModifiedTime(a, FileTime.fromMillis(0)); // changes attributes: ctime moves
    assertThat(FileStat.stat(a.toString()).ctimeNs()).isGreaterThanOrEqualTo(before.ctimeNs());
    assertThat(FileStat.stat(a.toString())).isEqualTo(jdk(a));
  }

  @Test
  void failuresCarryTheErrno() {
    Path missing = tmp.resolve("nope");
    assertThatThrownBy(() -> FileStat.stat(missing.toString()))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.ENOENT);
              assertThat(e.call()).isEqualTo("statx");
              assertThat(e.subject()).isEqualTo(missing.toString());
            });
    assertThatThrownBy(() -> FileStat.stat("x".repeat(5000)))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENAMETOOLONG));
  }

  @Test
  void makedevEncodesAsTheCLibrary() {
    assertThat(FileStat.makedev(8, 1)).isEqualTo(0x801);
    assertThat(FileStat.makedev(0, 0)).isZero();
    assertThat(FileStat.makedev(0x12345, 0x6789ab)).isEqualTo(0x0001_2006_7893_45abL);
  }
}
