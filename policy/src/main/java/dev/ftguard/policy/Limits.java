package dev.ftguard.policy;

/** Size limits the kernel's rule table is built for. */
public final class Limits {
  private Limits() {}

  public static final int NAME_LENGTH = 63;

  /**
   * Bytes of one policy file; a larger one is refused before it is parsed (docs/policy.md). Far
   * above what the kernel's table holds ({@link #RULES} rules), so only a wrong file reaches it.
   */
  public static final int POLICY_FILE_BYTES = 4 << 20;

  /** Bytes of {@code ftguard run}'s configuration file (docs/cli.md). */
  public static final int CONFIG_FILE_BYTES = 1 << 20;

  /** A string value's bytes: FTG_TABLE_STR_MAX. */
  public static final int PATH_BYTES = dev.ftguard.abi.Abi.TABLE_STR_MAX;

  public static final int SELECTOR_ITEMS = 64;

  /** Rules in all loaded files: FTG_TABLE_RULES_MAX. */
  public static final int RULES = dev.ftguard.abi.Abi.TABLE_RULES_MAX;

  public static final int LISTS = 256;
  public static final int LIST_ITEMS = 1024;

  /** See {@link Glob#MAX_STARS}. */
  public static final int GLOB_STARS = Glob.MAX_STARS;

  public static final int DESCRIPTION_LENGTH = 1024;

  /** FTG_ID_MAX. */
  public static final long MAX_ID = dev.ftguard.abi.Abi.ID_MAX;

  /** FTG_PORT_MAX. */
  public static final long MAX_PORT = dev.ftguard.abi.Abi.PORT_MAX;

  /** Declared hooks in a set (all files together); FTG_TABLE_HOOKS_MAX. */
  public static final int HOOKS = dev.ftguard.abi.Abi.TABLE_HOOKS_MAX;

  /** Arguments read per hook; FTG_CALL_ARGS_MAX. */
  public static final int HOOK_ARGS = dev.ftguard.abi.Abi.CALL_ARGS_MAX;

  /** Fields per hook (a sockaddr gives 3, a cred 4); FTG_CALL_FIELDS_MAX. */
  public static final int HOOK_FIELDS = dev.ftguard.abi.Abi.CALL_FIELDS_MAX;

  /** Bytes kept of one string or path argument; FTG_CALL_STR_MAX. */
  public static final int HOOK_STRING_BYTES = dev.ftguard.abi.Abi.CALL_STR_MAX;

  /** Default for an argument's maxLength. */
  public static final int HOOK_STRING_DEFAULT = 128;

  /** Largest call record; FTG_RECORD_MAX. */
  public static final int HOOK_RECORD_BYTES = dev.ftguard.abi.Abi.RECORD_MAX;
}
