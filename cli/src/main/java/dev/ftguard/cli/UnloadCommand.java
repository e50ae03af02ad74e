package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard unload}: delete_module("ftguard", O_NONBLOCK). */
@Command(
    name = "unload",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Unload the ftguard kernel module.",
      "Fails (does not wait) while a reader has /dev/ftguard open."
    })
public final class UnloadCommand implements Callable<Integer> {
  @ParentCommand Ftguard parent;

  @Override
  public Integer call() {
    Context ctx = parent.context;
    try {
      ctx.modules().unload(Abi.MODULE_NAME);
    } catch (ErrnoException e) {
      if ((e.is(Errno.EAGAIN) || e.is(Errno.EBUSY) || e.is(Errno.EPERM)) && locked(ctx)) {
        throw Errors.locked("it cannot be unloaded");
      }
      throw Errors.unload(e);
    }
    ctx.out().println("ftguard unloaded");
    return 0;
  }

  /** Whether the loaded module says it is locked. */
  private static boolean locked(Context ctx) {
    try (ControlDevice dev = ctx.openDevice()) {
      return PolicyPipeline.locked(dev);
    } catch (UserException e) {
      return false;
    }
  }
}
