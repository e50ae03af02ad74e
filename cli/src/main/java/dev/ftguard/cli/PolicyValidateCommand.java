package dev.ftguard.cli;

import dev.ftguard.policy.LoadResult;
import dev.ftguard.policy.PolicyError;
import dev.ftguard.policy.PolicyLoader;
import dev.ftguard.policy.PolicySet;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard policy validate FILE...}: load policy files together and report every error. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Check policy files without loading them into the kernel.",
      "The files are validated together (lists in one file may be used by policies in another).",
      "Errors go to stderr, one per line: FILE:LINE:COLUMN: error: WHAT (hint: HOW TO FIX)."
    })
public final class PolicyValidateCommand implements Callable<Integer> {
  @ParentCommand PolicyCommand parent;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy files (YAML).")
  List<Path> files;

  @Override
  public Integer call() {
    Context ctx = parent.parent.context;
    for (Path f : files) {
      if (Files.isDirectory(f)) {
        throw new UserException.BadInput(
            "policy file " + f + " is a directory: give the .yaml files in it (e.g. " + f + "/*.yaml)", null);
      }
    }
    LoadResult result;
    try {
      result = PolicyLoader.loadFiles(files);
    } catch (NoSuchFileException e) {
      throw new UserException.BadInput("policy file " + e.getFile() + " does not exist: check the path", e);
    } catch (AccessDeniedException e) {
      throw new UserException.BadInput(
          "cannot read policy file " + e.getFile() + ": permission denied (check its mode, or run with sudo)", e);
    } catch (CharacterCodingException e) {
      throw new UserException.BadInput("cannot read policy file: " + e.getMessage() + ": save it as UTF-8", e);
    } catch (IOException e) {
      throw new UserException.Failed("cannot read policy files: " + e, e);
    }
    return switch (result) {
      case LoadResult.Invalid(List<PolicyError> errors) -> {
        for (PolicyError e : errors) {
          ctx.err().println(e);
        }
        ctx.err().flush();
        throw new UserException.InvalidPolicy(
            plural(errors.size(), "error", "errors")
                + " in "
                + plural(files.size(), "policy file", "policy files")
                + ": nothing is valid until all are fixed");
      }
      case LoadResult.Loaded(PolicySet set) -> {
        ctx.out().printf(
            "%s, %s, %s: OK%n",
            plural(set.policies().size(), "policy", "policies"),
            plural(set.ruleCount(), "rule", "rules"),
            plural(set.lists().size(), "list", "lists"));
        ctx.out().flush();
        yield 0;
      }
    };
  }

  private static String plural(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
