package dev.ftguard.abi;

import java.util.List;

/**
 * {@code struct ftg_exec_event}: an execve(2) or execveat(2).
 *
 * @param result 0 or -errno
 * @param flags {@code FTG_EXEC_*}
 * @param argc the caller's argument count, kept or not
 * @param filename the filename as passed (lossy UTF-8), possibly truncated
 * @param argv the kept arguments (at most {@link Abi#ARGC_MAX})
 * @param dirfd execveat only, else 0
 * @param atFlags execveat only, else 0
 */
public record ExecEvent(
    Header header,
    int result,
    int flags,
    long argc,
    String filename,
    List<String> argv,
    int dirfd,
    int atFlags)
    implements Event {

  @Override
  public EventType eventType() {
    return EventType.EXEC;
  }

  public ExecEvent {
    argv = List.copyOf(argv);
  }

  public boolean isExecveat() {
    return (flags & Abi.EXEC_EXECVEAT) != 0;
  }

  public boolean filenameTruncated() {
    return (flags & Abi.EXEC_PATH_TRUNC) != 0;
  }

  public boolean argvTruncated() {
    return (flags & Abi.EXEC_ARGV_TRUNC) != 0;
  }

  public boolean filenameFault() {
    return (flags & Abi.EXEC_PATH_FAULT) != 0;
  }

  public boolean argvFault() {
    return (flags & Abi.EXEC_ARGV_FAULT) != 0;
  }

  /** The system call name: {@code execve} or {@code execveat}. */
  public String syscall() {
    return isExecveat() ? "execveat" : "execve";
  }
}
