package dev.rgrid.core.internal.execution;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines without ever holding more than one line: a line longer than the
 * maximum is emitted in pieces, each cut on a UTF-8 character boundary. Lines are decoded as UTF-8
 * with malformed bytes replaced by U+FFFD. Not thread-safe: one per stream.
 */
final class LineSplitter {
  private final byte[] buf;
  private final Consumer<String> out;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private int len;

  LineSplitter(int maxLineBytes, Consumer<String> out) {
    this.buf = new byte[maxLineBytes];
    this.out = out;
  }

  void write(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        emit(len);
      } else {
        if (len == buf.length) {
          emitPiece();
        }
        buf[len++] = b;
      }
    }
  }

  /** Emits what is left as a last line without terminator. */
  void finish() {
    if (len > 0) {
      emit(len);
    }
  }

  private void emitPiece() {
    // Cut before a UTF-8 continuation byte sequence so a character is never split in two.
    int cut = len;
    int back = 0;
    while (cut > 0 && back < 4 && (buf[cut - 1] & 0xC0) == 0x80) {
      cut--;
      back++;
    }
    if (cut > 0 && (buf[cut - 1] & 0xC0) == 0xC0) {
      cut--; // the lead byte of the cut character goes with it
    } else {
      cut = len; // not a valid sequence at the end: cut anywhere
    }
    if (cut == 0) {
      cut = len;
    }
    int rest = len - cut;
    out.accept(decode(cut));
    System.arraycopy(buf, cut, buf, 0, rest);
    len = rest;
  }

  private void emit(int n) {
    int end = n > 0 && buf[n - 1] == '\r' ? n - 1 : n;
    out.accept(decode(end));
    len = 0;
  }

  private String decode(int n) {
    try {
      decoder.reset();
      CharBuffer chars = decoder.decode(ByteBuffer.wrap(buf, 0, n));
      return chars.toString();
    } catch (CharacterCodingException e) {
      // Cannot happen with REPLACE; keep the bytes visible rather than lose the line.
      return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
  }
}
