package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import dev.ftguard.policy.YNode.YSeq;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns located YAML trees into the model, collecting every error. */
final class Validator {
  static final String API_VERSION = "ftguard.dev/v1";
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern RANGE = Pattern.compile("\\s*(\\d+)\\s*(?:-\\s*(\\d+)\\s*)?");
  private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,55}");
  private static final Pattern MODULE_GLOB = Pattern.compile("[A-Za-z0-9_*?!\\[\\]-]{1,55}");

  private final List<PolicyError> errors = new ArrayList<>();
  private final Map<String, ListDef> lists = new LinkedHashMap<>();
  private int ruleCount;
  private boolean ruleLimitReported;

  private record ListDef(String name, List<String> items, Location at) {}

  private record Header(String kind, String name, Location nameAt, YMap spec, Location at) {}

  LoadResult load(List<PolicySource> sources) {
    Map<String, Integer> fileOrder = new HashMap<>();
    List<Header> headers = new ArrayList<>();
    for (PolicySource src : sources) {
      fileOrder.putIfAbsent(src.name(), fileOrder.size());
      int before = errors.size();
      List<YNode> docs = YamlReader.read(src.name(), src.text(), errors);
      boolean syntaxError = errors.size() > before && docs.isEmpty();
      if (docs.isEmpty() && !syntaxError) {
        error(
            new Location(src.name(), 1, 1),
            "file contains no documents",
            "add a 'kind: Policy' or 'kind: List' document (apiVersion: " + API_VERSION + ")");
      }
      for (YNode doc : docs) {
        Header h = header(doc);
        if (h != null) {
          headers.add(h);
        }
      }
    }
    // lists first: policies in any file may refer to lists in any file
    for (Header h : headers) {
      if (h.kind().equals("List")) {
        list(h);
      }
    }
    List<Policy> policies = new ArrayList<>();
    Map<String, Location> policyNames = new HashMap<>();
    for (Header h : headers) {
      if (h.kind().equals("Policy")) {
        if (h.name() != null) {
          Location first = policyNames.putIfAbsent(h.name(), h.nameAt());
          if (first != null) {
            error(
                h.nameAt(),
                "duplicate policy name '" + h.name() + "' (first defined at " + first + ")",
                "policy names must be unique across all loaded files; rename one");
          }
        }
        Policy p = policy(h);
        if (p != null) {
          policies.add(p);
        }
      }
    }
    // one declaration per function across the set: the kernel hooks each function once
    Map<String, HookDecl> declared = new HashMap<>();
    int distinct = 0;
    for (Policy p : policies) {
      for (HookDecl hd : p.hooks()) {
        HookDecl first = declared.putIfAbsent(hd.function(), hd);
        if (first == null) {
          if (++distinct == Limits.HOOKS + 1) {
            error(
                hd.location(),
                "too many hooked functions: at most " + Limits.HOOKS + " in all loaded files",
                "hook fewer functions");
          }
        } else if (!first.sameAs(hd)) {
          error(
              hd.location(),
              "function '"
                  + hd.function()
                  + "' is declared with other arguments at "
                  + first.location(),
              "declare it the same way in every policy (same names, types, positions and maxLength)");
        }
      }
    }
    if (!errors.isEmpty()) {
      List<PolicyError> sorted = new ArrayList<>(errors);
      sorted.sort(
          Comparator.<PolicyError>comparingInt(
                  e -> fileOrder.getOrDefault(e.location().file(), Integer.MAX_VALUE))
              .thenComparing(e -> e.location().file())
              .thenComparingInt(e -> e.location().line())
              .thenComparingInt(e -> e.location().column())
              .thenComparing(PolicyError::message));
      return new LoadResult.Invalid(sorted);
    }
    var listItems = new LinkedHashMap<String, List<String>>();
    lists.values().forEach(l -> listItems.put(l.name(), l.items()));
    return new LoadResult.Loaded(new PolicySet(policies, listItems));
  }

  // ---- documents

  private Header header(YNode doc) {
    if (doc instanceof YScalar s && s.type() == YScalar.Type.NULL) {
      error(
          doc.at(),
          "empty document",
          "remove the extra '---' separator or give the document content");
      return null;
    }
    if (!(doc instanceof YMap m)) {
      error(
          doc.at(),
          "a document must be a mapping, got " + YNode.describe(doc),
          "start each document with 'apiVersion: "
              + API_VERSION
              + "' followed by kind, metadata and spec");
      return null;
    }
    keys(
        m,
        "document",
        List.of("apiVersion", "kind", "metadata", "spec"),
        List.of("apiVersion", "kind", "metadata", "spec"));
    var api = m.get("apiVersion");
    if (api != null) {
      String v = string(api.value(), "apiVersion");
      if (v != null && !v.equals(API_VERSION)) {
        error(
            api.value().at(),
            "unsupported apiVersion '" + v + "'",
            "use 'apiVersion: " + API_VERSION + "'");
      }
    }
    String kind = null;
    var k = m.get("kind");
    if (k != null) {
      kind = string(k.value(), "kind");
      if (kind != null && !kind.equals("Policy") && !kind.equals("List")) {
        error(
            k.value().at(),
            "unknown kind '" + kind + "'",
            suggest(kind, List.of("Policy", "List")));
        kind = null;
      }
    }
    String name = null;
    Location nameAt = m.at();
    var md = m.get("metadata");
    if (md != null) {
      YMap meta = map(md.value(), "metadata", "write 'metadata: {name: my-policy}'");
      if (meta != null) {
        keys(meta, "metadata", List.of("name", "description"), List.of("name"));
        var n = meta.get("name");
        if (n != null) {
          nameAt = n.value().at();
          name =
              name(
                  n.value(),
                  kind == null ? "metadata.name" : kind.toLowerCase(Locale.ROOT) + " name");
        }
        description(meta);
      }
    }
    YMap spec = null;
    var sp = m.get("spec");
    if (sp != null) {
      spec =
          map(
              sp.value(),
              "spec",
              kind == null || kind.equals("Policy")
                  ? "write 'spec:' followed by 'rules:'"
                  : "write 'spec: {items: [...]}'");
    }
    if (kind == null || spec == null) {
      return null;
    }
    return new Header(kind, name, nameAt, spec, m.at());
  }

  private void description(YMap m) {
    var d = m.get("description");
    if (d != null) {
      String s = string(d.value(), "description");
      if (s != null && s.length() > Limits.DESCRIPTION_LENGTH) {
        error(
            d.value().at(),
            "description is "
                + s.length()
                + " characters long; at most "
                + Limits.DESCRIPTION_LENGTH,
            "shorten it");
      }
    }
  }

  private void list(Header h) {
    YMap spec = h.spec();
    keys(spec, "List spec", List.of("items"), List.of("items"));
    var it = spec.get("items");
    List<String> items = new ArrayList<>();
    if (it != null) {
      YSeq seq = seq(it.value(), "items", "write 'items: [/bin/sh, /bin/bash]'");
      if (seq != null) {
        if (seq.items().isEmpty()) {
          error(seq.at(), "list 'items' is empty", "give at least one item");
        } else if (seq.items().size() > Limits.LIST_ITEMS) {
          error(
              seq.at(),
              "list has " + seq.items().size() + " items; at most " + Limits.LIST_ITEMS,
              "split it into several lists");
        } else {
          for (YNode n : seq.items()) {
            String s = string(n, "list item");
            if (s == null) {
              continue;
            }
            if (s.isEmpty()) {
              error(n.at(), "list item is empty", "remove it or give a value");
            } else if (s.startsWith("@")) {
              error(
                  n.at(),
                  "list item '" + s + "' refers to another list; lists cannot be nested",
                  "copy the items of " + s + " into this list");
            } else if (s.getBytes(StandardCharsets.UTF_8).length > Limits.PATH_BYTES) {
              error(
                  n.at(),
                  "list item is "
                      + s.getBytes(StandardCharsets.UTF_8).length
                      + " bytes long; at most "
                      + Limits.PATH_BYTES,
                  "shorten it");
            } else {
              items.add(s);
            }
          }
        }
      }
    }
    if (h.name() == null) {
      return;
    }
    ListDef first = lists.get(h.name());
    if (first != null) {
      error(
          h.nameAt(),
          "duplicate list name '" + h.name() + "' (first defined at " + first.at() + ")",
          "list names must be unique across all loaded files; rename one");
      return;
    }
    if (lists.size() == Limits.LISTS) {
      error(h.nameAt(), "too many lists: at most " + Limits.LISTS, "merge lists");
      return;
    }
    lists.put(h.name(), new ListDef(h.name(), List.copyOf(items), h.nameAt()));
  }

  private Policy policy(Header h) {
    YMap spec = h.spec();
    keys(
        spec,
        "Policy spec",
        List.of("mode", "priority", "description", "hooks", "rules"),
        List.of("rules"));
    description(spec);
    Mode mode = Mode.ENFORCE;
    var mo = spec.get("mode");
    if (mo != null) {
      mode = named(mo.value(), "mode", Mode.values(), Mode::yamlName);
    }
    int priority = 0;
    var pr = spec.get("priority");
    if (pr != null) {
      BigInteger p = integer(pr.value(), "priority", "write e.g. 'priority: 10'");
      if (p != null) {
        if (p.bitLength() > 31) {
          error(
              pr.value().at(),
              "priority " + p + " is out of range",
              "use a value from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
        } else {
          priority = p.intValue();
        }
      }
    }
    List<HookDecl> hooks = hooks(spec);
    Map<String, HookDecl> byFunction = new HashMap<>();
    hooks.forEach(hd -> byFunction.put(hd.function(), hd));
    List<Rule> rules = new ArrayList<>();
    var rs = spec.get("rules");
    if (rs != null) {
      YSeq seq = seq(rs.value(), "rules", "write 'rules:' followed by '- name: ...' items");
      if (seq != null) {
        if (seq.items().isEmpty()) {
          error(seq.at(), "policy has no rules", "add at least one rule, or remove the policy");
        }
        Map<String, Location> names = new HashMap<>();
        for (YNode rn : seq.items()) {
          ruleCount++;
          if (ruleCount > Limits.RULES && !ruleLimitReported) {
            ruleLimitReported = true;
            error(
                rn.at(),
                "too many rules: at most " + Limits.RULES + " in all loaded files",
                "merge rules with lists or globs, or load fewer policies");
          }
          Rule r = rule(rn, names, byFunction);
          if (r != null) {
            rules.add(r);
          }
        }
      }
    }
    if (mode == null || h.name() == null) {
      return null;
    }
    return new Policy(h.name(), mode, priority, hooks, rules, h.at());
  }

  private Rule rule(YNode rn, Map<String, Location> names, Map<String, HookDecl> hooks) {
    YMap m = map(rn, "rule", "write each rule as '- name: ...' with event, match and action");
    if (m == null) {
      return null;
    }
    keys(
        m,
        "rule",
        List.of("name", "description", "event", "function", "syscall", "match", "action", "errno"),
        List.of("name", "event", "action"));
    description(m);
    String name = null;
    var n = m.get("name");
    if (n != null) {
      name = name(n.value(), "rule name");
      if (name != null) {
        Location first = names.putIfAbsent(name, n.value().at());
        if (first != null) {
          error(
              n.value().at(),
              "duplicate rule name '" + name + "' in this policy (first at " + first + ")",
              "rule names must be unique within a policy; rename one");
        }
      }
    }
    EventKind event = null;
    var ev = m.get("event");
    if (ev != null) {
      event = named(ev.value(), "event", EventKind.values(), EventKind::yamlName);
    }
    Action action = null;
    var ac = m.get("action");
    if (ac != null) {
      action = named(ac.value(), "action", Action.values(), Action::yamlName);
    }
    Optional<Errno> errno = Optional.empty();
    var er = m.get("errno");
    if (er != null) {
      Errno e = named(er.value(), "errno", Errno.values(), Errno::name);
      if (action != null && !action.denies()) {
        error(
            er.keyAt(),
            "errno is only valid with action deny or deny+kill, not '" + action.yamlName() + "'",
            "remove errno, or use action: deny");
      }
      errno = Optional.ofNullable(e);
    }
    if (action != null && action.denies() && errno.isEmpty()) {
      errno = Optional.of(Errno.EPERM);
    }
    if (action != null && !action.denies()) {
      errno = Optional.empty();
    }
    HookDecl hook = null;
    boolean hookOk = true;
    if (event != null) {
      for (String k : List.of("function", "syscall")) {
        var e = m.get(k);
        if (e != null && event != EventKind.CALL) {
          error(
              e.keyAt(),
              "'" + k + "' is only for rules of event 'call', not '" + event.yamlName() + "'",
              "remove it");
        }
      }
      if (event == EventKind.CALL) {
        hook = ruleHook(m, hooks);
        hookOk = hook != null;
        if (action != null && action.kills()) {
          error(
              ac.value().at(),
              "action '" + action.yamlName() + "' is not available for event 'call'",
              "use 'deny' (on a function that is safe to fail) or 'audit'; a hooked function may run in any context, where no process can be killed safely");
          action = null;
        }
      }
    }
    Match match = null;
    if (event != null && hookOk) {
      var ma = m.get("match");
      YMap mm =
          ma == null
              ? new YMap(m.at(), List.of())
              : map(
                  ma.value(),
                  "match",
                  "write 'match:' followed by selectors, e.g. 'binary: {exact: [/bin/sh]}'");
      if (mm != null) {
        match = event == EventKind.CALL ? callMatch(hook, mm) : match(event, mm);
      }
    }
    if (name == null || event == null || action == null || match == null) {
      return null;
    }
    return new Rule(name, event, match, action, errno, m.at());
  }

  // ---- selectors

  private Match match(EventKind event, YMap m) {
    for (var e : m.entries()) {
      if (!event.selectors().contains(e.key())) {
        String owner =
            Arrays.stream(EventKind.values())
                .filter(k -> k.selectors().contains(e.key()))
                .map(EventKind::yamlName)
                .findFirst()
                .orElse(null);
        if (owner != null) {
          error(
              e.keyAt(),
              "selector '"
                  + e.key()
                  + "' is not valid for event '"
                  + event.yamlName()
                  + "' (it is a selector of '"
                  + owner
                  + "')",
              "allowed for " + event.yamlName() + ": " + String.join(", ", event.selectors()));
        } else {
          String dym = didYouMean(e.key(), event.selectors());
          error(
              e.keyAt(),
              "unknown selector '" + e.key() + "' for event '" + event.yamlName() + "'",
              (dym == null ? "" : "did you mean '" + dym + "'? ")
                  + "allowed: "
                  + String.join(", ", event.selectors()));
        }
      }
    }
    Sel s = new Sel(m);
    return switch (event) {
      case EXEC ->
          new Match.Exec(
              s.path("binary"),
              s.path("parentBinary"),
              s.path("ancestorBinary"),
              s.ids("uid", Limits.MAX_ID),
              s.ids("euid", Limits.MAX_ID),
              s.strings("argvContains"),
              s.bool("fileless"),
              s.bool("fromTempDir"));
      case OPEN ->
          new Match.Open(
              s.path("path"),
              s.enums("access", Access.values(), Access::yamlName),
              s.path("binary"));
      case CONNECT ->
          new Match.Connect(s.cidrs("address"), s.ids("port", Limits.MAX_PORT), s.path("binary"));
      case MODULE_LOAD -> new Match.ModuleLoad(s.moduleName("name"), s.path("binary"));
      case PTRACE -> new Match.Ptrace(s.path("target"), s.path("binary"));
      case PRIVILEGE ->
          new Match.Privilege(s.path("binary"), s.enums("gains", Gain.values(), Gain::yamlName));
      case CALL -> throw new IllegalStateException("call rules are read by callMatch");
    };
  }

  // ---- declared hooks

  private static final Pattern FUNCTION = Pattern.compile("[A-Za-z_][A-Za-z0-9_.$]*");
  private static final Pattern SYSCALL_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern ARG_NAME = Pattern.compile("[a-z][A-Za-z0-9_]{0,31}");

  private List<HookDecl> hooks(YMap spec) {
    var hs = spec.get("hooks");
    if (hs == null) {
      return List.of();
    }
    YSeq seq =
        seq(
            hs.value(),
            "hooks",
            "write 'hooks:' followed by '- function: NAME' or '- syscall: NAME' items");
    if (seq == null) {
      return List.of();
    }
    if (seq.items().size() > Limits.HOOKS) {
      error(
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
        error(
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
        map(hn, "hook", "write each hook as '- function: NAME' or '- syscall: NAME', with 'args:'");
    if (m == null) {
      return null;
    }
    keys(m, "hook", List.of("function", "syscall", "args", "description"), List.of());
    description(m);
    var fn = m.get("function");
    var sc = m.get("syscall");
    String hint =
        "give one: 'function: vfs_mkdir' hooks a kernel function, 'syscall: mkdirat' a system call's entry";
    if (fn == null && sc == null) {
      error(m.at(), "hook has neither 'function' nor 'syscall'", hint);
      return null;
    }
    if (fn != null && sc != null) {
      error(sc.keyAt(), "hook has both 'function' and 'syscall'", hint);
      return null;
    }
    String function;
    boolean syscall = sc != null;
    if (syscall) {
      String name = string(sc.value(), "syscall");
      if (name == null) {
        return null;
      }
      if (!SYSCALL_NAME.matcher(name).matches()) {
        error(
            sc.value().at(),
            "'" + name + "' is not a system call name",
            "write the name alone, e.g. 'syscall: mkdirat'");
        return null;
      }
      function = HookDecl.syscallFunction(name);
    } else {
      function = string(fn.value(), "function");
      if (function == null) {
        return null;
      }
      if (!FUNCTION.matcher(function).matches() || function.length() >= Abi.FUNC_NAME_MAX) {
        error(
            fn.value().at(),
            "'" + function + "' is not a kernel function name",
            "write the symbol as /proc/kallsyms shows it (letters, digits, '_', '.', at most "
                + (Abi.FUNC_NAME_MAX - 1)
                + " characters), e.g. 'function: vfs_mkdir'");
        return null;
      }
    }
    List<HookDecl.Arg> args = new ArrayList<>();
    var as = m.get("args");
    boolean ok = true;
    if (as != null) {
      YSeq seq =
          seq(as.value(), "args", "write 'args:' followed by '- {name: NAME, type: TYPE}' items");
      if (seq == null) {
        return null;
      }
      if (seq.items().size() > Limits.HOOK_ARGS) {
        error(
            seq.at(),
            "hook has " + seq.items().size() + " arguments; at most " + Limits.HOOK_ARGS,
            "read fewer arguments");
        return null;
      }
      if (!syscall && function.startsWith("__x64_sys_") && !seq.items().isEmpty()) {
        error(
            fn.keyAt(),
            "'" + function + "' takes the system call's registers, not its arguments",
            "write 'syscall: "
                + function.substring("__x64_sys_".length())
                + "' to read the system call's arguments");
        return null;
      }
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
    }
    if (!ok) {
      return null;
    }
    HookDecl h = new HookDecl(function, syscall, args, m.at());
    List<HookDecl.FieldRef> fields = h.fields();
    if (fields.size() > Limits.HOOK_FIELDS) {
      error(
          as.value().at(),
          "the arguments give "
              + fields.size()
              + " fields; at most "
              + Limits.HOOK_FIELDS
              + " (a sockaddr gives 3, a cred 4, every other type 1)",
          "read fewer arguments");
      return null;
    }
    long bytes = h.recordBytes();
    if (bytes > Limits.HOOK_RECORD_BYTES) {
      error(
          as.value().at(),
          "a call record of this hook could take "
              + bytes
              + " bytes; at most "
              + Limits.HOOK_RECORD_BYTES,
          "lower the maxLength of its strings and paths");
      return null;
    }
    return h;
  }

  private HookDecl.Arg arg(
      YNode an, int index, Map<String, Location> names, Map<Integer, Location> positions) {
    YMap m = map(an, "hook argument", "write each argument as '- {name: NAME, type: TYPE}'");
    if (m == null) {
      return null;
    }
    keys(
        m,
        "hook argument",
        List.of("name", "type", "position", "maxLength", "description"),
        List.of("name", "type"));
    description(m);
    String name = null;
    var n = m.get("name");
    if (n != null) {
      name = string(n.value(), "argument name");
      if (name != null && !ARG_NAME.matcher(name).matches()) {
        error(
            n.value().at(),
            "argument name '" + name + "' is not valid",
            "start with a lower-case letter, then letters, digits or '_', at most 32 characters, e.g. 'path'");
        name = null;
      }
      if (name != null) {
        Location first = names.putIfAbsent(name, n.value().at());
        if (first != null) {
          error(
              n.value().at(),
              "argument name '" + name + "' is used twice in this hook (first at " + first + ")",
              "rename one");
          name = null;
        }
      }
    }
    ArgType type = null;
    var t = m.get("type");
    if (t != null) {
      type = named(t.value(), "argument type", ArgType.values(), ArgType::yamlName);
    }
    int position = index;
    var p = m.get("position");
    if (p != null) {
      BigInteger v =
          integer(
              p.value(), "position", "write which argument of the function it is, 0 for the first");
      if (v == null) {
        return null;
      }
      if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(Limits.HOOK_ARGS - 1)) > 0) {
        error(
            p.value().at(),
            "position " + v + " is out of range 0.." + (Limits.HOOK_ARGS - 1),
            "only the first " + Limits.HOOK_ARGS + " arguments are passed in registers");
        return null;
      }
      position = v.intValue();
    }
    Location firstAt = positions.putIfAbsent(position, (p != null ? p.value() : m).at());
    if (firstAt != null) {
      error(
          (p != null ? p.value() : m).at(),
          "argument position " + position + " is read twice (first at " + firstAt + ")",
          "give each argument its own 'position:'");
      return null;
    }
    int maxLength = 0;
    var ml = m.get("maxLength");
    if (type != null && type.hasLength()) {
      maxLength = Limits.HOOK_STRING_DEFAULT;
    }
    if (ml != null) {
      BigInteger v =
          integer(ml.value(), "maxLength", "write the bytes to keep, e.g. 'maxLength: 64'");
      if (v == null) {
        return null;
      }
      if (type != null && !type.hasLength()) {
        error(
            ml.keyAt(),
            "'maxLength' is only for strings and paths, not '" + type.yamlName() + "'",
            "remove it");
        return null;
      }
      if (v.signum() <= 0 || v.compareTo(BigInteger.valueOf(Limits.HOOK_STRING_BYTES)) > 0) {
        error(
            ml.value().at(),
            "maxLength " + v + " is out of range 1.." + Limits.HOOK_STRING_BYTES,
            "keep at most " + Limits.HOOK_STRING_BYTES + " bytes");
        return null;
      }
      maxLength = v.intValue();
    }
    if (name == null || type == null) {
      return null;
    }
    return new HookDecl.Arg(name, type, position, maxLength);
  }

  /** The hook a call rule is on: declared in the same policy. */
  private HookDecl ruleHook(YMap m, Map<String, HookDecl> hooks) {
    var fn = m.get("function");
    var sc = m.get("syscall");
    if (fn == null && sc == null) {
      error(
          m.at(),
          "a rule of event 'call' needs 'function' or 'syscall'",
          "name the hooked function, e.g. 'syscall: mkdirat'");
      return null;
    }
    if (fn != null && sc != null) {
      error(sc.keyAt(), "rule has both 'function' and 'syscall'", "give one of them");
      return null;
    }
    var e = fn != null ? fn : sc;
    String s = string(e.value(), e.key());
    if (s == null) {
      return null;
    }
    String function = sc != null ? HookDecl.syscallFunction(s) : s;
    HookDecl h = hooks.get(function);
    if (h == null) {
      String dym = didYouMean(function, List.copyOf(hooks.keySet()));
      error(
          e.value().at(),
          "function '" + function + "' is not declared under 'hooks:' of this policy",
          (dym == null ? "" : "did you mean '" + dym + "'? ")
              + "declare it: 'hooks: [{"
              + (sc != null ? "syscall: " + s : "function: " + s)
              + ", args: [...]}]'");
    }
    return h;
  }

  private Match.Call callMatch(HookDecl hook, YMap m) {
    keys(m, "match of a 'call' rule", EventKind.CALL.selectors(), List.of());
    Optional<PathMatcher> binary = new Sel(m).path("binary");
    java.util.SequencedMap<String, FieldMatcher> args = new java.util.LinkedHashMap<>();
    var a = m.get("args");
    if (a != null) {
      YMap am =
          map(
              a.value(),
              "args",
              "write 'args:' followed by selectors by argument name, e.g. 'path: {prefix: [/etc/]}'");
      if (am != null) {
        List<HookDecl.FieldRef> fields = hook.fields();
        List<String> names = fields.stream().map(HookDecl.FieldRef::name).toList();
        Map<String, FieldMatcher> found = new HashMap<>();
        for (var e : am.entries()) {
          int i = names.indexOf(e.key());
          if (i < 0) {
            String dym = didYouMean(e.key(), names);
            error(
                e.keyAt(),
                "'" + e.key() + "' is not a field of " + hook.function(),
                (dym == null ? "" : "did you mean '" + dym + "'? ")
                    + (names.isEmpty()
                        ? "the hook declares no arguments"
                        : "fields: " + String.join(", ", names)));
            continue;
          }
          FieldMatcher fm = fieldMatcher(e.value(), e.key(), fields.get(i).field());
          if (fm != null) {
            found.put(e.key(), fm);
          }
        }
        for (String nm : names) {
          if (found.containsKey(nm)) {
            args.put(nm, found.get(nm));
          }
        }
      }
    }
    return new Match.Call(hook, args, binary);
  }

  private FieldMatcher fieldMatcher(YNode n, String key, ArgType.Field f) {
    return switch (f.kind()) {
      case STRING -> {
        PathMatcher pm = pathMatcher(n, key, Strings.ANY);
        yield pm == null ? null : new FieldMatcher.Str(pm);
      }
      case ADDRESS -> {
        YMap m = map(n, key, "write e.g. '" + key + ": {in: [10.0.0.0/8]}'");
        if (m == null) {
          yield null;
        }
        keys(m, "'" + key + "' matcher", List.of("in"), List.of("in"));
        var in = m.get("in");
        if (in == null) {
          yield null;
        }
        List<Cidr> out = new ArrayList<>();
        for (YNode item : items(in.value(), "in")) {
          String s = string(item, "address");
          Cidr c = s == null ? null : cidr(item, s);
          if (c != null) {
            out.add(c);
          }
        }
        yield out.isEmpty() ? null : new FieldMatcher.Addr(out);
      }
      case INT -> intMatcher(n, key, f);
    };
  }

  private static final Pattern INT_RANGE =
      Pattern.compile(
          "\\s*(-?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|\\d+))\\s*(?:\\.\\.\\s*(-?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|\\d+))\\s*)?");

  private FieldMatcher intMatcher(YNode n, String key, ArgType.Field f) {
    String hint =
        "write e.g. '" + key + ": {in: [0, \"10..20\"]}' or '" + key + ": {mask: {any: 0x800}}'";
    YMap m = map(n, key, hint);
    if (m == null) {
      return null;
    }
    keys(m, "'" + key + "' matcher", List.of("in", "mask"), List.of());
    var in = m.get("in");
    var mask = m.get("mask");
    if ((in == null) == (mask == null)) {
      error(
          m.at(),
          in == null ? "'" + key + "' matcher is empty" : "'" + key + "' has both 'in' and 'mask'",
          "give one of 'in: [...]' or 'mask: {any|all: BITS}'");
      return null;
    }
    if (mask != null) {
      YMap mm = map(mask.value(), "mask", "write 'mask: {any: 0x800}' or 'mask: {all: 0x6}'");
      if (mm == null) {
        return null;
      }
      keys(mm, "'mask'", List.of("any", "all"), List.of());
      var any = mm.get("any");
      var all = mm.get("all");
      if ((any == null) == (all == null)) {
        error(
            mm.at(),
            "'mask' needs exactly one of 'any' or 'all'",
            "'any: BITS' matches when some bit is set, 'all: BITS' when every bit is");
        return null;
      }
      var e = any != null ? any : all;
      BigInteger bits = intValue(e.value(), "mask bits");
      if (bits == null) {
        return null;
      }
      if (bits.signum() <= 0
          || bits.bitLength() > 64
          || (f.max() != -1L && bits.compareTo(BigInteger.valueOf(f.max())) > 0 && !f.signed())) {
        error(
            e.value().at(),
            "mask "
                + bits
                + " is not a non-zero bit mask of this "
                + (f.signed() ? "signed" : "unsigned")
                + " field",
            "give the bits to test, e.g. 0o4000");
        return null;
      }
      return new FieldMatcher.Mask(bits.longValue(), all != null);
    }
    List<FieldMatcher.IntRange> ranges = new ArrayList<>();
    for (YNode item : items(in.value(), "in")) {
      BigInteger lo;
      BigInteger hi;
      if (item instanceof YScalar s && s.type() == YScalar.Type.INT) {
        lo = hi = new BigInteger(s.text());
      } else if (item instanceof YScalar s && s.type() == YScalar.Type.STRING) {
        Matcher mm = INT_RANGE.matcher(s.text());
        if (!mm.matches()) {
          error(
              item.at(),
              "'" + s.text() + "' is not an integer or a range",
              "write a number, 0x... or 0o..., or a range \"a..b\"");
          continue;
        }
        lo = parseInt(mm.group(1));
        hi = mm.group(2) == null ? lo : parseInt(mm.group(2));
      } else {
        typeError(
            item, key + " item", "a number or a \"a..b\" range", "write e.g. 0, -1 or \"10..20\"");
        continue;
      }
      BigInteger min = f.signed() ? BigInteger.valueOf(f.min()) : BigInteger.ZERO;
      BigInteger max =
          f.signed() || f.max() != -1L
              ? BigInteger.valueOf(f.max())
              : BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
      if (lo.compareTo(min) < 0
          || hi.compareTo(max) > 0
          || lo.compareTo(max) > 0
          || hi.compareTo(min) < 0) {
        error(
            item.at(),
            "'"
                + key
                + "' value "
                + (lo.equals(hi) ? lo : lo + ".." + hi)
                + " is outside "
                + min
                + ".."
                + max,
            "this field is " + (f.signed() ? "signed" : "unsigned"));
        continue;
      }
      if (lo.compareTo(hi) > 0) {
        error(
            item.at(),
            "range " + lo + ".." + hi + " is empty: its start is greater than its end",
            "write it as " + hi + ".." + lo);
        continue;
      }
      ranges.add(new FieldMatcher.IntRange(lo.longValue(), hi.longValue()));
    }
    return ranges.isEmpty() ? null : new FieldMatcher.Ints(ranges);
  }

  private static BigInteger parseInt(String s) {
    boolean neg = s.startsWith("-");
    String t = neg ? s.substring(1) : s;
    BigInteger v =
        t.startsWith("0x") || t.startsWith("0X")
            ? new BigInteger(t.substring(2), 16)
            : t.startsWith("0o") || t.startsWith("0O")
                ? new BigInteger(t.substring(2), 8)
                : new BigInteger(t);
    return neg ? v.negate() : v;
  }

  private BigInteger intValue(YNode n, String field) {
    if (n instanceof YScalar s && s.type() == YScalar.Type.INT) {
      return new BigInteger(s.text());
    }
    if (n instanceof YScalar s
        && s.type() == YScalar.Type.STRING
        && INT_RANGE.matcher(s.text()).matches()
        && !s.text().contains("..")) {
      return parseInt(s.text().strip());
    }
    typeError(n, field, "an integer", "write a number, 0x... or 0o...");
    return null;
  }

  /** Reads the selectors of one match mapping. */
  private final class Sel {
    final YMap m;

    Sel(YMap m) {
      this.m = m;
    }

    Optional<PathMatcher> path(String key) {
      var e = m.get(key);
      return e == null ? Optional.empty() : Optional.ofNullable(pathMatcher(e.value(), key, false));
    }

    Optional<PathMatcher> moduleName(String key) {
      var e = m.get(key);
      return e == null ? Optional.empty() : Optional.ofNullable(pathMatcher(e.value(), key, true));
    }

    Optional<RangeMatcher> ids(String key, long max) {
      var e = m.get(key);
      return e == null ? Optional.empty() : Optional.ofNullable(rangeMatcher(e.value(), key, max));
    }

    Optional<Boolean> bool(String key) {
      var e = m.get(key);
      if (e == null) {
        return Optional.empty();
      }
      if (e.value() instanceof YScalar s && s.type() == YScalar.Type.BOOL) {
        return Optional.of(Boolean.parseBoolean(s.text()));
      }
      typeError(e.value(), key, "a boolean", "write '" + key + ": true' or '" + key + ": false'");
      return Optional.empty();
    }

    List<String> strings(String key) {
      var e = m.get(key);
      if (e == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (var item : items(e.value(), key)) {
        String s = string(item, key + " item");
        if (s == null) {
          continue;
        }
        for (var x : expand(item, s)) {
          if (x.isEmpty()) {
            error(item.at(), "'" + key + "' item is empty", "remove it");
          } else if (x.indexOf('\0') >= 0) {
            error(
                item.at(),
                "'" + key + "' item contains a NUL character",
                "arguments never contain NUL: remove it");
          } else if (x.getBytes(StandardCharsets.UTF_8).length > Limits.PATH_BYTES) {
            error(
                item.at(),
                "'" + key + "' item is longer than " + Limits.PATH_BYTES + " bytes",
                "shorten it");
          } else {
            out.add(x);
          }
        }
      }
      return out;
    }

    <E extends Enum<E>> Set<E> enums(String key, E[] values, Function<E, String> yaml) {
      var e = m.get(key);
      if (e == null) {
        return Set.of();
      }
      Set<E> out = EnumSet.noneOf(values[0].getDeclaringClass());
      for (var item : items(e.value(), key)) {
        E v = named(item, key, values, yaml);
        if (v != null && !out.add(v)) {
          error(
              item.at(),
              "'" + yaml.apply(v) + "' is listed twice in '" + key + "'",
              "remove the duplicate");
        }
      }
      return out;
    }

    List<Cidr> cidrs(String key) {
      var e = m.get(key);
      if (e == null) {
        return List.of();
      }
      List<Cidr> out = new ArrayList<>();
      for (var item : items(e.value(), key)) {
        String s = string(item, "address");
        if (s != null) {
          Cidr c = cidr(item, s);
          if (c != null) {
            out.add(c);
          }
        }
      }
      return out;
    }
  }

  /** The items of a selector list, with the size limit checked. */
  private List<YNode> items(YNode n, String key) {
    YSeq seq = seq(n, key, "write '" + key + ": [...]'");
    if (seq == null) {
      return List.of();
    }
    if (seq.items().isEmpty()) {
      error(
          seq.at(),
          "'" + key + "' is an empty list",
          "give at least one value, or remove '" + key + "'");
      return List.of();
    }
    if (seq.items().size() > Limits.SELECTOR_ITEMS) {
      error(
          seq.at(),
          "'" + key + "' has " + seq.items().size() + " items; at most " + Limits.SELECTOR_ITEMS,
          "move the values into a 'kind: List' document and refer to it as \"@name\"");
      return List.of();
    }
    return seq.items();
  }

  /** {@code s} itself, or the items of the list it names ({@code @name}). */
  private List<String> expand(YNode at, String s) {
    if (!s.startsWith("@")) {
      return List.of(s);
    }
    String ref = s.substring(1);
    ListDef l = lists.get(ref);
    if (l == null) {
      String dym = didYouMean(ref, List.copyOf(lists.keySet()));
      error(
          at.at(),
          "undefined list '" + s + "'",
          (dym == null ? "" : "did you mean '@" + dym + "'? ")
              + "define it with a 'kind: List' document named '"
              + ref
              + "'");
      return List.of();
    }
    return l.items();
  }

  /** What a string matcher matches: paths (absolute), module names, or any string. */
  private enum Strings {
    PATH,
    MODULE,
    ANY
  }

  private PathMatcher pathMatcher(YNode n, String key, boolean module) {
    return pathMatcher(n, key, module ? Strings.MODULE : Strings.PATH);
  }

  private PathMatcher pathMatcher(YNode n, String key, Strings kind) {
    boolean module = kind == Strings.MODULE;
    String hint =
        module
            ? "write e.g. '" + key + ": {exact: [nf_tables]}'"
            : "write e.g. '" + key + ": {prefix: [/tmp/]}'";
    YMap m = map(n, key, hint);
    if (m == null) {
      return null;
    }
    List<String> allowed = module ? List.of("exact", "glob") : List.of("exact", "prefix", "glob");
    keys(m, "'" + key + "' matcher", allowed, List.of());
    if (m.entries().isEmpty()) {
      error(
          m.at(),
          "'" + key + "' matcher is empty",
          "give at least one of " + String.join(", ", allowed));
      return null;
    }
    Map<String, List<String>> parts = new HashMap<>();
    for (String part : allowed) {
      List<String> out = new ArrayList<>();
      parts.put(part, out);
      var e = m.get(part);
      if (e == null) {
        continue;
      }
      int before = errors.size();
      for (YNode item : items(e.value(), part)) {
        String s = string(item, key + "." + part + " item");
        if (s == null) {
          continue;
        }
        for (String x : expand(item, s)) {
          String why =
              switch (kind) {
                case MODULE -> checkModule(x, part.equals("glob"));
                case PATH -> checkPath(x, part.equals("glob"));
                case ANY -> checkString(x, part.equals("glob"));
              };
          if (why != null) {
            String origin =
                s.startsWith("@") ? "item '" + x + "' of list '" + s + "'" : "'" + x + "'";
            error(
                item.at(),
                origin + " " + why,
                module ? "module names are like 'nf_tables'" : hintFor(why));
          } else {
            out.add(x);
          }
        }
      }
      if (errors.size() == before && out.size() > Limits.LIST_ITEMS) {
        error(
            e.value().at(),
            "'" + part + "' expands to " + out.size() + " values; at most " + Limits.LIST_ITEMS,
            "use fewer or smaller lists");
      }
    }
    return new PathMatcher(
        parts.get("exact"), parts.getOrDefault("prefix", List.of()), parts.get("glob"));
  }

  private static String hintFor(String why) {
    if (why.contains("not an absolute path")) {
      return "paths must start with '/', e.g. /usr/bin/curl";
    }
    if (why.contains("'*'") || why.contains("'**'")) {
      return "a glob has at most "
          + Limits.GLOB_STARS
          + " '*' and no '**'; use prefix for whole subtrees";
    }
    if (why.contains("non-ASCII")) {
      return "paths are matched as UTF-8 bytes: write the character outside the class, literally or"
          + " as one '?' per byte, or give the alternatives as separate globs";
    }
    if (why.contains("bytes long")) {
      return "shorten it";
    }
    return "fix the pattern";
  }

  private static String checkPath(String p, boolean glob) {
    if (p.isEmpty() || p.charAt(0) != '/') {
      return "is not an absolute path";
    }
    return checkString(p, glob);
  }

  /** Any string value: not empty, no NUL, at most {@link Limits#PATH_BYTES}, a sound glob. */
  private static String checkString(String p, boolean glob) {
    if (p.isEmpty()) {
      return "is empty";
    }
    if (p.indexOf('\0') >= 0) {
      return "contains a NUL character";
    }
    int bytes = p.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Limits.PATH_BYTES) {
      return "is " + bytes + " bytes long; at most " + Limits.PATH_BYTES;
    }
    return glob ? checkGlob(p) : null;
  }

  private static String checkModule(String p, boolean glob) {
    if (!(glob ? MODULE_GLOB : MODULE_NAME).matcher(p).matches()) {
      return "is not a module name (letters, digits, '_' and '-', at most 55 characters"
          + (glob ? ", plus glob characters" : "")
          + ")";
    }
    return glob ? checkGlob(p) : null;
  }

  private static String checkGlob(String p) {
    if (p.contains("**")) {
      return "contains '**', which globs do not support";
    }
    long stars = p.chars().filter(c -> c == '*').count();
    if (stars > Limits.GLOB_STARS) {
      return "has " + stars + " '*'; at most " + Limits.GLOB_STARS;
    }
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == ']') {
        return "has ']' without '['";
      }
      if (c == '[') {
        int j = i + 1;
        if (j < p.length() && (p.charAt(j) == '!' || p.charAt(j) == '^')) {
          j++;
        }
        if (j < p.length() && p.charAt(j) == ']') {
          j++; // a leading ']' is a literal member
        }
        while (j < p.length() && p.charAt(j) != ']') {
          if (p.charAt(j) == '[') {
            return "has '[' inside a '[...]' class";
          }
          j++;
        }
        for (int k = i + 1; k < j; k = p.offsetByCodePoints(k, 1)) {
          int cp = p.codePointAt(k);
          if (cp > 0x7f) {
            String ch = Character.toString(cp);
            return "has the non-ASCII character '"
                + ch
                + "' ("
                + ch.getBytes(StandardCharsets.UTF_8).length
                + " bytes in UTF-8) inside a '[...]' class, which matches one byte";
          }
        }
        if (j >= p.length()) {
          return "has '[' without a closing ']'";
        }
        i = j;
      }
    }
    return null;
  }

  private RangeMatcher rangeMatcher(YNode n, String key, long max) {
    YMap m =
        map(n, key, "write e.g. '" + key + ": {in: [0]}' or '" + key + ": {notIn: [1000-1999]}'");
    if (m == null) {
      return null;
    }
    keys(m, "'" + key + "' matcher", List.of("in", "notIn"), List.of());
    var in = m.get("in");
    var notIn = m.get("notIn");
    if (in != null && notIn != null) {
      error(
          notIn.keyAt(),
          "'" + key + "' has both 'in' and 'notIn'",
          "use one of them; split into two rules if needed");
      return null;
    }
    if (in == null && notIn == null) {
      if (m.entries().isEmpty()) {
        error(m.at(), "'" + key + "' matcher is empty", "give 'in: [...]' or 'notIn: [...]'");
      }
      return null;
    }
    var e = in != null ? in : notIn;
    List<Range> ranges = new ArrayList<>();
    for (YNode item : items(e.value(), e.key())) {
      Range r = range(item, key, max);
      if (r != null) {
        ranges.add(r);
      }
    }
    return new RangeMatcher(notIn != null, ranges);
  }

  private Range range(YNode item, String key, long max) {
    String what = key.equals("port") ? "port" : "id";
    String hint =
        "write a number from 0 to "
            + max
            + " or a range like \""
            + (key.equals("port") ? "8000-8999" : "1000-1999")
            + "\"";
    BigInteger lo;
    BigInteger hi;
    if (item instanceof YScalar s && s.type() == YScalar.Type.INT) {
      lo = hi = new BigInteger(s.text());
    } else if (item instanceof YScalar s && s.type() == YScalar.Type.STRING) {
      Matcher mm = RANGE.matcher(s.text());
      if (!mm.matches()) {
        error(
            item.at(),
            "'" + s.text() + "' is not " + (what.equals("id") ? "an id" : "a port") + " or a range",
            hint);
        return null;
      }
      lo = new BigInteger(mm.group(1));
      hi = mm.group(2) == null ? lo : new BigInteger(mm.group(2));
    } else {
      typeError(item, key + " item", "a number or a \"a-b\" range", hint);
      return null;
    }
    BigInteger bmax = BigInteger.valueOf(max);
    for (BigInteger v : List.of(lo, hi)) {
      if (v.signum() < 0 || v.compareTo(bmax) > 0) {
        error(item.at(), what + " " + v + " is out of range 0.." + max, hint);
        return null;
      }
    }
    if (lo.compareTo(hi) > 0) {
      error(
          item.at(),
          "range " + lo + "-" + hi + " is empty: its start is greater than its end",
          "write it as " + hi + "-" + lo);
      return null;
    }
    return new Range(lo.longValue(), hi.longValue());
  }

  private Cidr cidr(YNode at, String s) {
    String hint = "write an IPv4 or IPv6 network like 10.0.0.0/8 or fd00::/8";
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    InetAddress a;
    try {
      if (addr.isEmpty() || !addr.matches("[0-9A-Fa-f.:]+")) {
        throw new IllegalArgumentException();
      }
      a = InetAddress.ofLiteral(addr);
    } catch (IllegalArgumentException e) {
      error(at.at(), "'" + s + "' is not an IP address or CIDR", hint);
      return null;
    }
    int bits = a.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        error(
            at.at(),
            "bad prefix length '/" + p + "' in '" + s + "'",
            "use /0 to /" + bits + " for an " + (bits == 32 ? "IPv4" : "IPv6") + " address");
        return null;
      }
      prefix = Integer.parseInt(p);
    }
    byte[] b = a.getAddress();
    byte[] net = b.clone();
    for (int i = 0; i < net.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      net[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      InetAddress n = InetAddress.getByAddress(net);
      if (!Arrays.equals(b, net)) {
        error(
            at.at(),
            "'" + s + "' has host bits set",
            "did you mean " + n.getHostAddress() + "/" + prefix + "?");
        return null;
      }
      return new Cidr(n, prefix);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  // ---- generic checks

  private void error(Location at, String message, String hint) {
    errors.add(new PolicyError(at, message, hint));
  }

  private void keys(YMap m, String context, List<String> allowed, List<String> required) {
    for (var e : m.entries()) {
      if (!allowed.contains(e.key())) {
        String dym = didYouMean(e.key(), allowed);
        error(
            e.keyAt(),
            "unknown field '" + e.key() + "' in " + context,
            (dym == null ? "" : "did you mean '" + dym + "'? ")
                + "allowed: "
                + String.join(", ", allowed));
      }
    }
    for (String r : required) {
      if (m.get(r) == null) {
        error(m.at(), "missing required field '" + r + "' in " + context, "add '" + r + ":'");
      }
    }
  }

  private void typeError(YNode n, String field, String expected, String hint) {
    error(n.at(), "'" + field + "' must be " + expected + ", got " + YNode.describe(n), hint);
  }

  private YMap map(YNode n, String field, String hint) {
    if (n instanceof YMap m) {
      return m;
    }
    typeError(n, field, "a mapping", hint);
    return null;
  }

  private YSeq seq(YNode n, String field, String hint) {
    if (n instanceof YSeq s) {
      return s;
    }
    typeError(n, field, "a list", hint);
    return null;
  }

  private String string(YNode n, String field) {
    if (n instanceof YScalar s && s.type() == YScalar.Type.STRING) {
      return s.text();
    }
    typeError(
        n, field, "a string", n instanceof YScalar ? "quote the value" : "write a single value");
    return null;
  }

  private BigInteger integer(YNode n, String field, String hint) {
    if (n instanceof YScalar s && s.type() == YScalar.Type.INT) {
      return new BigInteger(s.text());
    }
    typeError(n, field, "an integer", hint);
    return null;
  }

  private String name(YNode n, String what) {
    String s = string(n, what);
    if (s == null) {
      return null;
    }
    if (s.length() > Limits.NAME_LENGTH) {
      error(
          n.at(),
          what + " is " + s.length() + " characters long; at most " + Limits.NAME_LENGTH,
          "shorten it");
      return null;
    }
    if (!NAME.matcher(s).matches()) {
      error(
          n.at(),
          what + " '" + s + "' is not a valid name",
          "use lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. '"
              + s.toLowerCase(Locale.ROOT).replaceAll("[^-a-z0-9]+", "-").replaceAll("^-+|-+$", "")
              + "'");
      return null;
    }
    return s;
  }

  private <E> E named(YNode n, String field, E[] values, Function<E, String> yaml) {
    String s = string(n, field);
    if (s == null) {
      return null;
    }
    for (E v : values) {
      if (yaml.apply(v).equals(s)) {
        return v;
      }
    }
    List<String> names = Arrays.stream(values).map(yaml).toList();
    error(n.at(), "unknown " + field + " '" + s + "'", suggest(s, names));
    return null;
  }

  private static String suggest(String s, List<String> names) {
    String dym = didYouMean(s, names);
    return (dym == null ? "" : "did you mean '" + dym + "'? ")
        + (names.size() > 12
            ? "e.g. " + String.join(", ", names.subList(0, 12)) + ", ..."
            : "allowed: " + String.join(", ", names));
  }

  static String didYouMean(String s, List<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d =
          c.equalsIgnoreCase(s)
              ? 0
              : distance(s.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best != null && bestD <= (s.length() <= 3 ? 1 : 2) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
