package dev.ftguard.policy;

import dev.ftguard.abi.DecisionEvent.Kind;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The selectors of a rule, one record per event kind. An absent selector matches everything; all
 * present selectors must match (AND); the values inside one selector are alternatives (OR).
 */
public sealed interface Match {
  Kind kind();

  record Exec(
      Optional<PathMatcher> binary,
      Optional<PathMatcher> parentBinary,
      Optional<PathMatcher> ancestorBinary,
      Optional<RangeMatcher> uid,
      Optional<RangeMatcher> euid,
      List<String> argvContains,
      Optional<Boolean> fileless,
      Optional<Boolean> fromTempDir,
      List<String> sha256)
      implements Match {
    public Exec {
      argvContains = List.copyOf(argvContains);
      sha256 = List.copyOf(sha256);
    }

    @Override
    public Kind kind() {
      return Kind.EXEC;
    }
  }

  record Open(Optional<PathMatcher> path, Set<Access> access, Optional<PathMatcher> binary)
      implements Match {
    public Open {
      access = Set.copyOf(access);
    }

    @Override
    public Kind kind() {
      return Kind.OPEN;
    }
  }

  record Connect(List<Cidr> address, Optional<RangeMatcher> port, Optional<PathMatcher> binary)
      implements Match {
    public Connect {
      address = List.copyOf(address);
    }

    @Override
    public Kind kind() {
      return Kind.CONNECT;
    }
  }

  record ModuleLoad(Optional<PathMatcher> name, Optional<PathMatcher> binary) implements Match {
    @Override
    public Kind kind() {
      return Kind.MODULE_LOAD;
    }
  }

  record Ptrace(Optional<PathMatcher> target, Optional<PathMatcher> binary) implements Match {
    @Override
    public Kind kind() {
      return Kind.PTRACE;
    }
  }

  record Privilege(Optional<PathMatcher> binary, Set<Gain> gains) implements Match {
    public Privilege {
      gains = Set.copyOf(gains);
    }

    @Override
    public Kind kind() {
      return Kind.PRIVILEGE;
    }
  }

  /**
   * A call of a declared hook: {@code function} names the hook (declared in the same policy),
   * {@code args} selects on its fields by name (in the hook's field order).
   */
  record Call(
      HookDecl hook,
      java.util.SequencedMap<String, FieldMatcher> args,
      Optional<PathMatcher> binary)
      implements Match {
    public Call {
      args = java.util.Collections.unmodifiableSequencedMap(new java.util.LinkedHashMap<>(args));
    }

    @Override
    public Kind kind() {
      return Kind.CALL;
    }
  }
}
