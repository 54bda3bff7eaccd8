package dev.rgrid.spi.account;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import java.time.Instant;
import java.util.List;
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
   * Remembers that {@code account}'s request with idempotency key {@code key} created {@code
   * execution}, unless a request with that key already did.
   *
   * @return the execution the key names: {@code execution}, or the one an earlier request made
   */
  ExecutionId rememberIdempotent(AccountId account, String key, ExecutionId execution,
      Instant at);

  /** The execution an earlier request of {@code account} with idempotency key {@code key} made. */
  Optional<ExecutionId> findIdempotent(AccountId account, String key);
}
