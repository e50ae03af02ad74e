package dev.ftguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code ftguard key create}: makes DKMS's signing key pair where DKMS looks for it. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Create the key pair DKMS signs modules with (openssl, RSA 2048, a self-signed DER"
          + " certificate), where DKMS looks for it; then print how to enroll it.",
      "Never replaces a key that is there (other DKMS modules are signed with it)."
    })
public final class KeyCreateCommand implements Callable<Integer> {
  @ParentCommand KeyCommand key;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = key.parent.context.out();
    SigningKey sk = key.signingKey();
    SigningKey.Paths p = sk.paths();
    sk.create(p);
    out.println("created " + p.key() + " (private, root only) and " + p.certificate());
    out.println("certificate: " + sk.describe(sk.onRoot(p.certificate())));
    out.println(
        "DKMS signs the modules it builds from now on; rebuild ftguard's with: apt-get install"
            + " --reinstall ftguard");
    out.println("to load signed modules under Secure Boot, enroll the certificate:");
    SigningKey.enrollSteps(p.certificate()).forEach(s -> out.println("  " + s));
    return 0;
  }
}
