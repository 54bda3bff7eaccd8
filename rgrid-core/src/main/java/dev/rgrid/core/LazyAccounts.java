package dev.rgrid.core;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.account.ApiKeyRecord;
import dev.rgrid.spi.blob.BlobKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** An account store opened on first use: only a server needs one. */
final class LazyAccounts implements AccountStore {
  private final Supplier<AccountStore> opener;
  private volatile AccountStore store;

  LazyAccounts(Supplier<AccountStore> opener) {
    this.opener = opener;
  }

  private AccountStore store() {
    AccountStore s = store;
    if (s == null) {
      synchronized (this) {
        if (store == null) {
          store = opener.get();
        }
        s = store;
      }
    }
    return s;
  }

  @Override
  public void createAccount(Account account) {
    store().createAccount(account);
  }

  @Override
  public Optional<Account> findAccount(AccountId id) {
    return store().findAccount(id);
  }

  @Override
  public Optional<Account> findAccountByName(String name) {
    return store().findAccountByName(name);
  }

  @Override
  public List<Account> accounts() {
    return store().accounts();
  }

  @Override
  public void createKey(ApiKeyRecord key) {
    store().createKey(key);
  }

  @Override
  public Optional<ApiKeyRecord> findKey(String keyId) {
    return store().findKey(keyId);
  }

  @Override
  public List<ApiKeyRecord> keys(AccountId account) {
    return store().keys(account);
  }

  @Override
  public boolean revokeKey(String keyId, Instant at) {
    return store().revokeKey(keyId, at);
  }

  @Override
  public void grantBlob(AccountId account, BlobKey key) {
    store().grantBlob(account, key);
  }

  @Override
  public boolean hasBlob(AccountId account, BlobKey key) {
    return store().hasBlob(account, key);
  }

  @Override
  public ExecutionId rememberIdempotent(AccountId account, String key, ExecutionId execution,
      Instant at, Instant notBefore) {
    return store().rememberIdempotent(account, key, execution, at, notBefore);
  }

  @Override
  public Optional<ExecutionId> findIdempotent(AccountId account, String key, Instant notBefore) {
    return store().findIdempotent(account, key, notBefore);
  }

  @Override
  public int pruneIdempotency(Instant before) {
    return store().pruneIdempotency(before);
  }
}
