package dev.rgrid.core.internal.submit;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code rgrid retry ID}: a new execution of an ended one's spec, in the same batch, linked both
 * ways ({@code retryOf} / {@code retriedBy}). Retrying twice never makes two: the link is set
 * with a compare-and-set on the old record, and an execution that already has a live retry
 * answers with that one.
 */
public final class ManualRetries {
  private static final Set<ExecutionStatus> RETRYABLE =
      Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.CANCELLED);
  private static final Set<ExecutionStatus> RETRYABLE_OR_SKIPPED =
      Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.CANCELLED,
          ExecutionStatus.SKIPPED);
  private static final int MAX_CHAIN = 10_000;
  // A link younger than this whose execution is not stored yet is a retry being made right now
  // (the link is set first, then the record stored); an older one was left by a crash.
  private static final Duration IN_FLIGHT = Duration.ofSeconds(30);
  private static final Duration WAIT_FOR_IN_FLIGHT = Duration.ofSeconds(5);

  private final MetadataStore store;
  private final Clock clock;
  private final ResultCache cache;
  private final SpecRules rules;
  private final SecureRandom random = new SecureRandom();

  /**
   * Retries of the executions in {@code store}, checked against {@code rules}, keyed for {@code
   * cache}.
   */
  public ManualRetries(MetadataStore store, Clock clock, ResultCache cache, SpecRules rules) {
    this.store = store;
    this.clock = clock;
    this.cache = cache;
    this.rules = rules;
  }

  /**
   * What a retry of {@code id} is: an existing execution (a retry already made, still running or
   * succeeded) or a new record to create and queue.
   *
   * @param existing the retry already made, when there is one
   * @param created the new record, stored but not yet queued, when one was made
   */
  public record Outcome(ExecutionId existing, ExecutionRecord created) {}

  /**
   * Makes the retry of {@code id}, or finds the one already made.
   *
   * @throws ConflictException when {@code id} succeeded, or still runs
   * @throws dev.rgrid.core.InvalidRunSpecException when its spec breaks a rule of {@link SpecRules}
   */
  public Outcome retry(ExecutionId id) {
    ExecutionRecord first = store.get(id);
    if (!first.status().isTerminal()) {
      throw new ConflictException(id + " is still " + first.status().name().toLowerCase()
          + "; only an execution that ended can be retried",
          "wait for it to end (`rgrid status --watch " + id + "`), or cancel it first");
    }
    if (first.status() == ExecutionStatus.SUCCEEDED) {
      throw new ConflictException(id + " succeeded: nothing to retry", "run it again with `rgrid "
          + "run --no-cache " + first.spec().scriptName() + " …` (without --no-cache, an "
          + "identical run reuses this result)");
    }
    // Checked as a new run is: one that can never start here (stored before a rule existed, or
    // asking for more than this instance's runtime has) is refused instead of failing again.
    rules.checkSpec(first.spec());
    for (int tries = 0; ; tries++) {
      // Read afresh each time: a concurrent retry may have linked a new execution meanwhile.
      ExecutionRecord last = newest(tries == 0 ? first : store.get(id));
      if (!RETRYABLE.contains(last.status()) && last.status() != ExecutionStatus.SKIPPED) {
        return new Outcome(last.id(), null); // a retry is running or succeeded: that one
      }
      ExecutionSpec spec = last.status() == ExecutionStatus.SKIPPED ? relinked(last)
          : last.spec();
      Instant now = clock.instant();
      ExecutionId next = ExecutionId.generate(now, random);
      ExecutionId seen = last.retriedBy(); // a link to a retry that was never stored, or null
      try {
        store.update(last.id(), RETRYABLE_OR_SKIPPED, r -> {
          if (!Objects.equals(r.retriedBy(), seen)) {
            throw new ConflictException("retried meanwhile by " + r.retriedBy());
          }
          return r.toBuilder().retriedBy(next).build();
        });
      } catch (ConflictException e) {
        continue; // someone else retried it at the same time: follow their link
      }
      boolean child = !last.spec().parents().isEmpty();
      // A child waits for its parents again (ended by now, so it is stored QUEUED at once) and is
      // keyed when it starts, over their outputs.
      ExecutionRecord record = (child ? ExecutionRecord.waiting(next, spec, now)
          : ExecutionRecord.queued(next, spec, now)).toBuilder()
          .retryOf(last.id()).build();
      if (record.spec().cache() && !child) {
        record = record.toBuilder().cacheKey(cache.key(record)).build();
      }
      store.create(record);
      return new Outcome(null, child ? store.get(next) : record);
    }
  }

  /**
   * The spec of {@code skipped} waiting for the newest run of each execution it waited for
   * instead (a batch it waited for is read afresh when it is released in any case): a skipped run
   * of a batch fed by another's is retried after its parent run was. Refused when no parent has
   * a retry, since it would only be skipped again.
   */
  private ExecutionSpec relinked(ExecutionRecord skipped) {
    List<ParentLink> links = new ArrayList<>();
    boolean changed = false;
    for (ParentLink link : skipped.spec().parents()) {
      if (link.parent() == null) {
        links.add(link);
        continue;
      }
      ExecutionRecord newest = newest(store.get(link.parent()));
      changed |= !newest.id().equals(link.parent());
      links.add(new ParentLink(newest.id(), null, link.glob(), link.item()));
    }
    if (!changed) {
      throw new InvalidRunSpecException(skipped.id() + " was skipped: "
          + skipped.failure().message() + "; it has nothing of its own to retry",
          "retry the run it waited for, then retry this one (it then waits for that retry)");
    }
    return skipped.spec().withParents(links);
  }

  /**
   * The execution {@code id}, waiting a little for one that another caller is storing right now.
   *
   * @throws ConflictException when it is still being made after the wait
   */
  private Optional<ExecutionRecord> stored(ExecutionId id) {
    long deadline = System.nanoTime() + WAIT_FOR_IN_FLIGHT.toNanos();
    while (true) {
      Optional<ExecutionRecord> found = store.find(id);
      boolean inFlight = Duration.between(id.createdAt(), clock.instant())
          .compareTo(IN_FLIGHT) < 0;
      if (found.isPresent() || !inFlight) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new ConflictException("a retry (" + id + ") is being made right now; ask again");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConflictException("interrupted while waiting for retry " + id, e);
      }
    }
  }

  /** The last stored execution of the retry chain starting at {@code first}. */
  private ExecutionRecord newest(ExecutionRecord first) {
    ExecutionRecord current = first;
    Set<ExecutionId> seen = new HashSet<>();
    while (current.retriedBy() != null && seen.add(current.id()) && seen.size() < MAX_CHAIN) {
      Optional<ExecutionRecord> next = stored(current.retriedBy());
      if (next.isEmpty()) {
        break; // linked but never stored (a crash in between): retry this one again
      }
      current = next.get();
    }
    return current;
  }
}
