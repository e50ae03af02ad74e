package dev.ftguard.policy.table;

import dev.ftguard.abi.Abi;

/**
 * Where each section of a table starts and how many elements it has: the header, then policies,
 * rules, values, string bytes, hooks and arguments, each at a multiple of 8; the size is the end of
 * the arguments rounded up to 8.
 */
record TableLayout(
    int policies,
    int rules,
    long values,
    long stringBytes,
    int hooks,
    int args,
    long policiesAt,
    long rulesAt,
    long valuesAt,
    long stringsAt,
    long hooksAt,
    long argsAt,
    long size) {

  /**
   * The layout of sections of these counts.
   *
   * @throws TableTooLargeException the table would be larger than {@code FTG_TABLE_MAX}
   */
  static TableLayout of(int policies, int rules, long values, long stringBytes, int hooks, int args)
      throws TableTooLargeException {
    long policiesAt = Abi.Table.SIZE;
    long rulesAt = align(policiesAt + policies * Abi.Pol.SIZE);
    long valuesAt = align(rulesAt + (long) rules * Abi.Rul.SIZE);
    long stringsAt = align(valuesAt + values * Abi.Val.SIZE);
    long hooksAt = align(stringsAt + stringBytes);
    long argsAt = align(hooksAt + hooks * Abi.HookDecl.SIZE);
    long size = align(argsAt + args * Abi.ArgDecl.SIZE);
    if (size > Abi.TABLE_MAX) {
      throw new TableTooLargeException(
          "FTG_TABLE_MAX",
          "bytes",
          size,
          Abi.TABLE_MAX,
          "the table",
          "it holds "
              + policies
              + " policies, "
              + rules
              + " rules, "
              + values
              + " values and "
              + stringBytes
              + " string bytes: use fewer values (prefix or glob"
              + " instead of long exact lists)");
    }
    return new TableLayout(
        policies,
        rules,
        values,
        stringBytes,
        hooks,
        args,
        policiesAt,
        rulesAt,
        valuesAt,
        stringsAt,
        hooksAt,
        argsAt,
        size);
  }

  static long align(long n) {
    return (n + Abi.Table.SECTION_ALIGN - 1) & -(long) Abi.Table.SECTION_ALIGN;
  }
}
