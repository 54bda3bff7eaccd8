package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Named secrets per scope (the installation's own, {@code ""}, or an account's), kept only as
 * ciphertext ({@link StoredSecret}): encryption is core's, so no store ever sees a value. Part of
 * {@link MetadataStore}, so that workers anywhere read secrets through the store they already use.
 * Every method may throw {@link BackendUnavailableException}, and {@link IllegalArgumentException}
 * for a scope or name that {@link StoredSecret} does not accept.
 */
public interface SecretStore {

  /** Stores {@code secret}, replacing the one of its scope and name, if any. */
  void putSecret(StoredSecret secret);

  /** The secret {@code name} of {@code scope}, if there is one. */
  Optional<StoredSecret> findSecret(String scope, String name);

  /** The secrets of {@code scope}, by name. */
  List<StoredSecret> secrets(String scope);

  /**
   * Every secret of every scope that is not encrypted under {@code keyId}, at most {@code limit}
   * of them (for key rotation, which re-encrypts them until none is left).
   */
  List<StoredSecret> secretsNotUnder(String keyId, int limit);

  /**
   * Replaces {@code current} by {@code replacement} (same scope and name) only while the stored
   * secret still has {@code current}'s nonce, i.e. nobody set it meanwhile.
   *
   * @return whether it was replaced
   * @throws IllegalArgumentException when the two differ in scope or name
   */
  boolean replaceSecret(StoredSecret current, StoredSecret replacement);

  /**
   * Removes the secret {@code name} of {@code scope}.
   *
   * @return {@code false} when there was none
   */
  boolean removeSecret(String scope, String name);

  /**
   * Checks the arguments of {@link #replaceSecret}, for implementations.
   *
   * @throws IllegalArgumentException when the two differ in scope or name, or share a nonce
   */
  static void checkReplacement(StoredSecret current, StoredSecret replacement) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(replacement, "replacement");
    if (!current.scope().equals(replacement.scope())
        || !current.name().equals(replacement.name())) {
      throw new IllegalArgumentException("a replacement must be of the same secret: "
          + current.name() + " is not " + replacement.name());
    }
    if (Arrays.equals(current.nonce(), replacement.nonce())) {
      throw new IllegalArgumentException("a replacement needs a nonce of its own");
    }
  }
}
