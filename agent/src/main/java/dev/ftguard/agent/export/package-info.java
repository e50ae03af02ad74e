/**
 * The output side of the daemon: JSON lines to stdout and to size-rotated, gzip-compressed files,
 * with export filters and a rate limit in front of them.
 *
 * <p>The pipeline turns each event into an {@link dev.ftguard.agent.export.ExportRecord} (its JSON
 * object and the few values the filters look at) and hands it to an {@link
 * dev.ftguard.agent.export.Exporter}, which applies the {@link
 * dev.ftguard.agent.export.ExportFilter}, the {@link dev.ftguard.agent.export.RateLimiter}, and
 * writes the line to every {@link dev.ftguard.agent.export.Sink}. The line format is
 * docs/events.md; its JSON Schema is docs/schema/ftguard-events.schema.json; the settings are
 * described in docs/export.md.
 */
package dev.ftguard.agent.export;
