package dev.ftguard.agent.enrich;

import dev.ftguard.agent.json.ExtraFields;
import dev.ftguard.agent.process.ProcessView;
import java.util.Optional;
import tools.jackson.core.JsonGenerator;

/**
 * What ftguard adds to an event beyond the kernel's record. Every part may be missing: the process
 * had exited, could not be read, or is not known yet.
 *
 * @param process the acting process's image and ancestors (the parent for fork events)
 * @param childExecId for the fork of a process: the child's exec id
 * @param cwd the process's working directory (read from {@code /proc/PID/cwd} while it runs)
 * @param cgroup the cgroup of the event's {@code cgroup_id}, and its container
 * @param user name of {@code uid}
 * @param group name of {@code gid}
 * @param euser name of {@code euid}
 * @param binaryHash SHA-256 of the process image's binary, or its state
 * @param processJson the process's JSON parts rendered once per image, null when not kept (then the
 *     JSON writes them from {@code process})
 */
public record Enrichment(
    Optional<ProcessView> process,
    Optional<String> childExecId,
    Optional<String> cwd,
    Optional<CgroupInfo> cgroup,
    Optional<String> user,
    Optional<String> group,
    Optional<String> euser,
    BinaryHash binaryHash,
    ProcessJson processJson)
    implements ExtraFields {

  /** An enrichment without pre-rendered process parts. */
  public Enrichment(
      Optional<ProcessView> process,
      Optional<String> childExecId,
      Optional<String> cwd,
      Optional<CgroupInfo> cgroup,
      Optional<String> user,
      Optional<String> group,
      Optional<String> euser,
      BinaryHash binaryHash) {
    this(process, childExecId, cwd, cgroup, user, group, euser, binaryHash, null);
  }

  /** Writes this enrichment's fields into an event's line ({@link EnrichmentJson}). */
  @Override
  public void writeFields(JsonGenerator g) {
    EnrichmentJson.write(g, this);
  }
}
