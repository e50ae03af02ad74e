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
  public static final int GLOB_STARS = 4;
  public static final int DESCRIPTION_LENGTH = 1024;
  public static final long MAX_ID = 4_294_967_294L;
  public static final long MAX_PORT = 65_535;
}
