package dev.ftguard.policy;

import dev.ftguard.policy.YNode.YMap;
import dev.ftguard.policy.YNode.YScalar;
import java.util.List;
import java.util.Locale;

/**
 * The frame of every document: {@code apiVersion}, {@code kind}, {@code metadata} and {@code spec}.
 */
final class Documents extends YamlChecks {
  static final String API_VERSION = "ftguard.dev/v1";

  record Header(String kind, String name, Location nameAt, YMap spec, Location at) {}

  Documents(List<PolicyError> errors) {
    super(errors);
  }

  /** The frame of one document; null when it is unusable (the errors are recorded). */
  Header header(YNode doc) {
    if (doc instanceof YScalar s && s.type() == YScalar.Type.NULL) {
      error(
          doc.at(),
          "empty document",
          "remove the extra '---' separator or give the document content");
      return null;
    }
    if (!(doc instanceof YMap m)) {
      error(
          doc.at(),
          "a document must be a mapping, got " + YNode.describe(doc),
          "start each document with 'apiVersion: "
              + API_VERSION
              + "' followed by kind, metadata and spec");
      return null;
    }
    keys(
        m,
        "document",
        List.of("apiVersion", "kind", "metadata", "spec"),
        List.of("apiVersion", "kind", "metadata", "spec"));
    var api = m.get("apiVersion");
    if (api != null) {
      String v = string(api.value(), "apiVersion");
      if (v != null && !v.equals(API_VERSION)) {
        error(
            api.value().at(),
            "unsupported apiVersion '" + v + "'",
            "use 'apiVersion: " + API_VERSION + "'");
      }
    }
    String kind = null;
    var k = m.get("kind");
    if (k != null) {
      kind = string(k.value(), "kind");
      if (kind != null && !kind.equals("Policy") && !kind.equals("List")) {
        error(
            k.value().at(),
            "unknown kind '" + kind + "'",
            suggest(kind, List.of("Policy", "List")));
        kind = null;
      }
    }
    String name = null;
    Location nameAt = m.at();
    var md = m.get("metadata");
    if (md != null) {
      YMap meta = map(md.value(), "metadata", "write 'metadata: {name: my-policy}'");
      if (meta != null) {
        keys(meta, "metadata", List.of("name", "description"), List.of("name"));
        var n = meta.get("name");
        if (n != null) {
          nameAt = n.value().at();
          name =
              name(
                  n.value(),
                  kind == null ? "metadata.name" : kind.toLowerCase(Locale.ROOT) + " name");
        }
        description(meta);
      }
    }
    YMap spec = null;
    var sp = m.get("spec");
    if (sp != null) {
      spec =
          map(
              sp.value(),
              "spec",
              kind == null || kind.equals("Policy")
                  ? "write 'spec:' followed by 'rules:'"
                  : "write 'spec: {items: [...]}'");
    }
    if (kind == null || spec == null) {
      return null;
    }
    return new Header(kind, name, nameAt, spec, m.at());
  }
}
