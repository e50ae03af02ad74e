package dev.ftguard.agent.process;

import static dev.ftguard.agent.process.Ev.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.agent.process.ProcessTable.Config;
import dev.ftguard.agent.process.ProcessView.Origin;
import dev.ftguard.agent.process.ProcessView.State;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTableTest {
  static final String BOOT = "9f0c2e7a51d84b3c";
  static final String INIT = BOOT + ":1:1:1";
  static final String SSHD = BOOT + ":500:300:1";
  static final String BASH = BOOT + ":900:5000:1";

  @TempDir Path tmp;
  FakeProc proc;
  ProcessTable table;

  @BeforeEach
  void setUp() {
    proc = new FakeProc(tmp).typicalHost();
    table = new ProcessTable(Config.defaults(), proc.procfs(), FakeProc.clock());
  }

  @AfterEach
  void tearDown() {
    proc.close();
  }

  ProcessView at(long tgid, long mono) {
    return table.lookup(tgid, mono).orElseThrow(() -> new AssertionError("no process " + tgid));
  }

  static List<Long> pids(ProcessView v) {
    return v.ancestors().stream().map(Ancestor::pid).toList();
  }

  @Test
  void scanAddsEveryProcessWithItsParentAndInferredGeneration() {
    assertThat(table.scan(ms(100_000))).isEqualTo(5);
    ProcessView bash = at(900, ms(100_000));
    assertThat(bash.execId()).isEqualTo(BASH);
    assertThat(bash.parentExecId()).contains(SSHD);
    assertThat(bash.binary()).isEqualTo("/usr/bin/bash");
    assertThat(bash.argv()).containsExactly("-bash");
    assertThat(bash.origin()).isEqualTo(Origin.SCAN);
    assertThat(bash.state()).isEqualTo(State.LIVE);
    assertThat(bash.startTicks()).isEqualTo(5000);
    assertThat(bash.ancestors())
        .containsExactly(
            new Ancestor("/usr/sbin/sshd", 500, List.of("sshd: /usr/sbin/sshd -D"), SSHD),
            new Ancestor("/usr/lib/systemd/systemd", 1, List.of("/sbin/init"), INIT));
    ProcessView init = at(1, ms(100_000));
    assertThat(init.parentExecId()).isEmpty();
    assertThat(init.ancestors()).isEmpty();
    // kernel threads never exec: generation 0, no binary
    ProcessView ksoftirqd = at(15, ms(100_000));
    assertThat(ksoftirqd.execId()).isEqualTo(BOOT + ":15:2:0");
    assertThat(ksoftirqd.parentExecId()).contains(BOOT + ":2:1:0");
    assertThat(ksoftirqd.binary()).isEmpty();
  }

  @Test
  void forkCopiesTheParentExecReplacesExitEnds() {
    table.scan(ms(100_000));
    long fork = ms(200_000);
    table.apply(Ev.fork(fork, 900, 500, 1000));
    ProcessView child = at(1000, fork);
    assertThat(child.execId()).isEqualTo(BOOT + ":1000:20000:0");
    assertThat(child.parentExecId()).contains(BASH);
    assertThat(child.binary()).isEqualTo("/usr/bin/bash");
    assertThat(child.argv()).containsExactly("-bash");
    assertThat(child.origin()).isEqualTo(Origin.FORK);
    assertThat(pids(child)).containsExactly(900L, 500L, 1L);

    long exec = fork + ms(1);
    table.apply(Ev.exec(exec, 1000, 900, "/usr/bin/id", "id", "-u"));
    ProcessView id = at(1000, exec);
    assertThat(id.execId()).isEqualTo(BOOT + ":1000:20000:1");
    assertThat(id.parentExecId()).contains(BASH);
    assertThat(id.binary()).isEqualTo("/usr/bin/id");
    assertThat(id.argv()).containsExactly("id", "-u");
    assertThat(id.origin()).isEqualTo(Origin.EXEC);
    assertThat(pids(id)).containsExactly(900L, 500L, 1L);
    // an event from just before the exec still finds the fork's image
    ProcessView before = at(1000, exec - 1);
    assertThat(before.execId()).isEqualTo(child.execId());
    assertThat(before.state()).isEqualTo(State.REPLACED);

    long exit = exec + ms(1);
    table.apply(Ev.exit(exit, 1000, 900));
    assertThat(at(1000, exit).state()).isEqualTo(State.EXITED);
    assertThat(at(1000, exit).execId()).isEqualTo(id.execId());
    assertThat(table.size()).isEqualTo(7);
    // after the grace period both images of the child are gone
    table.apply(Ev.decision(exit + ms(5_001), 900, 500));
    assertThat(table.size()).isEqualTo(5);
    assertThat(table.lookup(1000, exit)).isEmpty();
    assertThat(table.counters().expired()).isEqualTo(2);
  }

  @Test
  void aFailedExecChangesNothing() {
    table.scan(ms(100_000));
    table.apply(Ev.fork(ms(200_000), 900, 500, 1000));
    String id = at(1000, ms(200_000)).execId();
    table.apply(Ev.failedExec(ms(200_001), 1000, 900, "/nope"));
    assertThat(at(1000, ms(200_001)).execId()).isEqualTo(id);
    assertThat(at(1000, ms(200_001)).binary()).isEqualTo("/usr/bin/bash");
    assertThat(table.size()).isEqualTo(6);
  }

  @Test
  void threadsAreNotProcesses() {
    table.scan(ms(100_000));
    table.apply(Ev.thread(ms(200_000), 900, 500, 901));
    assertThat(table.size()).isEqualTo(5);
    assertThat(table.lookup(901, ms(200_000))).isEmpty();
    // the thread's events carry pid 901, tgid 900: the process is bash
    var decision = Ev.decision(ms(200_001), 900, 500);
    table.apply(decision);
    assertThat(table.lookup(decision.header()).orElseThrow().execId()).isEqualTo(BASH);
    table.apply(Ev.threadExit(ms(200_002), 901, 900, 500));
    assertThat(at(900, ms(200_002)).state()).isEqualTo(State.LIVE);
    // a vfork child (CLONE_VM without CLONE_THREAD) is a process
    table.apply(Ev.vfork(ms(200_003), 900, 500, 902));
    assertThat(at(902, ms(200_003)).parentExecId()).contains(BASH);
  }

  @Test
  void aRestartedDaemonGivesScannedProcessesTheIdsLiveEventsGave() {
    // suspended for 7.5 s once: boot time runs ahead of the monotonic clock
    BootClock clock = new BootClock(FakeProc.BOOT_ID, 7_500_000_000L, 100);
    ProcessTable first = new ProcessTable(Config.defaults(), proc.procfs(), clock);
    first.scan(ms(100_000));
    long forkA = 123_456_789_012L; // 123.456789012 s monotonic = 130.956789012 s boot time
    long forkB = forkA + ms(3);
    first.apply(Ev.fork(forkA, 900, 500, 2000));
    first.apply(Ev.exec(forkA + ms(1), 2000, 900, "/usr/bin/sleep", "sleep", "60"));
    first.apply(Ev.fork(forkB, 900, 500, 2001)); // a subshell: no exec
    String execd = first.lookup(2000, forkB).orElseThrow().execId();
    String forked = first.lookup(2001, forkB).orElseThrow().execId();
    assertThat(execd).isEqualTo(BOOT + ":2000:13095:1");
    assertThat(forked).isEqualTo(BOOT + ":2001:13095:0");

    // /proc as the kernel shows those two processes
    proc.proc(2000)
        .ppid(900)
        .start(13095)
        .layout(0x5800_0000_0000L)
        .exe("/usr/bin/sleep")
        .cmdline("sleep", "60")
        .add();
    proc.proc(2001)
        .ppid(900)
        .start(13095)
        .layout(0x5700_0000_0000L)
        .exe("/usr/bin/bash")
        .cmdline("-bash")
        .add();
    ProcessTable second = new ProcessTable(Config.defaults(), proc.procfs(), clock);
    second.scan(forkB + ms(10_000));
    assertThat(second.lookup(2000, forkB + ms(10_000)).orElseThrow().execId()).isEqualTo(execd);
    assertThat(second.lookup(2001, forkB + ms(10_000)).orElseThrow().execId()).isEqualTo(forked);
    assertThat(second.lookup(900, forkB).orElseThrow().execId())
        .isEqualTo(first.lookup(900, forkB).orElseThrow().execId());
  }

  @Test
  void aLiveImagesViewIsKeptWhileItHoldsAndMadeAgainWhenStateOrLineageChange() {
    table.scan(ms(100_000));
    long t = ms(200_000);
    table.apply(Ev.fork(t, 900, 500, 1000));
    table.apply(Ev.exec(t + ms(1), 1000, 900, "/usr/bin/sleep", "sleep", "9"));
    ProcessView first = at(1000, t + ms(1));
    table.apply(Ev.thread(t + ms(2), 1000, 900, 1001));
    table.apply(Ev.decision(t + ms(3), 1000, 900));
    assertThat(at(1000, t + ms(3))).isSameAs(first); // nothing changed: the same view
    assertThat(first.state()).isEqualTo(State.LIVE);
    assertThat(first.parentExecId()).contains(BASH);
    assertThat(pids(first)).containsExactly(900L, 500L, 1L);
    table.apply(Ev.exit(t + ms(4), 1000, 900));
    ProcessView ended = at(1000, t + ms(4));
    assertThat(ended).isNotSameAs(first);
    assertThat(ended.state()).isEqualTo(State.EXITED);
    assertThat(ended.execId()).isSameAs(first.execId());
    assertThat(ended.ancestors()).isEqualTo(first.ancestors());
    assertThat(at(1000, t + ms(4))).isEqualTo(ended).isNotSameAs(ended); // ended: not kept

    // an ancestor evicted from a full table cuts the chain: the kept view is made again
    table = new ProcessTable(Config.defaults().withMaxEntries(16), proc.procfs(), FakeProc.clock());
    table.scan(ms(100_000));
    long u = ms(300_000);
    sleepUnderEndedParent(u);
    ProcessView before = at(3001, u + ms(3));
    assertThat(pids(before)).containsExactly(3000L, 900L, 500L, 1L);
    for (int i = 0; i < 10; i++) { // 18 images: the two ended ones evicted (3001 fork, 3000)
      table.apply(Ev.fork(u + ms(10 + i), 900, 500, 5000 + i));
    }
    ProcessView after = at(3001, u + ms(100));
    assertThat(after.execId()).isSameAs(before.execId());
    assertThat(pids(after)).containsExactly(3000L); // it keeps 3000, without its parent
    assertThat(after).isNotSameAs(before);
    assertThat(at(3001, u + ms(101))).isSameAs(after);
  }

  @Test
  void endedAncestorsStayWhileADescendantLives() {
    table.scan(ms(100_000));
    long t = ms(200_000);
    sleepUnderEndedParent(t);
    // a minute later, far past the grace period
    table.apply(Ev.decision(t + ms(60_000), 3001, 1));
    ProcessView sleep = at(3001, t + ms(60_000));
    assertThat(pids(sleep)).containsExactly(3000L, 900L, 500L, 1L);
    assertThat(sleep.parentExecId()).contains(BOOT + ":3000:20000:0");
    assertThat(table.lookup(3000, t + ms(3)).orElseThrow().state()).isEqualTo(State.EXITED);
    assertThat(table.size()).isEqualTo(7); // the fork image of 3001 expired, 3000 is kept
    table.apply(Ev.exit(t + ms(61_000), 3001, 1));
    table.apply(Ev.decision(t + ms(70_000), 900, 500));
    assertThat(table.size()).isEqualTo(5);
  }

  @Test
  void aMillionForkExecExitEventsLeaveTheTableAsItWas() {
    table =
        new ProcessTable(
            Config.defaults().withMaxEntries(4096).withGrace(Duration.ofMillis(1)),
            proc.procfs(),
            FakeProc.clock());
    int baseline = table.scan(ms(100_000));
    long t = ms(200_000);
    int maxSize = 0;
    int events = 0;
    for (int i = 0; events < 1_000_000; i++) {
      int pid = 10_000 + i % 30_000;
      table.apply(Ev.fork(t, 900, 500, pid));
      table.apply(Ev.exec(t + 1_000, pid, 900, "/usr/bin/true", "true"));
      table.apply(Ev.exit(t + 2_000, pid, 900));
      events += 3;
      t += 3_000;
      maxSize = Math.max(maxSize, table.size());
    }
    assertThat(maxSize).isLessThanOrEqualTo(4096);
    assertThat(table.counters().expired()).isPositive();
    table.maintain(t + ms(2), 0);
    assertThat(table.size()).isEqualTo(baseline);
    assertThat(table.counters().live()).isEqualTo(baseline);
    assertThat(at(900, t).execId()).isEqualTo(BASH);
  }

  @Test
  void underAnExitStormFasterThanTheGracePeriodTheBoundHolds() {
    table =
        new ProcessTable(
            Config.defaults().withMaxEntries(1024).withGrace(Duration.ofSeconds(5)),
            proc.procfs(),
            FakeProc.clock());
    int baseline = table.scan(ms(100_000));
    long t = ms(200_000);
    for (int i = 0; i < 200_000; i++) {
      int pid = 10_000 + i % 30_000;
      table.apply(Ev.fork(t, 900, 500, pid));
      table.apply(Ev.exec(t + 1_000, pid, 900, "/usr/bin/true", "true"));
      table.apply(Ev.exit(t + 2_000, pid, 900));
      t += 3_000;
      assertThat(table.size()).isLessThanOrEqualTo(1024);
    }
    assertThat(table.counters().evictedEnded()).isPositive();
    assertThat(table.counters().evictedLive()).isZero();
    table.maintain(t + ms(5_001), 0);
    assertThat(table.size()).isEqualTo(baseline);
  }

  @Test
  void endedImagesAreEvictedBeforeLiveOnes() {
    table = new ProcessTable(Config.defaults().withMaxEntries(16), proc.procfs(), FakeProc.clock());
    table.scan(ms(100_000));
    long t = ms(200_000);
    for (int i = 0; i < 5; i++) {
      table.apply(Ev.fork(t + i, 900, 500, 100 + i));
    }
    for (int i = 0; i < 3; i++) {
      table.apply(Ev.exit(t + 10 + i, 100 + i, 900));
    }
    for (int i = 0; i < 8; i++) {
      table.apply(Ev.fork(t + 20 + i, 900, 500, 200 + i));
    }
    assertThat(table.size()).isEqualTo(16);
    assertThat(table.counters().evictedEnded()).isEqualTo(2);
    assertThat(table.counters().evictedLive()).isZero();
    // the two oldest exits went, everything live stayed
    assertThat(table.lookup(100, t + 10)).isEmpty();
    assertThat(table.lookup(101, t + 11)).isEmpty();
    assertThat(table.lookup(102, t + 12)).isPresent();
    for (int pid : new int[] {1, 2, 15, 500, 900, 103, 104, 200, 207}) {
      assertThat(table.lookup(pid, t + 100)).as("pid %d", pid).isPresent();
    }
  }

  @Test
  void lostExitsCannotGrowTheTablePastItsBound() {
    table = new ProcessTable(Config.defaults().withMaxEntries(64), proc.procfs(), FakeProc.clock());
    table.scan(ms(100_000));
    long t = ms(200_000);
    for (int i = 0; i < 1000; i++) {
      table.apply(Ev.fork(t + i * 1000L, 900, 500, 20_000 + i)); // no exit ever arrives
    }
    assertThat(table.size()).isEqualTo(64);
    assertThat(table.counters().evictedLive()).isEqualTo(1000 + 5 - 64);
    // bash forked all of them, so it was always recently seen
    assertThat(at(900, t + 1_000_000).execId()).isEqualTo(BASH);
    assertThat(table.lookup(20_999, t + 1_000_000)).isPresent();
    assertThat(table.lookup(20_000, t + 1_000_000)).isEmpty();
  }

  @Test
  void aChainOfDoubleForkingDaemonsStaysBounded() {
    table =
        new ProcessTable(
            Config.defaults().withMaxEntries(32).withAncestorDepth(4),
            proc.procfs(),
            FakeProc.clock());
    table.scan(ms(100_000));
    long t = ms(200_000);
    int prev = 900;
    for (int i = 0; i < 10_000; i++) {
      int pid = 30_000 + i;
      table.apply(Ev.fork(t, prev, 1, pid));
      if (prev != 900) {
        table.apply(Ev.exit(t + 1, prev, 1)); // the parent leaves, the child goes on
      }
      prev = pid;
      t += ms(100);
      assertThat(table.size()).isLessThanOrEqualTo(32);
    }
    ProcessView last = at(prev, t);
    assertThat(pids(last)).containsExactly(39_998L, 39_997L, 39_996L, 39_995L);
    assertThat(table.counters().evictedEnded()).isPositive();
  }

  @Test
  void unknownProcessesAreReadFromProcWithTheirAncestors() {
    proc.proc(4000)
        .ppid(900)
        .start(30_000)
        .layout(0x5900_0000_0000L)
        .exe("/usr/bin/python3")
        .cmdline("python3", "app.py")
        .add();
    table.apply(Ev.decision(ms(400_000), 4000, 900));
    ProcessView py = at(4000, ms(400_000));
    assertThat(py.origin()).isEqualTo(Origin.PROC);
    assertThat(py.execId()).isEqualTo(BOOT + ":4000:30000:1");
    assertThat(py.binary()).isEqualTo("/usr/bin/python3");
    assertThat(py.argv()).containsExactly("python3", "app.py");
    assertThat(py.parentExecId()).contains(BASH);
    assertThat(pids(py)).containsExactly(900L, 500L, 1L);
    assertThat(table.counters().fromProc()).isEqualTo(4);
    assertThat(table.counters().placeholders()).isZero();
  }

  @Test
  void processesNeitherKnownNorInProcBecomePlaceholders() {
    table.scan(ms(100_000));
    long t = ms(401_000);
    // an exec of a process already gone: binary and arguments from the event
    table.apply(Ev.exec(t, 4100, 900, "/tmp/x", "x", "-v"));
    ProcessView x = at(4100, t);
    assertThat(x.origin()).isEqualTo(Origin.EXEC);
    assertThat(x.execId()).isEqualTo(BOOT + ":4100:u401000000000:1");
    assertThat(x.binary()).isEqualTo("/tmp/x");
    assertThat(x.startTicks()).isEqualTo(-1);
    assertThat(x.parentExecId()).contains(BASH);
    // the exit of a process never seen
    table.apply(Ev.exit(t + 1, 4200, 900));
    ProcessView gone = at(4200, t + 1);
    assertThat(gone.origin()).isEqualTo(Origin.UNKNOWN);
    assertThat(gone.state()).isEqualTo(State.EXITED);
    assertThat(gone.binary()).isEmpty();
    // /proc has pid 4300, but it started after the event: another process
    proc.proc(4300).ppid(1).start(50_000).layout(0x5a00_0000_0000L).exe("/usr/bin/new").add();
    table.apply(Ev.decision(t + 2, 4300, 1));
    assertThat(at(4300, t + 2).origin()).isEqualTo(Origin.UNKNOWN);
    // a fork by an unknown parent: both known from now on
    table.apply(Ev.fork(t + 3, 4400, 4399, 4401));
    ProcessView child = at(4401, t + 3);
    assertThat(child.parentExecId()).contains(BOOT + ":4400:u401000000003:0");
    assertThat(child.execId()).isEqualTo(BOOT + ":4401:40100:0");
    assertThat(table.counters().placeholders()).isEqualTo(4);
    // placeholders leave like any image
    table.apply(Ev.exit(t + 4, 4100, 900));
    table.apply(Ev.exit(t + 5, 4300, 1));
    table.apply(Ev.exit(t + 6, 4401, 4400));
    table.apply(Ev.exit(t + 7, 4400, 4399));
    table.maintain(t + ms(6_000), 0);
    assertThat(table.size()).isEqualTo(5);
  }

  @Test
  void aForkArrivingAfterItsChildsExecOnlyLinksTheParent() {
    proc.remove(900); // bash has gone by the time the table reads /proc
    table.scan(ms(100_000));
    long fork = ms(500_000);
    proc.proc(5000)
        .ppid(1)
        .start(50_000)
        .layout(0x5b00_0000_0000L)
        .exe("/usr/bin/ls")
        .cmdline("ls", "-l")
        .add();
    table.apply(Ev.exec(fork + ms(1), 5000, 900, "/usr/bin/ls", "ls", "-l"));
    ProcessView ls = at(5000, fork + ms(1));
    assertThat(ls.origin()).isEqualTo(Origin.PROC);
    assertThat(ls.execId()).isEqualTo(BOOT + ":5000:50000:1");
    assertThat(ls.parentExecId()).isEmpty();
    int size = table.size();
    table.apply(Ev.fork(fork, 900, 500, 5000));
    assertThat(table.size()).isEqualTo(size + 1); // bash as a placeholder, no new image of ls
    ProcessView linked = at(5000, fork + ms(1));
    assertThat(linked.execId()).isEqualTo(ls.execId());
    assertThat(linked.parentExecId()).contains(BOOT + ":900:u500000000000:0");
    assertThat(pids(linked)).containsExactly(900L, 500L, 1L);
  }

  @Test
  void aLostExitIsNoticedWhenThePidIsForkedAgain() {
    table.scan(ms(100_000));
    long first = ms(200_000);
    long second = first + ms(10_000);
    table.apply(Ev.fork(first, 900, 500, 6000));
    table.apply(Ev.fork(second, 900, 500, 6000)); // the first one's exit was lost
    assertThat(table.counters().staleEnded()).isEqualTo(1);
    ProcessView old = at(6000, first + 1);
    ProcessView now = at(6000, second + 1);
    assertThat(old.state()).isEqualTo(State.EXITED);
    assertThat(old.execId()).isEqualTo(BOOT + ":6000:20000:0");
    assertThat(now.execId()).isEqualTo(BOOT + ":6000:21000:0");
    assertThat(now.state()).isEqualTo(State.LIVE);
  }

  @Test
  void lookupsFollowTimeAcrossPidReuse() {
    table.scan(ms(100_000));
    long t = ms(200_000);
    table.apply(Ev.fork(t, 900, 500, 7000));
    table.apply(Ev.exit(t + ms(5), 7000, 900));
    table.apply(Ev.fork(t + ms(20), 900, 500, 7000));
    assertThat(at(7000, t + ms(1)).execId()).isEqualTo(BOOT + ":7000:20000:0");
    assertThat(table.lookup(7000, t + ms(10))).isEmpty();
    assertThat(at(7000, t + ms(21)).execId()).isEqualTo(BOOT + ":7000:20002:0");
    assertThat(table.execId(7000, t + ms(21))).contains(BOOT + ":7000:20002:0");
    // a late event of the first process still finds it
    table.apply(Ev.decision(t + ms(2), 7000, 900));
    assertThat(table.size()).isEqualTo(7);
  }

  @Test
  void anExecTheScanAlreadySawIsNotAppliedTwice() {
    proc.proc(8000)
        .ppid(900)
        .start(60_000)
        .layout(0x5c00_0000_0000L)
        .exe("/usr/bin/vim")
        .cmdline("vim")
        .add();
    table.scan(ms(600_100));
    String id = at(8000, ms(600_100)).execId();
    table.apply(Ev.exec(ms(600_050), 8000, 900, "/usr/bin/vim", "vim"));
    assertThat(at(8000, ms(600_200)).execId()).isEqualTo(id).isEqualTo(BOOT + ":8000:60000:1");
    table.apply(Ev.exec(ms(600_300), 8000, 900, "/usr/bin/less", "less"));
    assertThat(at(8000, ms(600_300)).execId()).isEqualTo(BOOT + ":8000:60000:2");
  }

  @Test
  void maintainEndsLiveImagesWhoseProcessIsGone() {
    proc.proc(4000).ppid(900).start(30_000).layout(0x5900_0000_0000L).exe("/usr/bin/python3").add();
    table.scan(ms(350_000));
    long t = ms(400_000);
    table.apply(Ev.decision(t, 4000, 900));
    proc.remove(4000); // its exit record was dropped
    assertThat(table.maintain(t + ms(1_000), 100)).isZero(); // seen too recently to check
    // scan entries not seen since, and 4000, are checked: only 4000 is gone
    assertThat(table.maintain(t + ms(10_000), 100)).isEqualTo(1);
    assertThat(at(4000, t).state()).isEqualTo(State.EXITED);
    assertThat(at(900, t + ms(10_000)).state()).isEqualTo(State.LIVE);
    assertThat(table.counters().reconciled()).isEqualTo(1);
    table.maintain(t + ms(20_000), 100);
    assertThat(table.lookup(4000, t)).isEmpty();
    assertThat(table.size()).isEqualTo(5);
  }

  @Test
  void processesStartedBeforeAnEventButUnreadableStillGetAnImage() {
    // exe and cmdline unreadable (a zombie, or no permission): known start, empty binary
    proc.proc(4500).ppid(900).state('Z').start(40_000).add();
    table.apply(Ev.exit(ms(450_000), 4500, 900));
    ProcessView z = at(4500, ms(450_000));
    assertThat(z.origin()).isEqualTo(Origin.PROC);
    assertThat(z.execId()).isEqualTo(BOOT + ":4500:40000:1");
    assertThat(z.binary()).isEmpty();
    assertThat(z.argv()).isEmpty();
    assertThat(z.state()).isEqualTo(State.EXITED);
  }

  @Test
  void aSecondScanAddsOnlyWhatIsNew() {
    table.scan(ms(100_000));
    table.apply(Ev.fork(ms(200_000), 900, 500, 1000)); // its exit will be lost
    proc.proc(1000).ppid(900).start(25_000).layout(0x5d00_0000_0000L).exe("/usr/bin/top").add();
    assertThat(table.scan(ms(300_000))).isEqualTo(1);
    assertThat(at(900, ms(300_000)).origin()).isEqualTo(Origin.SCAN);
    assertThat(at(1000, ms(300_000)).execId()).isEqualTo(BOOT + ":1000:25000:1");
    assertThat(at(1000, ms(200_000)).state()).isEqualTo(State.EXITED);
    assertThat(table.counters().staleEnded()).isEqualTo(1);
  }

  @Test
  void lookupOfAnUnknownProcessIsEmpty() {
    assertThat(table.lookup(12345, ms(1))).isEqualTo(Optional.empty());
    assertThat(table.size()).isZero();
  }

  /** 900 forks 3000, which forks 3001 and exits; 3001 execs sleep: from {@code t} to t + 3 ms. */
  private void sleepUnderEndedParent(long t) {
    table.apply(Ev.fork(t, 900, 500, 3000));
    table.apply(Ev.fork(t + ms(1), 3000, 900, 3001));
    table.apply(Ev.exec(t + ms(2), 3001, 3000, "/usr/bin/sleep", "sleep", "1000"));
    table.apply(Ev.exit(t + ms(3), 3000, 900));
  }
}
