package dev.rgrid.core.internal.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One 256-bit master key and its id. The id is derived from the key (a truncated SHA-256 under a
 * label of its own), so it names the key without revealing it and needs no storing of its own.
 */
final class MasterKey {
  static final int BYTES = 32;

  private final String id;
  private final SecretKey key;

  private MasterKey(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("a secret key has " + BYTES + " bytes, this one has "
          + bytes.length);
    }
    this.key = new SecretKeySpec(bytes, "AES");
    this.id = idOf(bytes);
  }

  /** The key of {@code bytes} (copied). */
  static MasterKey of(byte[] bytes) {
    return new MasterKey(bytes.clone());
  }

  /**
   * The key written as base64, as {@code RGRID_SECRET_KEY} and the key file hold it.
   *
   * @throws IllegalArgumentException when it is not base64 of 32 bytes (the message never shows
   *     the text)
   */
  static MasterKey parse(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a secret key is base64 of " + BYTES
          + " random bytes; this one is not base64");
    }
    try {
      return new MasterKey(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The id: 16 hex digits. */
  String id() {
    return id;
  }

  /** The AES key. */
  SecretKey key() {
    return key;
  }

  /** The key as base64 (for the key file). */
  String base64() {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  private static String idOf(byte[] bytes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("rgrid-secret-key-id\0".getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha.digest(bytes), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() { // never the key
    return "MasterKey[" + id + "]";
  }
}
