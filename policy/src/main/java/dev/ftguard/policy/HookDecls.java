package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YSeq;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The {@code hooks:} of a policy: each declared function or system call and its arguments. */
final class HookDecls {
  private final YamlChecks yaml;

  HookDecls(YamlChecks yaml) {
    this.yaml = yaml;
  }

  private static final Pattern FUNCTION = Pattern.compile("[A-Za-z_][A-Za-z0-9_.$]*");

  private static final Pattern SYSCALL_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private static final Pattern ARG_NAME = Pattern.compile("[a-z][A-Za-z0-9_]{0,31}");

  List<HookDecl> hooks(YMap spec) {
    var hs = spec.get("hooks");
    if (hs == null) {
      return List.of();
    }
    YSeq seq =
        yaml.seq(
            hs.value(),
            "hooks",
            "write 'hooks:' followed by '- function: NAME' or '- syscall: NAME' items");
    if (seq == null) {
      return List.of();
    }
    if (seq.items().size() > Limits.HOOKS) {
      yaml.error(
          seq.at(),
          "'hooks' has " + seq.items().size() + " items; at most " + Limits.HOOKS,
          "hook fewer functions");
      return List.of();
    }
    List<HookDecl> out = new ArrayList<>();
    Map<String, Location> seen = new HashMap<>();
    for (YNode hn : seq.items()) {
      HookDecl h = hook(hn);
      if (h == null) {
        continue;
      }
      Location first = seen.putIfAbsent(h.function(), h.location());
      if (first != null) {
        yaml.error(
            h.location(),
            "function '"
                + h.function()
                + "' is hooked twice in this policy (first at "
                + first
                + ")",
            "declare each function once; every rule on it shares the declaration");
      } else {
        out.add(h);
      }
    }
    return out;
  }

  private HookDecl hook(YNode hn) {
    YMap m =
        yaml.map(
            hn, "hook", "write each hook as '- function: NAME' or '- syscall: NAME', with 'args:'");
    if (m == null) {
      return null;
    }
    yaml.keys(m, "hook", List.of("function", "syscall", "args", "description"), List.of());
    yaml.description(m);
    Target target = target(m);
    if (target == null) {
      return null;
    }
    var as = m.get("args");
    List<HookDecl.Arg> args = as == null ? List.of() : args(as.value(), target);
    if (args == null) {
      return null;
    }
    HookDecl h = new HookDecl(target.function(), target.syscall(), args, m.at());
    return fitsRecord(h, as) ? h : null;
  }

  /**
   * What a hook hooks: {@code function}, the kernel symbol (a system call's entry for {@code
   * syscall: NAME}); {@code key} is the {@code function:} or {@code syscall:} entry.
   */
  private record Target(String function, boolean syscall, YMap.Entry key) {}

  /** The {@code function:} or {@code syscall:} of a hook (exactly one), checked. */
  private Target target(YMap m) {
    var fn = m.get("function");
    var sc = m.get("syscall");
    String hint =
        "give one: 'function: vfs_mkdir' hooks a kernel function, 'syscall: mkdirat' a system call's entry";
    if (fn == null && sc == null) {
      yaml.error(m.at(), "hook has neither 'function' nor 'syscall'", hint);
      return null;
    }
    if (fn != null && sc != null) {
      yaml.error(sc.keyAt(), "hook has both 'function' and 'syscall'", hint);
      return null;
    }
    if (sc != null) {
      String name = yaml.string(sc.value(), "syscall");
      if (name == null) {
        return null;
      }
      if (!SYSCALL_NAME.matcher(name).matches()) {
        yaml.error(
            sc.value().at(),
            "'" + name + "' is not a system call name",
            "write the name alone, e.g. 'syscall: mkdirat'");
        return null;
      }
      return new Target(HookDecl.syscallFunction(name), true, sc);
    }
    String function = yaml.string(fn.value(), "function");
    if (function == null) {
      return null;
    }
    if (!FUNCTION.matcher(function).matches() || function.length() >= Abi.FUNC_NAME_MAX) {
      yaml.error(
          fn.value().at(),
          "'" + function + "' is not a kernel function name",
          "write the symbol as /proc/kallsyms shows it (letters, digits, '_', '.', at most "
              + (Abi.FUNC_NAME_MAX - 1)
              + " characters), e.g. 'function: vfs_mkdir'");
      return null;
    }
    return new Target(function, false, fn);
  }

  /** The {@code args:} of a hook on {@code target}; null when any has errors. */
  private List<HookDecl.Arg> args(YNode as, Target target) {
    YSeq seq = yaml.seq(as, "args", "write 'args:' followed by '- {name: NAME, type: TYPE}' items");
    if (seq == null) {
      return null;
    }
    if (seq.items().size() > Limits.HOOK_ARGS) {
      yaml.error(
          seq.at(),
          "hook has " + seq.items().size() + " arguments; at most " + Limits.HOOK_ARGS,
          "read fewer arguments");
      return null;
    }
    String function = target.function();
    if (!target.syscall() && function.startsWith("__x64_sys_") && !seq.items().isEmpty()) {
      yaml.error(
          target.key().keyAt(),
          "'" + function + "' takes the system call's registers, not its arguments",
          "write 'syscall: "
              + function.substring("__x64_sys_".length())
              + "' to read the system call's arguments");
      return null;
    }
    List<HookDecl.Arg> args = new ArrayList<>();
    boolean ok = true;
    Map<String, Location> names = new HashMap<>();
    Map<Integer, Location> positions = new HashMap<>();
    for (int i = 0; i < seq.items().size(); i++) {
      HookDecl.Arg a = arg(seq.items().get(i), i, names, positions);
      if (a == null) {
        ok = false;
      } else {
        args.add(a);
      }
    }
    return ok ? args : null;
  }

