package dev.rgrid.core;

import dev.rgrid.core.internal.alert.WebhookUrls;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.AlertStore;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.StoredWebhook;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The webhooks alerts are posted to, one per account and one for the installation (what {@code
 * rgrid admin webhook} manages): a spending threshold crossed (the account's limit, or the global
 * one) and a batch that ended with failed items. Each alert is a JSON body posted with {@code
 * X-RGrid-Event-Id}, {@code X-RGrid-Timestamp} (seconds since the epoch) and {@code
 * X-RGrid-Signature: sha256=<hex>}, the HMAC-SHA256 of {@code <timestamp>.<body>} keyed by the
 * signing secret; it is retried with backoff until a 2xx answer, and sent once per event however
 * many servers and workers see it (at least once: a receiver may see an event id twice after a
 * crash, and should ignore the second). The signing secret is kept encrypted like secrets and
 * shown only when set. Only {@code http} and {@code https} URLs are taken; hosts in private and
 * loopback ranges too, so only administrators set webhooks.
 */
public final class Webhooks {
  /** The shortest signing secret taken, in characters. */
  public static final int MIN_SECRET_LENGTH = 16;
  /** The longest signing secret taken, in characters. */
  public static final int MAX_SECRET_LENGTH = 256;

  private final AlertStore store;
  private final SecretVault vault;
  private final SecureRandom random = new SecureRandom();

  Webhooks(AlertStore store, SecretVault vault) {
    this.store = store;
    this.vault = vault;
  }

  /**
   * Posts the alerts of {@code account} (empty: the installation's) to {@code url}, signed with a
   * new random secret, replacing its webhook if it had one.
   *
   * @return the webhook with its secret, shown this once
   * @throws InvalidRunSpecException when the URL is not an http or https URL with a host, or is
   *     longer than 2000 characters
   */
  public NewWebhook set(Optional<AccountId> account, String url) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return new NewWebhook(set(account, url, secret), secret);
  }

  /**
   * As {@link #set(Optional, String)} with the signing secret given: {@value #MIN_SECRET_LENGTH}
   * to {@value #MAX_SECRET_LENGTH} printable ASCII characters without spaces.
   *
   * @throws InvalidRunSpecException when the URL or the secret is refused
   */
  public WebhookInfo set(Optional<AccountId> account, String url, String secret) {
    Objects.requireNonNull(account, "account");
    WebhookUrls.check(url);
    if (secret == null || secret.length() < MIN_SECRET_LENGTH
        || secret.length() > MAX_SECRET_LENGTH
        || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new InvalidRunSpecException("a webhook's signing secret has " + MIN_SECRET_LENGTH
          + " to " + MAX_SECRET_LENGTH + " printable characters without spaces; the one given "
          + "has " + (secret == null ? 0 : secret.length()) + " characters",
          "give a longer random one, or let `rgrid admin webhook set` make one");
    }
    StoredWebhook stored = vault.sealWebhook(scope(account), url,
        secret.getBytes(StandardCharsets.US_ASCII));
    store.putWebhook(stored);
    return info(stored);
  }

  /** Every webhook, the installation's first, then by account id. */
  public List<WebhookInfo> list() {
    return store.webhooks().stream().map(Webhooks::info).toList();
  }

  /** The webhook of {@code account} (empty: the installation's), if one is set. */
  public Optional<WebhookInfo> find(Optional<AccountId> account) {
    return store.findWebhook(scope(account)).map(Webhooks::info);
  }

  /**
   * Stops posting the alerts of {@code account} (empty: the installation's); alerts not delivered
   * yet are given up on.
   *
   * @return {@code false} when it had no webhook
   */
  public boolean remove(Optional<AccountId> account) {
    return store.removeWebhook(scope(account));
  }

  private static String scope(Optional<AccountId> account) {
    return Objects.requireNonNull(account, "account").map(AccountId::value)
        .orElse(LimitSetting.GLOBAL);
  }

  private static WebhookInfo info(StoredWebhook w) {
    return new WebhookInfo(w.scope().isEmpty() ? Optional.empty()
        : Optional.of(AccountId.of(w.scope())), w.url(), w.createdAt());
  }
}
