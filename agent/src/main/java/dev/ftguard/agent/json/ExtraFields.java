package dev.ftguard.agent.json;

import tools.jackson.core.JsonGenerator;

/** Fields a stage adds after an event's own in its line (e.g. the enrichment's). */
public interface ExtraFields {
  /** Writes the fields (names and values) inside the event's object. */
  void writeFields(JsonGenerator g);
}
