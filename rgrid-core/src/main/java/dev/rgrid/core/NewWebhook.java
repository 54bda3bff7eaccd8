package dev.rgrid.core;

import java.util.Objects;

/**
 * A webhook just set, with its signing secret: the only time the secret is shown, since only its
 * ciphertext is kept.
 *
 * @param webhook the webhook
 * @param secret the signing secret receivers verify {@code X-RGrid-Signature} with
 */
public record NewWebhook(WebhookInfo webhook, String secret) {
  /** Checks that nothing is null. */
  public NewWebhook {
    Objects.requireNonNull(webhook, "webhook");
    Objects.requireNonNull(secret, "secret");
  }

  @Override
  public String toString() { // never the secret
    return "NewWebhook[" + webhook + "]";
  }
}
