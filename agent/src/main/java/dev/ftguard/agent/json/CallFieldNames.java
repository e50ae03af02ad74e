package dev.ftguard.agent.json;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names of the fields of call events, by hooked function: what the rule table declares (an
 * argument's name, with {@code .family}, {@code .address}, {@code .port} for a sockaddr and {@code
 * .uid}, {@code .gid}, {@code .euid}, {@code .egid} for a cred). A table declares each function
 * once, so the function names the declaration; fields beyond the names known (another table, or
 * none) are named {@code fieldN}.
 */
@FunctionalInterface
public interface CallFieldNames {
  /** The field names of {@code function}'s calls, if known. */
  Optional<List<String>> names(String function);

  /** No names: every field is {@code fieldN}. */
  CallFieldNames NONE = f -> Optional.empty();

  /** Fixed names by function. */
  static CallFieldNames of(Map<String, List<String>> byFunction) {
    Map<String, List<String>> copy = Map.copyOf(byFunction);
    return f -> Optional.ofNullable(copy.get(f));
  }
}
