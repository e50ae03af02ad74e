package dev.ftguard.cli;

import dev.ftguard.abi.Stats;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ObjectNode;

/** {@code ftguard lock}: FTG_IOC_LOCK, until reboot. */
@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Lock the ftguard module until reboot: it can no longer be unloaded (nor can any module be"
          + " force-unloaded), and the rule table in force can no longer change (when no table"
          + " with rules is in force yet, the next one written is final).",
      "There is no unlock. Every refused attempt is a tamper event. A policy can lock too"
          + " (lock: true), and so can the module parameter (ftguard load --lock) from boot."
    })
public final class LockCommand implements Callable<Integer> {
  @ParentCommand Ftguard parent;

  @Mixin JsonOption output;

  @Override
  public Integer call() {
    Context ctx = parent.context;
    Path device = ctx.paths().device();
    Stats stats;
    try (ControlDevice dev = ctx.openDeviceForWriting()) {
      dev.lock();
      stats = dev.stats();
    } catch (ErrnoException e) {
      throw Errors.deviceCall(e, device);
    }
    if (output.json()) {
      ObjectNode o = EventJson.MAPPER.createObjectNode();
      o.put("locked", stats.locked());
      o.put("table_generation", stats.tableGeneration());
      o.put("table_rules", stats.tableRules());
      ctx.out().println(EventJson.line(o));
    } else if (stats.tableRules() == 0) {
      ctx.out()
          .println(
              "ftguard locked until reboot: no rules are in force yet; the next rule table written"
                  + " is final");
    } else {
      ctx.out()
          .printf(
              "ftguard locked until reboot: rule table generation %s (%d rules) is final%n",
              Long.toUnsignedString(stats.tableGeneration()), stats.tableRules());
    }
    ctx.out().flush();
    return 0;
  }
}
