package dev.rgrid.spi.store;

import java.time.Instant;
import java.util.Objects;

/**
 * An alert waiting in the outbox for delivery to its scope's webhook, or one that was delivered
 * or given up on. Its id names the event (e.g. {@code spending:acct_…:2026-11:80}), so the same
 * event offered by several processes is kept once.
 *
 * @param id the event's id: 1 to {@link #MAX_ID_LENGTH} printable ASCII characters
 * @param scope whose webhook it goes to ({@link LimitSetting#GLOBAL} or an account id)
 * @param type what happened, e.g. {@code spending.threshold} or {@code batch.failed}
 * @param body the JSON body to post, fixed when the event was offered (so a retry signs and sends
 *     the same bytes)
 * @param createdAt when it was offered
 * @param status where it stands
 * @param attempts how many deliveries were started
 * @param nextAttemptAt when a deliverer may take it next (a pending alert is due from then)
 * @param lastError why the last attempt failed, or {@code null}
 */
public record OutboxAlert(String id, String scope, String type, String body, Instant createdAt,
    Status status, int attempts, Instant nextAttemptAt, String lastError) {
  /** The longest event id, in characters. */
  public static final int MAX_ID_LENGTH = 200;
  /** The longest body, in characters. */
  public static final int MAX_BODY_LENGTH = 64 * 1024;
  /** The longest error kept, in characters; longer ones are cut. */
  public static final int MAX_ERROR_LENGTH = 500;

  /** Where an alert stands. */
  public enum Status {
    /** Waiting for (another) delivery attempt. */
    PENDING,
    /** The webhook answered 2xx. */
    DELIVERED,
    /** Given up: its attempts ran out, or its scope has no webhook any more. */
    FAILED
  }

  /** Checks the values; an error longer than {@link #MAX_ERROR_LENGTH} is cut. */
  public OutboxAlert {
    checkId(id);
    LimitSetting.checkScope(scope);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(body, "body");
    if (body.length() > MAX_BODY_LENGTH) {
      throw new IllegalArgumentException("an alert body has at most " + MAX_BODY_LENGTH
          + " characters, not " + body.length());
    }
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(status, "status");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must not be negative, was " + attempts);
    }
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    if (lastError != null && lastError.length() > MAX_ERROR_LENGTH) {
      lastError = lastError.substring(0, MAX_ERROR_LENGTH);
    }
  }

  /** A new pending alert, due at once. */
  public static OutboxAlert pending(String id, String scope, String type, String body,
      Instant at) {
    return new OutboxAlert(id, scope, type, body, at, Status.PENDING, 0, at, null);
  }

  /**
   * {@code id} when it is a valid event id.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String checkId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH
        || !id.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      throw new IllegalArgumentException("not an alert id: 1 to " + MAX_ID_LENGTH
          + " printable ASCII characters without spaces expected");
    }
    return id;
  }
}
