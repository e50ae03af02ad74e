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

  private static PathCalls.Info jdk(Path p) throws Exception {
    Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,ctime,size");
    return new PathCalls.Info(
        (Long) a.get("dev"),
        (Long) a.get("ino"),
        (Long) a.get("size"),
        ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS));
  }

  @Test
  void tellsWhatTheJdkTellsOfAFileAndFollowsLinks() throws Exception {
    Path f = Files.write(tmp.resolve("bin"), new byte[1234]);
    Path link = Files.createSymbolicLink(tmp.resolve("exe"), f);
    assertThat(PathCalls.stat(f.toString())).isEqualTo(jdk(f));
    assertThat(PathCalls.stat(link.toString())).isEqualTo(jdk(f));
    assertThat(PathCalls.stat(link.toString()).size()).isEqualTo(1234);
    assertThat(PathCalls.stat("/proc/self/exe")).isEqualTo(jdk(Path.of("/proc/self/exe")));
  }

  @Test
  void anotherFileHasAnotherInodeAndAChangeMovesCtime() throws Exception {
    Path a = Files.writeString(tmp.resolve("a"), "a");
    Path b = Files.writeString(tmp.resolve("b"), "b");
    assertThat(PathCalls.stat(a.toString()).ino()).isNotEqualTo(PathCalls.stat(b.toString()).ino());
    PathCalls.Info before = PathCalls.stat(a.toString());
    Files.setLastModifiedTime(a, FileTime.fromMillis(0)); // changes attributes: ctime moves
    assertThat(PathCalls.stat(a.toString()).ctimeNs()).isGreaterThanOrEqualTo(before.ctimeNs());
    assertThat(PathCalls.stat(a.toString())).isEqualTo(jdk(a));
  }

  @Test
  void failuresCarryTheErrno() {
    Path missing = tmp.resolve("nope");
    assertThatThrownBy(() -> PathCalls.stat(missing.toString()))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.ENOENT);
              assertThat(e.call()).isEqualTo("statx");
              assertThat(e.subject()).isEqualTo(missing.toString());
            });
    assertThatThrownBy(() -> PathCalls.stat("x".repeat(5000)))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENAMETOOLONG));
  }

  @Test
  void readsALinksTargetAsTheJdkDoes() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("cwd"), Path.of("/srv/app/\u00e9t\u00e9 7"));
    assertThat(PathCalls.readLink(link.toString()))
        .isEqualTo(Files.readSymbolicLink(link).toString())
        .isEqualTo("/srv/app/\u00e9t\u00e9 7");
    assertThat(PathCalls.readLink("/proc/self/cwd"))
        .isEqualTo(Path.of("").toAbsolutePath().toString());
    assertThatThrownBy(() -> PathCalls.readLink(tmp.resolve("nope").toString()))
        .isInstanceOfSatisfying(
            ErrnoException.class,
            e -> {
              assertThat(e.errno()).isEqualTo(Errno.ENOENT);
              assertThat(e.call()).isEqualTo("readlink");
            });
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThatThrownBy(() -> PathCalls.readLink(file.toString()))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
  }

  @Test
  void makedevEncodesAsTheCLibrary() {
    assertThat(PathCalls.makedev(8, 1)).isEqualTo(0x801);
    assertThat(PathCalls.makedev(0, 0)).isZero();
    assertThat(PathCalls.makedev(0x12345, 0x6789ab)).isEqualTo(0x0001_2006_7893_45abL);
    for (int[] mm : new int[][] {{8, 1}, {0, 0}, {0x12345, 0x6789ab}, {-1, -1}, {259, 0x100001}}) {
      long dev = PathCalls.makedev(mm[0], mm[1]);
      assertThat(PathCalls.major(dev)).isEqualTo(mm[0]);
      assertThat(PathCalls.minor(dev)).isEqualTo(mm[1]);
    }
  }
}
