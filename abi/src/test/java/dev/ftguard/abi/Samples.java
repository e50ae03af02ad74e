package dev.ftguard.abi;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/** Sample events for tests of the modules that consume them (this module's test jar). */
public final class Samples {
  private Samples() {}

  public static Header hdr(long seq, long pid) {
    return new Header(
        0,
        0,
        0,
        3,
        seq,
        1_000_000_000L * seq,
        1_764_157_740_000_000_000L + seq,
        7,
        pid,
        pid,
        1,
        1000,
        1000,
        0,
        "bash");
  }

  public static ExecEvent exec(long seq) {
    return new ExecEvent(hdr(seq, 4242), 0, 0, 2, "/usr/bin/id", List.of("id", "-u"), 0, 0);
  }

  /** A successful exec whose record says what ran and where, as the kernel writes it. */
  public static ExecEvent execInPlace(long seq) {
    return new ExecEvent(
        hdr(seq, 4242),
        0,
        0,
        2,
        "/usr/bin/id",
        List.of("id", "-u"),
        0,
        0,
        Optional.of(new ExecEvent.ExecFile(259, 1, 1_048_602, 1_764_157_000L, 123_456_789, 48_152)),
        Optional.of("/home/alice"));
  }

  public static ExecEvent failedExecveat(long seq) {
    return new ExecEvent(
        hdr(seq, 4242),
        -2,
        Abi.EXEC_EXECVEAT | Abi.EXEC_ARGV_TRUNC,
        100,
        "missing",
        List.of("missing"),
        -100,
        0x100);
  }

  public static ForkEvent thread(long seq) {
    return new ForkEvent(hdr(seq, 4242), 0x3d0f00L, 4250);
  }

  public static ExitEvent killed(long seq) {
    return new ExitEvent(hdr(seq, 4250), 9, 0);
  }

  public static ExitEvent exited(long seq) {
    return new ExitEvent(hdr(seq, 4242), 3 << 8, Abi.EXIT_GROUP_DEAD);
  }

  public static DecisionEvent execDenied(long seq) {
    return new DecisionEvent(
        hdr(seq, 4242),
        7,
        3,
        DecisionEvent.Kind.EXEC,
        DecisionEvent.Action.DENY,
        DecisionEvent.Mode.ENFORCE,
        Abi.DEC_ARGV_TRUNC,
        -1,
        0,
        "no-tmp-exec",
        "exec-from-tmp",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        5,
        "/usr/bin/bash",
        "/tmp/x",
        List.of("/tmp/x", "-v"),
        0,
        "");
  }

  public static DecisionEvent openWouldDeny(long seq) {
    return new DecisionEvent(
        hdr(seq, 4242),
        7,
        5,
        DecisionEvent.Kind.OPEN,
        DecisionEvent.Action.DENY,
        DecisionEvent.Mode.MONITOR,
        Abi.DEC_WOULD,
        0,
        Abi.ACCESS_WRITE | Abi.ACCESS_TRUNCATE,
        "observe",
        "shadow-write",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        2,
        "/usr/bin/vi",
        "/etc/shadow",
        List.of("vi", "/etc/shadow"),
        0,
        "");
  }

  /** An open denied by a rule on /etc/shadow, through a hard link to it. */
  public static DecisionEvent openDeniedByIdentity(long seq) {
    return new DecisionEvent(
        hdr(seq, 4242),
        7,
        5,
        DecisionEvent.Kind.OPEN,
        DecisionEvent.Action.DENY,
        DecisionEvent.Mode.ENFORCE,
        Abi.DEC_BY_IDENTITY,
        -1,
        Abi.ACCESS_READ,
        "protect",
        "shadow-read",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        2,
        "/usr/bin/cat",
        "/var/tmp/link",
        List.of("cat", "/var/tmp/link"),
        0,
        "");
  }

