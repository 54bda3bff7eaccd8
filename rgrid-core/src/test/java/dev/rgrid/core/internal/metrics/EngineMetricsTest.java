package dev.rgrid.core.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The facade's contract for those who report through it (garbage collection among them). */
class EngineMetricsTest {
  @Test
  void countsGarbageCollectionRunsAndTheBytesTheyFreedFromZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EngineMetrics metrics = EngineMetrics.of(registry);
    assertThat(registry.get("rgrid.gc.runs").counter().count()).isZero();
    metrics.gcRun(1_000);
    metrics.gcRun(0);
    assertThat(registry.get("rgrid.gc.runs").counter().count()).isEqualTo(2.0);
    assertThat(registry.get("rgrid.gc.freed").counter().count()).isEqualTo(1_000.0);
    assertThatThrownBy(() -> metrics.gcRun(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void withoutARegistryCountsNothingAndHasNoRegistry() {
    EngineMetrics off = EngineMetrics.of(null);
    assertThat(off.enabled()).isFalse();
    assertThat(off.registry()).isEmpty();
    off.gcRun(5);
    off.cacheLookup(true);
    off.blobStored(Long.MAX_VALUE);
    off.gauge("x", "never read", () -> { throw new AssertionError("read"); });
    assertThat(EngineMetrics.off()).isSameAs(off);
  }
}
