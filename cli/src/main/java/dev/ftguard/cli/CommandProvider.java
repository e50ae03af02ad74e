package dev.ftguard.cli;

/**
 * A subcommand shipped in another artifact: {@code ftguard} finds the providers on its class path
 * with {@link java.util.ServiceLoader} and adds their commands. The demo (module {@code demo/})
 * comes this way, so the shipped CLI carries no VM harness.
 */
public interface CommandProvider {

  /** A picocli command (a class annotated with {@code @Command}) working in {@code context}. */
  Object command(Context context);
}
