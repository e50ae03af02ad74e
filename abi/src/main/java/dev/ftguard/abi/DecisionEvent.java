package dev.ftguard.abi;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code struct ftg_decision_event}: a rule matched. An {@code audit}, a monitor policy's "would"
 * record, or an enforced deny/kill (allow decisions are not reported). The header is the acting
 * process.
 *
 * @param generation the table that decided (its generation)
 * @param rule the rule's index in that table
 * @param kind the event kind
 * @param action the rule's action
 * @param mode its policy's mode
 * @param flags {@code FTG_DEC_*}
 * @param result the -errno returned to the caller, 0 if none
 * @param mask open: {@code FTG_ACCESS_*}, privilege: {@code FTG_GAIN_*}, else 0; see {@link
 *     #maskNames()}
 * @param policy the policy's name
 * @param ruleName the rule's name
 * @param family connect: {@link Abi#AF_INET} or {@link Abi#AF_INET6}; as written otherwise
 * @param address connect: the destination (IPv4: an {@code Inet4Address}, IPv6: an {@code
 *     Inet6Address}, IPv4-mapped ones included); empty for other kinds
 * @param port connect: the destination port
 * @param targetPid ptrace: the target's tgid
 * @param newUid privilege: the new uid
 * @param newEuid privilege: the new euid
 * @param argc the argument count (exec: the new program's, kept or not; other kinds: the acting
 *     process's arguments that were read)
 * @param binary the acting process's binary (exec: the file being executed), lossy UTF-8, possibly
 *     truncated; {@code ""} when unknown ({@code binary_len} 0)
 * @param object open: the path, module_load: the module name, ptrace: the target's binary; {@code
 *     ""} for the other kinds or when unknown ({@code object_len} 0)
 * @param argv the kept arguments (exec: the new program's, else the acting process's)
 * @param content exec: {@code FTG_DEC_CONTENT_*} when the rule has a {@code sha256} selector, else
 *     0
 * @param sha256 with {@code FTG_DEC_CONTENT_KNOWN}: the file's SHA-256, lower-case hex; else {@code
 *     ""}
 */
public record DecisionEvent(
    Header header,
    long generation,
    long rule,
    Kind kind,
    Action action,
    Mode mode,
    int flags,
    int result,
    int mask,
    String policy,
    String ruleName,
    int family,
    Optional<InetAddress> address,
    int port,
    long targetPid,
    long newUid,
    long newEuid,
    long argc,
    String binary,
    String object,
    List<String> argv,
    int content,
    String sha256)
    implements Event {

  /**
   * The content the rule's {@code sha256} selector saw: the digest (lower-case hex), {@code
   * "unknown"} (it failed closed), or empty when the rule has no such selector.
   */
  public Optional<String> contentLabel() {
    if ((content & Abi.DEC_CONTENT_KNOWN) != 0) {
      return Optional.of(sha256);
    }
    return (content & Abi.DEC_CONTENT_UNKNOWN) != 0 ? Optional.of("unknown") : Optional.empty();
  }

  @Override
  public EventType eventType() {
    return EventType.DECISION;
  }

  public DecisionEvent {
    argv = List.copyOf(argv);
  }

  /**
   * What {@link Kind}, {@link Action} and {@link Mode} share: each constant stands for a value of a
   * C enum of the ABI and has a name in the policy language.
   */
  interface AbiEnum {
    /** The C enum's value ({@code FTG_KIND_*}, {@code FTG_ACT_*}, {@code FTG_MODE_*}). */
    int value();

    /** The constant's name (every implementation is an enum). */
    String name();

    /**
     * The policy language's name ({@code exec}, {@code module_load}, {@code monitor}, ...): the
     * constant's name in lower case, unless the constant says otherwise ({@code deny+kill}).
     */
    default String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The one of {@code constants} with this C enum value, if any. */
    static <E extends AbiEnum> Optional<E> of(E[] constants, int value) {
      for (E e : constants) {
        if (e.value() == value) {
          return Optional.of(e);
        }
      }
      return Optional.empty();
    }
  }

  /** {@code enum ftg_kind}, with the policy language's names. */
  public enum Kind implements AbiEnum {
    EXEC(Abi.KIND_EXEC),
    OPEN(Abi.KIND_OPEN),
    CONNECT(Abi.KIND_CONNECT),
    MODULE_LOAD(Abi.KIND_MODULE_LOAD),
    PTRACE(Abi.KIND_PTRACE),
    PRIVILEGE(Abi.KIND_PRIVILEGE),
    /** Declared hooks: their matches arrive as {@link CallEvent}s, never as decisions. */
    CALL(Abi.KIND_CALL);

    private final int value;

    Kind(int value) {
      this.value = value;
    }

    @Override
    public int value() {
      return value;
    }

    /** The kind with this {@code FTG_KIND_*} value, if any. */
    public static Optional<Kind> of(int value) {
      return AbiEnum.of(values(), value);
    }

    /**
     * The selector slots ({@code FTG_SEL_*}) a rule of this kind may use, in ascending order: the
     * header's {@code FTG_KIND_SLOTS(kind)}.
     */
    public Set<Integer> allowedSlots() {
      Set<Integer> slots = new LinkedHashSet<>();
      int bits = Abi.kindSlots(value);
      for (int slot = 0; slot < Abi.SELS; slot++) {
        if ((bits & Abi.slot(slot)) != 0) {
          slots.add(slot);
        }
      }
      return Collections.unmodifiableSet(slots);
    }

    /** Whether a rule of this kind may use selector {@code slot} ({@code FTG_SEL_*}). */
    public boolean allowsSlot(int slot) {
      return slot >= 0 && slot < Abi.SELS && (Abi.kindSlots(value) & Abi.slot(slot)) != 0;
    }

    /** The slot the module indexes rules of this kind by: {@code FTG_KIND_KEY_SLOT(kind)}. */
    public int keySlot() {
      return Abi.kindKeySlot(value);
    }

    /** The {@code ftg_rule.mask} bits this kind allows: {@code FTG_KIND_MASK(kind)}. */
    public int allowedMask() {
      return Abi.kindMask(value);
    }

    /** The {@code ftg_rule.flags} bits this kind allows: {@code FTG_KIND_FLAGS(kind)}. */
    public int allowedFlags() {
      return Abi.kindFlags(value);
    }
  }

  /** {@code enum ftg_action}, with the policy language's names. */
  public enum Action implements AbiEnum {
    ALLOW(Abi.ACT_ALLOW, "allow"),
    AUDIT(Abi.ACT_AUDIT, "audit"),
    DENY(Abi.ACT_DENY, "deny"),
    KILL(Abi.ACT_KILL, "kill"),
    DENY_KILL(Abi.ACT_DENY_KILL, "deny+kill");

    private final int value;
    private final String yaml;

    Action(int value, String yaml) {
      this.value = value;
      this.yaml = yaml;
    }

    @Override
    public int value() {
      return value;
    }

    @Override
    public String yamlName() {
      return yaml;
    }

    /** The action with this {@code FTG_ACT_*} value, if any. */
    public static Optional<Action> of(int value) {
      return AbiEnum.of(values(), value);
    }
  }

  /** {@code enum ftg_mode}, with the policy language's names. */
  public enum Mode implements AbiEnum {
    ENFORCE(Abi.MODE_ENFORCE),
    MONITOR(Abi.MODE_MONITOR);

    private final int value;

    Mode(int value) {
      this.value = value;
    }

    @Override
    public int value() {
      return value;
    }

    /** The mode with this {@code FTG_MODE_*} value, if any. */
    public static Optional<Mode> of(int value) {
      return AbiEnum.of(values(), value);
    }
  }

  /** Names of the {@code FTG_ACCESS_*} bits, by bit number. */
  public static final List<String> ACCESS_NAMES =
      List.of("read", "write", "create", "truncate", "rename", "unlink", "link", "attr");

  /** Names of the {@code FTG_GAIN_*} bits, by bit number. */
  public static final List<String> GAIN_NAMES = List.of("uid0", "capabilities");

  /** Monitor mode: the rule would have acted ({@code FTG_DEC_WOULD}). */
  public boolean would() {
    return (flags & Abi.DEC_WOULD) != 0;
  }

  public boolean binaryTruncated() {
    return (flags & Abi.DEC_BINARY_TRUNC) != 0;
  }

  public boolean objectTruncated() {
    return (flags & Abi.DEC_OBJECT_TRUNC) != 0;
  }

  public boolean argvTruncated() {
    return (flags & Abi.DEC_ARGV_TRUNC) != 0;
  }

  public boolean argvFault() {
    return (flags & Abi.DEC_ARGV_FAULT) != 0;
  }

  /**
   * exec, open: the rule's key matched the file by its identity, not by the name used ({@code
   * FTG_DEC_BY_IDENTITY}): a hard link, a renamed or moved file, a bind mount.
   */
  public boolean byIdentity() {
    return (flags & Abi.DEC_BY_IDENTITY) != 0;
  }

  /**
   * Where an {@code exec} rule was decided: {@code exec} (security_bprm_check), {@code mmap} (a
   * file mapped executable, {@code FTG_DEC_MMAP}) or {@code mprotect} (a file's mapping made
   * executable, {@code FTG_DEC_MPROTECT}).
   */
  public String via() {
    if ((flags & Abi.DEC_MMAP) != 0) {
      return "mmap";
    }
    return (flags & Abi.DEC_MPROTECT) != 0 ? "mprotect" : "exec";
  }

  /**
   * {@code audit}, {@code deny}, ... or, for a monitor policy's record, {@code would deny}, ....
   */
  public String label() {
    return would() ? "would " + action.yamlName() : action.yamlName();
  }

  /** The symbolic errno of {@link #result()} ({@code EPERM}, ...) when it is negative. */
  public Optional<String> errnoName() {
    return result < 0 ? Optional.of(Errno.name(-result)) : Optional.empty();
  }

  /**
   * {@link #mask()} as names, in bit order: access names ({@code read}, {@code write}, {@code
   * create}, {@code truncate}, {@code rename}, {@code unlink}, {@code link}, {@code attr}) for
   * open, gain names ({@code uid0}, {@code capabilities}) for privilege; empty for other kinds.
   * Bits without a name are left out (see {@link #mask()}).
   */
  public List<String> maskNames() {
    List<String> names =
        switch (kind) {
          case OPEN -> ACCESS_NAMES;
          case PRIVILEGE -> GAIN_NAMES;
          case EXEC, CONNECT, MODULE_LOAD, PTRACE, CALL -> List.of();
        };
    List<String> out = new ArrayList<>();
    for (int bit = 0; bit < names.size(); bit++) {
      if ((mask & (1 << bit)) != 0) {
        out.add(names.get(bit));
      }
    }
    return List.copyOf(out);
  }
}
