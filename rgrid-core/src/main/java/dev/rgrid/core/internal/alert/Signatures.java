package dev.rgrid.core.internal.alert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a delivered alert: HMAC-SHA256, keyed by the webhook's signing secret, over
 * {@code <timestamp>.<body>} (the {@code X-RGrid-Timestamp} header, a dot, the body's bytes), so
 * a receiver that checks it and the timestamp's age refuses forged and replayed alerts alike.
 */
public final class Signatures {
  /** The header holding {@code sha256=<hex>}. */
  public static final String SIGNATURE_HEADER = "X-RGrid-Signature";
  /** The header holding the delivery time, in seconds since the epoch. */
  public static final String TIMESTAMP_HEADER = "X-RGrid-Timestamp";
  /** The header holding the event's id (the same on every retry). */
  public static final String EVENT_HEADER = "X-RGrid-Event-Id";

  private Signatures() {}

  /** The value of {@link #SIGNATURE_HEADER} for {@code body} sent at {@code timestamp}. */
  public static String sign(byte[] secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(
          body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }
}
