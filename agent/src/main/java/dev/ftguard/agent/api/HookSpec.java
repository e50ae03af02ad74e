package dev.ftguard.agent.api;

import dev.ftguard.policy.ArgType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A kernel function to hook by name, declared in Java: the same declaration as a policy's {@code
 * hooks:} item (docs/hooks.md), validated the same way when its policy is built.
 *
 * <pre>{@code
 * HookSpec mkdir = HookSpec.syscall("mkdirat")
 *     .arg("dfd", ArgType.S32)
 *     .arg("path", ArgType.USTRING, 200)
 *     .arg("mode", ArgType.U32);
 * }</pre>
 */
public final class HookSpec {
  private final String key;
  private final String name;
  private final List<Map<String, Object>> args = new ArrayList<>();

  private HookSpec(String key, String name) {
    this.key = key;
    this.name = name;
  }

  /** A kernel function, arguments from its own registers. */
  public static HookSpec function(String name) {
    return new HookSpec("function", name);
  }

  /** A system call's entry, arguments from the caller's registers. */
  public static HookSpec syscall(String name) {
    return new HookSpec("syscall", name);
  }

  /** The next argument (position: its index among the arguments declared so far). */
  public HookSpec arg(String argName, ArgType type) {
    return add(argName, type, null, null);
  }

  /** A string or path argument keeping at most {@code maxLength} bytes. */
  public HookSpec arg(String argName, ArgType type, int maxLength) {
    return add(argName, type, null, maxLength);
  }

  /** An argument at another position than its index (0 for the function's first). */
  public HookSpec argAt(String argName, ArgType type, int position) {
    return add(argName, type, position, null);
  }

  private HookSpec add(String argName, ArgType type, Integer position, Integer maxLength) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("name", argName);
    a.put("type", type.yamlName());
    if (position != null) {
      a.put("position", position);
    }
    if (maxLength != null) {
      a.put("maxLength", maxLength);
    }
    args.add(a);
    return this;
  }

  /** {@code function} or {@code syscall}. */
  String key() {
    return key;
  }

  String name() {
    return name;
  }

  /** The declaration as the policy language writes it. */
  Map<String, Object> document() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put(key, name);
    if (!args.isEmpty()) {
      d.put("args", List.copyOf(args));
    }
    return d;
  }
}
