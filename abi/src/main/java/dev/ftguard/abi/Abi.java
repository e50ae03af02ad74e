package dev.ftguard.abi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Java mirror of {@code kmod/include/uapi/ftguard.h}, the user/kernel ABI of {@code /dev/ftguard}.
 *
 * <p>Every struct is a {@link GroupLayout} whose member names are the C field names, so offsets
 * are taken from the layout ({@link #offset(MemoryLayout, String...)}), never written by hand.
 * Every constant carries the C macro or enumerator name in {@link #CONSTANTS}; {@code
 * AbiLayoutTest} compiles the header with gcc and compares all of them with the C values.
 *
 * <p>Layouts use the platform byte order (the kernel writes records in host order).
 */
public final class Abi {
  private Abi() {}

  // ---- version and names -------------------------------------------------------------------

  public static final int ABI_VERSION = 1;
  /** Device node name: {@code /dev/ftguard}. */
  public static final String DEVICE_NAME = "ftguard";
  /** Kernel module name (for {@code delete_module} and {@code /sys/module}). */
  public static final String MODULE_NAME = "ftguard";
  /** Kernel module file name. */
  public static final String MODULE_FILE = "ftguard.ko";

  // ---- bounds ------------------------------------------------------------------------------

  public static final int COMM_LEN = 16;
  public static final int PATH_MAX = 512;
  public static final int ARGV_MAX = 1024;
  public static final int ARGC_MAX = 64;
  public static final int RECORD_MAX = 2048;
  public static final int RECORD_ALIGN = 8;
  public static final int HOOK_NAME_LEN = 64;

  // ---- record types (enum ftg_event_type) --------------------------------------------------

  public static final int EV_EXEC = 1;
  public static final int EV_FORK = 2;
  public static final int EV_EXIT = 3;

  // ---- ftg_exec_event.flags ----------------------------------------------------------------

  public static final int EXEC_EXECVEAT = 1 << 0;
  public static final int EXEC_PATH_TRUNC = 1 << 1;
  public static final int EXEC_ARGV_TRUNC = 1 << 2;
  public static final int EXEC_PATH_FAULT = 1 << 3;
  public static final int EXEC_ARGV_FAULT = 1 << 4;

  // ---- ftg_exit_event.flags ----------------------------------------------------------------

  public static final int EXIT_GROUP_DEAD = 1 << 0;

  // ---- drop reasons (enum ftg_drop_reason) -------------------------------------------------

  public static final int DROP_BUFFER_FULL = 0;
  public static final int DROP_NOMEM = 1;
  public static final int DROP_READER_FAULT = 2;
  public static final int DROP_REASONS = 3;

  // ---- ftg_hook_info.flags -----------------------------------------------------------------

  public static final int HOOK_ATTACHED = 1 << 0;
  public static final int HOOK_IPMODIFY = 1 << 1;

  // ---- layouts -----------------------------------------------------------------------------

  /** {@code struct ftg_event_header}. */
  public static final GroupLayout EVENT_HEADER =
      structLayout(
              JAVA_SHORT.withName("type"),
              JAVA_SHORT.withName("size"),
              JAVA_INT.withName("cpu"),
              JAVA_LONG.withName("seq"),
              JAVA_LONG.withName("mono_ns"),
              JAVA_LONG.withName("wall_ns"),
              JAVA_LONG.withName("cgroup_id"),
              JAVA_INT.withName("pid"),
              JAVA_INT.withName("tgid"),
              JAVA_INT.withName("ppid"),
              JAVA_INT.withName("uid"),
              JAVA_INT.withName("gid"),
              JAVA_INT.withName("euid"),
              sequenceLayout(COMM_LEN, JAVA_BYTE).withName("comm"))
          .withName("ftg_event_header");

  /**
   * {@code struct ftg_exec_event} without its flexible array member {@code data[]}; {@code data}
   * starts at {@link #EXEC_DATA_OFFSET}, which equals {@code offsetof(struct ftg_exec_event,
   * data)}.
   */
  public static final GroupLayout EXEC_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"),
              JAVA_INT.withName("result"),
              JAVA_INT.withName("flags"),
              JAVA_INT.withName("argc"),
              JAVA_SHORT.withName("filename_len"),
              JAVA_SHORT.withName("argv_len"),
              JAVA_INT.withName("dirfd"),
              JAVA_INT.withName("at_flags"))
          .withName("ftg_exec_event");

  /** {@code struct ftg_fork_event}. */
  public static final GroupLayout FORK_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"),
              JAVA_LONG.withName("clone_flags"),
              JAVA_INT.withName("child_pid"),
              JAVA_INT.withName("reserved"))
          .withName("ftg_fork_event");

  /** {@code struct ftg_exit_event}. */
  public static final GroupLayout EXIT_EVENT =
      structLayout(
              EVENT_HEADER.withName("hdr"), JAVA_INT.withName("code"), JAVA_INT.withName("flags"))
          .withName("ftg_exit_event");

  /** {@code struct ftg_stats}. */
  public static final GroupLayout STATS =
      structLayout(
              JAVA_INT.withName("abi_version"),
              JAVA_INT.withName("nr_hooks"),
              JAVA_INT.withName("hooks_attached"),
              JAVA_INT.withName("inflight"),
              JAVA_LONG.withName("produced"),
              JAVA_LONG.withName("delivered"),
              sequenceLayout(DROP_REASONS, JAVA_LONG).withName("dropped"),
              JAVA_LONG.withName("buffer_bytes"),
              JAVA_LONG.withName("buffer_entries"))
          .withName("ftg_stats");

  /** {@code struct ftg_hook_info}. */
  public static final GroupLayout HOOK_INFO =
      structLayout(
              JAVA_INT.withName("index"),
              JAVA_INT.withName("flags"),
              JAVA_LONG.withName("address"),
              JAVA_LONG.withName("hits"),
              sequenceLayout(HOOK_NAME_LEN, JAVA_BYTE).withName("name"))
          .withName("ftg_hook_info");

  /** Every struct of the header, by C struct tag (without {@code struct}). */
  public static final Map<String, GroupLayout> STRUCTS =
      Map.of(
          "ftg_event_header", EVENT_HEADER,
          "ftg_exec_event", EXEC_EVENT,
          "ftg_fork_event", FORK_EVENT,
          "ftg_exit_event", EXIT_EVENT,
          "ftg_stats", STATS,
          "ftg_hook_info", HOOK_INFO);

  /** Offset of {@code ftg_exec_event.data}: the filename, then the arguments. */
  public static final long EXEC_DATA_OFFSET = EXEC_EVENT.byteSize();

  // ---- ioctl numbers (asm-generic/ioctl.h encoding, used by x86 and arm64) -------------------

  public static final int IOC_NRBITS = 8;
  public static final int IOC_TYPEBITS = 8;
  public static final int IOC_SIZEBITS = 14;
  public static final int IOC_NRSHIFT = 0;
  public static final int IOC_TYPESHIFT = IOC_NRSHIFT + IOC_NRBITS;
  public static final int IOC_SIZESHIFT = IOC_TYPESHIFT + IOC_TYPEBITS;
  public static final int IOC_DIRSHIFT = IOC_SIZESHIFT + IOC_SIZEBITS;
  public static final int IOC_NONE = 0;
  public static final int IOC_WRITE = 1;
  public static final int IOC_READ = 2;

  /** {@code _IOC(dir, type, nr, size)}. */
  public static long ioc(int dir, int type, int nr, long size) {
    if (size < 0 || size >= (1L << IOC_SIZEBITS)) {
      throw new IllegalArgumentException("ioctl argument size out of range: " + size);
    }
    return ((long) dir << IOC_DIRSHIFT)
        | ((long) type << IOC_TYPESHIFT)
        | ((long) nr << IOC_NRSHIFT)
        | (size << IOC_SIZESHIFT);
  }

  /** {@code _IOR(type, nr, T)}. */
  public static long ior(int type, int nr, MemoryLayout argument) {
    return ioc(IOC_READ, type, nr, argument.byteSize());
  }

  /** {@code _IOWR(type, nr, T)}. */
  public static long iowr(int type, int nr, MemoryLayout argument) {
    return ioc(IOC_READ | IOC_WRITE, type, nr, argument.byteSize());
  }

  public static final int IOC_MAGIC = 'F';
  public static final long IOC_STATS = ior(IOC_MAGIC, 1, STATS);
  public static final long IOC_HOOK_INFO = iowr(IOC_MAGIC, 2, HOOK_INFO);

  /**
   * Every numeric constant of the header, keyed by its C name. The ABI test prints each of these
   * names from C, so a constant Java invents (or misspells) fails to compile.
   */
  public static final SequencedMap<String, Long> CONSTANTS = constants();

  private static SequencedMap<String, Long> constants() {
    var m = new LinkedHashMap<String, Long>();
    m.put("FTG_ABI_VERSION", (long) ABI_VERSION);
    m.put("FTG_COMM_LEN", (long) COMM_LEN);
    m.put("FTG_PATH_MAX", (long) PATH_MAX);
    m.put("FTG_ARGV_MAX", (long) ARGV_MAX);
    m.put("FTG_ARGC_MAX", (long) ARGC_MAX);
    m.put("FTG_RECORD_MAX", (long) RECORD_MAX);
    m.put("FTG_RECORD_ALIGN", (long) RECORD_ALIGN);
    m.put("FTG_HOOK_NAME_LEN", (long) HOOK_NAME_LEN);
    m.put("FTG_EV_EXEC", (long) EV_EXEC);
    m.put("FTG_EV_FORK", (long) EV_FORK);
    m.put("FTG_EV_EXIT", (long) EV_EXIT);
    m.put("FTG_EXEC_EXECVEAT", (long) EXEC_EXECVEAT);
    m.put("FTG_EXEC_PATH_TRUNC", (long) EXEC_PATH_TRUNC);
    m.put("FTG_EXEC_ARGV_TRUNC", (long) EXEC_ARGV_TRUNC);
    m.put("FTG_EXEC_PATH_FAULT", (long) EXEC_PATH_FAULT);
    m.put("FTG_EXEC_ARGV_FAULT", (long) EXEC_ARGV_FAULT);
    m.put("FTG_EXIT_GROUP_DEAD", (long) EXIT_GROUP_DEAD);
    m.put("FTG_DROP_BUFFER_FULL", (long) DROP_BUFFER_FULL);
    m.put("FTG_DROP_NOMEM", (long) DROP_NOMEM);
    m.put("FTG_DROP_READER_FAULT", (long) DROP_READER_FAULT);
    m.put("FTG_DROP_REASONS", (long) DROP_REASONS);
    m.put("FTG_HOOK_ATTACHED", (long) HOOK_ATTACHED);
    m.put("FTG_HOOK_IPMODIFY", (long) HOOK_IPMODIFY);
    m.put("FTG_IOC_MAGIC", (long) IOC_MAGIC);
    m.put("FTG_IOC_STATS", IOC_STATS);
    m.put("FTG_IOC_HOOK_INFO", IOC_HOOK_INFO);
    return java.util.Collections.unmodifiableSequencedMap(m);
  }

  /** String constants of the header, keyed by C name. */
  public static final Map<String, String> STRING_CONSTANTS = Map.of("FTG_DEVICE_NAME", DEVICE_NAME);

  /** Names of the drop reasons, indexed by {@code enum ftg_drop_reason} (JSON keys). */
  public static final java.util.List<String> DROP_REASON_NAMES =
      java.util.List.of("buffer_full", "nomem", "reader_fault");

  /** Byte offset of a (possibly nested) named member, e.g. {@code offset(EXEC_EVENT, "hdr", "pid")}. */
  public static long offset(MemoryLayout layout, String... path) {
    var elements = new MemoryLayout.PathElement[path.length];
    for (int i = 0; i < path.length; i++) {
      elements[i] = groupElement(path[i]);
    }
    return layout.byteOffset(elements);
  }

  /** Byte offsets of the header fields; also valid inside every event (hdr is first). */
  public static final class Hdr {
    private Hdr() {}

    public static final long SIZE = EVENT_HEADER.byteSize();
    public static final long TYPE = offset(EVENT_HEADER, "type");
    public static final long RECORD_SIZE = offset(EVENT_HEADER, "size");
    public static final long CPU = offset(EVENT_HEADER, "cpu");
    public static final long SEQ = offset(EVENT_HEADER, "seq");
    public static final long MONO_NS = offset(EVENT_HEADER, "mono_ns");
    public static final long WALL_NS = offset(EVENT_HEADER, "wall_ns");
    public static final long CGROUP_ID = offset(EVENT_HEADER, "cgroup_id");
    public static final long PID = offset(EVENT_HEADER, "pid");
    public static final long TGID = offset(EVENT_HEADER, "tgid");
    public static final long PPID = offset(EVENT_HEADER, "ppid");
    public static final long UID = offset(EVENT_HEADER, "uid");
    public static final long GID = offset(EVENT_HEADER, "gid");
    public static final long EUID = offset(EVENT_HEADER, "euid");
    public static final long COMM = offset(EVENT_HEADER, "comm");
  }

  /** Byte offsets in {@code struct ftg_exec_event}. */
  public static final class Exec {
    private Exec() {}

    public static final long SIZE = EXEC_EVENT.byteSize();
    public static final long RESULT = offset(EXEC_EVENT, "result");
    public static final long FLAGS = offset(EXEC_EVENT, "flags");
    public static final long ARGC = offset(EXEC_EVENT, "argc");
    public static final long FILENAME_LEN = offset(EXEC_EVENT, "filename_len");
    public static final long ARGV_LEN = offset(EXEC_EVENT, "argv_len");
    public static final long DIRFD = offset(EXEC_EVENT, "dirfd");
    public static final long AT_FLAGS = offset(EXEC_EVENT, "at_flags");
    public static final long DATA = EXEC_DATA_OFFSET;
  }

  /** Byte offsets in {@code struct ftg_fork_event}. */
  public static final class Fork {
    private Fork() {}

    public static final long SIZE = FORK_EVENT.byteSize();
    public static final long CLONE_FLAGS = offset(FORK_EVENT, "clone_flags");
    public static final long CHILD_PID = offset(FORK_EVENT, "child_pid");
    public static final long RESERVED = offset(FORK_EVENT, "reserved");
  }

  /** Byte offsets in {@code struct ftg_exit_event}. */
  public static final class Exit {
    private Exit() {}

    public static final long SIZE = EXIT_EVENT.byteSize();
    public static final long CODE = offset(EXIT_EVENT, "code");
    public static final long FLAGS = offset(EXIT_EVENT, "flags");
  }

  /** Byte offsets in {@code struct ftg_stats}. */
  public static final class Stat {
    private Stat() {}

    public static final long SIZE = STATS.byteSize();
    public static final long ABI_VERSION = offset(STATS, "abi_version");
    public static final long NR_HOOKS = offset(STATS, "nr_hooks");
    public static final long HOOKS_ATTACHED = offset(STATS, "hooks_attached");
    public static final long INFLIGHT = offset(STATS, "inflight");
    public static final long PRODUCED = offset(STATS, "produced");
    public static final long DELIVERED = offset(STATS, "delivered");
    public static final long DROPPED = offset(STATS, "dropped");
    public static final long BUFFER_BYTES = offset(STATS, "buffer_bytes");
    public static final long BUFFER_ENTRIES = offset(STATS, "buffer_entries");
  }

  /** Byte offsets in {@code struct ftg_hook_info}. */
  public static final class Hook {
    private Hook() {}

    public static final long SIZE = HOOK_INFO.byteSize();
    public static final long INDEX = offset(HOOK_INFO, "index");
    public static final long FLAGS = offset(HOOK_INFO, "flags");
    public static final long ADDRESS = offset(HOOK_INFO, "address");
    public static final long HITS = offset(HOOK_INFO, "hits");
    public static final long NAME = offset(HOOK_INFO, "name");
  }
}
