package dev.ftguard.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinaryHasherTest {
  @TempDir Path tmp;

  final ManualExecutor executor = new ManualExecutor();

  BinaryHasher hasher(long maxBytes, int entries) {
    return new BinaryHasher(new BinaryHasher.Config(maxBytes, entries, 1, 16), executor);
  }

  static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  Path file(String name, byte[] content) throws Exception {
    Path p = tmp.resolve(name);
    Files.write(p, content);
    return p;
  }

  Path link(String name, Path target) throws Exception {
    Path l = tmp.resolve(name);
    Files.deleteIfExists(l);
    return Files.createSymbolicLink(l, target);
  }

  @Test
  void hashesOffTheCallersThreadAndCachesByFile() throws Exception {
    byte[] content = new byte[200_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31);
    }
    Path bin = file("bin", content);
    BinaryHasher h = hasher(1 << 20, 16);
    BinaryHasher.Slot slot = h.open(link("exe1", bin));
    assertThat(h.current(slot)).isEqualTo(BinaryHash.PENDING);
    assertThat(executor.runAll()).isEqualTo(1);
    BinaryHash done = h.current(slot);
    assertThat(done).isEqualTo(new BinaryHash.Hashed(sha256(content), content.length));
    // another process of the same binary: answered from the cache, nothing queued
    BinaryHasher.Slot other = h.open(link("exe2", bin));
    assertThat(h.current(other)).isEqualTo(done);
    assertThat(executor.queued()).isZero();
    assertThat(h.hashedCount()).isEqualTo(1);
  }

  @Test
  void aReplacedFileIsHashedAgain() throws Exception {
    Path bin = file("bin", "one".getBytes());
    BinaryHasher h = hasher(1 << 20, 16);
    BinaryHasher.Slot first = h.open(bin);
    executor.runAll();
    // what package managers do: write a new file, rename it over the old one
    Path next = file("bin.new", "two".getBytes());
    Files.move(next, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    BinaryHasher.Slot second = h.open(bin);
    assertThat(second.key()).isNotEqualTo(first.key());
    assertThat(h.current(second)).isEqualTo(BinaryHash.PENDING);
    executor.runAll();
    assertThat(h.current(second)).isEqualTo(new BinaryHash.Hashed(sha256("two".getBytes()), 3));
    assertThat(h.current(first)).isEqualTo(new BinaryHash.Hashed(sha256("one".getBytes()), 3));
  }

  @Test
  void filesAboveTheCapAreNotRead() throws Exception {
    Path big = file("big", new byte[5000]);
    BinaryHasher h = hasher(4096, 16);
    BinaryHasher.Slot slot = h.open(big);
    assertThat(h.current(slot)).isEqualTo(new BinaryHash.TooLarge(5000, 4096));
    assertThat(executor.queued()).isZero();
    Path exact = file("exact", new byte[4096]);
    BinaryHasher.Slot fits = h.open(exact);
    executor.runAll();
    assertThat(h.current(fits)).isInstanceOf(BinaryHash.Hashed.class);
  }

  @Test
  void aBinaryThatCannotBeReadIsUnavailable() throws Exception {
    BinaryHasher h = hasher(1 << 20, 16);
    // the process had exited: /proc/PID/exe is gone
    assertThat(h.current(h.open(tmp.resolve("999/exe"))))
        .isEqualTo(new BinaryHash.Unavailable("gone"));
    // stat works but reading fails (a directory reads like an unreadable file)
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    BinaryHasher.Slot slot = h.open(dir);
    executor.runAll();
    assertThat(h.current(slot)).isInstanceOf(BinaryHash.Unavailable.class);
    assertThat(h.cachedCount()).isZero();
  }

  @Test
  void whenTheFirstAskerHasGoneAnotherAskersPathIsRead() throws Exception {
    Path bin = file("bin", "shared".getBytes());
    BinaryHasher h = hasher(1 << 20, 16);
    Path exe1 = link("exe1", bin);
    BinaryHasher.Slot a = h.open(exe1);
    BinaryHasher.Slot b = h.open(link("exe2", bin));
    assertThat(executor.queued()).isEqualTo(1); // one job for both
    Files.delete(exe1); // the first process exited before the job ran
    executor.runAll();
    BinaryHash expected = new BinaryHash.Hashed(sha256("shared".getBytes()), 6);
    assertThat(h.current(a)).isEqualTo(expected);
    assertThat(h.current(b)).isEqualTo(expected);
  }

  @Test
  void aPathThatLeadsElsewhereByThenIsNotTakenForTheFile() throws Exception {
    Path one = file("one", "1".getBytes());
    Path two = file("two", "22".getBytes());
    BinaryHasher h = hasher(1 << 20, 16);
    Path exe = link("exe", one);
    BinaryHasher.Slot slot = h.open(exe);
    link("exe", two); // the process exec'd something else meanwhile
    executor.runAll();
    assertThat(h.current(slot))
        .isEqualTo(new BinaryHash.Unavailable("replaced before it was read"));
    assertThat(h.cachedCount()).isZero();
  }

  @Test
  void aRefusedJobIsQueuedAgainOnTheNextLook() throws Exception {
    ManualExecutor small = new ManualExecutor(1);
    BinaryHasher h = new BinaryHasher(new BinaryHasher.Config(1 << 20, 16, 1, 1), small);
    BinaryHasher.Slot a = h.open(file("a", "a".getBytes()));
    BinaryHasher.Slot b = h.open(file("b", "b".getBytes())); // refused: the queue holds a
    assertThat(small.queued()).isEqualTo(1);
    small.runAll();
    assertThat(h.current(a)).isInstanceOf(BinaryHash.Hashed.class);
    assertThat(h.current(b)).isEqualTo(BinaryHash.PENDING); // queued now
    assertThat(small.queued()).isEqualTo(1);
    small.runAll();
    assertThat(h.current(b)).isEqualTo(new BinaryHash.Hashed(sha256("b".getBytes()), 1));
  }

  @Test
  void theCacheIsBounded() throws Exception {
    BinaryHasher h = hasher(1 << 20, 2);
    for (int i = 0; i < 5; i++) {
      h.open(file("f" + i, new byte[] {(byte) i}));
      executor.runAll();
    }
    assertThat(h.cachedCount()).isEqualTo(2);
    assertThat(h.hashedCount()).isEqualTo(5);
    // the oldest was dropped: asking again hashes again
    BinaryHasher.Slot again = h.open(tmp.resolve("f0"));
    assertThat(h.current(again)).isEqualTo(BinaryHash.PENDING);
  }

  @Test
  void theOwnPoolHashesInTheBackground() throws Exception {
    Path bin = file("bin", "pool".getBytes());
    try (BinaryHasher h = BinaryHasher.create(BinaryHasher.Config.defaults())) {
      BinaryHasher.Slot slot = h.open(bin);
      BinaryHash state = h.current(slot);
      for (int i = 0; i < 30_000 && state instanceof BinaryHash.Pending; i++) {
        Thread.sleep(1); // a bound against hanging, not a speed requirement
        state = h.current(slot);
      }
      assertThat(state).isEqualTo(new BinaryHash.Hashed(sha256("pool".getBytes()), 4));
    }
  }
}
