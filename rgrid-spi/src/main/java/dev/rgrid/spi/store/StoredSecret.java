package dev.rgrid.spi.store;

import dev.rgrid.spi.account.AccountId;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named secret as a store keeps it: only its ciphertext, never its value. Core encrypts and
 * decrypts; a store only keeps the bytes.
 *
 * @param scope whose secret it is: {@link LimitSetting#GLOBAL} ({@code ""}, the installation's
 *     own, used by runs submitted without an account) or an account id
 * @param name the secret's name (see {@link #checkName})
 * @param keyId which master key encrypted it, so a reader without that key can say so and a
 *     rotation finds what is left to re-encrypt
 * @param nonce the cipher's nonce, unique per encryption (also what a compare-and-set compares)
 * @param ciphertext the encrypted value with its authentication tag
 * @param updatedAt when it was last set
 */
public record StoredSecret(String scope, String name, String keyId, byte[] nonce,
    byte[] ciphertext, Instant updatedAt) {
  /** The longest secret name, in characters. */
  public static final int MAX_NAME_LENGTH = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{1,64}");

  /** Checks the values and copies the arrays. */
  public StoredSecret {
    checkScope(scope);
    checkName(name);
    Objects.requireNonNull(keyId, "keyId");
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("not a key id: '" + shown(keyId)
          + "' (expected 1 to 64 lowercase hex digits)");
    }
    nonce = Objects.requireNonNull(nonce, "nonce").clone();
    ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
    Objects.requireNonNull(updatedAt, "updatedAt");
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

  /**
   * {@code name} when it is a valid secret name: a letter or {@code _}, then up to 127 letters,
   * digits or {@code _} (so it can also name an environment variable as it is).
   *
   * @throws IllegalArgumentException otherwise, saying what is allowed
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a secret name: '" + (name == null ? "null"
          : shown(name)) + "' (a letter or _, then up to " + (MAX_NAME_LENGTH - 1)
          + " letters, digits or _, e.g. API_TOKEN)");
    }
    return name;
  }

  /** Whether {@code name} is a valid secret name (see {@link #checkName}). */
  public static boolean isName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * {@code scope} when it is {@link LimitSetting#GLOBAL} or an account id.
   *
   * @throws IllegalArgumentException for anything else, including {@code null}
   */
  public static String checkScope(String scope) {
    if (scope == null || !(scope.isEmpty() || AccountId.isAccountId(scope)
        && scope.strip().equals(scope))) {
      throw new IllegalArgumentException("not a secret scope: '" + (scope == null ? "null"
          : shown(scope)) + "' (expected \"\" or an account id)");
    }
    return scope;
  }

  private static String shown(String s) {
    String cut = s.length() > 60 ? s.substring(0, 60) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredSecret s && scope.equals(s.scope) && name.equals(s.name)
        && keyId.equals(s.keyId) && Arrays.equals(nonce, s.nonce)
        && Arrays.equals(ciphertext, s.ciphertext) && updatedAt.equals(s.updatedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scope, name, keyId, Arrays.hashCode(nonce), updatedAt);
  }

  @Override
  public String toString() {
    return "StoredSecret[scope=" + scope + ", name=" + name + ", keyId=" + keyId + ", nonce="
        + HexFormat.of().formatHex(nonce) + ", " + ciphertext.length + " bytes, updatedAt="
        + updatedAt + "]";
  }
}
