package dev.ftguard.agent.enrich;

import java.util.Optional;

/**
 * A cgroup v2 a process ran in.
 *
 * @param path its path, as in {@code /proc/PID/cgroup} (relative to the daemon's cgroup namespace;
 *     {@code /} is the root)
 * @param container the container it belongs to, from the path ({@link Container#ofCgroup})
 */
public record CgroupInfo(String path, Optional<Container> container) {
  public static CgroupInfo of(String path) {
    return new CgroupInfo(path, Container.ofCgroup(path));
  }
}
