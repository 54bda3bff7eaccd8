package dev.rgrid.core.internal.cost;

/**
 * Checks shared by every parser in this package, run before any real parsing so that a hostile
 * value (a megabyte of text, control characters, digits from other scripts) fails fast with a
 * message that is safe to print.
 */
final class Inputs {
  private static final int SHOWN = 40;

  private Inputs() {}

  /**
   * Rejects text that is longer than {@code maxLength}, contains a control character or contains a
   * digit outside ASCII 0-9.
   *
   * @param text the raw value, not {@code null}
   * @param what what the value is, for the message ("amount", "--since")
   * @param maxLength the longest sensible value
   * @param hint what a good value looks like
   */
  static void checkPlain(String text, String what, int maxLength, String hint) {
    if (text.length() > maxLength) {
      throw new CostException(
          what + " is too long (" + text.length() + " characters, at most " + maxLength + "): "
              + quote(text),
          hint);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && c != '\t') {
        throw new CostException(
            what + " " + quote(text) + " contains a control character (" + codePoint(c) + ")",
            hint);
      }
      // Character.isDigit is true for Arabic-Indic, Devanagari, full-width… digits; accepting
      // them would make "٥٠" mean 50 in one place and fail in another: only ASCII is money.
      if (c > 127 && Character.isDigit(c)) {
        throw new CostException(
            what + " " + quote(text) + " contains the non-ASCII digit " + codePoint(c),
            "write numbers with the ASCII digits 0-9; " + hint);
      }
    }
  }

  /** The value in quotes, shortened to 40 characters, with control characters escaped. */
  static String quote(String text) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder("'");
    int end = Math.min(text.length(), SHOWN);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? "\\u" + hex4(c) : String.valueOf(c));
    }
    if (text.length() > SHOWN) {
      out.append('…');
    }
    return out.append('\'').toString();
  }

  private static String codePoint(char c) {
    return "U+" + hex4(c);
  }

  private static String hex4(char c) {
    String hex = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
    return "0000".substring(hex.length()) + hex;
  }
}
