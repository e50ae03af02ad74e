package dev.ftguard.policy;

import dev.ftguard.abi.Abi;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel function a policy hooks by name ({@code hooks:} of a policy spec), with the arguments to
 * read from each call.
 *
 * @param function the kernel symbol (for {@code syscall: NAME}, the system call's entry {@code
 *     __x64_sys_NAME})
 * @param syscall the function is a system call entry: arguments are read from the user registers it
 *     is given, not from its own
 * @param args the arguments to read, in declaration order
 */
public record HookDecl(String function, boolean syscall, List<Arg> args, Location location) {
  /** The entry point of system call {@code name} on x86_64. */
  public static String syscallFunction(String name) {
    return "__x64_sys_" + name;
  }

  public HookDecl {
    args = List.copyOf(args);
  }

  /**
   * One argument: its name (field names start with it), type, position (0..5, which argument of the
   * function) and, for strings and paths, the bytes kept.
   */
  public record Arg(String name, ArgType type, int position, int maxLength) {}

  /** One field of a call event or rule: {@code name} is the argument's, with its suffix. */
  public record FieldRef(String name, int index, ArgType.Field field) {}

  /** Every field the arguments give, in the kernel's order. */
  public List<FieldRef> fields() {
    List<FieldRef> out = new ArrayList<>();
    for (Arg a : args) {
      for (ArgType.Field f : a.type().fields()) {
        out.add(new FieldRef(a.name() + f.suffix(), out.size(), f));
      }
    }
    return out;
  }

  /** The same function, flags and arguments (where the declarations are written does not count). */
  public boolean sameAs(HookDecl o) {
    return function.equals(o.function) && syscall == o.syscall && args.equals(o.args);
  }

  /** Equal declarations: {@link #sameAs}; the location is not part of a declaration's identity. */
  @Override
  public boolean equals(Object o) {
    return o instanceof HookDecl h && sameAs(h);
  }

  @Override
  public int hashCode() {
    return (function.hashCode() * 31 + Boolean.hashCode(syscall)) * 31 + args.hashCode();
  }

  /** The largest record a call makes: {@code struct ftg_call_event}, the name, every field. */
  public long recordBytes() {
    long bytes = Abi.Call.DATA + align8(function.getBytes(StandardCharsets.UTF_8).length + 1);
    for (Arg a : args) {
      for (ArgType.Field f : a.type().fields()) {
        bytes +=
            Abi.Call.FIELD_SIZE
                + switch (f.kind()) {
                  case INT -> 8;
                  case ADDRESS -> 16;
                  case STRING -> align8(a.maxLength());
                };
      }
    }
    return bytes;
  }

  private static long align8(long n) {
    return (n + 7) & -8L;
  }
}
