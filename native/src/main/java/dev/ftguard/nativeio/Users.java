package dev.ftguard.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.ftguard.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * User and group names through the C library's {@code getpwuid_r(3)} and {@code getgrgid_r(3)}:
 * every source {@code /etc/nsswitch.conf} names answers (files, systemd, LDAP, sssd, ...), as for
 * {@code id} or {@code ls -l}. The calls may block as long as those sources do; callers that must
 * not wait run them elsewhere and cache the answers.
 *
 * <p>The functions return their error number instead of setting {@code errno}; "no such entry"
 * comes back as 0 with no result, or as ENOENT, ESRCH, EBADF or EPERM (getpwnam(3)), and all of
 * these read as empty here. A buffer too small (ERANGE) is retried with a larger one.
 */
@SuppressWarnings("restricted")
public final class Users {
  private Users() {}

  /** {@code struct passwd} (LP64). */
  public static final StructLayout PASSWD =
      MemoryLayout.structLayout(
          ADDRESS.withName("pw_name"),
          ADDRESS.withName("pw_passwd"),
          JAVA_INT.withName("pw_uid"),
          JAVA_INT.withName("pw_gid"),
          ADDRESS.withName("pw_gecos"),
          ADDRESS.withName("pw_dir"),
          ADDRESS.withName("pw_shell"));

  /** {@code struct group} (LP64). */
  public static final StructLayout GROUP =
      MemoryLayout.structLayout(
          ADDRESS.withName("gr_name"),
          ADDRESS.withName("gr_passwd"),
          JAVA_INT.withName("gr_gid"),
          MemoryLayout.paddingLayout(4),
          ADDRESS.withName("gr_mem"));

  /** Buffer for the strings of one entry; doubled on ERANGE up to {@link #MAX_BUFFER}. */
  static final int INITIAL_BUFFER = 1024;

  /** Largest buffer tried (a group with many members can need a lot). */
  static final int MAX_BUFFER = 1 << 22;

  private static final int ERANGE = 34;

  private static final Linker LINKER = Linker.nativeLinker();

  private static MethodHandle fn(String name) {
    // int getpwuid_r(uid_t, struct passwd *, char *, size_t, struct passwd **), getgrgid_r alike
    return LINKER.downcallHandle(
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name)),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  }

  private static final MethodHandle GETPWUID_R = fn("getpwuid_r");
  private static final MethodHandle GETGRGID_R = fn("getgrgid_r");

  /**
   * The name of user {@code uid}, empty when there is none.
   *
   * @throws ErrnoException when the lookup itself failed (e.g. EIO, EMFILE, ENOMEM)
   */
  public static Optional<String> userName(long uid) throws ErrnoException {
    return lookup(GETPWUID_R, "getpwuid_r", uid, PASSWD, INITIAL_BUFFER);
  }

  /**
   * The name of group {@code gid}, empty when there is none.
   *
   * @throws ErrnoException when the lookup itself failed (e.g. EIO, EMFILE, ENOMEM)
   */
  public static Optional<String> groupName(long gid) throws ErrnoException {
    return lookup(GETGRGID_R, "getgrgid_r", gid, GROUP, INITIAL_BUFFER);
  }

  /** {@link #userName} starting with a buffer of {@code buffer} bytes (tests the ERANGE path). */
  static Optional<String> userName(long uid, int buffer) throws ErrnoException {
    return lookup(GETPWUID_R, "getpwuid_r", uid, PASSWD, buffer);
  }

  /** {@link #groupName} starting with a buffer of {@code buffer} bytes. */
  static Optional<String> groupName(long gid, int buffer) throws ErrnoException {
    return lookup(GETGRGID_R, "getgrgid_r", gid, GROUP, buffer);
  }

  private static Optional<String> lookup(
      MethodHandle fn, String call, long id, StructLayout entry, int buffer) throws ErrnoException {
    if (id < 0 || id > 0xffff_fffeL) {
      return Optional.empty(); // not a uid_t / gid_t ((uid_t) -1 is "no id")
    }
    int size = Math.max(1, buffer);
    while (true) {
      int rc;
      String name = null;
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment ent = arena.allocate(entry);
        MemorySegment buf = arena.allocate(size);
        MemorySegment result = arena.allocate(ADDRESS);
        rc = (int) fn.invokeExact((int) id, ent, buf, (long) size, result);
        if (rc == 0) {
          MemorySegment found = result.get(ADDRESS, 0);
          if (found.equals(MemorySegment.NULL)) {
            return Optional.empty();
          }
          // the name is the first field of both structs; it points into buf
          long at = ent.get(ADDRESS, 0).address() - buf.address();
          name = at >= 0 && at < size ? buf.getString(at) : "";
        }
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(call + " failed", t);
      }
      if (rc == 0) {
        return Optional.of(name);
      }
      switch (rc) {
        case ERANGE -> {
          if (size >= MAX_BUFFER) {
            throw new ErrnoException(call, Long.toString(id), rc);
          }
          size = Math.min(MAX_BUFFER, size * 2);
        }
        case Errno.EINTR -> {}
        case Errno.ENOENT, Errno.ESRCH, Errno.EBADF, Errno.EPERM -> {
          return Optional.empty();
        }
        default -> throw new ErrnoException(call, Long.toString(id), rc);
      }
    }
  }
}