  public static DecisionEvent connectAudit(long seq, String address, int family) {
    return new DecisionEvent(
        hdr(seq, 4242),
        7,
        1,
        DecisionEvent.Kind.CONNECT,
        DecisionEvent.Action.AUDIT,
        DecisionEvent.Mode.ENFORCE,
        0,
        0,
        0,
        "egress",
        "metadata",
        family,
        Optional.of(InetAddress.ofLiteral(address)),
        443,
        0,
        0,
        0,
        0,
        "/usr/bin/curl",
        "",
        List.of(),
        0,
        "");
  }

  public static DecisionEvent ptraceKilled(long seq) {
    return new DecisionEvent(
        hdr(seq, 4242),
        7,
        2,
        DecisionEvent.Kind.PTRACE,
        DecisionEvent.Action.DENY_KILL,
        DecisionEvent.Mode.ENFORCE,
        0,
        -13,
        0,
        "baseline",
        "no-ptrace",
        0,
        Optional.empty(),
        0,
        777,
        0,
        0,
        0,
        "/usr/bin/gdb",
        "/usr/sbin/sshd",
        List.of(),
        0,
        "");
  }

  public static DecisionEvent privilegeKill(long seq) {
    return new DecisionEvent(
        hdr(seq, 4242),
        7,
        4,
        DecisionEvent.Kind.PRIVILEGE,
        DecisionEvent.Action.KILL,
        DecisionEvent.Mode.ENFORCE,
        Abi.DEC_BINARY_TRUNC,
        0,
        Abi.GAIN_UID0,
        "baseline",
        "no-root",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        1,
        "/home/u/x",
        "",
        List.of("x"),
        0,
        "");
  }

  public static DecisionEvent moduleAudit(long seq) {
    return new DecisionEvent(
        hdr(seq, 4242),
        7,
        6,
        DecisionEvent.Kind.MODULE_LOAD,
        DecisionEvent.Action.AUDIT,
        DecisionEvent.Mode.MONITOR,
        Abi.DEC_ARGV_FAULT,
        0,
        0,
        "modules",
        "any-module",
        0,
        Optional.empty(),
        0,
        0,
        0,
        0,
        2,
        "/usr/sbin/insmod",
        "nf_tables",
        List.of("insmod", "nf_tables"),
        0,
        "");
  }

  /** An audited call of a declared hook: dfd, a path and a mode, as do_mkdirat might give. */
  public static CallEvent callAudit(long seq) {
    return new CallEvent(
        hdr(seq, 4242),
        9,
        3,
        0,
        DecisionEvent.Action.AUDIT,
        DecisionEvent.Mode.ENFORCE,
        0,
        0,
        "watch-dirs",
        "mkdir-in-etc",
        "__x64_sys_mkdirat",
        List.of(
            new CallEvent.IntField(-100, Abi.FIELDF_SIGNED),
            new CallEvent.StrField("/etc/cron.d/x", 0),
            new CallEvent.IntField(0755, 0)));
  }

  /** A denied call, with a sockaddr argument (family, address, port) and an unreadable string. */
  public static CallEvent callDenied(long seq) {
    byte[] addr = new byte[16];
    addr[0] = 10;
    addr[3] = 7;
    return new CallEvent(
        hdr(seq, 4242),
        9,
        4,
        1,
        DecisionEvent.Action.DENY,
        DecisionEvent.Mode.ENFORCE,
        0,
        -13,
        "net",
        "no-bind-low",
        "__x64_sys_bind",
        List.of(
            new CallEvent.IntField(Abi.AF_INET, 0),
            new CallEvent.AddrField(addr, 0),
            new CallEvent.IntField(80, 0),
            new CallEvent.StrField("", Abi.FIELDF_FAULT)));
  }

  /** An unload of the locked module, refused by the kernel (the lock holds a reference). */
  public static TamperEvent unloadRefused(long seq) {
    return new TamperEvent(hdr(seq, 4300), TamperEvent.What.UNLOAD, -11, 4, true, "ftguard");
  }

  /** A write of 0 to kernel.ftrace_enabled, refused because the hooks are permanent. */
  public static TamperEvent ftraceOff(long seq) {
    return new TamperEvent(
        hdr(seq, 4301), TamperEvent.What.FTRACE_OFF, -16, 0, false, "kernel.ftrace_enabled");
  }
}
