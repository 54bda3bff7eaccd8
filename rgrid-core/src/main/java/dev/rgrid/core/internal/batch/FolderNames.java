package dev.rgrid.core.internal.batch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Turns arbitrary text into one safe folder name, and compares names the way the most forgiving
 * file systems (macOS, Windows) do. Kept apart from {@link OutputFolders} so the character rules
 * live in one place.
 */
final class FolderNames {
  /** Longest name, in UTF-8 bytes: well under every common file system's 255. */
  static final int MAX_BYTES = 100;

  /** Longest extension kept readable when a name is shortened. */
  private static final int MAX_EXTENSION_BYTES = 16;

  /** Device names Windows reserves with or without an extension ({@code CON.csv} too). */
  private static final Set<String> RESERVED = Set.of("CON", "PRN", "AUX", "NUL", "CONIN$",
      "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
      "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7",
      "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³");

  private FolderNames() {}

  /**
   * A folder name made from {@code raw}: NFC-normalised; separators, control and format
   * characters and the characters Windows forbids ({@code <>:"|?*}) replaced by {@code _};
   * leading dots and dashes replaced by {@code _} (no hidden folders, nothing that reads as an
   * option); trailing dots and spaces dropped (Windows drops them itself); Windows device names
   * prefixed with {@code _}; at most {@link #MAX_BYTES} bytes, shortened in the middle with a
   * hash of the whole so that two long names stay distinct and the extension stays readable.
   */
  static String sanitize(String raw) {
    String text = Normalizer.normalize(raw, Normalizer.Form.NFC);
    StringBuilder b = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> b.appendCodePoint(unsafe(cp) ? '_' : cp));
    int end = b.length();
    while (end > 0 && (b.charAt(end - 1) == '.' || Character.isWhitespace(b.charAt(end - 1)))) {
      end--;
    }
    b.setLength(end);
    int start = 0;
    while (start < b.length() && Character.isWhitespace(b.charAt(start))) {
      start++;
    }
    b.delete(0, start);
    for (int i = 0; i < b.length() && (b.charAt(i) == '.' || b.charAt(i) == '-'); i++) {
      b.setCharAt(i, '_');
    }
    if (b.length() == 0) {
      return "_";
    }
    String name = b.toString();
    int dot = name.indexOf('.');
    String device = (dot < 0 ? name : name.substring(0, dot)).strip().toUpperCase(Locale.ROOT);
    if (RESERVED.contains(device)) {
      name = "_" + name;
    }
    if (bytes(name) > MAX_BYTES) {
      name = shorten(name, "~" + hash(text));
    }
    return name;
  }

  /** {@code name} with {@code -n} before its extension, still at most {@link #MAX_BYTES}. */
  static String withNumber(String name, int n) {
    return shorten(name, "-" + n);
  }

  /**
   * The key under which two names are the same folder on a case-insensitive, normalisation-
   * insensitive file system. Folding through upper case first also merges pairs such as
   * {@code ß}/{@code ss} that some systems treat as equal: separating too much costs only a
   * longer name, merging is data loss.
   */
  static String key(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFC).toUpperCase(Locale.ROOT)
        .toLowerCase(Locale.ROOT);
  }

  private static boolean unsafe(int cp) {
    if (cp == '/' || cp == '\\' || "<>:\"|?*".indexOf(cp) >= 0) {
      return true;
    }
    int type = Character.getType(cp);
    // FORMAT covers zero-width and bidirectional overrides that make a name display as another.
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }

  /** Puts {@code tag} before the extension, cutting the stem until the whole fits. */
  private static String shorten(String name, String tag) {
    int dot = name.lastIndexOf('.');
    String extension = dot > 0 && bytes(name.substring(dot)) <= MAX_EXTENSION_BYTES
        ? name.substring(dot) : "";
    String stem = name.substring(0, name.length() - extension.length());
    int budget = MAX_BYTES - bytes(tag) - bytes(extension);
    StringBuilder cut = new StringBuilder();
    int used = 0;
    for (int i = 0; i < stem.length(); ) {
      int cp = stem.codePointAt(i);
      int size = bytes(new String(Character.toChars(cp)));
      if (used + size > budget) {
        break;
      }
      cut.appendCodePoint(cp);
      used += size;
      i += Character.charCount(cp);
    }
    return cut + tag + extension;
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
