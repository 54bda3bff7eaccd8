package dev.rgrid.spi.account;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Accounts, their API keys, which blobs each may use, and the idempotency keys of what each
 * created. Kept beside the metadata store (same database), so that every server instance sees
 * the same accounts.
 */
public interface AccountStore {
  /**
   * Stores a new account.
   *
   * @throws ConflictException when its id or name is taken
   */
  void createAccount(Account account);

  /** The account with this id. */
  Optional<Account> findAccount(AccountId id);

  /** The account with this name. */
  Optional<Account> findAccountByName(String name);

  /** Every account, oldest first. */
  List<Account> accounts();

  /**
   * Stores a new API key.
   *
   * @throws ConflictException when its id is taken
   * @throws dev.rgrid.spi.NotFoundException when its account does not exist
   */
  void createKey(ApiKeyRecord key);

  /** The key with this public id, revoked or not. */
  Optional<ApiKeyRecord> findKey(String keyId);

  /** The keys of an account, oldest first, revoked ones included. */
  List<ApiKeyRecord> keys(AccountId account);

  /**
   * Revokes a key from {@code at} on.
   *
   * @return {@code false} when there is no such key or it was already revoked
   */
  boolean revokeKey(String keyId, Instant at);

  /**
   * Lets {@code account} use a blob (it sent its content, or an execution of its made it). Idempotent.
   */
  void grantBlob(AccountId account, BlobKey key);

  /** Whether {@code account} may use the blob. */
  boolean hasBlob(AccountId account, BlobKey key);

  /**
   * The longest idempotency key, in {@code char}s, that every store keeps. Longer keys are
   * refused with {@link IllegalArgumentException}: an index entry has a size limit in some
   * databases, and no client needs a key this long (the server takes 200).
   */
  int MAX_IDEMPOTENCY_KEY_LENGTH = 500;

  /**
   * Remembers that {@code account}'s request with idempotency key {@code key} created {@code
   * execution} at {@code at}, unless a request with that key did so at or after {@code
   * notBefore}. A mapping remembered before {@code notBefore} has expired: it is replaced, as if
   * it had been {@linkplain #pruneIdempotency pruned} already.
   *
   * @param notBefore the start of the window within which a key still names what it made (e.g.
   *     now minus 24 hours); {@link Instant#MIN} lets no mapping expire
   * @return the execution the key names: {@code execution}, or the one an earlier request made
   *     within the window
   * @throws IllegalArgumentException for a key longer than {@link #MAX_IDEMPOTENCY_KEY_LENGTH}
   */
  ExecutionId rememberIdempotent(AccountId account, String key, ExecutionId execution,
      Instant at, Instant notBefore);

  /**
   * The execution an earlier request of {@code account} with idempotency key {@code key} made at
   * or after {@code notBefore}. A key remembered before then has expired and is not found, even
   * while it is not pruned yet.
   *
   * @param notBefore the start of the window; {@link Instant#MIN} finds every mapping still kept
   * @throws IllegalArgumentException for a key longer than {@link #MAX_IDEMPOTENCY_KEY_LENGTH}
   */
  Optional<ExecutionId> findIdempotent(AccountId account, String key, Instant notBefore);

  /**
   * Forgets every idempotency key, of every account, remembered before {@code before}; a key
   * remembered at {@code before} or later stays. Safe to run at any time and from several
   * processes at once: a later request with a forgotten key makes a new execution.
   *
   * @return how many keys were forgotten
   */
  int pruneIdempotency(Instant before);

  /**
   * Checks that {@code key} is one a store keeps, for implementations.
   *
   * @return {@code key}
   * @throws NullPointerException when it is null
   * @throws IllegalArgumentException when it is longer than {@link #MAX_IDEMPOTENCY_KEY_LENGTH}
   */
  static String checkIdempotencyKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new IllegalArgumentException("an idempotency key has at most "
          + MAX_IDEMPOTENCY_KEY_LENGTH + " characters, this one has " + key.length()
          + ": send a shorter one (a UUID fits)");
    }
    return key;
  }
}
