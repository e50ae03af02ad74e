package dev.ftguard.verify;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Verifier#verify(Path)} found in one module.
 *
 * @param file the module file
 * @param wrappers every wrapper listed in its {@code .ftg_wrappers}, in that order
 * @param findings every control transfer that leaves a wrapper other than a return; empty when
 *     every wrapper is proven to reach its original only through real calls
 */
public record Report(Path file, List<Wrapper> wrappers, List<Finding> findings) {
  public Report {
    wrappers = List.copyOf(wrappers);
    findings = List.copyOf(findings);
  }

  /** No wrapper leaves through anything but a return. */
  public boolean clean() {
    return findings.isEmpty();
  }

  /** The findings in one wrapper. */
  public List<Finding> findings(Wrapper w) {
    return findings.stream().filter(f -> f.wrapper().equals(w.name())).toList();
  }

  /**
   * A wrapper and what was checked of it.
   *
   * @param name the wrapper function
   * @param original the variable through which it calls the original ({@code ftg_real_execve})
   * @param parts its body and the parts the compiler split off ({@code <name>.cold}) that it jumps
   *     to
   * @param instructions how many instructions were decoded in all parts
   */
  public record Wrapper(String name, String original, List<Part> parts, int instructions) {
    public Wrapper {
      parts = List.copyOf(parts);
    }
  }

  /** A function symbol checked as (part of) a wrapper. */
  public record Part(String symbol, String section, long offset, long size) {}
}
