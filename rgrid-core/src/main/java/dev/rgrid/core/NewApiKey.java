package dev.rgrid.core;

import dev.rgrid.spi.account.ApiKeyRecord;

/**
 * A key just made: the only time its secret is known. Hand {@link #key()} to its user; RGrid
 * keeps only a hash of the secret.
 *
 * @param record the stored key (id, account, name)
 * @param key the whole key as its user presents it: {@code rgk_<id>_<secret>}
 */
public record NewApiKey(ApiKeyRecord record, String key) {
  @Override
  public String toString() {
    return "NewApiKey[" + record.id() + ", account " + record.account() + "]"; // never the secret
  }
}
