package dev.ftguard.cli;

import picocli.CommandLine.Option;

/** {@code --json}, for the commands that print one JSON object instead of text (a mixin). */
public final class JsonOption {
  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  /** Whether {@code --json} was given. */
  public boolean json() {
    return json;
  }
}
