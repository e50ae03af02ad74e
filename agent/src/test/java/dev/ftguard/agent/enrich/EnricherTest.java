package dev.ftguard.agent.enrich;

import static dev.ftguard.agent.process.Ev.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent;
import dev.ftguard.abi.Event;
import dev.ftguard.abi.ExecEvent;
import dev.ftguard.abi.ExitEvent;
import dev.ftguard.abi.ForkEvent;
import dev.ftguard.abi.Header;
import dev.ftguard.agent.json.EventJson;
import dev.ftguard.agent.process.FakeProc;
import dev.ftguard.agent.process.ProcFs;
import dev.ftguard.agent.process.ProcessTable;
import dev.ftguard.agent.process.ProcessView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class EnricherTest {
  static final String ID = "3f4b5d1a9c7e2b8d6f0a1c3e5b7d9f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d";
  static final String CGROUP = "/system.slice/docker-" + ID + ".scope";

  @TempDir Path tmp;
  FakeProc proc;
  ProcessTable table;
  ManualExecutor hashing = new ManualExecutor();
  Enricher enricher;
  Path binary;
  String binarySha;
  long cgroupId;

  @BeforeEach
  void setUp() throws Exception {
    binary =
        Files.write(
            Files.createDirectories(tmp.resolve("fs")).resolve("app"),
            "#!/bin/sh\necho app\n".getBytes());
    binarySha =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(binary)));
    Path cgroupRoot = Files.createDirectories(tmp.resolve("cgroup"));
    Files.writeString(cgroupRoot.resolve("cgroup.controllers"), "cpu memory pids\n");
    Path dir = Files.createDirectories(cgroupRoot.resolve(CGROUP.substring(1)));
    cgroupId = (Long) Files.readAttributes(dir, "unix:ino").get("ino");
    proc = new FakeProc(tmp.resolve("proc")).typicalHost();
    proc.proc(4242)
        .ppid(900)
        .start(30_000)
        .layout(0x6000_0000_0000L)
        .exe(binary.toString())
        .cmdline("app", "--serve")
        .cwd("/srv/app")
        .cgroupFile("0::" + CGROUP + "\n")
        .add();
    table = new ProcessTable(ProcessTable.Config.defaults(), proc.procfs(), FakeProc.clock());
    table.scan(ms(350_000));
    Map<Long, String> users = Map.of(0L, "root", 1000L, "alice");
    NameCache names =
        new NameCache(
            NameCache.Config.defaults(),
            id -> Optional.ofNullable(users.get(id)),
            id -> Optional.of("g" + id),
            Runnable::run,
            System::nanoTime);
    enricher =
        new Enricher(
            Enricher.Config.defaults().withCgroupRoot(Optional.of(cgroupRoot)),
            table,
            new BinaryHasher(BinaryHasher.Config.defaults(), hashing),
            names);
  }

  @AfterEach
  void tearDown() {
    proc.close();
  }

  Header hdr(long mono, long tgid, long ppid, long cgroup) {
    return new Header(0, 0, 0, 0, 1, mono, mono, cgroup, tgid, tgid, ppid, 1000, 1000, 0, "app");
  }

  DecisionEvent decision(long mono, long tgid, long cgroup) {
    return new DecisionEvent(
        hdr(mono, tgid, 900, cgroup),
        1,
        0,
        DecisionEvent.Kind.CONNECT,
        DecisionEvent.Action.AUDIT,
        DecisionEvent.Mode.ENFORCE,
        0,
        0,
        0,
        "p",
        "r",
        Abi.AF_INET,
        Optional.of(java.net.InetAddress.ofLiteral("10.0.0.1")),
        80,
        0,
        0,
        0,
        0,
        "/fs/app",
        "",
        List.of(),
        0,
        "");
  }

  Enrichment process(Event e) {
    table.apply(e);
    return enricher.enrich(e);
  }

  @Test
  void anEventOfARunningProcessGetsEverything() throws Exception {
    Enrichment x = process(decision(ms(400_000), 4242, cgroupId));
    ProcessView p = x.process().orElseThrow();
    assertThat(p.execId()).isEqualTo("9f0c2e7a51d84b3c:4242:30000:1");
    assertThat(p.binary()).isEqualTo(binary.toString());
    assertThat(x.cwd()).contains("/srv/app");
    assertThat(x.cgroup()).contains(CgroupInfo.of(CGROUP));
    assertThat(x.cgroup().orElseThrow().container().orElseThrow().id()).isEqualTo(ID);
    assertThat(x.user()).contains("alice");
    assertThat(x.group()).contains("g1000");
    assertThat(x.euser()).contains("root");
    assertThat(x.childExecId()).isEmpty();
    // hashing runs elsewhere: this event says so instead of waiting
    assertThat(x.binaryHash()).isEqualTo(BinaryHash.PENDING);
    hashing.runAll();
    Enrichment later = process(decision(ms(400_001), 4242, cgroupId));
    assertThat(later.binaryHash()).isEqualTo(new BinaryHash.Hashed(binarySha, Files.size(binary)));
  }

  @Test
  void forksNameTheChildAndReuseTheCwd() throws Exception {
    process(decision(ms(400_000), 4242, cgroupId));
    ForkEvent fork = new ForkEvent(hdr(ms(400_100), 4242, 900, cgroupId), 0, 4300);
    Enrichment x = process(fork);
    assertThat(x.childExecId()).contains("9f0c2e7a51d84b3c:4300:40010:0");
    assertThat(x.childExecId()).isEqualTo(table.execId(4300, ms(400_100)));
    assertThat(x.process().orElseThrow().tgid()).isEqualTo(4242);
    // the process changes directory: forks within a second keep the value read before
    Path cwd = proc.root().resolve("4242/cwd");
    Files.delete(cwd);
    Files.createSymbolicLink(cwd, Path.of("/tmp"));
    assertThat(process(new ForkEvent(hdr(ms(400_200), 4242, 900, cgroupId), 0, 4301)).cwd())
        .contains("/srv/app");
    assertThat(process(decision(ms(400_300), 4242, cgroupId)).cwd()).contains("/tmp");
    // threads are no processes: no child exec id
    ForkEvent thread =
        new ForkEvent(hdr(ms(400_400), 4242, 900, cgroupId), ForkEvent.CLONE_THREAD, 4302);
    assertThat(process(thread).childExecId()).isEmpty();
  }

  @Test
  void anImagesJsonPartsAreRenderedFromItsThirdEventAndNeverServeAnotherImage() {
    List<Enrichment> seen = new java.util.ArrayList<>();
    for (int i = 0; i < Enricher.RENDER_AT_USE + 1; i++) {
      seen.add(process(decision(ms(400_000 + i), 4242, cgroupId)));
    }
    for (int i = 0; i < seen.size(); i++) {
      ProcessJson j = seen.get(i).processJson();
      assertThat(j != null && j.hasHead()).isEqualTo(i + 1 >= Enricher.RENDER_AT_USE);
    }
    ProcessJson kept = seen.getLast().processJson();
    assertThat(seen.get(Enricher.RENDER_AT_USE - 1).processJson()).isSameAs(kept);
    // written from the kept parts or field by field: the same line
    Event e = decision(ms(400_010), 4242, cgroupId);
    Enrichment x = process(e);
    assertThat(EnrichmentJson.line(e, x)).isEqualTo(EnrichmentJson.line(e, fieldByField(x)));
    // a new image of the same process (exec): its own parts, the old ones never reused
    for (int i = 0; i < Enricher.RENDER_AT_USE; i++) {
      Event n =
          i == 0
              ? new ExecEvent(
                  hdr(ms(400_500), 4242, 900, cgroupId),
                  0,
                  0,
                  2,
                  "/fs/app",
                  List.of("app", "-x"),
                  0,
                  0)
              : decision(ms(400_500 + i), 4242, cgroupId);
      Enrichment y = process(n);
      assertThat(y.process().orElseThrow().argv()).containsExactly("app", "-x");
      assertThat(y.processJson()).isNotSameAs(kept);
      assertThat(EnrichmentJson.line(n, y)).contains("\"argv\":[\"app\",\"-x\"]");
    }
  }

  static Enrichment fieldByField(Enrichment x) {
    return new Enrichment(
        x.process(),
        x.childExecId(),
        x.cwd(),
        x.cgroup(),
        x.user(),
        x.group(),
        x.euser(),
        x.binaryHash());
  }

  /** Process 4243, another child of 900, running the same binary in the same cgroup as 4242. */
  void addSibling() {
    proc.proc(4243)
        .ppid(900)
        .start(30_001)
        .layout(0x6100_0000_0000L)
        .exe(binary.toString())
        .cgroupFile("0::" + CGROUP + "\n")
        .add();
  }

  @Test
  void childrenOfOneParentShareTheirAncestorsRenderedOnce() {
    process(decision(ms(400_000), 900, cgroupId)); // the parent's state exists
    addSibling();
    Event a = decision(ms(400_001), 4242, cgroupId);
    Event b = decision(ms(400_002), 4243, cgroupId);
    Enrichment xa = process(a);
    Enrichment xb = process(b);
    assertThat(xa.processJson()).isNotNull().isSameAs(xb.processJson());
    assertThat(xa.processJson().hasHead()).isFalse();
    assertThat(xa.process().orElseThrow().ancestors()).isNotEmpty();
    assertThat(EnrichmentJson.line(a, xa)).isEqualTo(EnrichmentJson.line(a, fieldByField(xa)));
    assertThat(EnrichmentJson.line(b, xb)).isEqualTo(EnrichmentJson.line(b, fieldByField(xb)));
    // the third event of an image renders its own parts
    process(decision(ms(400_003), 4242, cgroupId));
    Enrichment third = process(decision(ms(400_004), 4242, cgroupId));
    assertThat(third.processJson().hasHead()).isTrue();
    assertThat(third.processJson()).isNotSameAs(xa.processJson());
  }

  @Test
  void processesInTheSameDirectoryShareItsStringEachGetsItsOwnDirectory() throws Exception {
    for (int pid = 4400; pid < 4403; pid++) {
      proc.proc(pid)
          .ppid(900)
          .start(31_000 + pid)
          .layout(0x6200_0000_0000L + pid * 0x1000_0000L)
          .exe(binary.toString())
          .cwd(pid == 4401 ? "/home/alice" : "/srv/app")
          .cgroupFile("0::" + CGROUP + "\n")
          .add();
    }
    String a = process(decision(ms(400_000), 4400, cgroupId)).cwd().orElseThrow();
    String b = process(decision(ms(400_001), 4401, cgroupId)).cwd().orElseThrow();
    String c = process(decision(ms(400_002), 4402, cgroupId)).cwd().orElseThrow();
    assertThat(a).isEqualTo("/srv/app").isSameAs(c);
    assertThat(b).isEqualTo("/home/alice");
    // a process that changes directory is read again (decision), its neighbour keeps its own
    Path cwd = proc.root().resolve("4402/cwd");
    Files.delete(cwd);
    Files.createSymbolicLink(cwd, Path.of("/home/alice"));
    assertThat(process(decision(ms(400_003), 4402, cgroupId)).cwd()).contains("/home/alice");
    assertThat(process(new ForkEvent(hdr(ms(400_004), 4400, 900, cgroupId), 0, 4500)).cwd())
        .contains("/srv/app");
  }

  @Test
  void aFinalHashIsKeptWithTheImage() throws Exception {
    assertThat(process(decision(ms(400_000), 4242, cgroupId)).binaryHash())
        .isEqualTo(BinaryHash.PENDING);
    hashing.runAll();
    BinaryHash done = process(decision(ms(400_001), 4242, cgroupId)).binaryHash();
    assertThat(done).isEqualTo(new BinaryHash.Hashed(binarySha, Files.size(binary)));
    Files.delete(proc.root().resolve("4242/exe")); // nothing is read again for this image
    assertThat(process(decision(ms(400_002), 4242, cgroupId)).binaryHash()).isSameAs(done);
  }

  @Test
  void anExecReadsTheNewImage() {
    process(decision(ms(400_000), 4242, cgroupId));
    hashing.runAll();
    ExecEvent exec =
        new ExecEvent(
            hdr(ms(400_500), 4242, 900, cgroupId), 0, 0, 1, "/fs/app", List.of("app"), 0, 0);
    Enrichment x = process(exec);
    assertThat(x.process().orElseThrow().execId()).isEqualTo("9f0c2e7a51d84b3c:4242:30000:2");
    assertThat(x.process().orElseThrow().origin()).isEqualTo(ProcessView.Origin.EXEC);
    // same file behind /proc/4242/exe: known already
    assertThat(x.binaryHash()).isInstanceOf(BinaryHash.Hashed.class);
    assertThat(x.cwd()).contains("/srv/app");
  }

  ExecEvent recordedExec(long mono, long tgid, ExecEvent.ExecFile file, String cwd) {
    return new ExecEvent(
        hdr(mono, tgid, 900, cgroupId),
        0,
        0,
        1,
        "/fs/app",
        List.of("app"),
        0,
        0,
        Optional.of(file),
        Optional.of(cwd));
  }

  static ExecEvent.ExecFile execFile(Path p, long inoDelta) throws Exception {
    var st = dev.ftguard.nativeio.PathCalls.stat(p.toString());
    return new ExecEvent.ExecFile(
        dev.ftguard.nativeio.PathCalls.major(st.dev()),
        dev.ftguard.nativeio.PathCalls.minor(st.dev()),
        st.ino() + inoDelta,
        st.ctimeNs() / 1_000_000_000L,
        (int) (st.ctimeNs() % 1_000_000_000L),
        st.size());
  }

  @Test
  void anExecRecordGivesTheCwdAndTheBinarysKeyWithoutProc() throws Exception {
    Files.delete(proc.root().resolve("4242/cwd")); // read, it would give no cwd
    Enrichment x = process(recordedExec(ms(400_000), 4242, execFile(binary, 0), "/home/alice"));
    assertThat(x.cwd()).contains("/home/alice");
    assertThat(x.binaryHash()).isEqualTo(BinaryHash.PENDING);
    hashing.runAll();
    assertThat(process(decision(ms(400_001), 4242, cgroupId)).binaryHash())
        .isEqualTo(new BinaryHash.Hashed(binarySha, Files.size(binary)));
    // a fork soon after reuses the record's cwd; a decision reads /proc (gone here)
    ForkEvent fork = new ForkEvent(hdr(ms(400_002), 4242, 900, cgroupId), 0x3d0f00L, 4250);
    assertThat(process(fork).cwd()).contains("/home/alice");
  }

  @Test
  void theHashIsOfTheFileTheRecordNamesNotOfWhatProcLeadsToNow() throws Exception {
    // the record's key is another file's: /proc/4242/exe was replaced since the exec
    process(recordedExec(ms(400_000), 4242, execFile(binary, 1), "/"));
    hashing.runAll();
    assertThat(process(decision(ms(400_001), 4242, cgroupId)).binaryHash())
        .isEqualTo(new BinaryHash.Unavailable("replaced before it was read"));
  }

  @Test
  void aShortLivedProcessGetsAKnownHashFromItsExecRecord() throws Exception {
    process(recordedExec(ms(400_000), 4242, execFile(binary, 0), "/"));
    hashing.runAll();
    // 7777 has no /proc entry (gone already): its record's key finds the hash known
    Enrichment x = process(recordedExec(ms(400_100), 7777, execFile(binary, 0), "/tmp"));
    assertThat(x.binaryHash()).isEqualTo(new BinaryHash.Hashed(binarySha, Files.size(binary)));
    assertThat(x.cwd()).contains("/tmp");
    assertThat(hashing.queued()).isZero();
  }

  @Test
  void nothingIsReadFromAProcessThatHasExited() {
    ExitEvent exit = new ExitEvent(hdr(ms(400_000), 4242, 900, cgroupId), 0, Abi.EXIT_GROUP_DEAD);
    Enrichment x = process(exit);
    assertThat(x.process().orElseThrow().state()).isEqualTo(ProcessView.State.EXITED);
    assertThat(x.cwd()).isEmpty();
    assertThat(x.binaryHash())
        .isEqualTo(new BinaryHash.Unavailable("exited before its binary was read"));
    assertThat(x.cgroup()).isEmpty();
    assertThat(hashing.queued()).isZero();
    // a process still running in that cgroup fills it in, once the retry delay has passed
    addSibling();
    assertThat(process(decision(ms(400_500), 4243, cgroupId)).cgroup()).isEmpty();
    assertThat(process(decision(ms(401_001), 4243, cgroupId)).cgroup())
        .contains(CgroupInfo.of(CGROUP));
  }

  @Test
  void aProcessGoneFromProcIsToleratedEverywhere() {
    ExecEvent exec =
        new ExecEvent(
            hdr(ms(400_000), 7777, 900, cgroupId), 0, 0, 1, "/usr/bin/gone", List.of("gone"), 0, 0);
    Enrichment x = process(exec);
    assertThat(x.process().orElseThrow().origin()).isEqualTo(ProcessView.Origin.EXEC);
    assertThat(x.process().orElseThrow().binary()).isEqualTo("/usr/bin/gone");
    assertThat(x.cwd()).isEmpty();
    assertThat(x.cgroup()).isEmpty();
    assertThat(x.binaryHash()).isEqualTo(new BinaryHash.Unavailable("gone"));
    assertThat(x.user()).contains("alice");
  }

  @Test
  void aCgroupIdThatIsNotThePathReadIsNotLabelled() {
    // the process moved to another cgroup between the event and the read
    Enrichment x = process(decision(ms(400_000), 4242, cgroupId + 1000));
    assertThat(x.cgroup()).isEmpty();
    assertThat(x.cwd()).contains("/srv/app");
  }

  @Test
  void withoutACgroupHierarchyToCheckAgainstThePathIsTakenAsRead() {
    Enricher unchecked =
        new Enricher(
            Enricher.Config.defaults().withCgroupRoot(Optional.of(tmp.resolve("nowhere"))),
            table,
            new BinaryHasher(BinaryHasher.Config.defaults(), hashing),
            NameCache.create(NameCache.Config.defaults()));
    DecisionEvent d = decision(ms(400_000), 4242, 12345);
    table.apply(d);
    assertThat(unchecked.enrich(d).cgroup()).contains(CgroupInfo.of(CGROUP));
    unchecked.close();
  }

  @Test
  void theJsonLineCarriesTheEnrichment() {
    DecisionEvent d = decision(ms(400_000), 4242, cgroupId);
    Enrichment x = process(d);
    JsonNode o = EventJson.MAPPER.readTree(EnrichmentJson.line(d, x));
    assertThat(o.get("type").asString()).isEqualTo("decision");
    JsonNode p = o.get("process");
    assertThat(p.get("exec_id").asString()).isEqualTo(x.process().orElseThrow().execId());
    assertThat(p.get("parent_exec_id").asString()).isEqualTo("9f0c2e7a51d84b3c:900:5000:1");
    assertThat(p.get("binary").asString()).isEqualTo(binary.toString());
    assertThat(p.get("argv").toString()).isEqualTo("[\"app\",\"--serve\"]");
    assertThat(p.get("origin").asString()).isEqualTo("scan");
    assertThat(p.get("state").asString()).isEqualTo("live");
    assertThat(p.get("start_ticks").asLong()).isEqualTo(30_000);
    assertThat(p.get("binary_hash").toString()).isEqualTo("{\"state\":\"pending\"}");
    assertThat(p.get("ancestors").size()).isEqualTo(3);
    assertThat(p.get("ancestors").get(0).toString())
        .isEqualTo(
            "{\"exec_id\":\"9f0c2e7a51d84b3c:900:5000:1\",\"pid\":900,\"binary\":\"/usr/bin/bash\",\"argv\":[\"-bash\"]}");
    assertThat(o.get("cwd").asString()).isEqualTo("/srv/app");
    assertThat(o.get("cgroup").asString()).isEqualTo(CGROUP);
    assertThat(o.get("container").toString())
        .isEqualTo("{\"runtime\":\"docker\",\"id\":\"" + ID + "\"}");
    assertThat(o.get("user").asString()).isEqualTo("alice");
    assertThat(o.get("group").asString()).isEqualTo("g1000");
    assertThat(o.get("euser").asString()).isEqualTo("root");
    assertThat(o.has("child_exec_id")).isFalse();
    hashing.runAll();
    Enrichment hashed = process(decision(ms(400_001), 4242, cgroupId));
    JsonNode h =
        EventJson.MAPPER.readTree(EnrichmentJson.line(d, hashed)).get("process").get("binary_hash");
    assertThat(h.get("state").asString()).isEqualTo("hashed");
    assertThat(h.get("sha256").asString()).isEqualTo(binarySha);
  }

  @Test
  void onTheRealHostTheDaemonsOwnProcessIsEnriched() throws Exception {
    ProcessTable host = ProcessTable.host();
    long pid = ProcessHandle.current().pid();
    Path root = Path.of("/sys/fs/cgroup");
    Path v2 =
        Files.isRegularFile(root.resolve("cgroup.controllers")) ? root : root.resolve("unified");
    String path = ProcFs.host().cgroup(pid).orElseThrow();
    long id = (Long) Files.readAttributes(v2.resolve(path.substring(1)), "unix:ino").get("ino");
    long now = System.nanoTime();
    DecisionEvent d =
        new DecisionEvent(
            new Header(
                0,
                0,
                0,
                0,
                1,
                now,
                now,
                id,
                pid,
                pid,
                ProcessHandle.current().parent().orElseThrow().pid(),
                0,
                0,
                0,
                "java"),
            1,
            0,
            DecisionEvent.Kind.OPEN,
            DecisionEvent.Action.AUDIT,
            DecisionEvent.Mode.ENFORCE,
            0,
            0,
            Abi.ACCESS_READ,
            "p",
            "r",
            0,
            Optional.empty(),
            0,
            0,
            0,
            0,
            0,
            "",
            "",
            List.of(),
            0,
            "");
    try (Enricher e = Enricher.create(host)) {
      host.apply(d);
      Enrichment x = e.enrich(d);
      ProcessView p = x.process().orElseThrow();
      assertThat(p.origin()).isEqualTo(ProcessView.Origin.PROC);
      Path java = Path.of(ProcFs.host().exe(pid).orElseThrow());
      assertThat(p.binary()).isEqualTo(java.toString());
      assertThat(p.ancestors()).isNotEmpty();
      assertThat(x.cwd()).contains(Path.of("").toAbsolutePath().toString());
      assertThat(x.cgroup().orElseThrow().path()).isEqualTo(path);
      assertThat(x.user()).isEqualTo(dev.ftguard.nativeio.Users.userName(0));
      BinaryHash h = x.binaryHash();
      for (int i = 0; i < 30_000 && h instanceof BinaryHash.Pending; i++) {
        Thread.sleep(1); // a bound against hanging, not a speed requirement
        h = e.enrich(d).binaryHash();
      }
      String sha =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(java)));
      assertThat(h).isEqualTo(new BinaryHash.Hashed(sha, Files.size(java)));
    }
  }
}
