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
    // The alerts of the thresholds it crossed, in the CLI's own words, one line each.
    assertThat(first.stderr().lines().filter(l -> l.contains("spending in")).toList())
        .isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("rgrid: warning: spending in"));
    assertThat(first.stderr()).doesNotContain("WARN");
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

  @Test
  void aRunOrBatchWhoseEstimateWouldCrossTheLimitIsRefusedBeforeItRuns() throws Exception {
    cli.file("a.py", "import sys, time\ntime.sleep(0.2)\nprint(sys.argv[1:])\n");
    cli.file("data/1.txt", "1");
    cli.file("data/2.txt", "2");
    cli.file("data/3.txt", "3");
    assertThat(cli.runFromDevNull("run", "a.py", "first").exitCode()).isZero();
    long spent = Cli.json(cli.runFromDevNull("limit", "show", "--json").stdout())
        .get("spentMicros").asLong();
    assertThat(spent).isGreaterThanOrEqualTo(200); // 0.2 s at €3.60 an hour
    // Less is left than one more run of the same script costs: refused at once, saying why.
    long limit = spent + 50;
    assertThat(cli.runFromDevNull("limit", "set", String.format("%d.%06d", limit / 1_000_000,
        limit % 1_000_000)).exitCode()).isZero();
    Cli.Result refused = cli.runFromDevNull("run", "a.py", "second");
    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(refused.errorLines()).singleElement().asString()
        .contains("this run would cost about").contains("1 past run of a.py")
        .contains("left of the global monthly spending limit");
    assertThat(refused.hintLines()).singleElement().asString().contains("rgrid limit set");
    assertThat(refused.stdout()).isEmpty();
    Cli.Result batch = cli.runFromDevNull("run", "--batch", "data/*.txt", "a.py", "{}");
    assertThat(batch.exitCode()).as(batch.stderr()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(batch.errorLines()).singleElement().asString()
        .contains("these 3 runs would cost about");
    assertThat(Cli.json(cli.runFromDevNull("list", "--json").stdout())).hasSize(1);
    // With room for it, it runs.
    assertThat(cli.runFromDevNull("limit", "set", "1").exitCode()).isZero();
    assertThat(cli.runFromDevNull("run", "a.py", "second").stdout()).contains("second");
  }

  @Test
  void costsWithoutAPriceSayWhyTheyAreZero() {
    try {
      Files.delete(cli.home().resolve("config.properties"));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    cli.file("a.py", "print(1)\n");
    assertThat(cli.runFromDevNull("run", "a.py").exitCode()).isZero();
    Cli.Result cost = cli.runFromDevNull("cost");
    assertThat(cost.exitCode()).isZero();
    assertThat(cost.stderr()).contains("€0.00").contains("no prices set")
        .contains("price.local");
  }

  @Test
  void pricedCostsSayNothingAboutPrices() {
    cli.file("a.py", "print(1)\n");
    assertThat(cli.runFromDevNull("run", "a.py").exitCode()).isZero();
    assertThat(cli.runFromDevNull("cost").stderr()).doesNotContain("no prices set");
  }
}
