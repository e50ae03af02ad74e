package dev.ftguard.policy;

/** Size limits the kernel's rule table is built for. */
public final class Limits {
  private Limits() {}

  public static final int NAME_LENGTH = 63;
  public static final int PATH_BYTES = 255;
  public static final int SELECTOR_ITEMS = 64;
  public static final int RULES = 10_000;
  public static final int LISTS = 256;
  public static final int LIST_ITEMS = 1024;

  /** See {@link Glob#MAX_STARS}. */
  public static final int GLOB_STARS = Glob.MAX_STARS;

  public static final int DESCRIPTION_LENGTH = 1024;
  public static final long MAX_ID = 4_294_967_294L;
  public static final long MAX_PORT = 65_535;

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
