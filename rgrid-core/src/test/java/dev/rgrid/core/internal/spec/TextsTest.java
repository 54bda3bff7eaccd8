package dev.rgrid.core.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextsTest {
  @Test
  void printableReplacesControlAndBidiCharactersAndCutsLongText() {
    assertThat(Texts.printable("evil\u202Etxt.exe\n")).isEqualTo("evil?txt.exe?");
    assertThat(Texts.printable("x".repeat(100))).isEqualTo("x".repeat(64) + "…");
    assertThat(Texts.printable("🚀".repeat(70))).isEqualTo("🚀".repeat(64) + "…");
  }

  @Test
  void visibleUnicodeIsSafeWhileEveryBidiControlIsNot() {
    assertThat(Texts.firstUnsafe("été 数据 🚀 עברית عربي")).isEqualTo(-1);
    for (int cp : new int[] {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
        0x2069, 0x200E, 0x200F, 0x061C}) {
      assertThat(Texts.firstUnsafe("a" + Character.toString(cp) + "b")).as("U+%04X", cp)
          .isEqualTo(cp);
    }
  }
}
