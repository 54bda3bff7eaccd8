package dev.rgrid.core.internal.secret;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces every occurrence of a secret's value in a stream of output bytes by {@code ***}, as a
 * streaming filter: a value split across two chunks is still found. A {@link Filter} passes on at
 * once every byte that cannot begin a value and holds back only a tail that is a proper prefix of
 * one (so at most the longest value's length minus one byte, and nothing at all for output that
 * does not look like a value), so live output is not delayed. The result does not depend on how
 * the output was cut into chunks: where values overlap, the leftmost wins, and of those starting
 * at one place the longest. Empty values mask nothing.
 */
public final class SecretMasker {
  /** What stands for a value. */
  public static final String MASK = "***";

  /** A masker that masks nothing. */
  public static final SecretMasker NONE = new SecretMasker(List.of());

  private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.US_ASCII);

  private final List<byte[]> values;

  private SecretMasker(List<byte[]> values) {
    this.values = values;
  }

  /** A masker of {@code values} (their UTF-8 bytes). */
  public static SecretMasker of(Collection<String> values) {
    return new SecretMasker(values.stream().filter(v -> !v.isEmpty())
        .map(v -> v.getBytes(StandardCharsets.UTF_8)).distinct()
        .sorted(Comparator.comparingInt((byte[] v) -> v.length).reversed()).toList());
  }

  /** Whether there is any value to mask. */
  public boolean masks() {
    return !values.isEmpty();
  }

  /** {@code text} with every value masked, for text that is whole (a message, a line). */
  public String mask(String text) {
    if (!masks()) {
      return text;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Filter f = filter();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    f.write(bytes, 0, bytes.length, out::write);
    f.flush(out::write);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A new filter for one stream. */
  public Filter filter() {
    return new Filter();
  }

  /** Where a filter passes bytes on. */
  @FunctionalInterface
  public interface Sink {
    /** Bytes to pass on; the array may be reused after the call. */
    void write(byte[] bytes, int offset, int length);
  }

  /** The filter of one stream; not for concurrent use (a stream is read by one thread). */
  public final class Filter {
    private byte[] held = new byte[0];

    private Filter() {}

    /** Filters a chunk, passing on what is certain and holding back a possible value's start. */
    public void write(byte[] bytes, int offset, int length, Sink out) {
      if (values.isEmpty()) {
        out.write(bytes, offset, length);
        return;
      }
      byte[] buf;
      if (held.length == 0) {
        buf = Arrays.copyOfRange(bytes, offset, offset + length);
      } else {
        buf = Arrays.copyOf(held, held.length + length);
        System.arraycopy(bytes, offset, buf, held.length, length);
      }
      held = scan(buf, false, out);
    }

    /** Passes on what is held back (the stream ended): a started value that never completed. */
    public void flush(Sink out) {
      if (held.length > 0) {
        byte[] rest = held;
        held = new byte[0];
        scan(rest, true, out);
      }
    }

    /** Masks {@code buf}; returns the tail to hold back (none when {@code last}). */
    private byte[] scan(byte[] buf, boolean last, Sink out) {
      int n = buf.length;
      int plain = 0;
      int i = 0;
      while (i < n) {
        int matched = -1;
        for (byte[] v : values) {
          if (v[0] != buf[i]) {
            continue;
          }
          if (n - i >= v.length) {
            if (Arrays.equals(buf, i, i + v.length, v, 0, v.length)) {
              matched = v.length;
              break;
            }
          } else if (!last && Arrays.equals(buf, i, n, v, 0, n - i)) {
            // The rest may be the start of this value: wait for more before deciding.
            emit(out, buf, plain, i);
            return Arrays.copyOfRange(buf, i, n);
          }
        }
        if (matched > 0) {
          emit(out, buf, plain, i);
          out.write(MASK_BYTES, 0, MASK_BYTES.length);
          i += matched;
          plain = i;
        } else {
          i++;
        }
      }
      emit(out, buf, plain, n);
      return new byte[0];
    }

    private void emit(Sink out, byte[] buf, int from, int to) {
      if (to > from) {
        out.write(buf, from, to - from);
      }
    }
  }
}
