package dev.ftguard.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one payload in a guest from the command line, e.g. to try a module by hand:
 *
 * <pre>
 * java -cp ... dev.ftguard.vm.Main [--timeout=SECONDS] [--memory=MIB] [--repo] [--share=HOST:GUEST[:rw]]
 *      [--out=DIR] [--repeat=N] 'payload script'
 * </pre>
 *
 * Prints payload output live, then the outcome; exits with the payload's status, 124 on timeout,
 * 125 on a crash. {@code --repeat=N} boots N times and prints the median boot-to-marker time.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    GuestSpec.Builder b = GuestSpec.builder().echoOutput();
    int repeat = 1;
    String payload = null;
    for (String a : args) {
      if (a.startsWith("--timeout=")) {
        b.timeout(Duration.ofSeconds(Long.parseLong(value(a))));
      } else if (a.startsWith("--memory=")) {
        b.memoryMib(Integer.parseInt(value(a)));
      } else if (a.equals("--repo")) {
        b.shareRepository();
      } else if (a.startsWith("--share=")) {
        String[] p = value(a).split(":");
        if (p.length < 2) {
          usage("--share needs HOST:GUEST[:rw]");
        }
        b.share(new Share(Path.of(p[0]), p[1], p.length > 2 && p[2].equals("rw")));
      } else if (a.startsWith("--out=")) {
        b.outDir(Path.of(value(a)));
      } else if (a.startsWith("--repeat=")) {
        repeat = Integer.parseInt(value(a));
      } else if (a.startsWith("--")) {
        usage("unknown option " + a);
      } else if (payload == null) {
        payload = a;
      } else {
        usage("give the payload as one argument (quote it)");
      }
    }
    if (payload == null) {
      usage("no payload given");
    }
    GuestSpec spec = b.payload(payload).build();
    GuestResult last = null;
    List<Long> marker = new ArrayList<>();
    for (int i = 0; i < repeat; i++) {
      last = Vm.run(spec);
      last.timings().toMarker().ifPresent(d -> marker.add(d.toMillis()));
    }
    System.err.println(last.summary());
    if (repeat > 1) {
      List<Long> sorted = marker.stream().sorted().toList();
      System.err.println(
          "QEMU start -> exit marker, ms: "
              + marker
              + (sorted.isEmpty() ? "" : "; median " + sorted.get(sorted.size() / 2)));
    }
    System.exit(
        switch (last.outcome()) {
          case GuestResult.Outcome.Exited(int status) -> status;
          case GuestResult.Outcome.TimedOut t -> 124;
          case GuestResult.Outcome.Crashed c -> 125;
        });
  }

  private static String value(String option) {
    return option.substring(option.indexOf('=') + 1);
  }

  private static void usage(String problem) {
    System.err.println(
        "ftguard-vm: "
            + problem
            + "\nusage: Main [--timeout=SECONDS] [--memory=MIB] [--repo] "
            + "[--share=HOST:GUEST[:rw]] [--out=DIR] [--repeat=N] 'payload script'");
    System.exit(2);
  }
}
