package dev.ftguard.check;

import java.util.Optional;

/**
 * What reading one fact gave. Every variant but {@link Found} carries a phrase that says what was
 * looked for and why it is not known, written to be quoted in a check's detail.
 */
public sealed interface Reading<T> {
  /** The value, read from {@code source} (a path, or the option that gave it). */
  record Found<T>(T value, String source) implements Reading<T> {}

  /** Not there: {@code what} says what does not exist (e.g. "/proc/config.gz does not exist"). */
  record Missing<T>(String what) implements Reading<T> {}

  /** There, but this user may not read it: {@code what} names the file; root can. */
  record Denied<T>(String what) implements Reading<T> {}

  /** There, but unusable: an I/O error or content that does not parse. */
  record Broken<T>(String what, String reason) implements Reading<T> {}

  /** Not read because it would describe another kernel than the one checked. */
  record Skipped<T>(String why) implements Reading<T> {}

  static <T> Reading<T> found(T value, String source) {
    return new Found<>(value, source);
  }

  default Optional<T> known() {
    return this instanceof Found<T> f ? Optional.of(f.value()) : Optional.empty();
  }

  /** Why the value is not known, as a phrase ({@code Found}: where it came from). */
  default String explain() {
    return switch (this) {
      case Found<T> x -> "read from " + x.source();
      case Missing<T> x -> x.what();
      case Denied<T> x -> "reading " + x.what() + " needs root";
      case Broken<T> x -> "cannot use " + x.what() + ": " + x.reason();
      case Skipped<T> x -> x.why();
    };
  }
}
