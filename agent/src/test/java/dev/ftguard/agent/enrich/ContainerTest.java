package dev.ftguard.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.agent.enrich.Container.Runtime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cgroup paths as the runtimes write them (from /proc/PID/cgroup of real hosts). */
class ContainerTest {
  static final String ID = "3f4b5d1a9c7e2b8d6f0a1c3e5b7d9f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d";
  static final String POD = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

  static Container parse(String path) {
    return Container.ofCgroup(path)
        .orElseThrow(() -> new AssertionError("no container in " + path));
  }

  @Test
  void dockerWithTheSystemdDriver() {
    assertThat(parse("/system.slice/docker-" + ID + ".scope"))
        .isEqualTo(new Container(Runtime.DOCKER, ID, Optional.empty()));
  }

  @Test
  void dockerWithTheCgroupfsDriver() {
    assertThat(parse("/docker/" + ID))
        .isEqualTo(new Container(Runtime.DOCKER, ID, Optional.empty()));
    // v1 line as docker on cgroup v1 hosts writes it
    assertThat(parse("/docker/" + ID + "/init.scope").id()).isEqualTo(ID);
  }

  @Test
  void dockerInDockerGivesTheInnermost() {
    String inner = "aa".repeat(32);
    assertThat(parse("/docker/" + ID + "/docker/" + inner).id()).isEqualTo(inner);
  }

  @Test
  void kubernetesWithContainerdAndTheSystemdDriver() {
    String path =
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
            + POD.replace('-', '_')
            + ".slice/cri-containerd-"
            + ID
            + ".scope";
    assertThat(parse(path)).isEqualTo(new Container(Runtime.CONTAINERD, ID, Optional.of(POD)));
  }

  @Test
  void kubernetesGuaranteedPodWithCrio() {
    String path =
        "/kubepods.slice/kubepods-pod" + POD.replace('-', '_') + ".slice/crio-" + ID + ".scope";
    assertThat(parse(path)).isEqualTo(new Container(Runtime.CRIO, ID, Optional.of(POD)));
  }

  @Test
  void kubernetesWithTheCgroupfsDriver() {
    assertThat(parse("/kubepods/besteffort/pod" + POD + "/" + ID))
        .isEqualTo(new Container(Runtime.CRI, ID, Optional.of(POD)));
  }

  @Test
  void podmanRootfulAndRootless() {
    assertThat(parse("/machine.slice/libpod-" + ID + ".scope"))
        .isEqualTo(new Container(Runtime.PODMAN, ID, Optional.empty()));
    assertThat(parse("/machine.slice/libpod-" + ID + ".scope/container").id()).isEqualTo(ID);
    assertThat(
            parse(
                    "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
                        + ID
                        + ".scope/container")
                .runtime())
        .isEqualTo(Runtime.PODMAN);
    // cgroupfs manager
    assertThat(parse("/libpod_parent/libpod-" + ID).runtime()).isEqualTo(Runtime.PODMAN);
  }

  @Test
  void aBareIdElsewhereIsAContainerOfUnknownRuntime() {
    assertThat(parse("/ecs/5d1c6a3e8f2b4c7d9e0a1b2c3d4e5f60/" + ID))
        .isEqualTo(new Container(Runtime.UNKNOWN, ID, Optional.empty()));
  }

  @Test
  void monitorsBesideContainersAreNotInThem() {
    assertThat(Container.ofCgroup("/machine.slice/libpod-conmon-" + ID + ".scope")).isEmpty();
    assertThat(
            Container.ofCgroup(
                "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
                    + POD.replace('-', '_')
                    + ".slice/crio-conmon-"
                    + ID
                    + ".scope"))
        .isEmpty();
  }

  @Test
  void hostCgroupsAreNoContainer() {
    for (String path :
        new String[] {
          "/",
          "/init.scope",
          "/system.slice/sshd.service",
          "/user.slice/user-1000.slice/session-3.scope",
          "/system.slice/containerd.service",
          "/system.slice/docker-" + ID.substring(1) + ".scope", // 63 digits
          "/system.slice/docker-" + ID.toUpperCase() + ".scope",
          "/kubepods.slice/kubepods-burstable.slice",
          ""
        }) {
      assertThat(Container.ofCgroup(path)).as(path).isEmpty();
    }
  }

  @Test
  void cgroupInfoCarriesTheContainer() {
    assertThat(CgroupInfo.of("/docker/" + ID).container()).isPresent();
    assertThat(CgroupInfo.of("/system.slice/cron.service"))
        .isEqualTo(new CgroupInfo("/system.slice/cron.service", Optional.empty()));
  }
}
