package dev.ftguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real inotify-backed watches on a temporary directory. */
@SuppressWarnings("try") // watchers held for their lifetime only
class PolicyWatcherTest {
  @TempDir Path tmp;

  final AtomicInteger fired = new AtomicInteger();
  final Semaphore signal = new Semaphore(0);

  PolicyWatcher watch(Duration debounce, Path... files) throws Exception {
    return PolicyWatcher.start(
        List.of(files),
        debounce,
        () -> {
          fired.incrementAndGet();
          signal.release();
        });
  }

  @Test
  void burstOfWritesFiresOnceAfterTheQuietPeriod() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.yaml"), "x");
    try (PolicyWatcher w = watch(Duration.ofMillis(500), f)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        Files.writeString(f, "x" + i);
      }
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(450);
      assertThat(signal.tryAcquire(1, TimeUnit.SECONDS)).isFalse();
      assertThat(fired.get()).isEqualTo(1);
    }
  }

  @Test
  void aWatchedDirectorySeesPolicyFilesAddedChangedAndRemoved() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies.d"));
    Path a = Files.writeString(dir.resolve("a.yaml"), "x");
    try (PolicyWatcher w = watch(Duration.ofMillis(50), dir)) {
      Files.writeString(dir.resolve("notes.txt"), "y");
      Files.writeString(dir.resolve(".b.yaml.swp"), "y");
      assertThat(signal.tryAcquire(700, TimeUnit.MILLISECONDS)).isFalse();
      Path b = Files.writeString(dir.resolve("b.yml"), "new");
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).as("added").isTrue();
      Files.writeString(a, "changed");
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).as("changed").isTrue();
      Files.delete(b);
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).as("removed").isTrue();
      assertThat(fired.get()).isEqualTo(3);
    }
  }

  @Test
  void otherFilesInTheDirectoryAreIgnored() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.yaml"), "x");
    try (PolicyWatcher w = watch(Duration.ofMillis(50), f)) {
      Files.writeString(tmp.resolve(".a.yaml.swp"), "y");
      Files.writeString(tmp.resolve("b.yaml"), "y");
      assertThat(signal.tryAcquire(700, TimeUnit.MILLISECONDS)).isFalse();
      Files.writeString(f, "z");
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void replacingTheFileByRenameFires() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.yaml"), "x");
    try (PolicyWatcher w = watch(Duration.ofMillis(50), f)) {
      Path t = Files.writeString(tmp.resolve("a.yaml.tmp"), "new");
      Files.move(t, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void filesInSeveralDirectoriesAndDeletion() throws Exception {
    Path d1 = Files.createDirectories(tmp.resolve("one"));
    Path d2 = Files.createDirectories(tmp.resolve("two"));
    Path a = Files.writeString(d1.resolve("a.yaml"), "x");
    Path b = Files.writeString(d2.resolve("b.yaml"), "x");
    try (PolicyWatcher w = watch(Duration.ofMillis(50), a, b)) {
      Files.delete(b);
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      Files.writeString(a, "y");
      assertThat(signal.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void closeStopsWatching() throws Exception {
    Path f = Files.writeString(tmp.resolve("a.yaml"), "x");
    PolicyWatcher w = watch(Duration.ofMillis(50), f);
    w.close();
    Files.writeString(f, "y");
    assertThat(signal.tryAcquire(500, TimeUnit.MILLISECONDS)).isFalse();
  }
}
