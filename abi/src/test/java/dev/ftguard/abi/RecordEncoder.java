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
 * Writes events as the kernel does (host byte order, sizes padded to {@link Abi#RECORD_ALIGN}): the
 * inverse of {@link EventDecoder}. Used to build test buffers and simulated devices. The header's
 * {@code type}, {@code size} and {@code offset} are computed, not taken from the event.
 */
public final class RecordEncoder {
  private RecordEncoder() {}

  /** One record. */
  public static byte[] encode(Event event) {
    return switch (event) {
      case ExecEvent e -> {
        byte[] file = e.filename().getBytes(StandardCharsets.UTF_8);
        byte[] argv = argv(e.argv());
        byte[] cwd = e.cwd().orElse("").getBytes(StandardCharsets.UTF_8);
        long used = Abi.Exec.DATA + file.length + argv.length + cwd.length;
        MemorySegment s = allocate(Abi.EV_EXEC, used, e.header());
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.RESULT, e.result());
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.FLAGS, e.flags());
        e.file()
            .ifPresent(
                f -> {
                  s.set(JAVA_INT_UNALIGNED, Abi.Exec.DEV_MAJOR, f.devMajor());
                  s.set(JAVA_INT_UNALIGNED, Abi.Exec.DEV_MINOR, f.devMinor());
                  s.set(JAVA_LONG_UNALIGNED, Abi.Exec.INO, f.ino());
                  s.set(JAVA_LONG_UNALIGNED, Abi.Exec.CTIME_SEC, f.ctimeSec());
                  s.set(JAVA_INT_UNALIGNED, Abi.Exec.CTIME_NSEC, f.ctimeNsec());
                  s.set(JAVA_LONG_UNALIGNED, Abi.Exec.FILE_SIZE, f.size());
                });
        s.set(JAVA_SHORT_UNALIGNED, Abi.Exec.CWD_LEN, (short) cwd.length);
        MemorySegment.copy(
            cwd, 0, s, JAVA_BYTE, Abi.Exec.DATA + file.length + argv.length, cwd.length);
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.ARGC, (int) e.argc());
        s.set(JAVA_SHORT_UNALIGNED, Abi.Exec.FILENAME_LEN, (short) file.length);
        s.set(JAVA_SHORT_UNALIGNED, Abi.Exec.ARGV_LEN, (short) argv.length);
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.DIRFD, e.dirfd());
        s.set(JAVA_INT_UNALIGNED, Abi.Exec.AT_FLAGS, e.atFlags());
        MemorySegment.copy(file, 0, s, JAVA_BYTE, Abi.Exec.DATA, file.length);
        MemorySegment.copy(argv, 0, s, JAVA_BYTE, Abi.Exec.DATA + file.length, argv.length);
        yield s.toArray(JAVA_BYTE);
      }
      case TamperEvent t -> {
        MemorySegment s = allocate(Abi.EV_TAMPER, Abi.Tamper.SIZE, t.header());
        s.set(JAVA_INT_UNALIGNED, Abi.Tamper.WHAT, t.what().value());
        s.set(JAVA_INT_UNALIGNED, Abi.Tamper.RESULT, t.result());
        s.set(JAVA_LONG_UNALIGNED, Abi.Tamper.GENERATION, t.generation());
        s.set(JAVA_INT_UNALIGNED, Abi.Tamper.LOCKED, t.locked() ? 1 : 0);
        name(s, Abi.Tamper.TARGET, t.target());
        yield s.toArray(JAVA_BYTE);
      }
      case ForkEvent f -> {
        MemorySegment s = allocate(Abi.EV_FORK, Abi.Fork.SIZE, f.header());
        s.set(JAVA_LONG_UNALIGNED, Abi.Fork.CLONE_FLAGS, f.cloneFlags());
        s.set(JAVA_INT_UNALIGNED, Abi.Fork.CHILD_PID, f.childPid());
        yield s.toArray(JAVA_BYTE);
      }
      case DecisionEvent d -> {
        // binary and object with their NUL, counted in their lengths; "" is unknown: length 0
        byte[] binary = nulTerminated(d.binary());
        byte[] object = nulTerminated(d.object());
        byte[] argv = argv(d.argv());
        long binaryAt = Abi.Decision.DATA;
        long objectAt = binaryAt + binary.length;
        long argvAt = objectAt + object.length;
        MemorySegment s = allocate(Abi.EV_DECISION, argvAt + argv.length, d.header());
        s.set(JAVA_LONG_UNALIGNED, Abi.Decision.GENERATION, d.generation());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.RULE, (int) d.rule());
        s.set(JAVA_BYTE, Abi.Decision.KIND, (byte) d.kind().value());
        s.set(JAVA_BYTE, Abi.Decision.ACTION, (byte) d.action().value());
        s.set(JAVA_BYTE, Abi.Decision.MODE, (byte) d.mode().value());
        s.set(JAVA_BYTE, Abi.Decision.FLAGS, (byte) d.flags());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.RESULT, d.result());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.MASK, d.mask());
        name(s, Abi.Decision.POLICY, d.policy());
        name(s, Abi.Decision.RULE_NAME, d.ruleName());
        d.address()
            .ifPresent(
                a -> {
                  byte[] addr = a.getAddress();
                  MemorySegment.copy(addr, 0, s, JAVA_BYTE, Abi.Decision.ADDR, addr.length);
                });
        s.set(JAVA_SHORT_UNALIGNED, Abi.Decision.FAMILY, (short) d.family());
        s.set(JAVA_SHORT_UNALIGNED, Abi.Decision.PORT, (short) d.port());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.TARGET_PID, (int) d.targetPid());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.NEW_UID, (int) d.newUid());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.NEW_EUID, (int) d.newEuid());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.ARGC, (int) d.argc());
        s.set(JAVA_INT_UNALIGNED, Abi.Decision.CONTENT, d.content());
        if (!d.sha256().isEmpty()) {
          byte[] digest = java.util.HexFormat.of().parseHex(d.sha256());
          MemorySegment.copy(digest, 0, s, JAVA_BYTE, Abi.Decision.SHA256, digest.length);
        }
        s.set(JAVA_SHORT_UNALIGNED, Abi.Decision.BINARY_LEN, (short) binary.length);
        s.set(JAVA_SHORT_UNALIGNED, Abi.Decision.OBJECT_LEN, (short) object.length);
        s.set(JAVA_SHORT_UNALIGNED, Abi.Decision.ARGV_LEN, (short) argv.length);
        MemorySegment.copy(binary, 0, s, JAVA_BYTE, binaryAt, binary.length);
        MemorySegment.copy(object, 0, s, JAVA_BYTE, objectAt, object.length);
        MemorySegment.copy(argv, 0, s, JAVA_BYTE, argvAt, argv.length);
        yield s.toArray(JAVA_BYTE);
      }
      case CallEvent c -> {
        byte[] function = nulTerminated(c.function());
        var fields = new ByteArrayOutputStream();
        for (CallEvent.Field f : c.fields()) {
          fields.writeBytes(field(f));
        }
        byte[] fieldBytes = fields.toByteArray();
        long fieldsAt = Abi.Call.DATA + align(function.length);
        MemorySegment s = allocate(Abi.EV_CALL, fieldsAt + fieldBytes.length, c.header());
        s.set(JAVA_LONG_UNALIGNED, Abi.Call.GENERATION, c.generation());
        s.set(JAVA_INT_UNALIGNED, Abi.Call.RULE, (int) c.rule());
        s.set(JAVA_INT_UNALIGNED, Abi.Call.HOOK, (int) c.hook());
        s.set(JAVA_BYTE, Abi.Call.ACTION, (byte) c.action().value());
        s.set(JAVA_BYTE, Abi.Call.MODE, (byte) c.mode().value());
        s.set(JAVA_BYTE, Abi.Call.FLAGS, (byte) c.flags());
        s.set(JAVA_BYTE, Abi.Call.NR_FIELDS, (byte) c.fields().size());
        s.set(JAVA_LONG_UNALIGNED, Abi.Call.RETVAL, c.retval());
        name(s, Abi.Call.POLICY, c.policy());
        name(s, Abi.Call.RULE_NAME, c.ruleName());
        s.set(JAVA_SHORT_UNALIGNED, Abi.Call.FUNCTION_LEN, (short) function.length);
        s.set(JAVA_SHORT_UNALIGNED, Abi.Call.FIELDS_LEN, (short) fieldBytes.length);
        MemorySegment.copy(function, 0, s, JAVA_BYTE, Abi.Call.DATA, function.length);
        MemorySegment.copy(fieldBytes, 0, s, JAVA_BYTE, fieldsAt, fieldBytes.length);
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

  /** One {@code struct ftg_field} and its value, padded to 8. */
  private static byte[] field(CallEvent.Field f) {
    byte[] value =
        switch (f) {
          case CallEvent.IntField i when i.fault() -> new byte[0];
          case CallEvent.IntField i -> {
            MemorySegment v = MemorySegment.ofArray(new byte[8]);
            v.set(JAVA_LONG_UNALIGNED, 0, i.value());
            yield v.toArray(JAVA_BYTE);
          }
          case CallEvent.StrField str -> str.value().getBytes(StandardCharsets.UTF_8);
          case CallEvent.AddrField a -> a.fault() ? new byte[0] : a.raw();
        };
    int type =
        switch (f) {
          case CallEvent.IntField _ -> Abi.FIELD_INT;
          case CallEvent.StrField _ -> Abi.FIELD_STR;
          case CallEvent.AddrField _ -> Abi.FIELD_ADDR;
        };
    MemorySegment s =
        MemorySegment.ofArray(new byte[(int) (Abi.Call.FIELD_SIZE + align(value.length))]);
    s.set(JAVA_BYTE, Abi.Call.FIELD_TYPE, (byte) type);
    s.set(JAVA_BYTE, Abi.Call.FIELD_FLAGS, (byte) f.flags());
    s.set(JAVA_SHORT_UNALIGNED, Abi.Call.FIELD_LEN, (short) value.length);
    MemorySegment.copy(value, 0, s, JAVA_BYTE, Abi.Call.FIELD_SIZE, value.length);
    return s.toArray(JAVA_BYTE);
  }

  /** The UTF-8 bytes and a NUL; nothing for "". */
  private static byte[] nulTerminated(String s) {
    if (s.isEmpty()) {
      return new byte[0];
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.copyOf(b, b.length + 1);
  }

  /** Each argument followed by a NUL. */
  private static byte[] argv(List<String> argv) {
    var args = new ByteArrayOutputStream();
    for (String a : argv) {
      args.writeBytes(a.getBytes(StandardCharsets.UTF_8));
      args.write(0);
    }
    return args.toByteArray();
  }

  /** A NUL-padded {@code char[FTG_NAME_LEN]}; at most 63 bytes of name. */
  private static void name(MemorySegment s, long at, String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    if (b.length >= Abi.NAME_LEN) {
      throw new IllegalArgumentException(
          "name longer than " + (Abi.NAME_LEN - 1) + " bytes: " + name);
    }
    MemorySegment.copy(b, 0, s, JAVA_BYTE, at, b.length);
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
