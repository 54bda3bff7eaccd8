package dev.rgrid.core;

import dev.rgrid.spi.account.AccountId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A webhook alerts are posted to, as listed: never its signing secret.
 *
 * @param account whose alerts it takes; empty for the installation's own (its global spending
 *     limit and the batches of runs without an account)
 * @param url where they are posted
 * @param createdAt when it was set
 */
public record WebhookInfo(Optional<AccountId> account, String url, Instant createdAt) {
  /** Checks that nothing is null. */
  public WebhookInfo {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
