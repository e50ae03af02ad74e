package dev.ftguard.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NameCacheTest {
  final List<Long> asked = new ArrayList<>();
  final Map<Long, String> passwd = Map.of(0L, "root", 1000L, "alice", 1001L, "bob");
  long clock = 1_000_000_000L;

  NameCache.Resolver users =
      id -> {
        asked.add(id);
        return Optional.ofNullable(passwd.get(id));
      };

  NameCache cache(int entries, ManualExecutor executor, Duration maxWait) {
    return new NameCache(
        new NameCache.Config(entries, maxWait, Duration.ofMinutes(10), Duration.ofSeconds(30)),
        users,
        id -> Optional.of("g" + id),
        executor == null ? Runnable::run : executor,
        () -> clock);
  }

  @Test
  void looksUpOnceAndAnswersFromTheCache() {
    NameCache c = cache(16, null, Duration.ofMillis(100));
    assertThat(c.user(1000)).contains("alice");
    assertThat(c.user(1000)).contains("alice");
    assertThat(c.user(4242)).isEmpty();
    assertThat(c.user(4242)).isEmpty();
    assertThat(c.group(5)).contains("g5");
    assertThat(asked).containsExactly(1000L, 4242L);
  }

  @Test
  void theCacheIsBounded() {
    NameCache c = cache(2, null, Duration.ofMillis(100));
    c.user(0);
    c.user(1000);
    c.user(1001); // drops 0, the least recently used
    c.user(1000);
    c.user(0);
    assertThat(asked).containsExactly(0L, 1000L, 1001L, 0L);
  }

  @Test
  void answersExpire() {
    NameCache c = cache(16, null, Duration.ofMillis(100));
    c.user(1000);
    clock += Duration.ofMinutes(9).toNanos();
    c.user(1000);
    clock += Duration.ofMinutes(2).toNanos();
    c.user(1000);
    assertThat(asked).containsExactly(1000L, 1000L);
  }

  @Test
  void aHangingLookupDelaysOnlyTheFirstEvent() {
    ManualExecutor stuck = new ManualExecutor();
    NameCache c = cache(16, stuck, Duration.ZERO);
    assertThat(c.user(1000)).isEmpty(); // gave up waiting
    assertThat(c.user(1000)).isEmpty(); // still pending: no second lookup
    assertThat(stuck.queued()).isEqualTo(1);
    stuck.runAll(); // the directory answers at last
    assertThat(c.user(1000)).contains("alice");
    assertThat(asked).containsExactly(1000L);
  }

  @Test
  void failedLookupsAreTriedAgainLater() {
    int[] calls = {0};
    NameCache c =
        new NameCache(
            NameCache.Config.defaults(),
            id -> {
              if (calls[0]++ == 0) {
                throw new java.io.IOException("ldap down");
              }
              return Optional.of("carol");
            },
            id -> Optional.empty(),
            Runnable::run,
            () -> clock);
    assertThat(c.user(1002)).isEmpty();
    assertThat(c.user(1002)).isEmpty();
    clock += Duration.ofSeconds(31).toNanos();
    assertThat(c.user(1002)).contains("carol");
    assertThat(calls[0]).isEqualTo(2);
  }

  @Test
  void theCLibraryNamesRoot() {
    try (NameCache c =
        NameCache.create(NameCache.Config.defaults().withMaxWait(Duration.ofSeconds(30)))) {
      assertThat(c.user(0)).contains("root");
      assertThat(c.group(0)).contains("root");
    }
  }
}
