package dev.ftguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --root DIR}: symbolic links under DIR are followed inside DIR, as on the system it holds,
 * never on this machine. The root is nested in the temporary directory, whose other files stand for
 * this machine's.
 */
class RootLinksTest {
  static final String R = Host.RELEASE;
  static final String BUILD = "/lib/modules/" + R + "/build";
  static final String HEADERS = "/usr/src/linux-headers-" + R;

  @TempDir Path tmp;
  Host host;

  @BeforeEach
  void setUp() {
    host = new Host(tmp.resolve("root"));
    host.delete(BUILD);
  }

  void link(String abs, String target) throws Exception {
    Path p = host.path(abs);
    Files.createDirectories(p.getParent());
    Files.createSymbolicLink(p, Path.of(target));
  }

  /** A file on "this machine": outside the root. */
  Path hostFile(String rel) throws Exception {
    Path p = tmp.resolve(rel);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, "# on the machine that runs ftguard check\n");
  }

  @Test
  void debiansAbsoluteBuildLinkIsFollowedInsideTheRoot() throws Exception {
    link(BUILD, HEADERS);
    host.write(HEADERS + "/Makefile", "# kernel build\n");
    assertThat(host.facts().headers())
        .isEqualTo(Reading.found(host.path(HEADERS), host.path(HEADERS + "/Makefile").toString()));
    assertThat(host.check("headers").status()).isEqualTo(Status.PASS);
    assertThat(host.check("headers").detail()).isEqualTo(host.path(HEADERS).toString());
  }

  @Test
  void theSameLinkIsNotFollowedOnThisMachine() throws Exception {
    Path outside = hostFile("usr/src/linux-headers-" + R + "/Makefile").getParent();
    link(BUILD, outside.toString()); // this machine has it, the root does not
    assertThat(outside.resolve("Makefile")).isRegularFile();
    Reading<Path> h = host.facts().headers();
    assertThat(h)
        .isEqualTo(
            new Reading.Missing<Path>(
                host.path(BUILD)
                    + " points to "
                    + outside
                    + ", which does not exist in "
                    + host.root));
    assertThat(host.check("headers").status()).isEqualTo(Status.FAIL);
  }

  @Test
  void relativeLinksAndDotDotStayInsideTheRoot() throws Exception {
    // merged /usr: /lib -> usr/lib; build climbs further than the root has levels
    host.delete("/lib");
    Files.createDirectories(host.path("/usr/lib/modules/" + R));
    link("/lib", "usr/lib");
    link(BUILD, "../../../../../../../../../.." + HEADERS);
    host.write(HEADERS + "/Makefile", "");
    hostFile("usr/src/linux-headers-" + R + "/Makefile"); // where .. above the root would lead
    LiveSystem live = host.live();
    assertThat(live.locate(BUILD + "/Makefile").known()).contains(host.path(HEADERS + "/Makefile"));
    assertThat(live.headers(R).known()).contains(host.path(HEADERS));
    assertThat(live.locate("/../../etc/../proc/cmdline").known())
        .contains(host.path("/proc/cmdline"));
  }

  @Test
  void aLinkLoopIsABoundedMissingReading() throws Exception {
    link(BUILD, "/lib/modules/" + R + "/other");
    link("/lib/modules/" + R + "/other", "build");
    Reading<Path> h = host.facts().headers();
    assertThat(h).isInstanceOf(Reading.Missing.class);
    assertThat(h.explain())
        .startsWith(
            host.path(BUILD)
                + " does not resolve: more than 40 symbolic links followed inside "
                + host.root
                + " (a loop: ");
    Check c = host.check("headers");
    assertThat(c.status()).isEqualTo(Status.FAIL);
    assertThat(c.detail()).contains("more than 40 symbolic links");
    // a link to itself, on a file another row reads
    host.delete("/proc/kallsyms");
    link("/proc/kallsyms", "kallsyms");
    assertThat(host.live().symbols(Set.of("commit_creds")).explain())
        .startsWith(host.path("/proc/kallsyms") + " does not resolve: more than 40 symbolic links");
    // 40 links are followed, the 41st is one too many
    host.delete("/proc/cmdline");
    for (int i = 0; i < 40; i++) {
      link("/l/" + i, "/l/" + (i + 1));
    }
    host.write("/l/40", "root=/dev/vda\n");
    link("/proc/cmdline", "/l/1");
    assertThat(host.live().cmdline().known()).contains("root=/dev/vda");
    host.delete("/proc/cmdline");
    link("/proc/cmdline", "/l/0");
    assertThat(host.live().cmdline()).isInstanceOf(Reading.Missing.class);
  }

  @Test
  void theOtherReadersFollowLinksInsideTheRootToo() throws Exception {
    // a collected system: /proc, /boot and tracefs by absolute links to where the copies are
    String r = "6.12.118+deb13-amd64";
    host.write("/copies/config", host.configText());
    host.write("/copies/kallsyms", "ffffffff81000000 T commit_creds\n");
    host.write("/copies/tracing/available_filter_functions", "commit_creds\n");
    host.write("/copies/tracing/enabled_functions", "");
    link("/boot/config-" + r, "/copies/config");
    host.delete("/proc/kallsyms");
    link("/proc/kallsyms", "/copies/kallsyms");
    host.delete("/sys/kernel/tracing");
    link("/sys/kernel/tracing", "/copies/tracing");
    host.write("/sys/module/ftguard-copy/refcnt", "0\n");
    link("/sys/module/ftguard", "/sys/module/ftguard-copy");
    LiveSystem live = host.live();
    assertThat(live.config(r).known()).isPresent();
    assertThat(live.symbols(Set.of("commit_creds")).known()).contains(Set.of("commit_creds"));
    assertThat(live.traceable(Set.of("commit_creds")).known()).contains(Set.of("commit_creds"));
    assertThat(live.enabled(Set.of("commit_creds")).known()).isPresent();
    assertThat(live.ftguardLoaded()).isTrue();
    // a link that leads nowhere inside the root is missing, and says where it was looked for
    host.delete("/copies/kallsyms");
    assertThat(live.symbols(Set.of("commit_creds")).explain())
        .isEqualTo(host.path("/copies/kallsyms") + " does not exist");
  }

  @Test
  void underTheRealRootTheKernelFollowsTheLinks() {
    LiveSystem live = new LiveSystem(Path.of("/"));
    assertThat(live.locate("/proc/self/status"))
        .isEqualTo(Reading.found(Path.of("/proc/self/status"), "/proc/self/status"));
  }
}
