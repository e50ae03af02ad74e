package dev.ftguard.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyTest {
  @TempDir Path tmp;

  @Test
  void theKeyOfTheFileALinkLeadsToAsTheJdkReadsIt() throws Exception {
    Path f = Files.write(tmp.resolve("bin"), new byte[77]);
    Path link = Files.createSymbolicLink(tmp.resolve("exe"), f);
    Map<String, Object> a = Files.readAttributes(f, "unix:dev,ino,ctime,size");
    FileKey.Stat st = FileKey.stat(link);
    assertThat(st.key())
        .isEqualTo(
            new FileKey(
                (Long) a.get("dev"),
                (Long) a.get("ino"),
                ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS)));
    assertThat(st.size()).isEqualTo(77);
  }

  @Test
  void failuresAreTheExceptionsTheHasherNamesReasonsFrom() throws Exception {
    Path missing = tmp.resolve("gone");
    assertThatThrownBy(() -> FileKey.stat(missing)).isInstanceOf(NoSuchFileException.class);
    assertThat(BinaryHasher.reason(new NoSuchFileException(missing.toString()))).isEqualTo("gone");
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThatThrownBy(() -> FileKey.stat(file.resolve("below")))
        .isInstanceOfSatisfying(
            FileSystemException.class, e -> assertThat(e.getReason()).isEqualTo("Not a directory"));
  }
}
