package dev.rgrid.core.internal.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.internal.runtime.EnvironmentLeases;
import dev.rgrid.core.internal.runtime.ProcessRuntime;
import dev.rgrid.spi.runtime.KeptEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment budget on the process runtime's virtualenvs: the least recently used go first
 * until the rest fit, one a run holds a lease on never goes. The virtualenvs are directories
 * with the marker of a complete build and a payload (what the runtime lists and removes); a real
 * one built and used by a run is in {@code EnvironmentBudgetTest}.
 */
class EnvironmentCollectionTest {
  private static final Instant BUILT = Instant.parse("2026-01-01T00:00:00Z");
  private static final String A = "a".repeat(32);
  private static final String B = "b".repeat(32);
  private static final String C = "c".repeat(32);
  private static final int PAYLOAD = 10_000;

  @TempDir Path cache;
  private ProcessRuntime runtime;
  private EnvironmentCollection collection;

  @BeforeEach
  void setUp() throws IOException {
    runtime = new ProcessRuntime();
    collection = new EnvironmentCollection(runtime, cache, leasesAt(BUILT));
    for (String key : List.of(A, B, C)) {
      venv(key);
    }
  }

  @AfterEach
  void tearDown() {
    runtime.close();
  }

  private EnvironmentLeases leasesAt(Instant now) {
    return new EnvironmentLeases(cache, Clock.fixed(now, ZoneOffset.UTC));
  }

  private void venv(String key) throws IOException {
    Path dir = Files.createDirectories(cache.resolve("venvs").resolve(key).resolve("bin"));
    Files.write(dir.resolve("payload"), new byte[PAYLOAD]);
    Files.writeString(dir.getParent().resolve(".rgrid-env.json"), "{\"key\":\"" + key.repeat(2)
        + "\",\"requirements\":[\"tiny-pkg\"],\"created\":\"" + BUILT + "\",\"interpreter\":"
        + "\"x\",\"python\":\"" + dir.resolve("python") + "\",\"build\":\"1\"}");
  }

  /** Uses {@code key} at {@code minute} minutes past the build. */
  private void use(String key, int minute) {
    leasesAt(BUILT.plusSeconds(60L * minute)).acquire(key).close();
  }

  private long size() {
    return runtime.environments(cache).get(0).bytes();
  }

  private List<String> kept() {
    return runtime.environments(cache).stream().map(KeptEnvironment::key).sorted().toList();
  }

  @Test
  void theLeastRecentlyUsedGoFirstUntilTheRestFitTheBudget() {
    use(B, 1);
    use(A, 2);
    use(C, 3);
    long each = size();
    assertThat(each).isGreaterThanOrEqualTo(PAYLOAD);

    EnvironmentCollection.Totals t = collection.run(2 * each, false);

    assertThat(t).isEqualTo(new EnvironmentCollection.Totals(1, each));
    assertThat(kept()).containsExactly(A, C);
    assertThat(collection.run(1, false).environments()).isEqualTo(2);
    assertThat(kept()).isEmpty();
  }

  @Test
  void anEnvironmentARunHoldsSurvivesThoughItIsTheOldestThenGoesOnceReleased() {
    use(B, 2);
    use(C, 3);
    try (EnvironmentLeases.Lease running = leasesAt(BUILT.plusSeconds(60)).acquire(A)) {
      assertThat(collection.run(1, false).environments()).isEqualTo(2);
      assertThat(kept()).containsExactly(A);
      assertThat(Files.isRegularFile(cache.resolve("venvs").resolve(A).resolve("bin/payload")))
          .isTrue();
    }
    assertThat(collection.run(1, false).environments()).isEqualTo(1);
    assertThat(kept()).isEmpty();
  }

  @Test
  void aLeaseLeftByACrashedProcessDoesNotKeepItsEnvironment() throws IOException {
    // A crashed process's lease file: still there, but nobody holds its lock.
    Files.createDirectories(cache.resolve("leases"));
    Files.createFile(cache.resolve("leases").resolve(A + "-0123.lease"));

    assertThat(collection.run(1, false).environments()).isEqualTo(3);
    assertThat(cache.resolve("leases").resolve(A + "-0123.lease")).doesNotExist();
  }

  @Test
  void aDryRunCountsWhatWouldGoAndRemovesNothing() {
    long each = size();
    EnvironmentCollection.Totals t = collection.run(each, true);

    assertThat(t).isEqualTo(new EnvironmentCollection.Totals(2, 2 * each));
    assertThat(kept()).containsExactly(A, B, C);
  }

  @Test
  void withinTheBudgetOrWithoutOneNothingGoes() {
    assertThat(collection.run(3 * size(), false).environments()).isZero();
    assertThat(collection.run(0, false).environments()).isZero();
    assertThat(kept()).hasSize(3);
  }

  @Test
  void anIncompleteBuildIsNotListedAndHostileKeysAreRefused() throws IOException {
    Files.delete(cache.resolve("venvs").resolve(C).resolve(".rgrid-env.json"));
    assertThat(kept()).containsExactly(A, B);
    for (String bad : List.of("../../etc", A.toUpperCase(), A + "/..", "")) {
      assertThatThrownBy(() -> runtime.removeEnvironment(cache, bad))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> leasesAt(BUILT).acquire(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
