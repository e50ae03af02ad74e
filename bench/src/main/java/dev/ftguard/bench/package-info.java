/** JMH benchmarks of the Java side: run by {@code ./dev bench}, figures in docs/performance.md. */
package dev.ftguard.bench;
