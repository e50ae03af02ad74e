package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import java.util.List;
import java.util.Locale;

/**
 * The frame of every document: {@code apiVersion}, {@code kind}, {@code metadata} and {@code spec}.
 */
final class Documents {
  static final String API_VERSION = "ftguard.dev/v1";

  record Header(String kind, String name, Location nameAt, YMap spec, Location at) {}

  private final YamlChecks yaml;

  Documents(YamlChecks yaml) {
    this.yaml = yaml;
  }

  /** The frame of one document; null when it is unusable (the errors are recorded). */
  Header header(YNode doc) {
    if (doc instanceof YScalar s && s.type() == YScalar.Type.NULL) {
      yaml.error(
          doc.at(),
          "empty document",
          "remove the extra '---' separator or give the document content");
      return null;
    }
    if (!(doc instanceof YMap m)) {
      yaml.error(
          doc.at(),
          "a document must be a mapping, got " + YNode.describe(doc),
          "start each document with 'apiVersion: "
              + API_VERSION
              + "' followed by kind, metadata and spec");
      return null;
    }
    yaml.keys(
        m,
        "document",
        List.of("apiVersion", "kind", "metadata", "spec"),
        List.of("apiVersion", "kind", "metadata", "spec"));
    checkApiVersion(m.get("apiVersion"));
    String kind = kind(m.get("kind"));
    var md = m.get("metadata");
    Name name = md == null ? new Name(null, m.at()) : metadataName(md.value(), kind, m.at());
    var sp = m.get("spec");
    YMap spec =
        sp == null
            ? null
            : yaml.map(
                sp.value(),
                "spec",
                kind == null || kind.equals("Policy")
                    ? "write 'spec:' followed by 'rules:'"
                    : "write 'spec: {items: [...]}'");
    if (kind == null || spec == null) {
      return null;
    }
    return new Header(kind, name.name(), name.at(), spec, m.at());
  }

  private void checkApiVersion(YMap.Entry api) {
    if (api != null) {
      String v = yaml.string(api.value(), "apiVersion");
      if (v != null && !v.equals(API_VERSION)) {
        yaml.error(
            api.value().at(),
            "unsupported apiVersion '" + v + "'",
            "use 'apiVersion: " + API_VERSION + "'");
      }
    }
  }

  /** The document's {@code kind:}, Policy or List; null when absent or another. */
  private String kind(YMap.Entry k) {
    if (k == null) {
      return null;
    }
    String kind = yaml.string(k.value(), "kind");
    if (kind != null && !kind.equals("Policy") && !kind.equals("List")) {
      yaml.error(
          k.value().at(),
          "unknown kind '" + kind + "'",
          Suggestions.suggest(kind, List.of("Policy", "List")));
      return null;
    }
    return kind;
  }

  /** A document's name (null: absent or wrong) and where it is (the document without one). */
  private record Name(String name, Location at) {}

  /** The {@code metadata:} of a document of {@code kind} (null: unknown) at {@code docAt}. */
  private Name metadataName(YNode md, String kind, Location docAt) {
    YMap meta = yaml.map(md, "metadata", "write 'metadata: {name: my-policy}'");
    if (meta == null) {
      return new Name(null, docAt);
    }
    yaml.keys(meta, "metadata", List.of("name", "description"), List.of("name"));
    Name name = new Name(null, docAt);
    var n = meta.get("name");
    if (n != null) {
      name =
          new Name(
              yaml.name(
                  n.value(),
                  kind == null ? "metadata.name" : kind.toLowerCase(Locale.ROOT) + " name"),
              n.value().at());
    }
    yaml.description(meta);
    return name;
  }
}
