package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent.Kind;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The selectors of the policy language (the keys under a rule's {@code match:}) and the set each
 * event kind allows ({@link #of(Kind)}): the one Java declaration of both, read by the validator,
 * the table compiler and the table reader. It states what each selector is in the rule table
 * ({@code kmod/include/uapi/ftguard.h}): the value slot ({@code FTG_SEL_*}) its values go to, the
 * rule flags ({@code FTG_RULE_*}) and the mask bits ({@code FTG_ACCESS_*}, {@code FTG_GAIN_*}) it
 * may set. The {@code Match} record of a kind has one component per selector of the kind, named
 * alike.
 */
public enum Selector {
  BINARY("binary", Abi.SEL_BINARY, 0, 0),
  PARENT_BINARY("parentBinary", Abi.SEL_PARENT, 0, 0),
  ANCESTOR_BINARY("ancestorBinary", Abi.SEL_ANCESTOR, 0, 0),
  UID("uid", Abi.SEL_UID, Abi.RULE_NEGATE_UID, 0),
  EUID("euid", Abi.SEL_EUID, Abi.RULE_NEGATE_EUID, 0),
  ARGV_CONTAINS("argvContains", Abi.SEL_ARGV, 0, 0),
  /** The executed or mapped file's content: SHA-256 digests, lower-case hex. */
  SHA256("sha256", Abi.SEL_SHA256, 0, 0),
  FILELESS("fileless", Selector.NO_SLOT, Abi.RULE_FILELESS_SET | Abi.RULE_FILELESS, 0),
  FROM_TEMP_DIR("fromTempDir", Selector.NO_SLOT, Abi.RULE_TEMPDIR_SET | Abi.RULE_TEMPDIR, 0),
  PATH("path", Abi.SEL_OBJECT, 0, 0),
  ACCESS(
      "access",
      Selector.NO_SLOT,
      0,
      Abi.ACCESS_READ
          | Abi.ACCESS_WRITE
          | Abi.ACCESS_CREATE
          | Abi.ACCESS_TRUNCATE
          | Abi.ACCESS_RENAME
          | Abi.ACCESS_UNLINK
          | Abi.ACCESS_LINK
          | Abi.ACCESS_ATTR),
  ADDRESS("address", Abi.SEL_ADDRESS, 0, 0),
  PORT("port", Abi.SEL_PORT, Abi.RULE_NEGATE_PORT, 0),
  NAME("name", Abi.SEL_OBJECT, 0, 0),
  TARGET("target", Abi.SEL_OBJECT, 0, 0),
  GAINS("gains", Selector.NO_SLOT, 0, Abi.GAIN_UID0 | Abi.GAIN_CAPS),
  /** A call rule's selectors on the hook's fields: the rule's {@code fields[]}, not a slot. */
  ARGS("args", Selector.NO_SLOT, 0, 0);

  /** The {@link #slot()} of a selector whose values go to no {@code sel[]} slot. */
  public static final int NO_SLOT = -1;

  private static final Map<Kind, List<Selector>> BY_KIND = new EnumMap<>(Kind.class);

  static {
    for (Kind k : Kind.values()) {
      BY_KIND.put(k, declared(k));
    }
  }

  /** The selectors each kind allows, in documentation order. */
  private static List<Selector> declared(Kind kind) {
    return switch (kind) {
      case EXEC ->
          List.of(
              BINARY,
              PARENT_BINARY,
              ANCESTOR_BINARY,
              UID,
              EUID,
              ARGV_CONTAINS,
              SHA256,
              FILELESS,
              FROM_TEMP_DIR);
      case OPEN -> List.of(PATH, ACCESS, BINARY);
      case CONNECT -> List.of(ADDRESS, PORT, BINARY);
      case MODULE_LOAD -> List.of(NAME, BINARY);
      case PTRACE -> List.of(TARGET, BINARY);
      case PRIVILEGE -> List.of(BINARY, GAINS);
      case CALL -> List.of(ARGS, BINARY);
    };
  }

  private final String yaml;
  private final int slot;
  private final int flags;
  private final int mask;

  Selector(String yaml, int slot, int flags, int mask) {
    this.yaml = yaml;
    this.slot = slot;
    this.flags = flags;
    this.mask = mask;
  }

  /** The key under {@code match:}. */
  public String yamlName() {
    return yaml;
  }

  /** The {@code FTG_SEL_*} slot its values go to; {@link #NO_SLOT} for none. */
  public int slot() {
    return slot;
  }

  /** The {@code FTG_RULE_*} flags it may set. */
  public int flags() {
    return flags;
  }

  /** The mask bits it may set. */
  public int mask() {
    return mask;
  }

  /** The selectors {@code kind} allows, in documentation order. */
  public static List<Selector> of(Kind kind) {
    return BY_KIND.get(kind);
  }

  /** The names of {@link #of(Kind)}. */
  public static List<String> names(Kind kind) {
    return of(kind).stream().map(Selector::yamlName).toList();
  }

  /** The {@code sel[]} slots {@code kind} may fill, as bits {@code 1 << slot}. */
  public static int slotBits(Kind kind) {
    int bits = 0;
    for (Selector s : of(kind)) {
      bits |= s.slot == NO_SLOT ? 0 : 1 << s.slot;
    }
    return bits;
  }

  /** The {@code FTG_RULE_*} flags a rule of {@code kind} may have. */
  public static int flagBits(Kind kind) {
    int bits = 0;
    for (Selector s : of(kind)) {
      bits |= s.flags;
    }
    return bits;
  }

  /** The mask bits a rule of {@code kind} may have. */
  public static int maskBits(Kind kind) {
    int bits = 0;
    for (Selector s : of(kind)) {
      bits |= s.mask;
    }
    return bits;
  }
}
