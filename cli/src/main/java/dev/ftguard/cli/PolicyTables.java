package dev.ftguard.cli;

import dev.ftguard.policy.Policy;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.table.CompiledTable;
import dev.ftguard.policy.table.TableCompiler;
import dev.ftguard.policy.table.TableFormatException;
import dev.ftguard.policy.table.TableReader;
import dev.ftguard.policy.table.TableTooLargeException;
import java.util.List;

/** The policy model to and from the kernel's rule table format (ftguard-policy's table package). */
final class PolicyTables {
  private PolicyTables() {}

  /**
   * Compiles a valid set.
   *
   * @throws PolicyFailure the table would exceed a kernel limit (exit 9); nothing is applied
   */
  static byte[] compile(PolicySet set) throws PolicyFailure {
    try {
      return TableCompiler.compile(set);
    } catch (TableTooLargeException e) {
      throw new PolicyFailure(
          new UserException(
              ExitCode.INVALID_POLICY,
              "the policies are valid but too large for the kernel: "
                  + e.getMessage()
                  + "; nothing was applied"));
    }
  }

  /**
   * Reads back a table the kernel holds.
   *
   * @return its policies in evaluation order, with their rules in table order
   * @throws TableFormatException the table is not in a format this ftguard reads
   */
  static List<Policy> read(byte[] table) throws TableFormatException {
    CompiledTable t = TableReader.read(table);
    return t.toPolicies();
  }
}
