package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
import java.util.List;

/**
 * How an argument of a declared hook is read ({@code type:} of a hook argument), and the fields it
 * gives to rules and events. Integers are read from the argument's register, truncated to their
 * size; everything else is read through the pointer the argument holds, without faulting.
 */
public enum ArgType {
  S8("s8", Abi.ARG_INT, 1, true),
  S16("s16", Abi.ARG_INT, 2, true),
  S32("s32", Abi.ARG_INT, 4, true),
  S64("s64", Abi.ARG_INT, 8, true),
  U8("u8", Abi.ARG_INT, 1, false),
  U16("u16", Abi.ARG_INT, 2, false),
  U32("u32", Abi.ARG_INT, 4, false),
  U64("u64", Abi.ARG_INT, 8, false),
  /** A NUL-terminated string in kernel memory. */
  KSTRING("kstring", Abi.ARG_KSTRING, 0, false),
  /** A NUL-terminated string in the calling process's memory. */
  USTRING("ustring", Abi.ARG_USTRING, 0, false),
  /** {@code struct file *}: its path. */
  FILE("file", Abi.ARG_FILE, 0, false),
  /** {@code struct path *}: the path. */
  PATH("path", Abi.ARG_PATH, 0, false),
  /** {@code struct dentry *}: the path inside its filesystem. */
  DENTRY("dentry", Abi.ARG_DENTRY, 0, false),
  /** {@code struct sockaddr *} in kernel memory: family, address and port. */
  SOCKADDR("sockaddr", Abi.ARG_SOCKADDR, 0, false),
  /** {@code struct cred *}: uid, gid, euid and egid. */
  CRED("cred", Abi.ARG_CRED, 0, false);

  /** What one field of an argument holds. */
  public enum FieldKind {
    INT,
    STRING,
    ADDRESS
  }

  /**
   * One field an argument gives: its name after the argument's ({@code ""}: the argument itself,
   * else {@code ".suffix"}), what it holds, whether it is signed, and its largest value (integers).
   */
  public record Field(String suffix, FieldKind kind, boolean signed, long min, long max) {}

  private final String yaml;
  private final int abiType;
  private final int size;
  private final boolean signed;

  ArgType(String yaml, int abiType, int size, boolean signed) {
    this.yaml = yaml;
    this.abiType = abiType;
    this.size = size;
    this.signed = signed;
  }

  public String yamlName() {
    return yaml;
  }

  /** {@code enum ftg_arg_type}. */
  public int abiType() {
    return abiType;
  }

  /** Integers: 1, 2, 4 or 8 bytes; 0 otherwise. */
  public int size() {
    return size;
  }

  public boolean signed() {
    return signed;
  }

  /** Strings and paths: their length is bounded by {@code maxLength}. */
  public boolean hasLength() {
    return abiType >= Abi.ARG_KSTRING && abiType <= Abi.ARG_DENTRY;
  }

  /** The fields this type gives, in the kernel's order. */
  public List<Field> fields() {
    return switch (this) {
      case S8, S16, S32, S64 -> {
        long max = size == 8 ? Long.MAX_VALUE : (1L << (size * 8 - 1)) - 1;
        yield List.of(new Field("", FieldKind.INT, true, -max - 1, max));
      }
      case U8, U16, U32, U64 ->
          List.of(new Field("", FieldKind.INT, false, 0, size == 8 ? -1L : (1L << (size * 8)) - 1));
      case KSTRING, USTRING, FILE, PATH, DENTRY ->
          List.of(new Field("", FieldKind.STRING, false, 0, 0));
      case SOCKADDR ->
          List.of(
              new Field(".family", FieldKind.INT, false, 0, Abi.PORT_MAX),
              new Field(".address", FieldKind.ADDRESS, false, 0, 0),
              new Field(".port", FieldKind.INT, false, 0, Abi.PORT_MAX));
      case CRED ->
          List.of(
              new Field(".uid", FieldKind.INT, false, 0, 0xffffffffL),
              new Field(".gid", FieldKind.INT, false, 0, 0xffffffffL),
              new Field(".euid", FieldKind.INT, false, 0, 0xffffffffL),
              new Field(".egid", FieldKind.INT, false, 0, 0xffffffffL));
    };
  }
}
