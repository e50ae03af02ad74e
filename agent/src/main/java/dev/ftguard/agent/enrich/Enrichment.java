package dev.ftguard.agent.enrich;

import dev.ftguard.agent.process.ProcessView;
import java.util.Optional;

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
 */
public record Enrichment(
    Optional<ProcessView> process,
    Optional<String> childExecId,
    Optional<String> cwd,
    Optional<CgroupInfo> cgroup,
    Optional<String> user,
    Optional<String> group,
    Optional<String> euser,
    BinaryHash binaryHash) {}
