package dev.ftguard.agent.process;

import java.util.List;
import java.util.Optional;

/**
 * A process image as the table knows it, at the time of an event: what a consumer needs to place
 * the event in its lineage.
 *
 * @param tgid the process id
 * @param ppid the process id of the parent (as first known), 0 for none
 * @param execId stable id of this process image: see {@link ExecIds}
 * @param parentExecId exec id of the image that created this process; empty when the parent is
 *     unknown (not seen, lost, or beyond the table's bounds) or there is none
 * @param binary the binary: the exec's filename as passed for an exec seen live, the target of
 *     {@code /proc/PID/exe} for a process read from {@code /proc}, the parent's for a fork child
 *     that has not exec'd; {@code ""} when unknown (kernel threads, placeholders)
 * @param argv the arguments, bounded like exec records
 * @param startTicks when the process started, in clock ticks since boot (as in {@code
 *     /proc/PID/stat}); -1 when unknown
 * @param origin where the table learned about this image
 * @param state whether the image still runs
 * @param ancestors the parent first, then its parent, ... up to the table's ancestor depth
 */
public record ProcessView(
    long tgid,
    long ppid,
    String execId,
    Optional<String> parentExecId,
    String binary,
    List<String> argv,
    long startTicks,
    Origin origin,
    State state,
    List<Ancestor> ancestors) {

  /** Where the table learned about a process image. */
  public enum Origin {
    /** A fork event: a copy of the parent's image. */
    FORK,
    /** A successful exec event. */
    EXEC,
    /** The scan of {@code /proc} at start-up. */
    SCAN,
    /** Read from {@code /proc} when an event named a process the table did not know. */
    PROC,
    /** An event named a process that was neither known nor in {@code /proc}: a placeholder. */
    UNKNOWN;

    private final String jsonName = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name, as written in JSON. */
    public String jsonName() {
      return jsonName;
    }
  }

  /** Whether a process image still runs. */
  public enum State {
    /** The process runs this image (as far as the events tell). */
    LIVE,
    /** The process exec'd another image since. */
    REPLACED,
    /** The process exited. */
    EXITED;

    private final String jsonName = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name, as written in JSON. */
    public String jsonName() {
      return jsonName;
    }
  }
}
