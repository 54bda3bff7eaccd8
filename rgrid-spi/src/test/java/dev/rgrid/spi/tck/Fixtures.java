package dev.rgrid.spi.tck;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.Resources;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Values shared by the contract kits. */
public final class Fixtures {
  /** A fixed instant, truncated to milliseconds as every store keeps at least that precision. */
  public static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final Random RANDOM = new Random(42);

  private Fixtures() {}

  /** A blob key made from a small number. */
  public static BlobKey key(int n) {
    return new BlobKey(String.format("%064x", n));
  }

  /** A cache key (a sha256 in hex) made from a small number. */
  public static String cacheKey(int n) {
    return key(n).sha256();
  }

  /** A fresh execution id created at {@code at}. */
  public static synchronized ExecutionId id(Instant at) {
    return ExecutionId.generate(at, RANDOM);
  }

  /** A spec with labels and a batch. */
  public static ExecutionSpec spec(Map<String, String> labels, String batchId) {
    return new ExecutionSpec("job.py", key(1), "python3.11", List.of("/work/a b.csv", "--x=1", "ü"),
        Map.of("K", "v"), List.of(new InputFile("a b.csv", key(2), 12)), Duration.ofMinutes(5),
        labels, batchId, new Resources(1500, 512L << 20), false);
  }

  /** A queued record of the script {@code scriptName}, created at {@code at}. */
  public static ExecutionRecord queued(Instant at, String scriptName, Map<String, String> labels) {
    ExecutionSpec s = spec(labels, null);
    return ExecutionRecord.queued(id(at), new ExecutionSpec(scriptName, s.script(), s.runtime(),
        s.args(), s.env(), s.inputs(), s.timeout(), s.labels(), s.batchId(), s.resources(),
        s.network()), at.truncatedTo(ChronoUnit.MILLIS));
  }

  /** A queued record created at {@code at}. */
  public static ExecutionRecord queued(Instant at, Map<String, String> labels, String batchId) {
    return ExecutionRecord.queued(id(at), spec(labels, batchId), at.truncatedTo(ChronoUnit.MILLIS));
  }
}
