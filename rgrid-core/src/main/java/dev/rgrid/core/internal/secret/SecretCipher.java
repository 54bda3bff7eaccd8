package dev.rgrid.core.internal.secret;

import dev.rgrid.spi.store.StoredSecret;
import dev.rgrid.spi.store.StoredWebhook;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM from the JDK: a fresh 96-bit nonce per encryption, a 128-bit tag, and the secret's
 * purpose, scope and name as associated data, so a stored ciphertext cannot be moved to another
 * name or account, nor a secret's into a webhook (or back), and still decrypt.
 */
final class SecretCipher {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** What a secret's associated data starts with (unchanged since secrets were first stored). */
  private static final String SECRET = "rgrid-secret-v1\0";
  /** What a webhook's signing secret's associated data starts with. */
  private static final String WEBHOOK = "rgrid-webhook-v1\0";

  private final SecureRandom random;

  SecretCipher(SecureRandom random) {
    this.random = random;
  }

  /** {@code value} encrypted under {@code key} as the stored secret {@code name} of {@code scope}. */
  StoredSecret encrypt(String scope, String name, byte[] value, MasterKey key, Instant at) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return new StoredSecret(scope, name, key.id(), nonce,
        seal(nonce, associated(SECRET, scope, name), value, key), at);
  }

  /** The signing secret of {@code scope}'s webhook to {@code url}, encrypted under {@code key}. */
  StoredWebhook encryptWebhook(String scope, String url, byte[] secret, MasterKey key,
      Instant at) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return new StoredWebhook(scope, url, key.id(), nonce,
        seal(nonce, associated(WEBHOOK, scope, ""), secret, key), at);
  }

  /**
   * The signing secret of {@code webhook}, which {@code key} (of its key id) encrypted.
   *
   * @throws GeneralSecurityException when it does not decrypt (wrong key, changed bytes)
   */
  byte[] decrypt(StoredWebhook webhook, MasterKey key) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(TRANSFORMATION);
    cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, webhook.nonce()));
    cipher.updateAAD(associated(WEBHOOK, webhook.scope(), ""));
    return cipher.doFinal(webhook.ciphertext());
  }

  private static byte[] seal(byte[] nonce, byte[] associated, byte[] value, MasterKey key) {
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associated);
      return cipher.doFinal(value);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot encrypt with " + TRANSFORMATION, e);
    }
  }

  /**
   * The value of {@code secret}, which {@code key} (of its key id) encrypted.
   *
   * @throws GeneralSecurityException when it does not decrypt (wrong key, changed bytes)
   */
  byte[] decrypt(StoredSecret secret, MasterKey key) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(TRANSFORMATION);
    cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, secret.nonce()));
    cipher.updateAAD(associated(SECRET, secret.scope(), secret.name()));
    return cipher.doFinal(secret.ciphertext());
  }

  private static byte[] associated(String purpose, String scope, String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(purpose.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(scope.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
