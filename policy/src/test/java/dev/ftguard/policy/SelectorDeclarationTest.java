package dev.ftguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ftguard.abi.Abi;
import dev.ftguard.abi.DecisionEvent.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The policy language's selector sets ({@link Selector#of(Kind)}) state exactly what the kernel
 * accepts for each kind: the slots, rule flags and mask bits of {@code FTG_KIND_SLOTS}, {@code
 * FTG_KIND_FLAGS} and {@code FTG_KIND_MASK} in the uapi header (through the generated mirror). A
 * selector added on one side only fails here.
 */
class SelectorDeclarationTest {

  @ParameterizedTest
  @EnumSource(Kind.class)
  void slotsAreTheHeaders(Kind kind) {
    int fromHeader = Abi.kindSlots(kind.value());
    int declared = 0;
    for (Selector s : Selector.of(kind)) {
      declared |= s.slot() == Selector.NO_SLOT ? 0 : Abi.slot(s.slot());
    }
    assertThat(Integer.toBinaryString(declared))
        .as("slots of %s", kind)
        .isEqualTo(Integer.toBinaryString(fromHeader));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void flagsAreTheHeaders(Kind kind) {
    assertThat(Integer.toHexString(Selector.flagBits(kind)))
        .as("flags of %s", kind)
        .isEqualTo(Integer.toHexString(kind.allowedFlags()));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void masksAreTheHeaders(Kind kind) {
    assertThat(Integer.toHexString(Selector.maskBits(kind)))
        .as("mask of %s", kind)
        .isEqualTo(Integer.toHexString(kind.allowedMask()));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theKeySlotIsASelectorOfTheKind(Kind kind) {
    if (kind.keySlot() >= 0 && kind.keySlot() < Abi.SELS) {
      assertThat(Selector.of(kind)).extracting(Selector::slot).contains(kind.keySlot());
    }
  }

  @org.junit.jupiter.api.Test
  void maskBitNamesAreTheOnesDecisionEventsPrint() {
    for (Access a : Access.values()) {
      assertThat(
              dev.ftguard.abi.DecisionEvent.ACCESS_NAMES.get(
                  Integer.numberOfTrailingZeros(a.bit())))
          .isEqualTo(a.yamlName());
    }
    assertThat(dev.ftguard.abi.DecisionEvent.ACCESS_NAMES).hasSize(Access.values().length);
    for (Gain g : Gain.values()) {
      assertThat(
              dev.ftguard.abi.DecisionEvent.GAIN_NAMES.get(Integer.numberOfTrailingZeros(g.bit())))
          .isEqualTo(g.yamlName());
    }
    assertThat(dev.ftguard.abi.DecisionEvent.GAIN_NAMES).hasSize(Gain.values().length);
  }
}
