package dev.ftguard.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Clean stop on SIGINT/SIGTERM without sun.misc: a shutdown hook asks the read loop to stop, waits
 * until the loop has written its last complete line and its summary, then halts the JVM with the
 * loop's exit code (a shutdown started by a signal would otherwise end with 130/143).
 */
public final class StopSignal {
  /**
   * How long the shutdown hook of the commands lets their loop finish its last line: generous,
   * since a loaded or emulated machine may take seconds to schedule the loop (systemd waits 90 s
   * before SIGKILL).
   */
  public static final Duration GRACE = Duration.ofSeconds(10);

  private volatile boolean stopRequested;
  private volatile int exitCode = 0;
  private final CountDownLatch finished = new CountDownLatch(1);

  public boolean stopRequested() {
    return stopRequested;
  }

  public void requestStop() {
    stopRequested = true;
  }

  /** The loop has ended and flushed everything; {@code code} is the process exit code. */
  public void finished(int code) {
    exitCode = code;
    finished.countDown();
  }

  /**
   * {@link #finished(int)} for a loop that {@link #install}ed {@code hook} (null: none), which is
   * removed again unless a signal is stopping the JVM (then the hook halts it with {@code code}).
   */
  public void finished(int code, Thread hook) {
    finished(code);
    if (hook != null && !stopRequested) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutdown already in progress: the hook halts with our exit code
      }
    }
  }

  /**
   * The shutdown hook's body: request a stop, wait up to {@code grace} for {@link #finished}, then
   * call {@code halt} with the exit code (or 130 when the loop did not finish in time).
   */
  public Runnable hook(Duration grace, IntConsumer halt, Runnable flush) {
    return () -> {
      if (finished.getCount() == 0) {
        return; // normal exit: the loop ended by itself, let the JVM finish
      }
      requestStop();
      boolean done;
      try {
        done = finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = false;
      }
      flush.run();
      halt.accept(done ? exitCode : 130);
    };
  }

  /**
   * A flush for {@link #hook}: flushes {@code out} (the loop writes whole lines in one write each,
   * so what reaches stdout ends with a complete line) and {@code err}; a closed stdout is ignored.
   */
  public static Runnable flushing(OutputStream out, PrintWriter err) {
    return () -> {
      try {
        out.flush();
      } catch (IOException e) {
        // stdout closed: nothing more can be delivered
      }
      err.flush();
    };
  }

  /** Registers {@link #hook} with the runtime; returns the hook thread. */
  public Thread install(Duration grace, Runnable flush) {
    Thread t =
        new Thread(hook(grace, code -> Runtime.getRuntime().halt(code), flush), "ftguard-stop");
    Runtime.getRuntime().addShutdownHook(t);
    return t;
  }
}
