package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallHookInfo;
import dev.ftguard.abi.Errno;
import dev.ftguard.abi.Stats;
import dev.ftguard.agent.api.FtguardAgent;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.TableRejectedException;
import dev.ftguard.policy.InputFile;
import dev.ftguard.policy.LoadResult;
import dev.ftguard.policy.Match;
import dev.ftguard.policy.PolicyError;
import dev.ftguard.policy.PolicyFiles;
import dev.ftguard.policy.PolicyLoader;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.table.TableFormatException;
import dev.ftguard.policy.table.TableReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * From policy files to a table in the kernel, in steps that each either succeed or say why: load
 * and validate ({@link #load}), compile ({@link #compile}), write ({@link #write}). A failure at
 * any step leaves the kernel's table as it was.
 */
final class PolicyPipeline {
  private PolicyPipeline() {}

  /** A validated policy set and its compiled table. */
  record Compiled(PolicySet set, byte[] table) {
    int policies() {
      return set.policies().size();
    }

    int rules() {
      return set.ruleCount();
    }

    int bytes() {
      return table.length;
    }
  }

  /** A table put in force. */
  /**
   * A table put in force: its generation and the state of each function it hooks (empty when it
   * hooks none).
   */
  record Applied(Compiled compiled, long generation, List<CallHookInfo> hooks) {
    Applied {
      hooks = List.copyOf(hooks);
    }

    Applied(Compiled compiled, long generation) {
      this(compiled, generation, List.of());
    }

    /** The hooks that did not attach (their rules do nothing). */
    List<CallHookInfo> failedHooks() {
      return hooks.stream().filter(h -> !h.attached() && h.error() != 0).toList();
    }

    /** "hooked 3 functions" or "hooked 2 of 3 functions; not hooked: f (ENOENT: ...)". */
    String hookSummary() {
      List<CallHookInfo> failed = failedHooks();
      String n = plural(hooks.size(), "function", "functions");
      if (failed.isEmpty()) {
        return "hooked " + n;
      }
      return "hooked "
          + (hooks.size() - failed.size())
          + " of "
          + n
          + "; not hooked (their rules do nothing): "
          + String.join(", ", failed.stream().map(PolicyPipeline::whyNotHooked).toList());
    }
  }

  /** Why the kernel could not hook a declared function, and what to do. */
  static String whyNotHooked(CallHookInfo h) {
    int errno = -h.error();
    String why =
        switch (errno) {
          case Errno.ENOENT -> "no such function in this kernel (check /proc/kallsyms)";
          case Errno.EINVAL ->
              "not traceable (not in available_filter_functions: inlined, notrace or init code)";
          case Errno.EBUSY ->
              "another ftrace user already redirects it (livepatch?), or kernel.ftrace_enabled is 0";
          default -> "attach failed";
        };
    return h.function() + " (" + Errno.name(errno) + ": " + why + ")";
  }

  /**
   * Loads the files together and validates them; a directory stands for its {@code *.yaml} and
   * {@code *.yml} files, and one without any is an error.
   *
   * @throws PolicyFailure with every located error (exit 9), or a path that cannot be read (2)
   */
  static PolicySet load(List<Path> paths) throws PolicyFailure {
    return load(paths, null);
  }

  /**
   * Loads as {@link #load(List)}, for {@code run}: a directory without policy files gives none (it
   * is watched; files added later are loaded on the next reload), with a warning through {@code
   * emptyDirectory}; with no policy file at all the set is empty (no rule in force).
   */
  static PolicySet load(List<Path> paths, Consumer<String> emptyDirectory) throws PolicyFailure {
    LoadResult result;
    int count;
    try {
      PolicyFiles.Expansion x = PolicyFiles.expand(paths);
      if (!x.emptyDirectories().isEmpty()) {
        if (emptyDirectory == null) {
          throw new InputFile.Refused(PolicyFiles.emptyDirectory(x.emptyDirectories().getFirst()));
        }
        for (Path d : x.emptyDirectories()) {
          emptyDirectory.accept(
              "policy directory "
                  + d
                  + " has no *.yaml or *.yml file: no rules from it until one is added there");
        }
      }
      count = x.files().size();
      result = PolicyLoader.loadFiles(x.files());
    } catch (InputFile.Refused e) {
      throw new PolicyFailure(new UserException(ExitCode.USAGE, e.getMessage(), e));
    } catch (IOException e) {
      throw new PolicyFailure(
          new UserException(ExitCode.FAILURE, "cannot read policy files: " + e, e));
    }
    return switch (result) {
      case LoadResult.Invalid(List<PolicyError> errors) ->
          throw new PolicyFailure(
              errors,
              new UserException(
                  ExitCode.INVALID_POLICY,
                  plural(errors.size(), "error", "errors")
                      + " in "
                      + plural(count, "policy file", "policy files")
                      + ": nothing is valid until all are fixed"));
      case LoadResult.Loaded(PolicySet set) -> set;
    };
  }

  /** Loads, validates and compiles. */
  static Compiled compile(List<Path> files) throws PolicyFailure {
    return compile(load(files));
  }

  /** Loads as {@code run} does ({@link #load(List, Consumer)}), validates and compiles. */
  static Compiled compile(List<Path> files, Consumer<String> emptyDirectory) throws PolicyFailure {
    return compile(load(files, emptyDirectory));
  }

  /**
   * Compiles a valid set into the kernel's table format.
   *
   * @throws PolicyFailure when the table would exceed the kernel's limits (exit 9)
   */
  static Compiled compile(PolicySet set) throws PolicyFailure {
    return new Compiled(set, PolicyTables.compile(set));
  }

  /** The empty set: its table removes every rule. */
  static PolicySet emptySet() {
    return new PolicySet(List.of(), new LinkedHashMap<>());
  }

  /**
   * Refuses a module of another ABI version before writing anything to it.
   *
   * @throws UserException {@link ExitCode#INCOMPATIBLE}
   */
  static Stats checkAbi(ControlDevice dev, Path device) {
    Stats stats;
    try {
      stats = dev.stats();
    } catch (ErrnoException e) {
      throw Errors.deviceCall(e, device);
    }
    if (stats.abiVersion() != Abi.ABI_VERSION) {
      throw Errors.abiMismatch(
          stats.abiVersion(), "writes version " + Abi.ABI_VERSION + " rule tables");
    }
    return stats;
  }

  /**
   * Writes the compiled table to the kernel.
   *
   * @throws PolicyFailure the kernel refused it (10), no permission (4), another module (8), ...
   */
  static Applied write(ControlDevice dev, Path device, Compiled compiled) throws PolicyFailure {
    try {
      FtguardAgent.Applied a = FtguardAgent.apply(dev, compiled.set(), compiled.table());
      return new Applied(compiled, a.generation(), a.hooks());
    } catch (TableRejectedException e) {
      if (e.error() == Abi.TERR_NOT_INJECTABLE) {
        throw new PolicyFailure(notInjectable(e, compiled));
      }
      throw new PolicyFailure(Errors.table(e, device));
    } catch (ErrnoException e) {
      if (e.is(Errno.EPERM) && locked(dev)) {
        throw new PolicyFailure(Errors.locked("the rule table in force cannot change"));
      }
      throw new PolicyFailure(Errors.table(e, device));
    }
  }

  /** Whether the module says it is locked (a root caller's EPERM then means the lock). */
  static boolean locked(ControlDevice dev) {
    try {
      return dev.stats().locked();
    } catch (ErrnoException e) {
      return false;
    }
  }

  /** The deny rule the kernel refused, found from the offset it reported. */
  static UserException notInjectable(TableRejectedException e, Compiled compiled) {
    String rule = "a deny rule";
    try {
      long rulesAt =
          java.lang.foreign.MemorySegment.ofArray(compiled.table())
              .get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, Abi.Table.RULES);
      int index = (int) ((Integer.toUnsignedLong(e.offset()) - rulesAt) / Abi.Rul.SIZE);
      var read = TableReader.read(compiled.table());
      for (var p : read.policies()) {
        for (var r : p.rules()) {
          if (r.index() == index && r.match() instanceof Match.Call c) {
            rule =
                "policy '"
                    + p.name()
                    + "', rule '"
                    + r.name()
                    + "': deny on "
                    + c.hook().function();
          }
        }
      }
    } catch (TableFormatException | IndexOutOfBoundsException ignored) {
      // the kernel's offset did not lead to a rule: say it in general terms
    }
    return new UserException(
        ExitCode.TABLE_REJECTED,
        rule
            + " is refused: the running kernel does not mark the function as safe to fail (its"
            + " error-injection list; a kernel built without one allows system call entries only,"
            + " e.g. 'syscall: mkdirat'); the previous table stays in force. Use action audit, or"
            + " deny on a function that may fail",
        e);
  }

  static String plural(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
