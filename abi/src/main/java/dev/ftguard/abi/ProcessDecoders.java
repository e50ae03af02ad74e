package dev.ftguard.abi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Decoders of the process records: exec, fork and exit. */
final class ProcessDecoders {
  private ProcessDecoders() {}

  static Decoded exec(RecordReader r) {
    DecodeError bad = r.tooShort(Abi.Exec.SIZE);
    if (bad != null) {
      return bad;
    }
    int filenameLen = r.u16(Abi.Exec.FILENAME_LEN);
    int argvLen = r.u16(Abi.Exec.ARGV_LEN);
    int cwdLen = r.u16(Abi.Exec.CWD_LEN);
    bad =
        r.checkLengths(
            "exec",
            Abi.Exec.DATA,
            new RecordReader.Length("filename_len", filenameLen, "FTG_PATH_MAX", Abi.PATH_MAX),
            new RecordReader.Length("argv_len", argvLen, "FTG_ARGV_MAX", Abi.ARGV_MAX),
            new RecordReader.Length("cwd_len", cwdLen, "FTG_CWD_MAX", Abi.CWD_MAX));
    if (bad != null) {
      return bad;
    }
    long argc = r.u32(Abi.Exec.ARGC);
    String filename = r.string(Abi.Exec.DATA, filenameLen);
    List<String> argv = new ArrayList<>();
    bad = r.splitArgv("exec", Abi.Exec.DATA + filenameLen, argvLen, argc, Abi.ARGC_MAX, argv);
    if (bad != null) {
      return bad;
    }
    int flags = r.i32(Abi.Exec.FLAGS);
    Optional<ExecEvent.ExecFile> file =
        (flags & Abi.EXEC_FILE) == 0
            ? Optional.empty()
            : Optional.of(
                new ExecEvent.ExecFile(
                    r.i32(Abi.Exec.DEV_MAJOR),
                    r.i32(Abi.Exec.DEV_MINOR),
                    r.i64(Abi.Exec.INO),
                    r.i64(Abi.Exec.CTIME_SEC),
                    r.i32(Abi.Exec.CTIME_NSEC),
                    r.i64(Abi.Exec.FILE_SIZE)));
    Optional<String> cwd =
        cwdLen == 0
            ? Optional.empty()
            : Optional.of(r.string(Abi.Exec.DATA + filenameLen + argvLen, cwdLen));
    return new ExecEvent(
        r.header(),
        r.i32(Abi.Exec.RESULT),
        flags,
        argc,
        filename,
        argv,
        r.i32(Abi.Exec.DIRFD),
        r.i32(Abi.Exec.AT_FLAGS),
        file,
        cwd);
  }

  static Decoded fork(RecordReader r) {
    DecodeError bad = r.tooShort(Abi.Fork.SIZE);
    if (bad != null) {
      return bad;
    }
    return new ForkEvent(r.header(), r.i64(Abi.Fork.CLONE_FLAGS), r.i32(Abi.Fork.CHILD_PID));
  }

  static Decoded exit(RecordReader r) {
    DecodeError bad = r.tooShort(Abi.Exit.SIZE);
    if (bad != null) {
      return bad;
    }
    return new ExitEvent(r.header(), r.i32(Abi.Exit.CODE), r.i32(Abi.Exit.FLAGS));
  }
}
