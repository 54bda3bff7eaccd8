package dev.rgrid.spi.queue;

/**
 * The queue's entries by state at one instant.
 *
 * @param ready unclaimed and claimable now
 * @param delayed unclaimed, claimable only later (a retry's backoff, a released entry)
 * @param running claimed under a live lease
 * @param lapsed claimed under a lapsed lease: its worker is gone, another will take it
 */
public record QueueDepth(long ready, long delayed, long running, long lapsed) {
  /** Checks the values. */
  public QueueDepth {
    if (ready < 0 || delayed < 0 || running < 0 || lapsed < 0) {
      throw new IllegalArgumentException("a count cannot be negative");
    }
  }

  /** Every entry, whatever its state. */
  public long total() {
    return ready + delayed + running + lapsed;
  }
}
