package dev.rgrid.server.internal;

import dev.rgrid.server.internal.ExecutionJson.RetryRequest;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.RetryPolicy;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The retry policy a client asks for: the default policy with the fields it gave, checked by
 * {@link RetryPolicy} itself, whose refusal becomes a 400 naming the field.
 */
final class RetryRequests {
  private RetryRequests() {}

  /** The policy {@code r} asks for, or {@code null} (the default) when it asks for none. */
  static RetryPolicy policy(RetryRequest r) {
    if (r == null) {
      return null;
    }
    RetryPolicy d = RetryPolicy.defaults();
    try {
      return new RetryPolicy(r.maxRetries() == null ? d.maxRetries() : r.maxRetries(),
          r.initialDelayMillis() == null ? d.initialDelay()
              : Duration.ofMillis(r.initialDelayMillis()),
          r.multiplier() == null ? d.multiplier() : r.multiplier(),
          r.maxDelayMillis() == null ? d.maxDelay() : Duration.ofMillis(r.maxDelayMillis()),
          r.retryOn() == null ? d.retryOn() : kinds(r), jitter(r, d));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("retry: " + ExecutionRoutes.shown(e.getMessage(), 300),
          "see the RetryRequest schema in /api/v1/openapi.json; leave a field out for its "
              + "default");
    }
  }

  private static Set<FailureKind> kinds(RetryRequest r) {
    Set<FailureKind> kinds = EnumSet.noneOf(FailureKind.class);
    for (String code : r.retryOn()) {
      if (code == null) {
        throw new IllegalArgumentException("retryOn cannot hold null");
      }
      kinds.add(FailureKind.fromCode(code)); // "unknown failure kind: …" otherwise
    }
    return kinds;
  }

  private static RetryPolicy.Jitter jitter(RetryRequest r, RetryPolicy d) {
    if (r.jitter() == null) {
      return d.jitter();
    }
    for (RetryPolicy.Jitter j : RetryPolicy.Jitter.values()) {
      if (j.name().equals(r.jitter().toUpperCase(Locale.ROOT))) {
        return j;
      }
    }
    throw new IllegalArgumentException("jitter is NONE, EQUAL or FULL, was '" + r.jitter() + "'");
  }
}
