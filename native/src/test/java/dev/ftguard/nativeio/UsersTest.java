package dev.ftguard.nativeio;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsersTest {
  /** id to name, first entry of each id, from a passwd(5) or group(5) file. */
  static Map<Long, String> entries(String file) throws Exception {
    Map<Long, String> names = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of(file))) {
      String[] f = line.split(":", -1);
      if (f.length >= 3
          && !line.startsWith("#")
          && !f[0].startsWith("+")
          && !f[0].startsWith("-")) {
        names.putIfAbsent(Long.parseLong(f[2]), f[0]);
      }
    }
    return names;
  }

  @Test
  void rootIsRoot() throws Exception {
    assertThat(Users.userName(0)).contains("root");
    assertThat(Users.groupName(0)).contains("root");
  }

  @Test
  void everyUserAndGroupOfTheLocalFilesResolves() throws Exception {
    Map<Long, String> users = entries("/etc/passwd");
    Map<Long, String> groups = entries("/etc/group");
    assertThat(users).isNotEmpty();
    assertThat(groups).isNotEmpty();
    users.forEach(
        (uid, name) ->
            assertThat(call(() -> Users.userName(uid))).as("uid %d", uid).contains(name));
    groups.forEach(
        (gid, name) ->
            assertThat(call(() -> Users.groupName(gid))).as("gid %d", gid).contains(name));
  }

  @Test
  void unknownIdsHaveNoName() throws Exception {
    long unused = 3_999_999_999L;
    assertThat(entries("/etc/passwd")).doesNotContainKey(unused);
    assertThat(Users.userName(unused)).isEmpty();
    assertThat(Users.groupName(unused)).isEmpty();
    // (uid_t) -1 and values outside uid_t are not ids
    assertThat(Users.userName(0xffff_ffffL)).isEmpty();
    assertThat(Users.userName(-1)).isEmpty();
    assertThat(Users.groupName(1L << 33)).isEmpty();
  }

  @Test
  void aBufferTooSmallIsGrown() throws Exception {
    assertThat(Users.userName(0, 1)).contains("root");
    assertThat(Users.groupName(0, 2)).contains("root");
  }

  interface Lookup {
    java.util.Optional<String> get() throws ErrnoException;
  }

  static java.util.Optional<String> call(Lookup l) {
    try {
      return l.get();
    } catch (ErrnoException e) {
      throw new AssertionError(e);
    }
  }
}
