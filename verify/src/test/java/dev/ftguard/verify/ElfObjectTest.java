package dev.ftguard.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ElfObjectTest {

  /** An ELF64 LE header and three section headers: NULL, an empty NOTE, a NOTE of 24 bytes. */
  private static byte[] object(byte elfClass) {
    byte[] b = new byte[64 + 3 * 64];
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(0, new byte[] {0x7f, 'E', 'L', 'F', elfClass, 1, 1});
    buf.putLong(0x28, 64); // e_shoff
    buf.putShort(0x3a, (short) 64); // e_shentsize
    buf.putShort(0x3c, (short) 3); // e_shnum
    buf.putInt(64 + 64 + 4, 7); // section 1: SHT_NOTE, size 0
    buf.putInt(64 + 128 + 4, 7); // section 2: SHT_NOTE
    buf.putLong(64 + 128 + 0x20, 24); // size 24
    return b;
  }

  private static int type(byte[] b, int section) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(64 + section * 64 + 4);
  }

  @Test
  void anEmptyNoteSectionIsReadAsProgbitsAndOtherNotesStay() {
    byte[] b = object((byte) 2);
    ElfObject.emptyNotesAsProgbits(b);
    assertThat(type(b, 0)).isZero();
    assertThat(type(b, 1)).as("empty NOTE").isEqualTo(1);
    assertThat(type(b, 2)).as("NOTE with content").isEqualTo(7);
  }

  @Test
  void filesThatAreNot64BitOrWhoseHeadersLieOutsideAreLeftAlone() {
    byte[] b = object((byte) 1);
    ElfObject.emptyNotesAsProgbits(b);
    assertThat(type(b, 1)).isEqualTo(7);
    byte[] c = object((byte) 2);
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(0x3c, (short) 40);
    ElfObject.emptyNotesAsProgbits(c);
    assertThat(type(c, 1)).isEqualTo(7);
    ElfObject.emptyNotesAsProgbits(new byte[10]);
  }
}
