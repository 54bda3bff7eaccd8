package dev.rgrid.core.internal.blob;

import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stores local content only when the blob store lacks it. Repeated runs mostly send what was sent
 * before (the same script, the same inputs): hashing a local file is a read, while storing it is
 * a write and a sync, so a known digest is checked first.
 */
public final class Blobs {
  private static final int BUFFER = 64 * 1024;

  private Blobs() {}

  /** Stores {@code file} (not following a link at its end) unless its content is stored. */
  public static BlobInfo put(BlobStore blobs, Path file) throws IOException {
    BlobInfo known = digest(file);
    if (blobs.exists(known.key())) {
      return known;
    }
    // Stored from a second read: the key is the content's as stored, even if the file changed.
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return blobs.put(in);
    }
  }

  /** The key and size {@code file} (not following a link at its end) would be stored under. */
  public static BlobInfo digest(Path file) throws IOException {
    MessageDigest digest = sha256();
    long size = 0;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) >= 0; ) {
        digest.update(buf, 0, n);
        size += n;
      }
    }
    return new BlobInfo(new BlobKey(HexFormat.of().formatHex(digest.digest())), size);
  }

  /** Stores {@code bytes} unless they are stored. */
  public static BlobInfo put(BlobStore blobs, byte[] bytes) {
    BlobKey key = new BlobKey(HexFormat.of().formatHex(sha256().digest(bytes)));
    if (blobs.exists(key)) {
      return new BlobInfo(key, bytes.length);
    }
    return blobs.put(new ByteArrayInputStream(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
