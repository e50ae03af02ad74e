package dev.ftguard.abi;

/**
 * A well-framed record whose type this version does not know (written by a newer module); it was
 * skipped.
 */
public record UnknownRecord(long offset, int type, int size, long seq) implements Decoded {}
