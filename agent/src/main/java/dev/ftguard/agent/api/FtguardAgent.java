package dev.ftguard.agent.api;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.CallEvent;
import dev.ftguard.abi.CallHookInfo;
import dev.ftguard.abi.DecodeError;
import dev.ftguard.abi.Decoded;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.EventDecoder;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.Device;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.policy.HookDecl;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.table.TableCompiler;
import dev.ftguard.policy.table.TableTooLargeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * ftguard as a library: put policies in force (declared in Java with {@link PolicySpec}, or loaded
 * from files) and receive every event as a Java object, on a thread of its own.
 *
 * <pre>{@code
 * HookSpec mkdir = HookSpec.syscall("mkdirat").arg("dfd", ArgType.S32).arg("path", ArgType.USTRING, 200);
 * PolicySet set = PolicySpec.build(PolicySpec.named("watch")
 *     .hook(mkdir)
 *     .rule(RuleSpec.call("mkdir-etc", mkdir).arg("path", Map.of("prefix", List.of("/etc/"))).audit()));
 * try (FtguardAgent agent = FtguardAgent.open(set, e -> System.out.println(e))) {
 *   agent.awaitStop();
 * }
 * }</pre>
 *
 * The rules stay in force after {@link #close} (as with {@code ftguard policy apply}); {@link
 * #clear} removes them. docs/api.md has a runnable example.
 */
public final class FtguardAgent implements AutoCloseable {
  /** What writing a table did: its generation and the state of each function it hooks. */
  public record Applied(long generation, List<CallHookInfo> hooks) {
    public Applied {
      hooks = List.copyOf(hooks);
    }

    /** The hooks that did not attach (their rules do nothing); see {@link CallHookInfo#error}. */
    public List<CallHookInfo> failedHooks() {
      return hooks.stream().filter(h -> !h.attached() && h.error() != 0).toList();
    }
  }

  /**
   * Compiles {@code set} and writes it to the kernel in one step (all or nothing); what the CLI's
   * {@code policy apply} and {@code run} do.
   *
   * @throws TableTooLargeException the table would exceed a kernel limit
   * @throws ErrnoException the kernel refused it ({@code TableRejectedException}) or the device
   *     failed
   */
  public static Applied apply(ControlDevice device, PolicySet set)
      throws TableTooLargeException, ErrnoException {
    return apply(device, set, TableCompiler.compile(set));
  }

  /** Writes an already compiled {@code table} of {@code set}. */
  public static Applied apply(ControlDevice device, PolicySet set, byte[] table)
      throws ErrnoException {
    long generation = device.setTable(table);
    boolean hooks = set.policies().stream().anyMatch(p -> !p.hooks().isEmpty());
    return new Applied(generation, hooks ? device.callHooks() : List.of());
  }

  /** Field names of every hook the set declares, by function. */
  public static Map<String, List<String>> fieldNames(PolicySet set) {
    Map<String, List<String>> out = new HashMap<>();
    for (Policy p : set.policies()) {
      for (HookDecl h : p.hooks()) {
        out.put(h.function(), h.fields().stream().map(HookDecl.FieldRef::name).toList());
      }
    }
    return out;
  }

  /** A call's arguments by field name ({@code names} from {@link #fieldNames}). */
  public static Map<String, Object> args(CallEvent c, List<String> names) {
    Map<String, Object> out = new HashMap<>();
    if (names == null || names.size() != c.fields().size()) {
      return out;
    }
    long family = -1;
    for (int i = 0; i < names.size(); i++) {
      CallEvent.Field f = c.fields().get(i);
      String name = names.get(i);
      if (!f.fault()) {
        switch (f) {
          case CallEvent.IntField n -> out.put(name, n.value());
          case CallEvent.StrField s -> out.put(name, s.value());
          case CallEvent.AddrField a -> a.address(family).ifPresent(x -> out.put(name, x));
        }
      }
      family = f instanceof CallEvent.IntField n && !f.fault() ? n.value() : -1;
    }
    return out;
  }

  private final ControlDevice device;
  private final Consumer<AgentEvent> listener;
  private final Map<String, List<String>> names;
  private final Applied applied;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread reader;
  private volatile Throwable failure;

  private FtguardAgent(ControlDevice device, PolicySet set, Consumer<AgentEvent> listener)
      throws TableTooLargeException, ErrnoException {
    this.device = device;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.names = fieldNames(set);
    this.applied = apply(device, set);
    this.reader = Thread.ofPlatform().name("ftguard-events").daemon().start(this::readLoop);
  }

  /**
   * Opens {@code /dev/ftguard} for writing (root), puts {@code set} in force and starts delivering
   * events to {@code listener}.
   */
  public static FtguardAgent open(PolicySet set, Consumer<AgentEvent> listener)
      throws TableTooLargeException, ErrnoException {
    return open(Device.openReadWrite(Device.DEFAULT_PATH), set, listener);
  }

  /** As {@link #open(PolicySet, Consumer)} on a given device (which the agent closes). */
  public static FtguardAgent open(
      ControlDevice device, PolicySet set, Consumer<AgentEvent> listener)
      throws TableTooLargeException, ErrnoException {
    try {
      return new FtguardAgent(device, set, listener);
    } catch (TableTooLargeException | ErrnoException | RuntimeException e) {
      device.close();
      throw e;
    }
  }

  /** The table put in force and the state of its hooks. */
  public Applied applied() {
    return applied;
  }

  private void readLoop() {
    EventDecoder decoder = EventDecoder.nativeOrder();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(64 * 1024, 8);
      while (!stop.get()) {
        long n = device.readRecords(buf, 200);
        if (n <= 0) {
          continue;
        }
        for (Decoded d : decoder.decode(buf, 0, n).items()) {
          if (d instanceof Event e) {
            Map<String, Object> args =
                e instanceof CallEvent c ? args(c, names.get(c.function())) : Map.of();
            listener.accept(new AgentEvent(e, args));
          } else if (d instanceof DecodeError err) {
            failure = new IllegalStateException("bad record from the device: " + err.message());
          }
        }
      }
    } catch (ErrnoException | RuntimeException e) {
      failure = e;
    }
  }

  /** Blocks until {@link #close} is called on another thread or the device fails. */
  public void awaitStop() throws InterruptedException {
    reader.join();
  }

  /** Why delivery stopped, if it failed. */
  public java.util.Optional<Throwable> failure() {
    return java.util.Optional.ofNullable(failure);
  }

  /** Removes every rule (an empty table); the agent keeps delivering events. */
  public void clear() throws ErrnoException {
    try {
      apply(device, new PolicySet(List.of(), new java.util.LinkedHashMap<>()));
    } catch (TableTooLargeException e) {
      throw new AssertionError("an empty table is never too large", e);
    }
  }

  /** Stops delivering events and closes the device; the rules in force stay. */
  @Override
  public void close() {
    stop.set(true);
    try {
      reader.join(Abi.RECORD_MAX);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    device.close();
  }
}
