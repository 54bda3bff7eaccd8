package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rgrid limit}. */
class LimitEndToEndTest {
  @TempDir Path root;
  private Cli cli;

  @BeforeEach
  void open() throws Exception {
    cli = new Cli(root);
    Files.createDirectories(cli.home());
    Files.writeString(cli.home().resolve("config.properties"), "price.local=3.60\n");
  }

  @AfterEach
  void close() {
    cli.close();
  }

  @Test
  void aReachedLimitRefusesNewRunsUntilRemoved() {
    assertThat(cli.runFromDevNull("limit", "set", "€0.0001", "--thresholds", "50,100")
        .exitCode()).isZero();
    cli.file("a.py", "import time\ntime.sleep(0.2)\n");
    Cli.Result first = cli.runFromDevNull("run", "a.py");
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    cli.file("b.py", "print(2)\n");
    Cli.Result refused = cli.runFromDevNull("run", "b.py");
    assertThat(refused.exitCode()).isEqualTo(125);
    assertThat(refused.errorLines()).singleElement().asString()
        .contains("monthly spending limit of €0.0001 is reached");
    JsonNode show = Cli.json(cli.runFromDevNull("limit", "show", "--json").stdout());
    assertThat(show.get("limitMicros").asLong()).isEqualTo(100);
    assertThat(show.get("spentMicros").asLong()).isGreaterThanOrEqualTo(200);
    assertThat(show.get("remainingMicros").asLong()).isZero();
    assertThat(cli.runFromDevNull("limit", "remove").exitCode()).isZero();
    assertThat(cli.runFromDevNull("run", "b.py").stdout()).isEqualTo("2\n");
    assertThat(cli.runFromDevNull("limit", "show").stdout()).contains("no limit");
  }

  @Test
  void badAmountsAndThresholdsAreUsageErrors() {
    for (String bad : new String[] {"-5", "$5", "five", "1e3", "5.1234567", "1,000"}) {
      Cli.Result r = cli.runFromDevNull("limit", "set", bad);
      assertThat(r.exitCode()).as(bad).isEqualTo(2);
      assertThat(r.errorLines()).as(bad).hasSize(1);
    }
    assertThat(cli.runFromDevNull("limit", "set", "50", "--thresholds", "80,50").exitCode())
        .isEqualTo(2);
    assertThat(cli.runFromDevNull("limit", "set", "50", "--thresholds", "x").exitCode())
        .isEqualTo(2);
    assertThat(cli.runFromDevNull("limit").exitCode()).isEqualTo(2);
    assertThat(cli.runFromDevNull("limit", "show").stdout()).contains("no limit");
  }
}
