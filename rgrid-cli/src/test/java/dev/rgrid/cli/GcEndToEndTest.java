package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rgrid gc}: a dry run changes nothing, a real one removes and frees, bad input is usage. */
class GcEndToEndTest {
  @TempDir Path root;
  private Cli cli;

  @BeforeEach
  void open() {
    cli = new Cli(root);
    cli.file("job.py", "open('out.bin', 'wb').write(b'x' * 200000)\nprint('done')\n");
  }

  @AfterEach
  void close() {
    cli.close();
  }

  private long blobBytes() throws IOException {
    try (Stream<Path> all = Files.walk(cli.home().resolve("blobs"))) {
      return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void aDryRunChangesNothingAndARealRunRemovesTheExecutionAndFreesItsBlobs() throws Exception {
    Cli.Result run = cli.run("run", "--no-cache", "job.py");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    String id = Cli.json(cli.runFromDevNull("list", "--json").stdout()).get(0).get("id")
        .asText();

    // The run must have ended more than a second ago for --older-than 1s to take it.
    AtomicReference<JsonNode> dry = new AtomicReference<>();
    Cli.await("the run to be a second old", Cli.DEADLINE, () -> {
      Cli.Result r = cli.run("gc", "--older-than", "1s", "--grace", "0", "--dry-run", "--json");
      dry.set(Cli.json(r.stdout()));
      return dry.get().get("executions").asLong() == 1;
    });
    assertThat(dry.get().get("dryRun").asBoolean()).isTrue();
    assertThat(dry.get().get("blobsDeleted").asLong()).isGreaterThanOrEqualTo(2);
    long before = blobBytes();
    assertThat(cli.runFromDevNull("status", id).exitCode()).isZero();
    assertThat(blobBytes()).isEqualTo(before);

    Cli.Result real = cli.run("gc", "--older-than", "1s", "--grace", "0", "--json");
    assertThat(real.exitCode()).as(real.stderr()).isZero();
    JsonNode report = Cli.json(real.stdout());
    assertThat(report.get("executions").asLong()).isEqualTo(1);
    assertThat(report.get("bytesFreed").asLong()).isGreaterThan(200_000)
        .isEqualTo(dry.get().get("bytesFreed").asLong());
    assertThat(before - blobBytes()).isEqualTo(report.get("bytesFreed").asLong());
    assertThat(report.get("environmentsRemoved").asLong()).isZero();
    assertThat(report.get("environmentBytesFreed").asLong()).isZero();
    assertThat(cli.runFromDevNull("status", id).exitCode()).isNotZero();

    Cli.Result text = cli.run("gc");
    assertThat(text.exitCode()).as(text.stderr()).isZero();
    assertThat(text.stderr()).contains("removed 0 executions", "deleted 0");
  }

  @Test
  void badDurationsAreUsageErrorsOnOneLine() {
    for (String bad : List.of("0", "-5d", "1y", "5 days", "99999999999d", "$(rm -rf ~)",
        "1h;rm", "x".repeat(10_000), "")) {
      Cli.Result r = cli.run("gc", "--older-than", bad);
      assertThat(r.exitCode()).as(bad + ": " + r.stderr()).isEqualTo(2);
      assertThat(r.errorLines()).as(bad).singleElement().asString()
          .contains("--older-than").hasSizeLessThan(200);
    }
    Cli.Result grace = cli.run("gc", "--grace", "soon", "--dry-run");
    assertThat(grace.exitCode()).isEqualTo(2);
    assertThat(grace.errorLines()).singleElement().asString().contains("--grace");
    // Logged in to a server, whose state the server collects itself: refused before connecting.
    Cli.Result remote = cli.env("RGRID_URL", "http://127.0.0.1:9").env("RGRID_API_KEY", "rgk_x")
        .run("gc", "--dry-run");
    assertThat(remote.exitCode()).isEqualTo(2);
    assertThat(remote.errorLines()).singleElement().asString().contains("rgrid gc", "logged in to");
  }

  @Test
  void badEnvironmentBudgetsAreUsageErrorsOnOneLine() {
    for (String bad : List.of("-1", "10X", "1.5G", "lots", "x".repeat(10_000))) {
      Cli.Result r = cli.env("RGRID_ENVS_MAX_BYTES", bad).run("gc", "--dry-run");
      assertThat(r.exitCode()).as(bad + ": " + r.stderr()).isEqualTo(2);
      assertThat(r.errorLines()).as(bad).singleElement().asString()
          .contains("RGRID_ENVS_MAX_BYTES").hasSizeLessThan(300);
    }
    Cli.Result off = cli.env("RGRID_ENVS_MAX_BYTES", "off").run("gc", "--dry-run", "--json");
    assertThat(off.exitCode()).as(off.stderr()).isZero();
    assertThat(Cli.json(off.stdout()).get("environmentsRemoved").asLong()).isZero();
  }
}
