/**
 * The event pipeline as a library: what the daemon does between the device and the outputs, for
 * programs that embed ftguard as well as for the CLI.
 */
package dev.ftguard.agent;
