package dev.rgrid.core.internal.deps;

import java.util.Locale;
import java.util.Set;

/**
 * Just enough of Python's tokenizer to find import statements: names, a few punctuation marks and
 * logical line ends, with comments and string literals (every prefix, triple quotes, f-string
 * replacement fields with nested strings) skipped. Newlines inside brackets and after a backslash
 * do not end a logical line. It never throws: unterminated strings end at their line (or, when
 * triple-quoted, at the end of the text) and any other character is an {@link Kind#OTHER} token.
 */
final class PythonLexer {

  /** What a token is. */
  enum Kind { NAME, DOT, COMMA, LPAREN, RPAREN, STAR, SEMICOLON, COLON, NEWLINE, OTHER, END }

  private static final Set<String> STRING_PREFIXES =
      Set.of("r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt");
  // Python limits f-string nesting far below this; the cap keeps garbage from recursing deeply.
  private static final int MAX_FSTRING_NESTING = 8;

  private final CharSequence text;
  private final int length;
  private int pos;
  private int depth;
  private int nameStart;
  private int nameEnd;
  private Kind pushedBack;

  PythonLexer(CharSequence text) {
    this.text = text;
    this.length = text.length();
  }

  /** Bracket nesting after the last token; logical lines end only at depth 0. */
  int depth() {
    return depth;
  }

  /** The text of the last {@link Kind#NAME} token. */
  String name() {
    return text.subSequence(nameStart, nameEnd).toString();
  }

  /** True when the last token was a name spelled {@code word}, without copying it. */
  boolean nameIs(String word) {
    if (nameEnd - nameStart != word.length()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (text.charAt(nameStart + i) != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Makes the next {@link #next()} return {@code kind} again; the name it carried is kept. */
  void pushBack(Kind kind) {
    pushedBack = kind;
  }

  /** The next token. */
  Kind next() {
    if (pushedBack != null) {
      Kind kind = pushedBack;
      pushedBack = null;
      return kind;
    }
    while (pos < length) {
      char c = text.charAt(pos);
      switch (c) {
        case ' ', '\t', '\f', '\uFEFF' -> pos++;
        case '\\' -> {
          pos++;
          if (pos < length && (text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) {
            pos += text.charAt(pos) == '\r' && pos + 1 < length && text.charAt(pos + 1) == '\n'
                ? 2 : 1;
          } else {
            return Kind.OTHER;
          }
        }
        case '\n', '\r' -> {
          pos++;
          if (depth == 0) {
            return Kind.NEWLINE;
          }
        }
        case '#' -> skipToLineEnd();
        case '"', '\'' -> {
          skipString(false, 0);
          return Kind.OTHER;
        }
        case '(', '[', '{' -> {
          pos++;
          depth++;
          return c == '(' ? Kind.LPAREN : Kind.OTHER;
        }
        case ')', ']', '}' -> {
          pos++;
          depth = Math.max(0, depth - 1);
          return c == ')' ? Kind.RPAREN : Kind.OTHER;
        }
        case '.' -> {
          pos++;
          return Kind.DOT;
        }
        case ',' -> {
          pos++;
          return Kind.COMMA;
        }
        case '*' -> {
          pos++;
          return Kind.STAR;
        }
        case ';' -> {
          pos++;
          return Kind.SEMICOLON;
        }
        case ':' -> {
          pos++;
          return Kind.COLON;
        }
        default -> {
          return word(c);
        }
      }
    }
    return Kind.END;
  }

  private Kind word(char c) {
    if (c >= '0' && c <= '9') {
      while (pos < length && isNumberPart(text.charAt(pos))) {
        pos++;
      }
      return Kind.OTHER;
    }
    if (!isNameStart(c)) {
      pos++;
      return Kind.OTHER;
    }
    nameStart = pos;
    while (pos < length && isNamePart(text.charAt(pos))) {
      pos++;
    }
    nameEnd = pos;
    if (pos < length && (text.charAt(pos) == '"' || text.charAt(pos) == '\'')) {
      int prefix = stringPrefix(nameStart, nameEnd);
      if (prefix != 0) {
        skipString(prefix == 2, 0);
        return Kind.OTHER;
      }
    }
    return Kind.NAME;
  }

  /** 0 when the name is no string prefix, 1 for a plain prefix, 2 for f- and t-strings. */
  private int stringPrefix(int start, int end) {
    if (end - start > 2) {
      return 0;
    }
    String prefix = text.subSequence(start, end).toString().toLowerCase(Locale.ROOT);
    if (!STRING_PREFIXES.contains(prefix)) {
      return 0;
    }
    return prefix.indexOf('f') >= 0 || prefix.indexOf('t') >= 0 ? 2 : 1;
  }

  /** Skips the string whose opening quote is at {@code pos}, leaving pos after its end. */
  private void skipString(boolean formatted, int nesting) {
    char quote = text.charAt(pos);
    boolean triple = pos + 2 < length && text.charAt(pos + 1) == quote
        && text.charAt(pos + 2) == quote;
    pos += triple ? 3 : 1;
    while (pos < length) {
      char c = text.charAt(pos);
      if (c == '\\') {
        pos += 2; // an escaped character, quote or line end; raw strings too cannot end on \"
      } else if (c == quote) {
        if (!triple) {
          pos++;
          return;
        }
        if (pos + 2 < length && text.charAt(pos + 1) == quote && text.charAt(pos + 2) == quote) {
          pos += 3;
          return;
        }
        pos++;
      } else if (!triple && (c == '\n' || c == '\r')) {
        return; // unterminated: the line end still ends the logical line
      } else if (formatted && c == '{' && nesting < MAX_FSTRING_NESTING) {
        if (pos + 1 < length && text.charAt(pos + 1) == '{') {
          pos += 2;
        } else {
          pos++;
          if (!skipReplacementField(triple, nesting + 1)) {
            return;
          }
        }
      } else {
        pos++;
      }
    }
    pos = Math.min(pos, length);
  }

  /**
   * Skips an f-string's {@code {…}} expression, which may hold strings with any quotes (PEP 701).
   * Returns false when a line end stops a single-line string, which then ends too.
   */
  private boolean skipReplacementField(boolean triple, int nesting) {
    int braces = 1;
    while (pos < length) {
      char c = text.charAt(pos);
      if (c == '{') {
        braces++;
        pos++;
      } else if (c == '}') {
        pos++;
        if (--braces == 0) {
          return true;
        }
      } else if (c == '"' || c == '\'') {
        skipString(false, nesting);
      } else if (!triple && (c == '\n' || c == '\r')) {
        return false;
      } else if (isNameStart(c)) {
        int start = pos;
        while (pos < length && isNamePart(text.charAt(pos))) {
          pos++;
        }
        if (pos < length && (text.charAt(pos) == '"' || text.charAt(pos) == '\'')) {
          int prefix = stringPrefix(start, pos);
          if (prefix != 0) {
            skipString(prefix == 2, nesting);
          }
        }
      } else {
        pos++;
      }
    }
    return false;
  }

  private void skipToLineEnd() {
    while (pos < length && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
      pos++;
    }
  }

  private static boolean isNameStart(char c) {
    return c == '_' || (c < 128 ? Character.isLetter(c) : Character.isUnicodeIdentifierStart(c));
  }

  private static boolean isNamePart(char c) {
    if (c < 128) {
      return c == '_' || Character.isLetterOrDigit(c);
    }
    return Character.isUnicodeIdentifierPart(c) && !Character.isIdentifierIgnorable(c);
  }

  private static boolean isNumberPart(char c) {
    return c < 128 && (c == '_' || c == '.' || Character.isLetterOrDigit(c));
  }
}
