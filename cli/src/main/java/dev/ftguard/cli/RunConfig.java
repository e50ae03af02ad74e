package dev.ftguard.cli;

import dev.ftguard.policy.ConfigReader;
import dev.ftguard.policy.InputFile;
import dev.ftguard.policy.Limits;
import dev.ftguard.policy.PolicyError;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The configuration file of {@code ftguard run} ({@code /etc/ftguard/ftguard.yaml}, or {@code
 * --config FILE}): one key per option of {@code run}, named as the long option without its dashes
 * ({@code --rotate-size} is {@code rotate-size:}), typed as the option is. The keys and their types
 * come from the picocli model of {@code run}, so an option added to {@code run} is a key at once.
 * Options given on the command line win over the file.
 */
final class RunConfig {
  private RunConfig() {}

  /** Where {@code ftguard run} looks for its configuration without {@code --config}. */
  static final String DEFAULT = "/etc/ftguard/ftguard.yaml";

  /** Options of {@code run} that are not configuration: help, version, the file itself. */
  static final Set<String> NOT_CONFIGURABLE = Set.of("--help", "--version", "--config");

  /** The key of an option: its longest name without the leading dashes. */
  static String key(OptionSpec o) {
    return o.longestName().replaceFirst("^-+", "");
  }

  /** The options of {@code run} that the file can set. */
  static List<OptionSpec> options(CommandSpec run) {
    return run.options().stream()
        .filter(
            o -> !o.usageHelp() && !o.versionHelp() && !NOT_CONFIGURABLE.contains(o.longestName()))
        .toList();
  }

  /** Key to type, for every configurable option. */
  static Map<String, ConfigReader.Type> schema(CommandSpec run) {
    Map<String, ConfigReader.Type> schema = new LinkedHashMap<>();
    for (OptionSpec o : options(run)) {
      schema.put(key(o), type(o));
    }
    return schema;
  }

  /** The configuration type of an option, from its Java type. */
  static ConfigReader.Type type(OptionSpec o) {
    if (o.isMultiValue()) {
      Class<?> item = o.auxiliaryTypes()[0];
      if (item == String.class || item == Path.class) {
        return ConfigReader.Type.STRINGS;
      }
      throw new IllegalStateException(
          "option " + o.longestName() + ": no configuration type for a list of " + item);
    }
    Class<?> t = o.type();
    if (t == boolean.class || t == Boolean.class) {
      return ConfigReader.Type.BOOLEAN;
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return ConfigReader.Type.INTEGER;
    }
    if (t == double.class || t == Double.class) {
      return ConfigReader.Type.NUMBER;
    }
    if (t == String.class || t == Path.class) {
      return ConfigReader.Type.STRING;
    }
    throw new IllegalStateException(
        "option " + o.longestName() + ": no configuration type for " + t);
  }

  /**
   * Reads the configuration ({@code explicit}, else {@code standard} if it exists) and sets every
   * option of {@code run} that the command line did not give.
   *
   * @return the file read, or null when there is none
   * @throws PolicyFailure with the located errors (exit 2), or the file cannot be read
   */
  static Path apply(CommandSpec run, Path explicit, Path standard) throws PolicyFailure {
    Path file = explicit;
    if (file == null) {
      if (!Files.exists(standard, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(standard)) {
        return null;
      }
      file = standard;
    }
    String text = read(file, explicit != null);
    ConfigReader.Result result = ConfigReader.read(file.toString(), text, schema(run));
    switch (result) {
      case ConfigReader.Result.Invalid invalid -> {
        List<PolicyError> errors = invalid.errors();
        throw new PolicyFailure(
            errors,
            new UserException(
                ExitCode.USAGE,
                "the configuration "
                    + file
                    + " is invalid ("
                    + PolicyPipeline.plural(errors.size(), "error", "errors")
                    + "): fix it, or give another with --config FILE"));
      }
      case ConfigReader.Result.Read read -> set(run, read.values(), file);
    }
    return file;
  }

  private static void set(CommandSpec run, Map<String, ConfigReader.Value> values, Path file)
      throws PolicyFailure {
    ParseResult given = run.commandLine().getParseResult();
    for (OptionSpec o : options(run)) {
      ConfigReader.Value v = values.get(key(o));
      if (v == null || (given != null && given.hasMatchedOption(o))) {
        continue;
      }
      o.setValue(convert(o, v, file));
    }
  }

  @SuppressWarnings("unchecked")
  private static Object convert(OptionSpec o, ConfigReader.Value v, Path file)
      throws PolicyFailure {
    Object value = v.value();
    if (o.isMultiValue()) {
      List<String> items = (List<String>) value;
      return o.auxiliaryTypes()[0] == Path.class
          ? items.stream().map(Path::of).toList()
          : List.copyOf(items);
    }
    Class<?> t = o.type();
    if (t == int.class || t == Integer.class) {
      long l = (Long) value;
      if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
        throw new PolicyFailure(
            List.of(
                new PolicyError(
                    v.at(), "'" + v.key() + "' is out of range: " + l, "give a smaller number")),
            new UserException(ExitCode.USAGE, "the configuration " + file + " is invalid"));
      }
      return (int) l;
    }
    if (t == Path.class) {
      return Path.of((String) value);
    }
    return value;
  }

  /** The file's text: a regular file of at most {@link Limits#CONFIG_FILE_BYTES}, UTF-8. */
  private static String read(Path file, boolean explicit) throws PolicyFailure {
    if (explicit && !Files.exists(file)) {
      throw failure("the configuration " + file + " does not exist: give a YAML file to --config");
    }
    try {
      return InputFile.readText(
          file, "the configuration", Limits.CONFIG_FILE_BYTES, "is it the right file?");
    } catch (InputFile.Refused e) {
      throw failure(e.getMessage());
    }
  }

  private static PolicyFailure failure(String message) {
    return new PolicyFailure(new UserException(ExitCode.USAGE, message));
  }
}
