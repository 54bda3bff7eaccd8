package dev.rgrid.spi.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where a scope's alerts are delivered, as a store keeps it: the URL and the signing secret,
 * only as ciphertext (core encrypts and decrypts it, as it does secrets).
 *
 * @param scope whose alerts: {@link LimitSetting#GLOBAL} (the installation's own: its global
 *     limit and the runs without an account) or an account id
 * @param url the {@code http} or {@code https} URL alerts are posted to, at most {@link
 *     #MAX_URL_LENGTH} characters
 * @param keyId which master key encrypted the signing secret
 * @param nonce the cipher's nonce, unique per encryption (what a compare-and-set compares)
 * @param ciphertext the encrypted signing secret with its authentication tag
 * @param createdAt when it was set
 */
public record StoredWebhook(String scope, String url, String keyId, byte[] nonce,
    byte[] ciphertext, Instant createdAt) {
  /** The longest URL kept, in characters. */
  public static final int MAX_URL_LENGTH = 2000;

  /** Checks the values and copies the arrays. */
  public StoredWebhook {
    LimitSetting.checkScope(scope);
    Objects.requireNonNull(url, "url");
    if (url.isBlank() || url.length() > MAX_URL_LENGTH) {
      throw new IllegalArgumentException("a webhook URL has 1 to " + MAX_URL_LENGTH
          + " characters, not " + url.length());
    }
    Objects.requireNonNull(keyId, "keyId");
    nonce = Objects.requireNonNull(nonce, "nonce").clone();
    ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A copy of the nonce. */
  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  /** A copy of the ciphertext. */
  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredWebhook w && scope.equals(w.scope) && url.equals(w.url)
        && keyId.equals(w.keyId) && Arrays.equals(nonce, w.nonce)
        && Arrays.equals(ciphertext, w.ciphertext) && createdAt.equals(w.createdAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scope, url, keyId, Arrays.hashCode(nonce), createdAt);
  }

  @Override
  public String toString() {
    return "StoredWebhook[scope=" + scope + ", url=" + url + ", keyId=" + keyId + ", nonce="
        + HexFormat.of().formatHex(nonce) + ", createdAt=" + createdAt + "]";
  }
}
