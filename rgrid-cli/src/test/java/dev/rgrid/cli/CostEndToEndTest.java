package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rgrid cost}. */
class CostEndToEndTest {
  @TempDir Path root;
  private Cli cli;

  @BeforeEach
  void open() {
    cli = new Cli(root);
  }

  @AfterEach
  void close() {
    cli.close();
  }

  @Test
  void reportsWhatRunsCostInExactMicros() throws Exception {
    java.nio.file.Files.createDirectories(cli.home());
    java.nio.file.Files.writeString(cli.home().resolve("config.properties"),
        "price.local=3.60\n");
    cli.file("a.py", "import time\ntime.sleep(0.1)\n");
    assertThat(cli.runFromDevNull("run", "-l", "team=x", "a.py").exitCode()).isZero();
    Cli.Result report = cli.runFromDevNull("cost", "--by", "label", "--json");
    assertThat(report.exitCode()).as(report.stderr()).isZero();
    JsonNode json = Cli.json(report.stdout());
    assertThat(json.get("executions").asLong()).isEqualTo(1);
    long micros = json.get("totalMicros").asLong();
    assertThat(micros).isGreaterThanOrEqualTo(100); // at least 100 ms at 1 micro per ms
    assertThat(json.get("lines").get(0).get("key").asText()).isEqualTo("team=x");
    Cli.Result table = cli.runFromDevNull("cost", "--by", "runtime");
    assertThat(table.stdout()).contains("python3.11");
    assertThat(table.stderr()).contains("1 execution finished");
  }

  @Test
  void badOptionsAndPricesAreUsageErrors() throws Exception {
    assertThat(cli.runFromDevNull("cost", "--by", "week").exitCode()).isEqualTo(2);
    assertThat(cli.runFromDevNull("cost", "--since", "2026-12-01", "--until", "2026-11-01")
        .errorLines()).singleElement().asString().contains("out of order");
    assertThat(cli.runFromDevNull("cost", "--since", "last tuesday").exitCode()).isEqualTo(2);
    java.nio.file.Files.createDirectories(cli.home());
    java.nio.file.Files.writeString(cli.home().resolve("config.properties"),
        "price.local=$5\n");
    cli.file("a.py", "print(1)\n");
    Cli.Result run = cli.runFromDevNull("run", "a.py");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLines()).singleElement().asString().contains("price.local");
  }

  @Test
  void estimatesFromPastRunsAndStatesItsAssumptions() throws Exception {
    java.nio.file.Files.createDirectories(cli.home());
    java.nio.file.Files.writeString(cli.home().resolve("config.properties"),
        "price.local=3.60\n");
    cli.file("job.py", "import time\ntime.sleep(0.1)\n");
    cli.file("data/a.csv", "1");
    cli.file("data/sub/b.csv", "2");
    JsonNode none = Cli.json(cli.runFromDevNull("estimate", "--json", "--batch",
        "data/**/*.csv", "job.py").stdout());
    assertThat(none.get("inputs").asInt()).isEqualTo(2);
    assertThat(none.get("samples").asInt()).isZero();
    assertThat(cli.runFromDevNull("run", "job.py").exitCode()).isZero();
    Cli.Result e = cli.runFromDevNull("estimate", "--batch", "data/**/*.csv", "job.py");
    assertThat(e.exitCode()).as(e.stderr()).isZero();
    assertThat(e.stdout()).startsWith("2 executions: €").contains("based on: 1 past run of job.py")
        .contains("assumes:");
    Cli.Result nothing = cli.runFromDevNull("estimate", "--batch", "*.parquet", "job.py");
    assertThat(nothing.exitCode()).isEqualTo(ExitCodes.NO_MATCH);
    assertThat(nothing.errorLines()).singleElement().asString().contains("*.parquet");
    assertThat(cli.runFromDevNull("estimate", "missing.py").exitCode()).isEqualTo(2);
  }
}
