package dev.ftguard.agent.json;

import java.time.Instant;
import tools.jackson.core.JsonGenerator;

/**
 * Wall-clock times as JSON strings, the text {@link Instant#toString()} gives (ISO-8601 in UTC,
 * fraction in groups of three digits, none when zero), written without building the string for the
 * years 1970 to 9999; other times go through {@link Instant#toString()}.
 */
final class Times {
  private Times() {}

  private static final ThreadLocal<char[]> SCRATCH = ThreadLocal.withInitial(() -> new char[32]);

  /** Writes the time of {@code wallNs} (nanoseconds since the epoch, unsigned) as a string. */
  static void write(JsonGenerator g, long wallNs) {
    long seconds = Long.divideUnsigned(wallNs, 1_000_000_000L);
    int nanos = (int) Long.remainderUnsigned(wallNs, 1_000_000_000L);
    char[] c = SCRATCH.get();
    int n = date(c, seconds / 86_400L);
    int s = (int) (seconds % 86_400L);
    c[n++] = 'T';
    n = two(c, n, s / 3600);
    c[n++] = ':';
    n = two(c, n, s / 60 % 60);
    c[n++] = ':';
    n = two(c, n, s % 60);
    if (nanos != 0) {
      c[n++] = '.';
      int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
      int v = digits == 3 ? nanos / 1_000_000 : digits == 6 ? nanos / 1000 : nanos;
      for (int i = n + digits - 1; i >= n; i--) {
        c[i] = (char) ('0' + v % 10);
        v /= 10;
      }
      n += digits;
    }
    c[n++] = 'Z';
    g.writeString(c, 0, n);
  }

  /** Writes yyyy-mm-dd of day {@code epochDay} (days since 1970-01-01) at 0; returns the length. */
  private static int date(char[] c, long epochDay) {
    // civil from days (H. Hinnant), proleptic Gregorian, as java.time
    long z = epochDay + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    int n = two(c, 0, year / 100);
    n = two(c, n, year % 100);
    c[n++] = '-';
    n = two(c, n, month);
    c[n++] = '-';
    return two(c, n, day);
  }

  private static int two(char[] c, int at, int v) {
    c[at] = (char) ('0' + v / 10);
    c[at + 1] = (char) ('0' + v % 10);
    return at + 2;
  }
}
