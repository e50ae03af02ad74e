package dev.ftguard.abi;

/**
 * {@code struct ftg_exit_event}: a thread exits.
 *
 * @param code exit code in wait(2) status form; see {@link #status()}
 * @param flags {@code FTG_EXIT_*}
 */
public record ExitEvent(Header header, int code, int flags) implements Event {

  @Override
  public EventType eventType() {
    return EventType.EXIT;
  }

  /** Whether this was the last live thread of its process. */
  public boolean groupDead() {
    return (flags & Abi.EXIT_GROUP_DEAD) != 0;
  }

  public ExitStatus status() {
    return ExitStatus.fromWaitStatus(code);
  }
}
