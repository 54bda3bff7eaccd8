package dev.rgrid.server.internal;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The create-once protocol of an {@code Idempotency-Key}, shared by every create route: what a
 * key made within the window is answered again (after the route checked it is the same
 * request); otherwise the thing is made and the key remembered, and when a concurrent request
 * with the same key remembered first, ours is discarded and theirs answered.
 */
final class Idempotency {
  private final AccountStore accounts;
  private final Clock clock;
  private final Duration window;

  Idempotency(AccountStore accounts, Clock clock, Duration window) {
    this.accounts = accounts;
    this.clock = clock;
    this.window = window;
  }

  /** What a create answers, and whether this request made it (201) or an earlier one (200). */
  record Outcome<T>(T value, boolean created) {}

  /**
   * Makes a thing once per {@code key} ({@code null}: no key, always made).
   *
   * @param id the id a made thing is remembered by
   * @param earlier what the key made before, given its id (refusing another request with 422)
   * @param discard undoes ours when a concurrent request with the key won
   */
  <T> Outcome<T> once(AccountId account, String key, Supplier<T> create,
      Function<T, ExecutionId> id, Function<ExecutionId, T> earlier, Consumer<T> discard) {
    if (key == null) {
      return new Outcome<>(create.get(), true);
    }
    Instant now = clock.instant();
    Instant notBefore = now.minus(window); // a key older than this has expired
    Optional<ExecutionId> made = accounts.findIdempotent(account, key, notBefore);
    if (made.isPresent()) {
      return new Outcome<>(earlier.apply(made.get()), false);
    }
    T ours = create.get();
    ExecutionId winner = accounts.rememberIdempotent(account, key, id.apply(ours), now,
        notBefore);
    if (!winner.equals(id.apply(ours))) {
      discard.accept(ours);
      return new Outcome<>(earlier.apply(winner), false);
    }
    return new Outcome<>(ours, true);
  }
}
