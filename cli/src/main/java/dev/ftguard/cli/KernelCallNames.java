package dev.ftguard.cli;

import dev.ftguard.agent.api.FtguardAgent;
import dev.ftguard.agent.json.CallFieldNames;
import dev.ftguard.nativeio.ControlDevice;
import dev.ftguard.nativeio.ErrnoException;
import dev.ftguard.nativeio.KernelTable;
import dev.ftguard.policy.Policy;
import dev.ftguard.policy.table.TableFormatException;
import dev.ftguard.policy.table.TableReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Field names of call events from the rule table in the kernel: what {@code ftguard events} uses,
 * which has no policy files. A function it does not know makes it read the table again (at most
 * once per {@link #REFRESH}); a table it cannot read leaves the fields positional.
 */
final class KernelCallNames implements CallFieldNames {
  static final Duration REFRESH = Duration.ofSeconds(1);

  private final ControlDevice device;
  private final Clock clock;
  private Map<String, List<String>> names = Map.of();
  private long generation = -1;
  private Instant lastRead = Instant.MIN;

  KernelCallNames(ControlDevice device, Clock clock) {
    this.device = device;
    this.clock = clock;
  }

  @Override
  public synchronized Optional<List<String>> names(String function) {
    List<String> n = names.get(function);
    if (n == null && !clock.instant().isBefore(lastRead.plus(REFRESH))) {
      lastRead = clock.instant();
      try {
        Optional<KernelTable> t = device.getTable();
        if (t.isPresent() && t.get().generation() != generation) {
          names = of(TableReader.read(t.get().bytes()).toPolicies());
          generation = t.get().generation();
        }
      } catch (ErrnoException | TableFormatException e) {
        // positional names; the events themselves are unaffected
      }
      n = names.get(function);
    }
    return Optional.ofNullable(n);
  }

  /** The field names of every hook the policies declare, by function. */
  static Map<String, List<String>> of(List<Policy> policies) {
    return FtguardAgent.fieldNames(
        new dev.ftguard.policy.PolicySet(policies, new java.util.LinkedHashMap<>()));
  }
}
