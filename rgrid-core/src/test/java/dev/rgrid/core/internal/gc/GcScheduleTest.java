package dev.rgrid.core.internal.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcSettings;
import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.core.internal.config.SharedStates;
import dev.rgrid.spi.store.MetadataStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schedule collects on its own, and skips a round while another holder has the lock. */
class GcScheduleTest {
  @TempDir Path dir;
  private final List<AutoCloseable> owned = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = owned.size() - 1; i >= 0; i--) {
      owned.get(i).close();
    }
  }

  @Test
  void collectsEveryIntervalAndSkipsRoundsWhileAnotherHolderHasTheLock() throws Exception {
    MetadataStore store = SharedStates.state(null, null, null, dir.resolve("rgrid.db"), owned)
        .store();
    FileBlobStore blobs = new FileBlobStore(dir.resolve("blobs"),
        Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)));
    blobs.put(new ByteArrayInputStream(new byte[100]));
    GarbageCollector gc = new GarbageCollector(store, blobs, Clock.systemUTC(),
        new GcSettings(Duration.ofDays(30), Duration.ZERO, Duration.ofMillis(50)));

    AutoCloseable other = store.tryLockCollection().orElseThrow();
    GcSchedule idle = new GcSchedule(gc, store, Duration.ofDays(1));
    owned.add(idle);
    assertThat(idle.runOnce()).isEmpty();
    other.close();
    Optional<GcReport> ran = idle.runOnce();
    assertThat(ran).hasValueSatisfying(r -> assertThat(r.blobsDeleted()).isEqualTo(1));

    blobs.put(new ByteArrayInputStream(new byte[7]));
    owned.add(new GcSchedule(gc, store, Duration.ofMillis(50)));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!blobs.list(null, 10).isEmpty()) {
      assertThat(System.nanoTime()).as("the schedule to collect").isLessThan(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  @Test
  void aRoundWhileAnotherHolderHasTheLockStillCollectsThisMachinesEnvironments()
      throws Exception {
    MetadataStore store = SharedStates.state(null, null, null, dir.resolve("rgrid.db"), owned)
        .store();
    FileBlobStore blobs = new FileBlobStore(dir.resolve("blobs"));
    Path cache = dir.resolve("envs");
    String key = "e".repeat(32);
    Path venv = java.nio.file.Files.createDirectories(cache.resolve("venvs").resolve(key));
    java.nio.file.Files.writeString(venv.resolve(".rgrid-env.json"), "{\"key\":\""
        + key.repeat(2) + "\",\"created\":\"2026-01-01T00:00:00Z\",\"interpreter\":\"x\","
        + "\"build\":\"1\"}");
    dev.rgrid.core.internal.runtime.ProcessRuntime runtime =
        new dev.rgrid.core.internal.runtime.ProcessRuntime();
    owned.add(runtime);
    GarbageCollector gc = new GarbageCollector(store, blobs, Clock.systemUTC(),
        new GcSettings(Duration.ofDays(30), Duration.ZERO, null, 1), bytes -> { },
        new EnvironmentCollection(runtime, cache,
            new dev.rgrid.core.internal.runtime.EnvironmentLeases(cache, Clock.systemUTC())));

    AutoCloseable other = store.tryLockCollection().orElseThrow();
    owned.add(other);
    GcSchedule schedule = new GcSchedule(gc, store, Duration.ofDays(1));
    owned.add(schedule);
    assertThat(schedule.runOnce()).isEmpty();
    assertThat(venv).doesNotExist();
  }
}
