package dev.ftguard.agent.enrich;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import tools.jackson.core.SerializableString;

/**
 * JSON text already rendered, kept as its UTF-8 bytes only, for {@code JsonGenerator.writeRaw} and
 * {@code writeRawValue} (which copy {@link #asUnquotedUTF8}). The quoted forms are not for raw JSON
 * and are refused.
 */
final class RawJson implements SerializableString {
  private final byte[] utf8;

  RawJson(byte[] buf, int from, int to) {
    this.utf8 = Arrays.copyOfRange(buf, from, to);
  }

  @Override
  public String getValue() {
    return new String(utf8, StandardCharsets.UTF_8);
  }

  @Override
  public int charLength() {
    return getValue().length();
  }

  @Override
  public byte[] asUnquotedUTF8() {
    return utf8;
  }

  @Override
  public int appendUnquotedUTF8(byte[] buffer, int offset) {
    if (offset + utf8.length > buffer.length) {
      return -1;
    }
    System.arraycopy(utf8, 0, buffer, offset, utf8.length);
    return utf8.length;
  }

  @Override
  public int appendUnquoted(char[] buffer, int offset) {
    String s = getValue();
    if (offset + s.length() > buffer.length) {
      return -1;
    }
    s.getChars(0, s.length(), buffer, offset);
    return s.length();
  }

  @Override
  public int writeUnquotedUTF8(OutputStream out) throws IOException {
    out.write(utf8);
    return utf8.length;
  }

  @Override
  public int putUnquotedUTF8(ByteBuffer buffer) {
    if (buffer.remaining() < utf8.length) {
      return -1;
    }
    buffer.put(utf8);
    return utf8.length;
  }

  @Override
  public char[] asQuotedChars() {
    throw quoted();
  }

  @Override
  public byte[] asQuotedUTF8() {
    throw quoted();
  }

  @Override
  public int appendQuotedUTF8(byte[] buffer, int offset) {
    throw quoted();
  }

  @Override
  public int appendQuoted(char[] buffer, int offset) {
    throw quoted();
  }

  @Override
  public int writeQuotedUTF8(OutputStream out) {
    throw quoted();
  }

  @Override
  public int putQuotedUTF8(ByteBuffer buffer) {
    throw quoted();
  }

  private static UnsupportedOperationException quoted() {
    return new UnsupportedOperationException("raw JSON is never written as a quoted string");
  }
}
