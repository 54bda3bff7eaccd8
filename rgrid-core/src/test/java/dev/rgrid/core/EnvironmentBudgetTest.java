package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.tck.Wheels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment budget with a real virtualenv built by a run: while the run uses it, garbage
 * collection keeps it whatever the budget; once the run ended, it goes, and a later run builds
 * it again.
 */
class EnvironmentBudgetTest {
  private static final Duration DEADLINE = Duration.ofSeconds(180);

  @TempDir Path home;
  @TempDir Path src;
  @TempDir Path wheels;

  private long venvs() throws Exception {
    Path dir = home.resolve("envs").resolve("venvs");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).count();
    }
  }

  @Test
  void anEnvironmentInUseSurvivesCollectionAndGoesOnceItsRunEnded() throws Exception {
    Wheels.write(wheels, "tiny-pkg", "1.0.0");
    Path go = src.resolve("go");
    Path started = src.resolve("started");
    Path script = Files.writeString(src.resolve("wait.py"), String.join("\n",
        "# /// script",
        "# dependencies = [\"tiny-pkg\"]",
        "# ///",
        "import os, sys, time, tiny_pkg",
        "open(sys.argv[2], 'w').close()",
        "while not os.path.exists(sys.argv[1]):",
        "    time.sleep(0.02)",
        "print('done')",
        ""));
    GcSettings oneByte = new GcSettings(Duration.ofDays(30), Duration.ofHours(1), null, 1);
    try (LocalRGrid rgrid = RGrid.builder().home(home).engine("process").workers(1)
        .packageIndex(PackageIndex.offline(List.of(wheels))).gc(oneByte).build()) {
      Execution run = rgrid.run(RunSpec.builder(script).baseDirectory(src).cache(false)
          .args(go.toString(), started.toString()).build());
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!Files.exists(started)) {
        assertThat(System.nanoTime()).as("the script to start").isLessThan(deadline);
        assertThat(run.status()).isIn(ExecutionStatus.QUEUED, ExecutionStatus.RUNNING);
        Thread.sleep(20);
      }
      assertThat(venvs()).isEqualTo(1);

      GcReport whileRunning = rgrid.gc(GcRequest.configured());
      assertThat(whileRunning.environmentsRemoved()).isZero();
      assertThat(venvs()).isEqualTo(1);

      Files.createFile(go);
      assertThat(run.await(DEADLINE).orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      GcReport dry = rgrid.gc(new GcRequest(null, null, true));
      assertThat(dry.environmentsRemoved()).isEqualTo(1);
      assertThat(venvs()).isEqualTo(1);
      GcReport after = rgrid.gc(GcRequest.configured());
      assertThat(after.environmentsRemoved()).isEqualTo(1);
      assertThat(after.environmentBytesFreed()).isEqualTo(dry.environmentBytesFreed())
          .isGreaterThan(100_000);
      assertThat(venvs()).isZero();

      Files.delete(started);
      Execution again = rgrid.run(RunSpec.builder(script).baseDirectory(src).cache(false)
          .args(go.toString(), started.toString()).build());
      assertThat(again.await(DEADLINE).orElseThrow().status())
          .isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(venvs()).isEqualTo(1);
    }
  }
}
