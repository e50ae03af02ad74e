package dev.ftguard.policy;

/** A position in a policy file: 1-based line and column. */
public record Location(String file, int line, int column) implements Comparable<Location> {
  @Override
  public int compareTo(Location o) {
    int c = file.compareTo(o.file);
    if (c == 0) {
      c = Integer.compare(line, o.line);
    }
    return c != 0 ? c : Integer.compare(column, o.column);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
