package dev.ftguard.agent.enrich;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Runs tasks only when told to; refuses them beyond a capacity (as a full queue does). */
final class ManualExecutor implements Executor {
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private final int capacity;

  ManualExecutor(int capacity) {
    this.capacity = capacity;
  }

  ManualExecutor() {
    this(Integer.MAX_VALUE);
  }

  @Override
  public void execute(Runnable task) {
    if (queue.size() >= capacity) {
      throw new RejectedExecutionException("full");
    }
    queue.add(task);
  }

  int queued() {
    return queue.size();
  }

  /** Runs every queued task (and those they queue). */
  int runAll() {
    int n = 0;
    for (Runnable r = queue.poll(); r != null; r = queue.poll()) {
      r.run();
      n++;
    }
    return n;
  }
}
