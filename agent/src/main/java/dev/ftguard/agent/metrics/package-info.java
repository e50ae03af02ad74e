/**
 * The daemon's Prometheus metrics: events, drops (kernel and export), policy decisions, hook
 * errors, the ring buffer, the process table, and the daemon's own CPU and memory, served over HTTP
 * in the text exposition format. Every metric is listed in docs/metrics.md.
 */
package dev.ftguard.agent.metrics;
