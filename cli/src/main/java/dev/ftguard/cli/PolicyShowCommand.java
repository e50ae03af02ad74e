package dev.ftguard.cli;

import dev.ftguard.agent.json.EventJson;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.KernelTable;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.table.TableFormatException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ObjectNode;

/** {@code ftguard policy show}: the rules the kernel enforces now. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show the rule table the kernel holds: policies in evaluation order with mode and priority,"
          + " their rules with event, action, errno and selectors.",
      "Rules are numbered by their index in the table (the rule_index of decision events)."
    })
public final class PolicyShowCommand implements Callable<Integer> {
  @ParentCommand PolicyCommand parent;

  @Mixin JsonOption output;

  @Override
  public Integer call() {
    Context ctx = parent.parent.context;
    Path device = ctx.paths().device();
    Optional<KernelTable> table;
    try (ControlDevice dev = ctx.openDevice()) {
      PolicyPipeline.checkAbi(dev, device);
      table = dev.getTable();
    } catch (ErrnoException e) {
      throw Errors.table(e, device);
    }
    if (table.isEmpty()) {
      if (output.json()) {
        ObjectNode o = EventJson.MAPPER.createObjectNode();
        o.put("loaded", false);
        o.put("generation", 0);
        o.putArray("policies");
        ctx.out().println(EventJson.line(o));
      } else {
        ctx.out().println("no policy loaded");
      }
      ctx.out().flush();
      return 0;
    }
    KernelTable t = table.get();
    List<Policy> policies;
    try {
      policies = PolicyTables.read(t.bytes());
    } catch (TableFormatException e) {
      throw new UserException(
          ExitCode.INCOMPATIBLE,
          "the kernel holds a rule table (generation "
              + Long.toUnsignedString(t.generation())
              + ", "
              + t.size()
              + " bytes) this ftguard cannot read: "
              + e.getMessage()
              + "; it was written by another ftguard version: apply your policies again with this"
              + " one",
          e);
    }
    PolicyRender.Shown shown = new PolicyRender.Shown(t.generation(), t.size(), policies);
    if (output.json()) {
      ctx.out().println(EventJson.line(PolicyRender.json(shown)));
    } else if (policies.isEmpty()) {
      ctx.out()
          .printf(
              "no policy loaded (generation %s is an empty table)%n",
              Long.toUnsignedString(t.generation()));
    } else {
      PolicyRender.text(ctx.out(), shown);
    }
    ctx.out().flush();
    return 0;
  }
}
