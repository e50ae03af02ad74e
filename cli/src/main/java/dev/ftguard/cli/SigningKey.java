package dev.ftguard.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The key DKMS signs modules with: where it is (DKMS's configuration), creating it, and whether the
 * firmware trusts it (mokutil).
 *
 * <p>Debian's DKMS 3 signs every module it builds with {@code mok_signing_key} and {@code
 * mok_certificate} of {@code /etc/dkms/framework.conf} (and {@code framework.conf.d/*.conf}),
 * {@code /var/lib/dkms/mok.key} and {@code mok.pub} (DER) by default. The same key signs every DKMS
 * module of the machine, so ftguard creates it where DKMS looks and never deletes it.
 *
 * @param root the file system the paths are in ({@code /}, or an image being built)
 * @param env the environment (PATH, to find openssl and mokutil)
 * @param commands runs openssl and mokutil
 */
public record SigningKey(Path root, Map<String, String> env, Commands commands) {
  /** DKMS's defaults. */
  public static final String DEFAULT_KEY = "/var/lib/dkms/mok.key";

  public static final String DEFAULT_CERTIFICATE = "/var/lib/dkms/mok.pub";

  /** The subject of a key ftguard creates. */
  public static final String SUBJECT = "/CN=ftguard DKMS module signing key";

  /** Runs a command; returns its exit status and its output (stdout and stderr). */
  @FunctionalInterface
  public interface Commands {
    Result run(List<String> argv) throws IOException;

    /** The real one: runs the program, 60 seconds at most. */
    static Commands system() {
      return argv -> {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
          out = new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8);
        }
        try {
          if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(argv.getFirst() + " did not finish in 60 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out);
      };
    }
  }

  public record Result(int exit, String output) {}

  /** Whether the firmware trusts the certificate. */
  public enum Enrollment {
    ENROLLED,
    NOT_ENROLLED,
    /** No mokutil, no EFI (BIOS boot), or mokutil could not tell. */
    UNKNOWN
  }

  /** The two paths, as DKMS reads them (absolute paths on the target system). */
  public record Paths(String key, String certificate) {}

  private static final Pattern SETTING =
      Pattern.compile("^\\s*(mok_signing_key|mok_certificate)\\s*=\\s*(\\S.*?)\\s*$");

  /** The key and certificate DKMS uses: its configuration's, else its defaults. */
  public Paths paths() throws IOException {
    String key = DEFAULT_KEY;
    String cert = DEFAULT_CERTIFICATE;
    List<Path> confs = new ArrayList<>();
    confs.add(onRoot("/etc/dkms/framework.conf"));
    Path dir = onRoot("/etc/dkms/framework.conf.d");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().forEach(confs::add);
      }
    }
    for (Path conf : confs) {
      if (!Files.isRegularFile(conf)) {
        continue;
      }
      for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
        Matcher m = SETTING.matcher(line);
        if (m.matches()) {
          String value = unquote(m.group(2));
          if (m.group(1).equals("mok_signing_key")) {
            key = value;
          } else {
            cert = value;
          }
        }
      }
    }
    return new Paths(key, cert);
  }

  private static String unquote(String v) {
    if (v.length() >= 2
        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** A path of the target system, on this one. */
  public Path onRoot(String absolute) {
    return root.resolve(absolute.replaceFirst("^/+", ""));
  }

  /** The openssl command that creates the pair (DKMS's own command, ftguard's subject). */
  public static List<String> createCommand(Path key, Path certificate) {
    return List.of(
        "openssl",
        "req",
        "-new",
        "-x509",
        "-nodes",
        "-days",
        "36500",
        "-subj",
        SUBJECT,
        "-newkey",
        "rsa:2048",
        "-keyout",
        key.toString(),
        "-outform",
        "DER",
        "-out",
        certificate.toString());
  }

  /** mokutil's test of the certificate (as the target system names it). */
  public static List<String> testCommand(String certificate) {
    return List.of("mokutil", "--test-key", certificate);
  }

  /** What the administrator types to enroll the certificate. */
  public static String importCommand(String certificate) {
    return "mokutil --import " + certificate;
  }

  /**
   * Creates the pair with openssl: the key readable by root only.
   *
   * @throws UserException when either file exists or openssl fails
   */
  public void create(Paths p) throws IOException {
    Path key = onRoot(p.key());
    Path cert = onRoot(p.certificate());
    if (Files.exists(key) || Files.exists(cert)) {
      throw new UserException(
          ExitCode.FAILURE,
          "a signing key is already there ("
              + (Files.exists(key) ? key : cert)
              + "): DKMS signs with it; 'ftguard key status' tells whether it is enrolled (remove"
              + " both files first to make a new one, then enroll the new one)");
    }
    if (find("openssl").isEmpty()) {
      throw new UserException(
          ExitCode.FAILURE, "openssl not found on PATH: apt-get install openssl");
    }
    Files.createDirectories(key.getParent());
    Files.createDirectories(cert.getParent());
    Result r = commands.run(createCommand(key, cert));
    if (r.exit() != 0 || !Files.isRegularFile(key) || !Files.isRegularFile(cert)) {
      Files.deleteIfExists(key);
      Files.deleteIfExists(cert);
      throw new UserException(
          ExitCode.FAILURE,
          "openssl could not create the key (exit status "
              + r.exit()
              + "): "
              + r.output().strip().lines().reduce((a, b) -> b).orElse(""));
    }
    try {
      Files.setPosixFilePermissions(
          key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: openssl's umask applies
    }
  }

  /** The certificate's subject, expiry and SHA-256 fingerprint, or why it cannot be read. */
  public String describe(Path certificate) {
    try {
      byte[] der = Files.readAllBytes(certificate);
      X509Certificate c =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      String sha =
          HexFormat.ofDelimiter(":")
              .withUpperCase()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
      return c.getSubjectX500Principal().getName()
          + ", valid until "
          + c.getNotAfter().toInstant()
          + ", SHA-256 "
          + sha;
    } catch (IOException | CertificateException | NoSuchAlgorithmException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  /**
   * Whether the firmware trusts the certificate: {@code mokutil --test-key} on a machine booted
   * with EFI; {@link Enrollment#UNKNOWN} elsewhere.
   */
  public Enrollment enrollment(String certificate) {
    if (find("mokutil").isEmpty() || !Files.isDirectory(onRoot("/sys/firmware/efi"))) {
      return Enrollment.UNKNOWN;
    }
    try {
      String out = commands.run(testCommand(onRoot(certificate).toString())).output();
      if (out.contains("already enrolled")) {
        return Enrollment.ENROLLED;
      }
      if (out.contains("not enrolled")) {
        return Enrollment.NOT_ENROLLED;
      }
      return Enrollment.UNKNOWN;
    } catch (IOException e) {
      return Enrollment.UNKNOWN;
    }
  }

  /** A program on PATH ({@code /usr/sbin:/usr/bin:/sbin:/bin} when PATH is unset). */
  public Optional<Path> find(String program) {
    String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String d : path.split(":")) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The steps that enroll the certificate (MOK: machine owner key). */
  public static List<String> enrollSteps(String certificate) {
    return List.of(
        "1. " + importCommand(certificate) + "   (as root; choose a one-time password)",
        "2. reboot; the blue MOK manager screen appears before the system starts",
        "3. choose 'Enroll MOK', 'Continue', 'Yes', type the password, then 'Reboot'",
        "4. ftguard key status   (says 'enrolled'; DKMS-signed modules now load under Secure Boot)");
  }
}
