package dev.ftguard.agent.api;

import dev.ftguard.abi.DecisionEvent.Mode;
import dev.ftguard.policy.LoadResult;
import dev.ftguard.policy.PolicyError;
import dev.ftguard.policy.PolicyLoader;
import dev.ftguard.policy.PolicySet;
import dev.ftguard.policy.PolicySource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A policy declared in Java. {@link #build} turns policies into the same {@link PolicySet} the YAML
 * loader gives for the same text — they are written as that text and loaded by {@link
 * PolicyLoader}, so a declaration is valid in Java exactly when it is valid in a file, with the
 * same errors.
 */
public final class PolicySpec {
  private final String name;
  private Mode mode = Mode.ENFORCE;
  private int priority;
  private final List<HookSpec> hooks = new ArrayList<>();
  private final List<RuleSpec> rules = new ArrayList<>();

  private PolicySpec(String name) {
    this.name = name;
  }

  public static PolicySpec named(String name) {
    return new PolicySpec(name);
  }

  public PolicySpec mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  public PolicySpec priority(int priority) {
    this.priority = priority;
    return this;
  }

  public PolicySpec hook(HookSpec hook) {
    hooks.add(hook);
    return this;
  }

  public PolicySpec rule(RuleSpec rule) {
    rules.add(rule);
    return this;
  }

  /** The policy document (JSON is YAML) the declaration stands for. */
  String text() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("mode", mode.yamlName());
    spec.put("priority", priority);
    if (!hooks.isEmpty()) {
      spec.put("hooks", hooks.stream().map(HookSpec::document).toList());
    }
    spec.put("rules", RuleSpec.documents(rules));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", "ftguard.dev/v1");
    doc.put("kind", "Policy");
    doc.put("metadata", Map.of("name", name));
    doc.put("spec", spec);
    return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
  }

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** Declarations that do not make a valid policy set: every error, located in {@link #source}. */
  public static final class InvalidPolicyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<PolicyError> errors;
    private final String source;

    InvalidPolicyException(List<PolicyError> errors, String source) {
      super(
          errors.size()
              + " error"
              + (errors.size() == 1 ? "" : "s")
              + " in the declared policies: "
              + String.join("; ", errors.stream().map(PolicyError::toString).toList()));
      this.errors = List.copyOf(errors);
      this.source = source;
    }

    public List<PolicyError> errors() {
      return errors;
    }

    /** The policy text the declarations were written as (the errors' line numbers refer to it). */
    public String source() {
      return source;
    }
  }

  /**
   * The policy set of these declarations.
   *
   * @throws InvalidPolicyException with every error, as {@code ftguard policy validate} reports it
   */
  public static PolicySet build(PolicySpec... policies) {
    List<PolicySource> sources = new ArrayList<>();
    StringBuilder all = new StringBuilder();
    for (PolicySpec p : policies) {
      String text = p.text();
      sources.add(new PolicySource("<java:" + p.name + ">", text));
      all.append(text).append('\n');
    }
    return switch (PolicyLoader.load(sources)) {
      case LoadResult.Loaded(var set) -> set;
      case LoadResult.Invalid(var errors) ->
          throw new InvalidPolicyException(errors, all.toString());
    };
  }
}
