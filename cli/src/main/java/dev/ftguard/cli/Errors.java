package dev.ftguard.cli;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.Errno;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.TableRejectedException;
import java.nio.file.Path;

/** Maps system-call failures to {@link UserException}s with a fix in the message. */
public final class Errors {
  private Errors() {}

  private static String sys(ErrnoException e) {
    return " [" + e.getMessage() + "]";
  }

  /** Opening the device for status or events. */
  public static UserException openDevice(ErrnoException e, Path device, boolean moduleLoaded) {
    return switch (e.errno()) {
      case Errno.ENOENT, Errno.ENODEV, Errno.ENXIO ->
          moduleLoaded
              ? new UserException(
                  ExitCode.NOT_LOADED,
                  "the ftguard module is loaded but "
                      + device
                      + " is missing: check that devtmpfs is mounted on /dev (mount -t devtmpfs devtmpfs /dev)"
                      + sys(e))
              : new UserException(
                  ExitCode.NOT_LOADED, "ftguard module is not loaded: run `ftguard load`");
      case Errno.EACCES, Errno.EPERM ->
          new UserException(
              ExitCode.NEEDS_ROOT, "reading " + device + " needs root: run with sudo" + sys(e), e);
      default -> new UserException(ExitCode.FAILURE, "cannot open " + device + sys(e), e);
    };
  }

  /**
   * The loaded module speaks another ABI version than this ftguard, which {@code does} (e.g. "reads
   * version 3") with its own.
   */
  public static UserException abiMismatch(long loaded, String does) {
    return new UserException(
        ExitCode.INCOMPATIBLE,
        "the loaded ftguard module speaks ABI version "
            + loaded
            + ", this ftguard "
            + does
            + ": reload the module that matches it (ftguard unload && ftguard load)");
  }

  /** An ioctl or read on the open device. */
  public static UserException deviceCall(ErrnoException e, Path device) {
    return switch (e.errno()) {
      case Errno.ENOTTY, Errno.EINVAL ->
          new UserException(
              ExitCode.INCOMPATIBLE,
              device
                  + " does not understand the ftguard requests: it is not the ftguard device or the"
                  + " module is of another version; reload it (ftguard unload && ftguard load)"
                  + sys(e),
              e);
      case Errno.EACCES, Errno.EPERM ->
          new UserException(
              ExitCode.NEEDS_ROOT, "reading " + device + " needs root: run with sudo" + sys(e), e);
      case Errno.ENODEV ->
          new UserException(
              ExitCode.NOT_LOADED,
              "the ftguard module went away while reading " + device + ": run `ftguard load`");
      default -> new UserException(ExitCode.FAILURE, "reading " + device + " failed" + sys(e), e);
    };
  }

  /** FTG_IOC_SET_TABLE or FTG_IOC_GET_TABLE; the table in force is unchanged. */
  public static UserException table(ErrnoException e, Path device) {
    if (e instanceof TableRejectedException r) {
      if (r.error() == TableRejectedException.NOMEM) {
        return new UserException(
            ExitCode.FAILURE,
            "the kernel ran out of memory building the rule table; the previous table stays in"
                + " force: retry, or free memory"
                + sys(e),
            e);
      }
      return new UserException(
          ExitCode.TABLE_REJECTED,
          "the kernel rejected the rule table: "
              + r.reason()
              + " ("
              + r.errorName()
              + ") at byte offset "
              + Integer.toUnsignedString(r.offset())
              + "; the previous table stays in force. The policies are valid, so this ftguard and"
              + " the loaded module disagree about the table format: reload the module that"
              + " matches this ftguard (ftguard unload && ftguard load), and report it if they"
              + " match",
          e);
    }
    return switch (e.errno()) {
      case Errno.EACCES, Errno.EPERM ->
          new UserException(
              ExitCode.NEEDS_ROOT,
              "changing the rule table needs root (CAP_SYS_ADMIN): run with sudo" + sys(e),
              e);
      default -> deviceCall(e, device);
    };
  }

