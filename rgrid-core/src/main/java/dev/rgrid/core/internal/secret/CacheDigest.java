package dev.rgrid.core.internal.secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 of a run's secrets for its cache key, under a key derived from the master key (an
 * HMAC of a fixed label), so the master key itself never keys anything but the cipher. Every part
 * is written with its length before it, as {@code CacheKeys} does.
 */
final class CacheDigest {
  private final Mac mac;

  CacheDigest(MasterKey master) {
    try {
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(master.key());
      byte[] derived = derive.doFinal("rgrid-cache-key-v1".getBytes(StandardCharsets.US_ASCII));
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(derived, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  CacheDigest add(String text) {
    return add(text.getBytes(StandardCharsets.UTF_8));
  }

  CacheDigest add(byte[] bytes) {
    mac.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
    mac.update(bytes);
    return this;
  }

  String hex() {
    return HexFormat.of().formatHex(mac.doFinal());
  }
}
