package dev.ftguard.cli;

import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that run whole command lines ({@link Ftguard#run}) against a fake host: the
 * output is captured, the host's paths are under {@link #tmp}, the device is a {@link FakeSource}
 * and every module or device call is recorded in {@link #calls} ({@code load KO [PARAMS]}, {@code
 * unload NAME}, {@code open ftguard}, {@code open-rw ftguard}).
 */
abstract class CommandLineTest {
  @TempDir Path tmp;

  final StringWriter outText = new StringWriter();
  final StringWriter errText = new StringWriter();
  final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  final List<String> calls = new ArrayList<>();
  final Map<String, String> env = new HashMap<>();
  final FakeSource device = new FakeSource();

  /** Thrown by the module calls and the device opens instead of succeeding (null: succeed). */
  ErrnoException loadError;

  ErrnoException unloadError;

  /** What the fake kernel says to {@link Context.ModuleOps#supported} (CONFIG_MODULES). */
  boolean modulesSupported = true;

  ErrnoException openError;
  Context.HostPaths paths;

  @BeforeEach
  void setUpHost() {
    paths =
        new Context.HostPaths(
            tmp.resolve("sys/module/ftguard"),
            tmp.resolve("dev/ftguard"),
            tmp.resolve("osrelease"),
            tmp.resolve("lib/modules"),
            tmp.resolve("etc/ftguard/ftguard.yaml"));
  }

  int run(String... args) {
    Context ctx =
        new Context(
            new PrintWriter(outText, true),
            new PrintWriter(errText, true),
            stdout,
            env,
            Map.of(),
            paths,
            new Context.ModuleOps() {
              @Override
              public void load(Path ko, String params) throws ErrnoException {
                call("load " + ko + " [" + params + "]", loadError);
              }

              @Override
              public void unload(String name) throws ErrnoException {
                call("unload " + name, unloadError);
              }

              @Override
              public boolean supported() {
                return modulesSupported;
              }
            },
            new Context.DeviceOpener() {
              @Override
              public ControlDevice open(Path p) throws ErrnoException {
                call("open " + p.getFileName(), openError);
                return device;
              }

              @Override
              public ControlDevice openForWriting(Path p) throws ErrnoException {
                call("open-rw " + p.getFileName(), openError);
                return device;
              }
            });
    return Ftguard.run(ctx, args);
  }

  private void call(String call, ErrnoException error) throws ErrnoException {
    calls.add(call);
    if (error != null) {
      throw error;
    }
  }

  String out() {
    return outText.toString();
  }

  String err() {
    return errText.toString();
  }

  /** Forgets the output and calls so far, for the next command line. */
  void clear() {
    outText.getBuffer().setLength(0);
    errText.getBuffer().setLength(0);
    calls.clear();
    device.closed = false; // the fake stands for a fresh descriptor on every open
  }
}
