package dev.rgrid.server.internal;

import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.ApiKeyRecord;
import java.util.Objects;

/**
 * Who an authenticated request comes from: the account its key acts for, and whether that key
 * may only read.
 *
 * @param account the key's account
 * @param readOnly whether the key is read-only, so the request may change nothing
 */
public record Caller(AccountId account, boolean readOnly) {
  /** Checks the values. */
  public Caller {
    Objects.requireNonNull(account, "account");
  }

  /** The caller a stored key makes. */
  static Caller of(ApiKeyRecord key) {
    return new Caller(key.account(), key.readOnly());
  }
}