  /**
   * finit_module, or opening the .ko for it. (Long: one table of the errnos finit_module returns
   * and what each means for the user; split, it would only be harder to read.)
   */
  public static UserException load(ErrnoException e, Path ko, String params) {
    if (e.call().equals("open")) {
      return switch (e.errno()) {
        case Errno.ENOENT ->
            new UserException(
                ExitCode.USAGE, "module file " + ko + " does not exist: check --ko" + sys(e), e);
        case Errno.EACCES, Errno.EPERM ->
            new UserException(
                ExitCode.NEEDS_ROOT,
                "cannot read module file " + ko + ": run with sudo" + sys(e),
                e);
        default -> new UserException(ExitCode.FAILURE, "cannot open module file " + ko + sys(e), e);
      };
    }
    String dmesg = "; the kernel log says why: dmesg | tail";
    return switch (e.errno()) {
      case Errno.EEXIST ->
          new UserException(
              ExitCode.ALREADY_LOADED,
              "ftguard is already loaded: see `ftguard status`, or `ftguard unload` first to load"
                  + " another build");
      case Errno.EPERM ->
          new UserException(
              ExitCode.NEEDS_ROOT,
              "loading a kernel module needs root (CAP_SYS_MODULE): run with sudo; as root, module"
                  + " loading may be disabled (/proc/sys/kernel/modules_disabled) or blocked by"
                  + " kernel lockdown"
                  + sys(e),
              e);
      case Errno.ENOSYS ->
          new UserException(
              ExitCode.INCOMPATIBLE,
              "this kernel cannot load modules (built without CONFIG_MODULES)" + sys(e),
              e);
      case Errno.ENOEXEC ->
          new UserException(
              ExitCode.INCOMPATIBLE,
              "the kernel rejected "
                  + ko
                  + " as not built for it (wrong kernel release, config or architecture): run"
                  + " `ftguard load` without --ko to build it for this kernel"
                  + dmesg
                  + sys(e),
              e);
      case Errno.EKEYREJECTED, Errno.EBADMSG, Errno.ENOKEY, Errno.EKEYEXPIRED ->
          new UserException(
              ExitCode.INCOMPATIBLE,
              "the kernel requires signed modules and rejected the signature of "
                  + ko
                  + " (Secure Boot / module.sig_enforce): sign it with a key the kernel trusts"
                  + " (e.g. an enrolled MOK)"
                  + sys(e),
              e);
      case Errno.EINVAL ->
          new UserException(
              ExitCode.USAGE,
              "the kernel rejected the module parameters '"
                  + params
                  + "' or the module's initialisation"
                  + dmesg
                  + sys(e),
              e);
      case Errno.ENOENT ->
          new UserException(
              ExitCode.INCOMPATIBLE,
              "the module refers to a kernel symbol this kernel lacks (or a hook target is not"
                  + " traceable)"
                  + dmesg
                  + sys(e),
              e);
      case Errno.EBUSY ->
          new UserException(
              ExitCode.BUSY,
              "a function ftguard hooks is already modified by another ftrace user (livepatch or"
                  + " another hooking module), or kernel.ftrace_enabled is 0 (ftguard's hooks are"
                  + " permanent: sysctl kernel.ftrace_enabled=1 first; `ftguard check` tells which)"
                  + dmesg
                  + sys(e));
      case Errno.EOPNOTSUPP ->
          new UserException(
              ExitCode.INCOMPATIBLE,
              "a hook target cannot be called through a pointer under this kernel's indirect branch"
                  + " tracking (its ENDBR was sealed, or --call-mode skip was asked for); boot with"
                  + " ibt=off to hook it (`ftguard check` reports IBT)"
                  + dmesg
                  + sys(e),
              e);
      default ->
          new UserException(ExitCode.FAILURE, "loading " + ko + " failed" + dmesg + sys(e), e);
    };
  }

  /** Refused because the module is locked: {@code what} did not happen. */
  public static UserException locked(String what) {
    return new UserException(
        ExitCode.LOCKED,
        "the ftguard module is locked until reboot: "
            + what
            + "; the attempt is reported as a tamper event (ftguard status counts them). Reboot"
            + " to change it, or apply the policies you want at boot before locking");
  }

  /** delete_module. */
  public static UserException unload(ErrnoException e) {
    return switch (e.errno()) {
      case Errno.EAGAIN, Errno.EBUSY ->
          new UserException(
              ExitCode.BUSY,
              "ftguard is in use: a reader still has /dev/"
                  + Abi.DEVICE_NAME
                  + " open (e.g. `ftguard events --follow`); stop it and retry (lsof /dev/"
                  + Abi.DEVICE_NAME
                  + " shows who)");
      case Errno.ENOENT ->
          new UserException(ExitCode.NOT_LOADED, "ftguard module is not loaded: nothing to unload");
      case Errno.EPERM ->
          new UserException(
              ExitCode.NEEDS_ROOT,
              "unloading a kernel module needs root (CAP_SYS_MODULE): run with sudo" + sys(e),
              e);
      case Errno.ENOSYS ->
          new UserException(ExitCode.INCOMPATIBLE, "this kernel cannot unload modules" + sys(e), e);
      default -> new UserException(ExitCode.FAILURE, "unloading ftguard failed" + sys(e), e);
    };
  }

  /** A module build failure. */
  public static UserException build(ModuleBuildException e) {
    StringBuilder sb = new StringBuilder(e.getMessage());
    if (!e.logTail().isEmpty()) {
      sb.append("\nlast lines of the build log:");
      for (String l : e.logTail()) {
        sb.append("\n  ").append(l);
      }
    }
    return switch (e.kind()) {
      case SOURCES_MISSING -> new UserException(ExitCode.USAGE, sb.toString(), e);
      case HEADERS_MISSING, TOOL_MISSING, MAKE_FAILED, NO_MODULE, IO, TAIL_CALL, UNVERIFIED ->
          new UserException(ExitCode.BUILD_FAILED, sb.toString(), e);
    };
  }
}
