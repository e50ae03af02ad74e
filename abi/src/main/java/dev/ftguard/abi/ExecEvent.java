package dev.ftguard.abi;

import java.util.List;
import java.util.Optional;

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
 * @param file on success, the file the new program runs (flag {@code FTG_EXEC_FILE})
 * @param cwd on success, the working directory as the process sees it (relative to its root); empty
 *     when the exec failed or the directory is longer than {@link Abi#CWD_MAX}
 */
public record ExecEvent(
    Header header,
    int result,
    int flags,
    long argc,
    String filename,
    List<String> argv,
    int dirfd,
    int atFlags,
    Optional<ExecFile> file,
    Optional<String> cwd)
    implements Event {

  /**
   * The file a process runs after its exec ({@code /proc/PID/exe}: an interpreter for a script), as
   * statx(2) reports it, taken by the kernel once the new program is in place.
   *
   * @param devMajor {@code stx_dev_major}
   * @param devMinor {@code stx_dev_minor}
   * @param ino {@code stx_ino}
   * @param ctimeSec {@code stx_ctime.tv_sec}
   * @param ctimeNsec {@code stx_ctime.tv_nsec}
   * @param size {@code stx_size}
   */
  public record ExecFile(
      int devMajor, int devMinor, long ino, long ctimeSec, int ctimeNsec, long size) {}

  /** An exec whose record does not say what ran or where (a failed one, or a test's). */
  public ExecEvent(
      Header header,
      int result,
      int flags,
      long argc,
      String filename,
      List<String> argv,
      int dirfd,
      int atFlags) {
    this(
        header,
        result,
        flags,
        argc,
        filename,
        argv,
        dirfd,
        atFlags,
        Optional.empty(),
        Optional.empty());
  }

  @Override
  public EventType eventType() {
    return EventType.EXEC;
  }

  /** {@code FTG_EXEC_FILE} in {@code flags} says whether {@code file} is present. */
  public ExecEvent {
    argv = List.copyOf(argv);
    flags = flags & ~Abi.EXEC_FILE | (file.isPresent() ? Abi.EXEC_FILE : 0);
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
