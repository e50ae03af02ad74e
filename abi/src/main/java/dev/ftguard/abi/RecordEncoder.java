package dev.ftguard.abi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes events as the kernel does (host byte order, sizes padded to {@link Abi#RECORD_ALIGN}):
 * the inverse of {@link EventDecoder}. Used to build test buffers and simulated devices. The
 * header's {@code type}, {@code size} and {@code offset} are computed, not taken from the event.
 */
public final class RecordEncoder {
  private RecordEncoder() {}

  /** One record. */
  public static byte[] encode(Event event) {
    return switch (event) {
      case ExecEvent e -> {
        byte[] file = e.filename().getBytes(StandardCharsets.UTF_8);
        var args = new ByteArrayOutputStream();
        for (String a : e.argv()) {
          args.writeBytes(a.getBytes(StandardCharsets.UTF_8));
          args.write(0);
        }
        byte[] argv = args.toByteArray();
        long used = Abi.Exec.DATA + file.length + argv.length;
        MemorySegment s = allocate(Abi.EV_EXEC, used, e.header());
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.RESULT, e.result());
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.FLAGS, e.flags());
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.ARGC, (int) e.argc());
        s.set(JAVA_SHORT_UNALIGNED, Abi.Exec.FILENAME_LEN, (short) file.length);
        s.set(JAVA_SHORT_UNALIGNED, Abi.Exec.ARGV_LEN, (short) argv.length);
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.DIRFD, e.dirfd());
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.AT_FLAGS, e.atFlags());
        MemorySegment.copy(file, 0, s, JAVA_BYTE, Abi.Exec.DATA, file.length);
        MemorySegment.copy(argv, 0, s, JAVA_BYTE, Abi.Exec.DATA + file.length, argv.length);
        yield s.toArray(JAVA_BYTE);
      }
      case ForkEvent f -> {
        MemorySegment s = allocate(Abi.EV_FORK, Abi.Fork.SIZE, f.header());
        s.set(JAVA_LONG_UNALIGNED, Abi.Fork.CLONE_FLAGS, f.cloneFlags());
        s.set(JAVA_INT_UNALIGNED, Abi.Fork.CHILD_PID, f.childPid());
        yield s.toArray(JAVA_BYTE);
      }
      case ExitEvent x -> {
        MemorySegment s = allocate(Abi.EV_EXIT, Abi.Exit.SIZE, x.header());
        s.set(JAVA_INT_UNALIGNED, Abi.Exit.CODE, x.code());
        s.set(JAVA_INT_UNALIGNED, Abi.Exit.FLAGS, x.flags());
        yield s.toArray(JAVA_BYTE);
      }
    };
  }

  /** Records concatenated, as one read returns them. */
  public static byte[] encodeAll(List<? extends Event> events) {
    var out = new ByteArrayOutputStream();
    for (Event e : events) {
      out.writeBytes(encode(e));
    }
    return out.toByteArray();
  }

  /** A header-only record of any type (e.g. one this version does not know), padded to size. */
  public static byte[] raw(int type, int size, Header h) {
    MemorySegment s = MemorySegment.ofArray(new byte[size]);
    writeHeader(s, type, size, h);
    return s.toArray(JAVA_BYTE);
  }

  private static MemorySegment allocate(int type, long used, Header h) {
    int size = (int) align(used);
    if (size > Abi.RECORD_MAX) {
      throw new IllegalArgumentException("record of " + size + " bytes exceeds FTG_RECORD_MAX");
    }
    MemorySegment s = MemorySegment.ofArray(new byte[size]);
    writeHeader(s, type, size, h);
    return s;
  }

  private static void writeHeader(MemorySegment s, int type, int size, Header h) {
    s.set(JAVA_SHORT_UNALIGNED, Abi.Hdr.TYPE, (short) type);
    s.set(JAVA_SHORT_UNALIGNED, Abi.Hdr.RECORD_SIZE, (short) size);
    s.set(JAVA_INT_UNALIGNED, Abi.Hdr.CPU, (int) h.cpu());
    s.set(JAVA_LONG_UNALIGNED, Abi.Hdr.SEQ, h.seq());
    s.set(JAVA_LONG_UNALIGNED, Abi.Hdr.MONO_NS, h.monoNs());
    s.set(JAVA_LONG_UNALIGNED, Abi.Hdr.WALL_NS, h.wallNs());
    s.set(JAVA_LONG_UNALIGNED, Abi.Hdr.CGROUP_ID, h.cgroupId());
    s.set(JAVA_INT_UNALIGNED, Abi.Hdr.PID, (int) h.pid());
    s.set(JAVA_INT_UNALIGNED, Abi.Hdr.TGID, (int) h.tgid());
    s.set(JAVA_INT_UNALIGNED, Abi.Hdr.PPID, (int) h.ppid());
    s.set(JAVA_INT_UNALIGNED, Abi.Hdr.UID, (int) h.uid());
    s.set(JAVA_INT_UNALIGNED, Abi.Hdr.GID, (int) h.gid());
    s.set(JAVA_INT_UNALIGNED, Abi.Hdr.EUID, (int) h.euid());
    byte[] comm = h.comm().getBytes(StandardCharsets.UTF_8);
    if (comm.length >= Abi.COMM_LEN) {
      throw new IllegalArgumentException("comm longer than " + (Abi.COMM_LEN - 1) + " bytes");
    }
    MemorySegment.copy(comm, 0, s, JAVA_BYTE, Abi.Hdr.COMM, comm.length);
  }

  /** Rounds up to {@link Abi#RECORD_ALIGN}. */
  public static long align(long n) {
    return (n + Abi.RECORD_ALIGN - 1) & -(long) Abi.RECORD_ALIGN;
  }
}
