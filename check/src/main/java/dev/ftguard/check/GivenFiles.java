package dev.ftguard.check;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Files and values given instead of the running kernel's (the command line's {@code --config},
 * {@code --kallsyms}, {@code --tracefs}, {@code --release}, {@code --machine}); everything not
 * given comes from {@code live}. When the release given is not the running kernel's, what only the
 * running kernel can tell (its symbols, tracefs, lockdown, signature enforcement, CPU flags) is not
 * taken from it: {@code /boot/config-R} and {@code /boot/System.map-R} stand in where they exist,
 * the rest is reported as not checked.
 */
public final class GivenFiles implements ReadingSource {
  /** What was given; empty: read from the running system. */
  public record Given(
      Optional<Path> config,
      Optional<Path> kallsyms,
      Optional<Path> tracefs,
      Optional<String> release,
      Optional<String> machine) {
    public static Given nothing() {
      return new Given(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  private final LiveSystem live;
  private final Given given;

  public GivenFiles(LiveSystem live, Given given) {
    this.live = live;
    this.given = given;
  }

  /** The release given, if it is not the running kernel's. */
  private Optional<String> otherKernel() {
    Optional<String> running = live.release().known();
    return given.release().filter(r -> !running.equals(Optional.of(r)));
  }

  private String runningName() {
    return live.release()
        .known()
        .map(r -> "the running kernel is " + r)
        .orElse("the running kernel's release is not known");
  }

  /** What the running kernel tells, unless another kernel is checked: then {@code what} says. */
  private <T> Reading<T> ofTheRunningKernel(String what, Supplier<Reading<T>> live) {
    Optional<String> other = otherKernel();
    return other.isPresent() ? notTheRunningKernel(other.get(), what) : live.get();
  }

  private <T> Reading<T> notTheRunningKernel(String r, String what) {
    return new Reading.Skipped<>(runningName() + ", not " + r + ": " + what);
  }

  @Override
  public Reading<String> release() {
    return given
        .release()
        .<Reading<String>>map(r -> Reading.found(r, "--release"))
        .orElseGet(live::release);
  }

  @Override
  public Reading<String> machine() {
    return given
        .machine()
        .<Reading<String>>map(m -> Reading.found(m, "--machine"))
        .orElseGet(live::machine);
  }

  @Override
  public Reading<KernelConfig> config() {
    if (given.config().isPresent()) {
      return live.readConfig(given.config().get());
    }
    return given.release().map(live::config).orElseGet(live::config);
  }

  @Override
  public Reading<Set<String>> symbols(Set<String> wanted) {
    if (given.kallsyms().isPresent()) {
      return live.readSymbols(given.kallsyms().get(), wanted);
    }
    Optional<String> other = otherKernel();
    if (other.isPresent()) {
      Reading<Set<String>> map = live.systemMap(other.get(), wanted);
      return map instanceof Reading.Missing<Set<String>> m
          ? notTheRunningKernel(
              other.get(),
              m.what()
                  + "; give --kallsyms FILE (/proc/kallsyms or System.map of "
                  + other.get()
                  + ")")
          : map;
    }
    return live.symbols(wanted);
  }

  @Override
  public Reading<Set<String>> traceable(Set<String> wanted) {
    if (given.tracefs().isPresent()) {
      return live.readTraceable(List.of(given.tracefs().get()), wanted);
    }
    return ofTheRunningKernel(
        "give --tracefs DIR (a copy of tracefs from a machine running it)",
        () -> live.traceable(wanted));
  }

  @Override
  public Reading<Map<String, EnabledFunction>> enabled(Set<String> wanted) {
    if (given.tracefs().isPresent()) {
      return live.readEnabled(List.of(given.tracefs().get()), wanted);
    }
    return ofTheRunningKernel(
        "give --tracefs DIR (a copy of tracefs from a machine running it)",
        () -> live.enabled(wanted));
  }

  @Override
  public boolean ftguardLoaded() {
    return otherKernel().isEmpty() && live.ftguardLoaded();
  }

  @Override
  public Reading<Boolean> ftraceEnabled() {
    return ofTheRunningKernel(
        "kernel.ftrace_enabled is known once it runs", () -> live.ftraceEnabled());
  }

  @Override
  public Reading<String> lockdown() {
    return ofTheRunningKernel("its lockdown mode is known once it runs", () -> live.lockdown());
  }

  @Override
  public Reading<String> cmdline() {
    return ofTheRunningKernel("its command line is known once it runs", () -> live.cmdline());
  }

  @Override
  public Reading<Boolean> sigEnforce() {
    return ofTheRunningKernel("module.sig_enforce is known once it runs", () -> live.sigEnforce());
  }

  @Override
  public Reading<Boolean> secureBoot() {
    return live.secureBoot();
  }

  @Override
  public Reading<Set<String>> cpuFlags() {
    return ofTheRunningKernel(
        "the CPU flags it enables are known once it runs", () -> live.cpuFlags());
  }

  @Override
  public Reading<Path> headers() {
    return given.release().map(live::headers).orElseGet(live::headers);
  }
}
