package dev.ftguard.abi;

/**
 * {@code struct ftg_fork_event}: creation of a process or thread, taken once the child exists. The
 * header describes the parent.
 *
 * @param cloneFlags what the child shares: {@code CLONE_THREAD}, {@code CLONE_VM}, {@code
 *     CLONE_VFORK}
 * @param childPid the child's global id
 */
public record ForkEvent(Header header, long cloneFlags, int childPid) implements Event {

  @Override
  public EventType eventType() {
    return EventType.FORK;
  }

  /** {@code CLONE_THREAD} from linux/sched.h. */
  public static final long CLONE_THREAD = 0x0001_0000L;

  /** Whether a thread of the same process was created (CLONE_THREAD). */
  public boolean isThread() {
    return (cloneFlags & CLONE_THREAD) != 0;
  }
}
