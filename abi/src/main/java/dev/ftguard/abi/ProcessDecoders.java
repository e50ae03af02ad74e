package dev.ftguard.abi;

import java.util.ArrayList;
import java.util.List;

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
    bad =
        r.checkLengths(
            "exec",
            Abi.Exec.DATA,
            new RecordReader.Length("filename_len", filenameLen, "FTG_PATH_MAX", Abi.PATH_MAX),
            new RecordReader.Length("argv_len", argvLen, "FTG_ARGV_MAX", Abi.ARGV_MAX));
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
    return new ExecEvent(
        r.header(),
        r.i32(Abi.Exec.RESULT),
        r.i32(Abi.Exec.FLAGS),
        argc,
        filename,
        argv,
        r.i32(Abi.Exec.DIRFD),
        r.i32(Abi.Exec.AT_FLAGS));
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
