package dev.rgrid.core.internal.secret;

import dev.rgrid.spi.store.StoredSecret;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM from the JDK: a fresh 96-bit nonce per encryption, a 128-bit tag, and the secret's
 * scope and name as associated data, so a stored ciphertext cannot be moved to another name or
 * account and still decrypt.
 */
final class SecretCipher {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecureRandom random;

  SecretCipher(SecureRandom random) {
    this.random = random;
  }

  /** {@code value} encrypted under {@code key} as the stored secret {@code name} of {@code scope}. */
  StoredSecret encrypt(String scope, String name, byte[] value, MasterKey key, Instant at) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associated(scope, name));
      return new StoredSecret(scope, name, key.id(), nonce, cipher.doFinal(value), at);
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
    cipher.updateAAD(associated(secret.scope(), secret.name()));
    return cipher.doFinal(secret.ciphertext());
  }

  private static byte[] associated(String scope, String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("rgrid-secret-v1\0".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(scope.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
