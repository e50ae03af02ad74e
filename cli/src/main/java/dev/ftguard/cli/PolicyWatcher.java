package dev.ftguard.cli;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.ftguard.policy.PolicyFiles;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches policy files for changes: a {@link WatchService} on the directories holding them (editors
 * often replace a file rather than write it in place, which a watch on the file itself would miss).
 * A policy directory given as such is watched itself: any {@code *.yaml}/{@code *.yml} name in it
 * added, removed or changed counts ({@link PolicyFiles#isPolicyName}). Events for the files' names
 * are debounced: {@code onChange} runs once the files have been quiet for the debounce period, on
 * the watcher's own thread.
 */
final class PolicyWatcher implements AutoCloseable {
  private final WatchService service;
  private final Map<WatchKey, Path> dirs = new HashMap<>();
  private final Map<Path, Set<Path>> names = new HashMap<>();

  /** Directories given as policy paths: every policy name in them counts. */
  private final Set<Path> wholeDirs = new HashSet<>();

  private final Duration debounce;
  private final Runnable onChange;
  private final Thread thread;

  private PolicyWatcher(List<Path> files, Duration debounce, Runnable onChange) throws IOException {
    this.debounce = debounce;
    this.onChange = onChange;
    this.service = FileSystems.getDefault().newWatchService();
    try {
      for (Path f : files) {
        Path abs = f.toAbsolutePath().normalize();
        boolean whole = Files.isDirectory(abs);
        Path dir = whole ? abs : abs.getParent();
        if (!names.containsKey(dir)) {
          WatchKey key = dir.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
          dirs.put(key, dir);
          names.put(dir, new HashSet<>());
        }
        if (whole) {
          wholeDirs.add(dir);
        } else {
          names.get(dir).add(abs.getFileName());
        }
      }
    } catch (IOException | RuntimeException e) {
      service.close();
      throw e;
    }
    this.thread = Thread.ofPlatform().daemon().name("ftguard-watch").unstarted(this::loop);
  }

  /**
   * Starts watching {@code files}: policy files, and policy directories as a whole.
   *
   * @throws IOException a directory cannot be watched (missing, no permission, inotify limits)
   */
  static PolicyWatcher start(List<Path> files, Duration debounce, Runnable onChange)
      throws IOException {
    PolicyWatcher w = new PolicyWatcher(files, debounce, onChange);
    w.thread.start();
    return w;
  }

  private void loop() {
    long deadline = 0; // nanoTime at which to fire; 0: nothing pending
    try {
      while (true) {
        WatchKey key;
        if (deadline == 0) {
          key = service.take();
        } else {
          long left = deadline - System.nanoTime();
          key = left <= 0 ? null : service.poll(left, TimeUnit.NANOSECONDS);
        }
        if (key == null) {
          deadline = 0;
          onChange.run();
          continue;
        }
        if (relevant(key)) {
          deadline = System.nanoTime() + debounce.toNanos();
          if (deadline == 0) {
            deadline = 1;
          }
        }
        key.reset();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed: stop
    }
  }

  private boolean relevant(WatchKey key) {
    Path dir = dirs.get(key);
    boolean hit = false;
    for (WatchEvent<?> ev : key.pollEvents()) {
      if (ev.kind() == OVERFLOW) {
        hit = true; // events were lost: assume ours were among them
      } else if (ev.context() instanceof Path name
          && (names.getOrDefault(dir, Set.of()).contains(name)
              || (wholeDirs.contains(dir) && PolicyFiles.isPolicyName(name.toString())))) {
        hit = true;
      }
    }
    return hit;
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      // nothing left to release
    }
    thread.interrupt();
  }
}
