package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestFile;
import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Privilege is checked at every command of /dev/ftguard, not only at open(): a process without
 * CAP_SYS_ADMIN that holds a descriptor root opened (kept across setresuid, or inherited through
 * exec) can neither read the events nor read, replace or clear the rule table, nor read the hook
 * counters. Root on the same kind of descriptor can.
 */
class DevicePrivilegeIT {

  private static final String DENIED =
      "read=EPERM stats=EPERM hook=EPERM call=EPERM get=EPERM set=EPERM";

  @Test
  void everyCommandChecksTheCallersPrivilege() throws Exception {
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.guest("device-privilege", Duration.ofMinutes(3))
                .file(GuestFile.copyOf(FtguardGuest.testHelper(), FtguardGuest.TEST_HELPER))
                .payload(
                    """
                    set -u
                    insmod %1$s
                    %2$s get-table > /out/generation_before
                    %2$s device-ops > /out/root
                    %2$s device-as 65534 > /out/dropped
                    %2$s device-as 65534 exec > /out/inherited
                    %2$s as 65534 65534 %2$s device-ops > /out/unprivileged_open
                    %2$s get-table > /out/generation_after
                    rmmod ftguard
                    """
                        .formatted(FtguardGuest.MODULE, FtguardGuest.TEST_HELPER)));

    String root = r.readOutFile("root").strip();
    assertThat(root).startsWith("read=ok stats=ok").contains(" get=ok").doesNotContain("EPERM");
    assertThat(root)
        .as("an empty table is refused for its size, not for privilege")
        .endsWith("set=EINVAL");
    assertThat(r.readOutFile("dropped").strip()).as("after setresuid").isEqualTo(DENIED);
    assertThat(r.readOutFile("inherited").strip()).as("inherited through exec").isEqualTo(DENIED);
    assertThat(r.readOutFile("unprivileged_open").strip())
        .as("the device is 0600: the file mode refuses before the module does")
        .isEqualTo("open /dev/ftguard: errno=EACCES");
    assertThat(r.readOutFile("generation_after"))
        .as("no table was put in force")
        .isEqualTo(r.readOutFile("generation_before"));
  }
}
