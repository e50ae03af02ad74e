package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Kind;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the kernel knows about one event, as {@link PolicyEvaluator} consumes it: one record per
 * {@link Kind}. Every record names the acting process's {@code binary}. Paths are absolute (start
 * with {@code /}) and contain no NUL; they may be longer than the 255 bytes a rule's path may have.
 * Constructors reject invalid input with {@link IllegalArgumentException} (or {@link
 * NullPointerException} for nulls) and copy collections.
 */
public sealed interface Facts {
  Kind kind();

  /** The binary of the acting process (for {@code ptrace}: the tracer). */
  String binary();

  /**
   * An {@code execve}. {@code binary} is the executed file; {@code ancestorBinaries} the binaries
   * of the ancestors above the parent, nearest first (the {@code ancestorBinary} selector also
   * tests {@code parentBinary}: the parent is an ancestor). {@code argv} includes {@code argv[0]}.
   * {@code fromTempDir} is the kernel's fact about where the file physically is (a world-writable
   * directory above it, or a tmpfs/ramfs other than the root filesystem: docs/enforcement.md,
   * "Temporary directories"), not something the path shows: the caller states it. {@code sha256} is
   * the file's content as the kernel knows it (64 lower-case hex digits), empty when it is unknown
   * (larger than {@code FTG_CONTENT_SIZE_MAX}, unreadable, or not cached at an {@code mprotect}:
   * docs/enforcement.md, "Content rules").
   */
  record ExecFacts(
      String binary,
      String parentBinary,
      List<String> ancestorBinaries,
      long uid,
      long euid,
      List<String> argv,
      boolean fileless,
      boolean fromTempDir,
      Optional<String> sha256)
      implements Facts {
    public ExecFacts {
      checkPath(binary, "binary");
      checkPath(parentBinary, "parentBinary");
      ancestorBinaries = List.copyOf(ancestorBinaries);
      ancestorBinaries.forEach(a -> checkPath(a, "ancestorBinaries item"));
      checkId(uid, "uid");
      checkId(euid, "euid");
      argv = List.copyOf(argv);
      Objects.requireNonNull(sha256, "sha256");
      sha256.ifPresent(
          h -> {
            if (!Sha256.isDigest(h)) {
              throw new IllegalArgumentException(
                  "sha256 '" + h + "' is not 64 lower-case hex digits");
            }
          });
    }

    @Override
    public Kind kind() {
      return Kind.EXEC;
    }
  }

  /** An open of {@code path} by {@code binary}; {@code access} is not empty. */
  record OpenFacts(String path, Set<Access> access, String binary) implements Facts {
    public OpenFacts {
      checkPath(path, "path");
      access = Set.copyOf(access);
      if (access.isEmpty()) {
        throw new IllegalArgumentException(
            "access is empty: an open reads, writes, creates or truncates");
      }
      checkPath(binary, "binary");
    }

    @Override
    public Kind kind() {
      return Kind.OPEN;
    }
  }

  /**
   * An outbound connection to {@code address} and {@code port}. An IPv4-mapped IPv6 address ({@code
   * ::ffff:a.b.c.d}) is normalized to the IPv4 address it reaches, so IPv4 networks match it.
   */
  record ConnectFacts(InetAddress address, int port, String binary) implements Facts {
    public ConnectFacts {
      Objects.requireNonNull(address, "address");
      address = normalize(address);
      if (port < 0 || port > Limits.MAX_PORT) {
        throw new IllegalArgumentException(
            "port " + port + " is out of range 0.." + Limits.MAX_PORT);
      }
      checkPath(binary, "binary");
    }

    @Override
    public Kind kind() {
      return Kind.CONNECT;
    }

    private static InetAddress normalize(InetAddress a) {
      byte[] b = a.getAddress();
      if (a instanceof Inet6Address && b.length == 16 && isMapped(b)) {
        try {
          return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException e) {
          throw new AssertionError(e);
        }
      }
      return a;
    }

    private static boolean isMapped(byte[] b) {
      for (int i = 0; i < 10; i++) {
        if (b[i] != 0) {
          return false;
        }
      }
      return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
  }

  /** A kernel module load; {@code name} is empty when the kernel does not know it yet. */
  record ModuleLoadFacts(Optional<String> name, String binary) implements Facts {
    public ModuleLoadFacts {
      Objects.requireNonNull(name, "name");
      name.ifPresent(
          n -> {
            if (n.isEmpty() || n.indexOf('\0') >= 0 || n.indexOf('/') >= 0) {
              throw new IllegalArgumentException("bad module name '" + n + "'");
            }
          });
      checkPath(binary, "binary");
    }

    @Override
    public Kind kind() {
      return Kind.MODULE_LOAD;
    }
  }

  /** {@code binary} (the tracer) attaches to a process running {@code targetBinary}. */
  record PtraceFacts(String targetBinary, String binary) implements Facts {
    public PtraceFacts {
      checkPath(targetBinary, "targetBinary");
      checkPath(binary, "binary");
    }

    @Override
    public Kind kind() {
      return Kind.PTRACE;
    }
  }

  /** A process running {@code binary} gains privileges; {@code gains} is not empty. */
  record PrivilegeFacts(String binary, Set<Gain> gains) implements Facts {
    public PrivilegeFacts {
      checkPath(binary, "binary");
      gains = Set.copyOf(gains);
      if (gains.isEmpty()) {
        throw new IllegalArgumentException(
            "gains is empty: a privilege event gains uid0 or capabilities");
      }
    }

    @Override
    public Kind kind() {
      return Kind.PRIVILEGE;
    }
  }

  /**
   * A call of a declared hook. {@code fields} holds the fields that could be read, by field name
   * ({@link HookDecl#fields()}): a {@code Long} (the field's bits) for integers, a {@code String}
   * for strings and paths, an {@code InetAddress} for addresses; a field that could not be read is
   * absent, and no selector on it matches (as in the kernel).
   */
  record CallFacts(String binary, String function, java.util.Map<String, Object> fields)
      implements Facts {
    public CallFacts {
      checkPath(binary, "binary");
      Objects.requireNonNull(function, "function");
      fields = java.util.Map.copyOf(fields);
      fields.forEach(
          (k, v) -> {
            if (!(v instanceof Long || v instanceof String || v instanceof InetAddress)) {
              throw new IllegalArgumentException(
                  "field "
                      + k
                      + " is a "
                      + v.getClass().getSimpleName()
                      + ", not a Long, String or InetAddress");
            }
          });
    }

    @Override
    public Kind kind() {
      return Kind.CALL;
    }
  }

  private static void checkPath(String p, String what) {
    Objects.requireNonNull(p, what);
    if (p.isEmpty() || p.charAt(0) != '/') {
      throw new IllegalArgumentException(what + " '" + p + "' is not an absolute path");
    }
    if (p.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " contains a NUL character");
    }
  }

  private static void checkId(long id, String what) {
    if (id < 0 || id > Limits.MAX_ID) {
      throw new IllegalArgumentException(what + " " + id + " is out of range 0.." + Limits.MAX_ID);
    }
  }
}
