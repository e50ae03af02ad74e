package dev.ftguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.vm.GuestResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code ftguard load} without {@code --ko} on a host that has only the sources: it builds the
 * module for the running kernel from its headers ({@code /lib/modules/$(uname -r)/build}), caches
 * it, loads it; a second load after unloading takes the cached module. SIGTERM stops a following
 * reader cleanly.
 */
class LoadBuildsModuleIT {

  @Test
  void loadBuildsForTheRunningKernelThenUsesTheCache() throws Exception {
    String f = FtguardGuest.FTGUARD;
    // the guest compiles the whole module with gcc under TCG: 4-5 minutes on an idle 2-core
    // machine, more when the host is busy; the limit only bounds a hang
    GuestResult r =
        FtguardGuest.runClean(
            FtguardGuest.guest("load-builds-module", Duration.ofMinutes(12))
                .payload(
                    """
                        set -u
                        export XDG_CACHE_HOME=/tmp/cache
                        %1$s load > /out/load1.log 2>&1
                        echo $? > /out/load1.rc
                        grep -c ftguard /proc/modules > /out/loaded1
                        %1$s unload
                        %1$s load > /out/load2.log 2>&1
                        echo $? > /out/load2.rc
                        env --default-signal=INT %1$s events --follow > /tmp/events.jsonl 2> /out/reader.err &
                        reader=$!
                        # stop it once it is reading (it has printed an event), not at a guessed time
                        i=0
                        while [ ! -s /tmp/events.jsonl ] && [ $i -lt 240 ]; do /bin/true; sleep 0.5; i=$((i + 1)); done
                        kill -TERM $reader
                        wait $reader
                        echo $? > /out/reader.rc
                        cp /tmp/events.jsonl /out/
                        %1$s unload
                        """
                        .formatted(f)));
    String release =
        r.dmesg().lines().filter(l -> l.contains("Linux version")).findFirst().orElseThrow();
    assertThat(r.readOutFile("load1.rc").strip()).as(r.readOutFile("load1.log")).isEqualTo("0");
    assertThat(r.readOutFile("load1.log"))
        .contains("building ftguard.ko for " + FtguardGuest.kernel().abi())
        .contains("ftguard loaded from /tmp/cache/ftguard/" + FtguardGuest.kernel().abi());
    assertThat(release).contains(FtguardGuest.kernel().abi());
    assertThat(r.readOutFile("loaded1").strip()).isEqualTo("1");
    assertThat(r.readOutFile("load2.rc").strip()).as(r.readOutFile("load2.log")).isEqualTo("0");
    assertThat(r.readOutFile("load2.log")).contains("using cached").doesNotContain("CC [M]");
    assertThat(r.readOutFile("reader.rc").strip()).as(r.readOutFile("reader.err")).isEqualTo("0");
    // what it printed before the signal reached stdout, as whole JSON lines
    assertThat(FtguardGuest.readJsonLines(r, "events.jsonl"))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.get("type")).isNotNull());
  }
}
