package dev.ftguard.agent.enrich;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container a process runs in, as its cgroup path tells.
 *
 * @param runtime what made the cgroup
 * @param id the container id: 64 lower-case hex digits
 * @param podUid the Kubernetes pod's uid when the path names one (dashed form)
 */
public record Container(Runtime runtime, String id, Optional<String> podUid) {

  /** Container runtimes recognized by their cgroup naming. */
  public enum Runtime {
    /** {@code docker-ID.scope} (systemd driver) or {@code /docker/ID} (cgroupfs driver). */
    DOCKER,
    /** {@code cri-containerd-ID.scope}: containerd's CRI plugin (Kubernetes). */
    CONTAINERD,
    /** {@code crio-ID.scope}: CRI-O (Kubernetes, OpenShift). */
    CRIO,
    /** {@code libpod-ID.scope}: Podman, rootful or rootless. */
    PODMAN,
    /** {@code /kubepods/.../podUID/ID}: a Kubernetes container of a runtime that uses bare ids. */
    CRI,
    /** A bare 64-hex id of a runtime not recognized otherwise. */
    UNKNOWN;

    private final String jsonName = name().toLowerCase(Locale.ROOT);

    /** Lower-case name, as written in JSON. */
    public String jsonName() {
      return jsonName;
    }
  }

  private static final Pattern SCOPE =
      Pattern.compile("(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})(?:\\.scope)?");
  private static final Pattern CONMON =
      Pattern.compile("(?:crio|libpod)-conmon-[0-9a-f]{64}(?:\\.scope)?");
  private static final Pattern BARE = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern POD =
      Pattern.compile(
          "(?:.*-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\\.slice)?");

  /**
   * The container of a cgroup path ({@code /proc/PID/cgroup}, v2 or v1), the innermost when
   * containers nest. Empty for paths of no container, and for the monitors runtimes run beside a
   * container ({@code crio-conmon-ID}, {@code libpod-conmon-ID}), which run on the host.
   */
  public static Optional<Container> ofCgroup(String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      String p = parts[i];
      if (p.length() < 64) {
        continue;
      }
      if (CONMON.matcher(p).matches()) {
        return Optional.empty();
      }
      Matcher m = SCOPE.matcher(p);
      if (m.matches()) {
        Runtime r =
            switch (m.group(1)) {
              case "docker" -> Runtime.DOCKER;
              case "cri-containerd" -> Runtime.CONTAINERD;
              case "crio" -> Runtime.CRIO;
              default -> Runtime.PODMAN;
            };
        return Optional.of(new Container(r, m.group(2), pod(parts, i)));
      }
      if (BARE.matcher(p).matches()) {
        Runtime r;
        if (i > 0 && parts[i - 1].equals("docker")) {
          r = Runtime.DOCKER;
        } else if (path.contains("/kubepods")) {
          r = Runtime.CRI;
        } else {
          r = Runtime.UNKNOWN;
        }
        return Optional.of(new Container(r, p, pod(parts, i)));
      }
    }
    return Optional.empty();
  }

  /** The pod uid named by a component above {@code below}, if any. */
  private static Optional<String> pod(String[] parts, int below) {
    for (int i = below - 1; i >= 0; i--) {
      Matcher m = POD.matcher(parts[i]);
      if (m.matches()) {
        return Optional.of(m.group(1).replace('_', '-'));
      }
    }
    return Optional.empty();
  }
}
