package dev.ftguard.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {
  @TempDir Path tmp;

  @Test
  void parsesStatWithSpacesAndParenthesesInTheName() {
    String line =
        "4242 (my (weird) name) S 900 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456"
            + " 1000 100 18446744073709551615 94000000000000 94000000004096 140000000000000 0 0 0"
            + " 0 0 0 0 0 0 17 1 0 0 0 0 0 94000000008192 94000000012288 94000001048576"
            + " 140000000004096 140000000004352 140000000004352 140000000008000 0\n";
    ProcStat st = ProcStat.parse(line);
    assertThat(st).isNotNull();
    assertThat(st.pid()).isEqualTo(4242);
    assertThat(st.comm()).isEqualTo("my (weird) name");
    assertThat(st.state()).isEqualTo('S');
    assertThat(st.ppid()).isEqualTo(900);
    assertThat(st.startTicks()).isEqualTo(123456);
    assertThat(st.startCode()).isEqualTo(94000000000000L);
    assertThat(st.startStack()).isEqualTo(140000000000000L);
    assertThat(st.startBrk()).isEqualTo(94000001048576L);
    assertThat(st.argStart()).isEqualTo(140000000004096L);
    assertThat(st.envStart()).isEqualTo(140000000004352L);
    assertThat(st.isKernelThread()).isFalse();
    assertThat(st.layoutKnown()).isTrue();
  }

  @Test
  void rejectsMalformedStat() {
    assertThat(ProcStat.parse("")).isNull();
    assertThat(ProcStat.parse("12 (x")).isNull();
    assertThat(ProcStat.parse("12 (x) S 1 2 3")).isNull();
    assertThat(ProcStat.parse("x (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0")).isNull();
  }

  @Test
  void readsTheHostsOwnProcess() {
    ProcFs host = ProcFs.host();
    long self = ProcessHandle.current().pid();
    ProcStat st = host.stat(self).orElseThrow();
    assertThat(st.pid()).isEqualTo(self);
    assertThat(st.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(host.exe(self).orElseThrow()).endsWith("/java");
    assertThat(host.cmdline(self)).isNotEmpty();
    assertThat(host.cwd(self)).contains(Path.of("").toAbsolutePath().toString());
    assertThat(host.exePath(self)).isEqualTo(host.exeLink(self).toString());
    assertThat(new ProcFs(tmp).exePath(42)).isEqualTo(tmp.resolve("42/exe").toString());
    assertThat(host.cgroup(self)).isPresent();
    assertThat(host.pids()).contains((int) self, 1);
    assertThat(host.bootId().orElseThrow())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  @Test
  void aProcessThatIsGoneReadsAsEmpty() {
    ProcFs procfs = new FakeProc(tmp).procfs();
    assertThat(procfs.stat(77)).isEmpty();
    assertThat(procfs.exe(77)).isEmpty();
    assertThat(procfs.cwd(77)).isEmpty();
    assertThat(procfs.cmdline(77)).isEmpty();
    assertThat(procfs.cgroup(77)).isEmpty();
    assertThat(new ProcFs(tmp.resolve("none")).pids()).isEmpty();
  }

  @Test
  void unreadableFilesReadAsEmpty() throws Exception {
    FakeProc proc = new FakeProc(tmp);
    proc.proc(5).ppid(1).start(9).exe("/bin/x").cmdline("x").add();
    Path stat = tmp.resolve("5/stat");
    Files.delete(stat);
    Files.createDirectory(stat); // reading a directory fails like a permission error does
    assertThat(proc.procfs().stat(5)).isEmpty();
    assertThat(proc.procfs().cmdline(5)).containsExactly("x");
  }

  @Test
  void commandLinesAreBoundedLikeExecRecords() {
    FakeProc proc = new FakeProc(tmp);
    proc.proc(6).cmdline(Collections.nCopies(100, "a").toArray(String[]::new)).add();
    assertThat(proc.procfs().cmdline(6)).hasSize(Abi.ARGC_MAX);
    proc.proc(7).cmdline("x".repeat(600), "y".repeat(600), "z").add();
    assertThat(proc.procfs().cmdline(7)).containsExactly("x".repeat(600));
    // setproctitle may leave no NUL at the end
    byte[] b = "sshd: u [priv]".getBytes();
    assertThat(ProcFs.splitArgs(b, b.length)).containsExactly("sshd: u [priv]");
    assertThat(ProcFs.splitArgs(new byte[0], 0)).isEmpty();
    byte[] two = "a\0\0b\0".getBytes();
    assertThat(ProcFs.splitArgs(two, two.length)).containsExactly("a", "", "b");
  }

  @Test
  void findsTheCgroupV2LineAmongV1Lines() {
    String hybrid =
        "12:pids:/user.slice\n1:name=systemd:/user.slice/session-3.scope\n0::/user.slice/session-3.scope\n";
    assertThat(ProcFs.cgroupV2Line(hybrid)).contains("/user.slice/session-3.scope");
    assertThat(ProcFs.cgroupV2Line("0::/\n")).contains("/");
    assertThat(ProcFs.cgroupV2Line("0::/system.slice/a b.service"))
        .contains("/system.slice/a b.service");
    assertThat(ProcFs.cgroupV2Line("3:cpu:/x\n")).isEmpty();
  }

  @Test
  void listsOnlyNumericEntries() throws Exception {
    FakeProc proc = new FakeProc(tmp);
    proc.proc(1).add().proc(42).add();
    Files.createDirectories(tmp.resolve("self"));
    Files.createDirectories(tmp.resolve("99999999999"));
    assertThat(proc.procfs().pids()).containsExactlyInAnyOrder(1, 42);
    assertThat(List.copyOf(proc.pids())).contains(1, 42);
  }
}
