package dev.rgrid.core.internal.spec;

import dev.rgrid.core.InvalidRunSpecException;
import java.util.Locale;

/**
 * Rules for the names people read back in listings and errors (script names, label keys and
 * values, runtime names): no control characters and no characters that reorder what is shown
 * (bidirectional overrides, isolates and marks), which would let a name display as another.
 */
public final class Texts {
  private static final int SHOWN = 64;

  private Texts() {}

  /**
   * Whether {@code cp} changes the direction text is shown in: the embeddings and overrides
   * U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C.
   */
  static boolean isBidiControl(int cp) {
    return cp >= 0x202A && cp <= 0x202E || cp >= 0x2066 && cp <= 0x2069
        || cp == 0x200E || cp == 0x200F || cp == 0x061C;
  }

  /** C0 and C1 controls and DEL, and the line and paragraph separators (they break lines too). */
  static boolean isControl(int cp) {
    return Character.getType(cp) == Character.CONTROL || cp == 0x2028 || cp == 0x2029;
  }

  /**
   * The first code point of {@code s} that is a control, a bidirectional control or half of a
   * surrogate pair (malformed UTF-16, which no encoding shows), or -1 when there is none.
   */
  static int firstUnsafe(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (isControl(cp) || isBidiControl(cp) || Character.isSurrogate((char) cp)
          && Character.charCount(cp) == 1) {
        return cp;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  /**
   * Checks that {@code value} is 1 to {@code maxLength} characters, not all blank, without unsafe
   * ones (see {@link #firstUnsafe}).
   *
   * @param what the field, as the error names it ({@code script name})
   * @param hint what to do when it is refused
   * @throws InvalidRunSpecException naming the field, the limit and the offending character
   */
  static void checkName(String what, String value, int maxLength, String hint) {
    if (value == null || value.isBlank()) {
      throw new InvalidRunSpecException(what + " is empty", hint);
    }
    if (value.length() > maxLength) {
      throw new InvalidRunSpecException(what + " '" + printable(value) + "' is "
          + value.length() + " characters long, more than the maximum of " + maxLength, hint);
    }
    checkShowable(what, value, hint);
  }

  /** Checks that {@code value} holds no unsafe character (see {@link #firstUnsafe}). */
  static void checkShowable(String what, String value, String hint) {
    int bad = firstUnsafe(value);
    if (bad >= 0) {
      throw new InvalidRunSpecException(what + " '" + printable(value) + "' contains "
          + describe(bad) + ", which could make it show as something else", hint);
    }
  }

  /** {@code U+202E (a bidirectional control)}, {@code U+000A (a control character)}. */
  static String describe(int cp) {
    String code = String.format(Locale.ROOT, "U+%04X", cp);
    return code + (isBidiControl(cp) ? " (a bidirectional control)"
        : isControl(cp) ? " (a control character)" : " (half of a surrogate pair)");
  }

  /**
   * {@code s} as an error message may show it: at most 64 characters (then an ellipsis), unsafe
   * characters replaced by {@code ?}.
   */
  public static String printable(String s) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), SHOWN) + 1);
    int shown = 0;
    for (int i = 0; i < s.length(); shown++) {
      if (shown == SHOWN) {
        return out.append('…').toString();
      }
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      boolean unsafe = isControl(cp) || isBidiControl(cp) || n == 1 && Character.isSurrogate(
          (char) cp);
      if (unsafe) {
        out.append('?');
      } else {
        out.appendCodePoint(cp);
      }
      i += n;
    }
    return out.toString();
  }
}
