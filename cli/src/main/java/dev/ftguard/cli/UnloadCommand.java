package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
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
      throw Errors.unload(e);
    }
    ctx.out().println("ftguard unloaded");
    return 0;
  }
}
