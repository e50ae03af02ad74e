package dev.ftguard.agent.process;

import java.util.List;

/**
 * One ancestor of a process: a process image that (directly or further up) created it.
 *
 * @param binary the image's binary (as described in {@link ProcessView#binary()})
 * @param pid its process id
 * @param argv its arguments
 * @param execId its exec id
 */
public record Ancestor(String binary, long pid, List<String> argv, String execId) {}
