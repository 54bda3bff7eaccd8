package dev.rgrid.core.internal.gc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage collection is counted in the instance's metrics: runs, and the bytes they freed. */
class GcMetricsTest {
  @TempDir Path home;
  @TempDir Path src;

  @Test
  void eachCollectionCountsOneRunAndTheBytesItReportsFreed() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Path script = Files.writeString(src.resolve("write.py"),
        "open('out.txt', 'w').write('x' * 50000)\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home).engine("process").workers(1)
        .meterRegistry(registry).build()) {
      assertThat(rgrid.run(RunSpec.builder(script).build()).await(Duration.ofSeconds(60))
          .orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);

      GcReport dry = rgrid.gc(new GcRequest(Duration.ofNanos(1), Duration.ZERO, true));
      assertThat(registry.get("rgrid.gc.runs").counter().count()).isEqualTo(1.0);
      assertThat(registry.get("rgrid.gc.freed").counter().count()).isZero();

      GcReport real = rgrid.gc(new GcRequest(Duration.ofNanos(1), Duration.ZERO, false));
      assertThat(dry.executions()).isEqualTo(real.executions()).isEqualTo(1L);
      assertThat(real.bytesFreed()).isGreaterThanOrEqualTo(50_000);
      assertThat(registry.get("rgrid.gc.runs").counter().count()).isEqualTo(2.0);
      assertThat(registry.get("rgrid.gc.freed").counter().count())
          .isEqualTo((double) real.bytesFreed());
    }
  }
}
