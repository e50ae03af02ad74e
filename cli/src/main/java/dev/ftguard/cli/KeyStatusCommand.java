package dev.ftguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard key status}: is there a signing key, is it enrolled, how to enroll it. */
@Command(
    name = "status",
    aliases = "show",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Say where DKMS's signing key is, whether it exists, whether the firmware trusts it"
          + " (mokutil --test-key, on an EFI machine with mokutil) and the steps that enroll it.",
      "Exit status 0 whatever the state."
    })
public final class KeyStatusCommand implements Callable<Integer> {
  @ParentCommand KeyCommand key;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = key.parent.context.out();
    SigningKey sk = key.signingKey();
    SigningKey.Paths p = sk.paths();
    boolean hasKey = Files.isRegularFile(sk.onRoot(p.key()));
    boolean hasCert = Files.isRegularFile(sk.onRoot(p.certificate()));
    out.println("key:         " + p.key() + (hasKey ? "" : " (missing)"));
    out.println(
        "certificate: "
            + p.certificate()
            + (hasCert ? ": " + sk.describe(sk.onRoot(p.certificate())) : " (missing)"));
    if (!hasKey || !hasCert) {
      out.println(
          "no signing key: modules are not signed (DKMS makes one at its next build, or run"
              + " 'ftguard key create'); then enroll it:");
      SigningKey.enrollSteps(p.certificate()).forEach(s -> out.println("  " + s));
      return 0;
    }
    SigningKey.Enrollment e = sk.enrollment(p.certificate());
    switch (e) {
      case ENROLLED ->
          out.println("enrolled:    yes: the firmware trusts modules DKMS signs with this key");
      case NOT_ENROLLED -> {
        out.println(
            "enrolled:    no: under Secure Boot the kernel refuses the module (modprobe: Key was"
                + " rejected by service); enroll it:");
        SigningKey.enrollSteps(p.certificate()).forEach(s -> out.println("  " + s));
      }
      case UNKNOWN -> {
        out.println(
            "enrolled:    unknown (no mokutil, or not booted with EFI); without Secure Boot the"
                + " kernel loads the module signed or not. Under Secure Boot, enroll it:");
        SigningKey.enrollSteps(p.certificate()).forEach(s -> out.println("  " + s));
      }
    }
    return 0;
  }
}
