/**
 * JMH benchmarks of the Java side: run by {@code ./dev bench}, figures in docs/performance.md.
 *
 * <p>{@code ./mvnw -pl bench -am package -DskipTests} builds {@code bench/target/benchmarks.jar}
 * (JMH's runner and every benchmark): {@code java -jar bench/target/benchmarks.jar
 * PipelineBenchmark} for events per second through decode, process table, enrichment and JSON
 * ({@link dev.ftguard.bench.PipelineBenchmark}); {@code java -cp bench/target/benchmarks.jar
 * dev.ftguard.bench.TableMemory} for the process table's heap per live process.
 */
package dev.ftguard.bench;
