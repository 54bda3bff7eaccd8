package dev.rgrid.core.internal.gc;

import dev.rgrid.spi.blob.BlobKey;
import java.util.HexFormat;

/**
 * The set of blobs something references, as a Bloom filter of fixed size (8 MiB), so a store of
 * millions of executions is read in bounded memory. A false positive only keeps a blob that could
 * go (about one in 10^9 at a million blobs, one in 400 at ten million); a false negative cannot
 * happen, so nothing referenced is ever deleted. Keys are SHA-256 digests, already uniform, so
 * the filter's indexes are slices of the key itself.
 */
final class ReferencedBlobs {
  private static final int BITS_LOG2 = 26;
  private static final int HASHES = 7;
  private static final long MASK = (1L << BITS_LOG2) - 1;

  private final long[] words = new long[1 << (BITS_LOG2 - 6)];

  void add(BlobKey key) {
    byte[] digest = HexFormat.of().parseHex(key.sha256());
    for (int i = 0; i < HASHES; i++) {
      long bit = index(digest, i);
      words[(int) (bit >>> 6)] |= 1L << (bit & 63);
    }
  }

  boolean mightContain(BlobKey key) {
    byte[] digest = HexFormat.of().parseHex(key.sha256());
    for (int i = 0; i < HASHES; i++) {
      long bit = index(digest, i);
      if ((words[(int) (bit >>> 6)] & (1L << (bit & 63))) == 0) {
        return false;
      }
    }
    return true;
  }

  /** The {@code i}-th index: four bytes of the digest from byte {@code 4 i}. */
  private static long index(byte[] d, int i) {
    int o = 4 * i;
    long v = (d[o] & 0xffL) << 24 | (d[o + 1] & 0xffL) << 16 | (d[o + 2] & 0xffL) << 8
        | (d[o + 3] & 0xffL);
    return v & MASK;
  }
}
