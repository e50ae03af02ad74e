package dev.ftguard.policy;

/** The text of one policy file and the name errors use for it (usually its path). */
public record PolicySource(String name, String text) {}
