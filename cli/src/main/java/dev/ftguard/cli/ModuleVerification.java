package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.verify.Finding;
import dev.ftguard.verify.Report;
import dev.ftguard.verify.VerifyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The proof {@link ModuleBuilder} asks of every module it returns, cached or just built: no hook
 * wrapper reaches its original through a tail call.
 */
final class ModuleVerification {
  private final ModuleBuilder.ModuleVerifier verifier;
  private final Consumer<String> progress;

  ModuleVerification(ModuleBuilder.ModuleVerifier verifier, Consumer<String> progress) {
    this.verifier = verifier;
    this.progress = progress;
  }

  /**
   * Verifies a module; on findings, appends them to the log (and its tail) and fails.
   *
   * @param cached whether {@code ko} is the cached module (else a fresh build, not yet cached)
   */
  void verify(Path ko, boolean cached, Path log, ArrayDeque<String> tail)
      throws ModuleBuildException {
    Report report;
    try {
      report = verifier.verify(ko);
    } catch (VerifyException e) {
      throw new ModuleBuildException(
          ModuleBuildException.Kind.UNVERIFIED,
          "cannot prove that the hook wrappers of " + ko + " never tail-call: " + e.getMessage(),
          Files.isRegularFile(log) ? log : null,
          List.copyOf(tail),
          e);
    }
    if (report.clean()) {
      progress.accept(
          "verified "
              + ko
              + ": "
              + report.wrappers().size()
              + (report.wrappers().size() == 1 ? " wrapper" : " wrappers")
              + ", each reaches its original only through calls");
      return;
    }
    throw unsafe(ko, cached, log, tail, report);
  }

  /** The findings go to the log, its tail and the progress sink; the returned error names them. */
  private ModuleBuildException unsafe(
      Path ko, boolean cached, Path log, ArrayDeque<String> tail, Report report) {
    List<String> lines = new ArrayList<>();
    lines.add("ftguard verify: " + report.findings().size() + " tail call(s) in " + ko + ":");
    for (Finding f : report.findings()) {
      lines.add("  " + f.describe());
    }
    try {
      Files.writeString(
          log,
          String.join("\n", lines) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      lines.add("(cannot append this to " + log + ": " + e.getMessage() + ")");
    }
    for (String l : lines) {
      progress.accept(l);
      MakeRun.keep(tail, l);
    }
    String wrappers =
        report.findings().stream()
            .map(Finding::wrapper)
            .distinct()
            .collect(Collectors.joining(", "));
    return new ModuleBuildException(
        ModuleBuildException.Kind.TAIL_CALL,
        (cached ? "the cached " : "the built ")
            + Abi.MODULE_FILE
            + " is unsafe: hook wrapper "
            + wrappers
            + " reaches its original through a tail call ("
            + report.findings().getFirst().describe()
            + "), so the first call of the hooked function would loop forever; the wrappers must"
            + " be compiled with -fno-optimize-sibling-calls (kmod/Kbuild). "
            + (cached ? "Delete it to rebuild: " : "The module was not cached: ")
            + ko
            + "; full log: "
            + log,
        log,
        List.copyOf(tail),
        null);
  }
}