  /** Whether the hook's fields fit a rule and its records the record size ({@code as}: args). */
  private boolean fitsRecord(HookDecl h, YMap.Entry as) {
    List<HookDecl.FieldRef> fields = h.fields();
    if (fields.size() > Limits.HOOK_FIELDS) {
      yaml.error(
          as.value().at(),
          "the arguments give "
              + fields.size()
              + " fields; at most "
              + Limits.HOOK_FIELDS
              + " (a sockaddr gives 3, a cred 4, every other type 1)",
          "read fewer arguments");
      return false;
    }
    long bytes = h.recordBytes();
    if (bytes > Limits.HOOK_RECORD_BYTES) {
      yaml.error(
          as.value().at(),
          "a call record of this hook could take "
              + bytes
              + " bytes; at most "
              + Limits.HOOK_RECORD_BYTES,
          "lower the maxLength of its strings and paths");
      return false;
    }
    return true;
  }

  private HookDecl.Arg arg(
      YNode an, int index, Map<String, Location> names, Map<Integer, Location> positions) {
    YMap m = yaml.map(an, "hook argument", "write each argument as '- {name: NAME, type: TYPE}'");
    if (m == null) {
      return null;
    }
    yaml.keys(
        m,
        "hook argument",
        List.of("name", "type", "position", "maxLength", "description"),
        List.of("name", "type"));
    yaml.description(m);
    String name = argName(m.get("name"), names);
    ArgType type = null;
    var t = m.get("type");
    if (t != null) {
      type = yaml.named(t.value(), "argument type", ArgType.values(), ArgType::yamlName);
    }
    Integer position = position(m, index, positions);
    if (position == null) {
      return null;
    }
    Integer maxLength = maxLength(m.get("maxLength"), type);
    if (maxLength == null || name == null || type == null) {
      return null;
    }
    return new HookDecl.Arg(name, type, position, maxLength);
  }

  /** An argument's {@code name:}, unique in the hook; null when absent or wrong. */
  private String argName(YMap.Entry n, Map<String, Location> names) {
    if (n == null) {
      return null;
    }
    String name = yaml.string(n.value(), "argument name");
    if (name != null && !ARG_NAME.matcher(name).matches()) {
      yaml.error(
          n.value().at(),
          "argument name '" + name + "' is not valid",
          "start with a lower-case letter, then letters, digits or '_', at most 32 characters, e.g. 'path'");
      return null;
    }
    if (name != null) {
      Location first = names.putIfAbsent(name, n.value().at());
      if (first != null) {
        yaml.error(
            n.value().at(),
            "argument name '" + name + "' is used twice in this hook (first at " + first + ")",
            "rename one");
        return null;
      }
    }
    return name;
  }

  /**
   * The argument's {@code position:} (the {@code index}-th argument without one), unique in the
   * hook; null when wrong.
   */
  private Integer position(YMap m, int index, Map<Integer, Location> positions) {
    int position = index;
    var p = m.get("position");
    if (p != null) {
      BigInteger v =
          yaml.integer(
              p.value(), "position", "write which argument of the function it is, 0 for the first");
      if (v == null) {
        return null;
      }
      if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(Limits.HOOK_ARGS - 1)) > 0) {
        yaml.error(
            p.value().at(),
            "position " + v + " is out of range 0.." + (Limits.HOOK_ARGS - 1),
            "only the first " + Limits.HOOK_ARGS + " arguments are passed in registers");
        return null;
      }
      position = v.intValue();
    }
    Location at = (p != null ? p.value() : m).at();
    Location firstAt = positions.putIfAbsent(position, at);
    if (firstAt != null) {
      yaml.error(
          at,
          "argument position " + position + " is read twice (first at " + firstAt + ")",
          "give each argument its own 'position:'");
      return null;
    }
    return position;
  }

  /**
   * The bytes kept of a string or path argument: {@code maxLength:} or the default; 0 for other
   * types; null when wrong.
   */
  private Integer maxLength(YMap.Entry ml, ArgType type) {
    int maxLength = 0;
    if (type != null && type.hasLength()) {
      maxLength = Limits.HOOK_STRING_DEFAULT;
    }
    if (ml == null) {
      return maxLength;
    }
    BigInteger v =
        yaml.integer(ml.value(), "maxLength", "write the bytes to keep, e.g. 'maxLength: 64'");
    if (v == null) {
      return null;
    }
    if (type != null && !type.hasLength()) {
      yaml.error(
          ml.keyAt(),
          "'maxLength' is only for strings and paths, not '" + type.yamlName() + "'",
          "remove it");
      return null;
    }
    if (v.signum() <= 0 || v.compareTo(BigInteger.valueOf(Limits.HOOK_STRING_BYTES)) > 0) {
      yaml.error(
          ml.value().at(),
          "maxLength " + v + " is out of range 1.." + Limits.HOOK_STRING_BYTES,
          "keep at most " + Limits.HOOK_STRING_BYTES + " bytes");
      return null;
    }
    return v.intValue();
  }
}
