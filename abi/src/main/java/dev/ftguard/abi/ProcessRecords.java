package dev.ftguard.abi;

import static dev.ftguard.abi.Abi.offset;

/**
 * Byte offsets of the process records: the common header ({@code Abi.Hdr}), {@code struct
 * ftg_exec_event} ({@code Abi.Exec}), {@code struct ftg_fork_event} ({@code Abi.Fork}) and {@code
 * struct ftg_exit_event} ({@code Abi.Exit}). Part of {@link Abi}.
 */
public sealed interface ProcessRecords permits Abi {
  /** Byte offsets of the header fields; also valid inside every event (hdr is first). */
  final class Hdr {
    private Hdr() {}

    public static final long SIZE = Abi.EVENT_HEADER.byteSize();
    public static final long TYPE = offset(Abi.EVENT_HEADER, "type");
    public static final long RECORD_SIZE = offset(Abi.EVENT_HEADER, "size");
    public static final long CPU = offset(Abi.EVENT_HEADER, "cpu");
    public static final long SEQ = offset(Abi.EVENT_HEADER, "seq");
    public static final long MONO_NS = offset(Abi.EVENT_HEADER, "mono_ns");
    public static final long WALL_NS = offset(Abi.EVENT_HEADER, "wall_ns");
    public static final long CGROUP_ID = offset(Abi.EVENT_HEADER, "cgroup_id");
    public static final long PID = offset(Abi.EVENT_HEADER, "pid");
    public static final long TGID = offset(Abi.EVENT_HEADER, "tgid");
    public static final long PPID = offset(Abi.EVENT_HEADER, "ppid");
    public static final long UID = offset(Abi.EVENT_HEADER, "uid");
    public static final long GID = offset(Abi.EVENT_HEADER, "gid");
    public static final long EUID = offset(Abi.EVENT_HEADER, "euid");
    public static final long COMM = offset(Abi.EVENT_HEADER, "comm");
  }

  /** Byte offsets in {@code struct ftg_exec_event}. */
  final class Exec {
    private Exec() {}

    public static final long SIZE = Abi.EXEC_EVENT.byteSize();
    public static final long RESULT = offset(Abi.EXEC_EVENT, "result");
    public static final long FLAGS = offset(Abi.EXEC_EVENT, "flags");
    public static final long ARGC = offset(Abi.EXEC_EVENT, "argc");
    public static final long FILENAME_LEN = offset(Abi.EXEC_EVENT, "filename_len");
    public static final long ARGV_LEN = offset(Abi.EXEC_EVENT, "argv_len");
    public static final long DIRFD = offset(Abi.EXEC_EVENT, "dirfd");
    public static final long AT_FLAGS = offset(Abi.EXEC_EVENT, "at_flags");
    public static final long DEV_MAJOR = offset(Abi.EXEC_EVENT, "dev_major");
    public static final long DEV_MINOR = offset(Abi.EXEC_EVENT, "dev_minor");
    public static final long INO = offset(Abi.EXEC_EVENT, "ino");
    public static final long CTIME_SEC = offset(Abi.EXEC_EVENT, "ctime_sec");
    public static final long CTIME_NSEC = offset(Abi.EXEC_EVENT, "ctime_nsec");
    public static final long CWD_LEN = offset(Abi.EXEC_EVENT, "cwd_len");
    public static final long RESERVED = offset(Abi.EXEC_EVENT, "reserved");

    /** {@code size}: the executed file's size ({@link #SIZE} is the struct's). */
    public static final long FILE_SIZE = offset(Abi.EXEC_EVENT, "size");

    /**
     * {@code offsetof(struct ftg_exec_event, data)}: the filename, the arguments, then the working
     * directory.
     */
    public static final long DATA = Abi.flexibleArray("ftg_exec_event.data");
  }

  /** Byte offsets in {@code struct ftg_fork_event}. */
  final class Fork {
    private Fork() {}

    public static final long SIZE = Abi.FORK_EVENT.byteSize();
    public static final long CLONE_FLAGS = offset(Abi.FORK_EVENT, "clone_flags");
    public static final long CHILD_PID = offset(Abi.FORK_EVENT, "child_pid");
    public static final long RESERVED = offset(Abi.FORK_EVENT, "reserved");
  }

  /** Byte offsets in {@code struct ftg_exit_event}. */
  final class Exit {
    private Exit() {}

    public static final long SIZE = Abi.EXIT_EVENT.byteSize();
    public static final long CODE = offset(Abi.EXIT_EVENT, "code");
    public static final long FLAGS = offset(Abi.EXIT_EVENT, "flags");
  }
}
