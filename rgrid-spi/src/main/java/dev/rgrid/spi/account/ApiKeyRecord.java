package dev.rgrid.spi.account;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stored API key. The secret part of a key is never stored, only its SHA-256: a key is shown
 * once, when it is made. Its id is the public part, by which a presented key is looked up.
 *
 * @param id the key's public id (12 lowercase hex digits)
 * @param account the account it acts for
 * @param name what it is for, for people (may be empty)
 * @param secretSha256 the SHA-256 of its secret, 64 lowercase hex digits
 * @param createdAt when it was made
 * @param revokedAt when it was revoked, or {@code null} while it is valid
 * @param readOnly whether it may only read: it sees everything of its account and changes nothing
 */
public record ApiKeyRecord(String id, AccountId account, String name, String secretSha256,
    Instant createdAt, Instant revokedAt, boolean readOnly) {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{12}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** Checks the values. */
  public ApiKeyRecord {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(createdAt, "createdAt");
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not an API key id: '" + id + "'");
    }
    if (secretSha256 == null || !SHA256.matcher(secretSha256).matches()) {
      throw new IllegalArgumentException("the secret's hash must be 64 lowercase hex digits");
    }
    name = name == null ? "" : name;
    if (name.length() > 200) {
      throw new IllegalArgumentException("an API key's name is at most 200 characters");
    }
  }

  /** A key that may read and change (not read-only). */
  public ApiKeyRecord(String id, AccountId account, String name, String secretSha256,
      Instant createdAt, Instant revokedAt) {
    this(id, account, name, secretSha256, createdAt, revokedAt, false);
  }

  /** Whether a key id has the right form, so that user input can go straight into a query. */
  public static boolean isKeyId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** Whether it is still valid. */
  public boolean active() {
    return revokedAt == null;
  }
}
