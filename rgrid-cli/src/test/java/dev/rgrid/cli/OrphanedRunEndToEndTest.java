package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A run whose {@code rgrid run} was killed with SIGKILL is seen through once by the background
 * agent that the next command hands it to, never by that short command itself.
 */
class OrphanedRunEndToEndTest extends CliEndToEndTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration SOON = Duration.ofSeconds(90);

  @Test
  void theNextShortRunHandsAKilledRunToTheAgentWhichRunsItOnceMoreAsTheSecondAttempt() {
    cli.env("RGRID_LEASE", "2s");
    // The first attempt prints and then waits long; the second prints and ends.
    cli.file("slow.py", """
        import os, sys, time
        first = not os.path.exists(sys.argv[1])
        open(sys.argv[1], "a").close()
        for i in range(3):
            print("tick", i, flush=True)
            time.sleep(0.2)
        if first:
            time.sleep(120)
        print("slow done", flush=True)
        """);
    cli.file("short.py", "print('short ok')\n");
    String firstAttempt = tmp.resolve("first-attempt-started").toString();

    Cli.Running slow = cli.start("run", "slow.py", firstAttempt);
    Cli.await("the slow run has printed its ticks", SOON,
        () -> slow.stdoutSoFar().contains("tick 2"));
    String id = cli.lastExecutionId();
    ProcessHandle cliProcess = ProcessHandle.of(slow.pid()).orElseThrow();
    List<ProcessHandle> script = cliProcess.descendants().toList();
    cliProcess.destroyForcibly();
    Instant killed = Instant.now();
    Cli.await("the killed run's process is gone", SOON, () -> Cli.gone(slow.pid()));
    // Its last heartbeat came before the kill: its lease has lapsed once a lease has passed.
    Cli.await("the killed run's lease has lapsed", SOON,
        () -> Instant.now().isAfter(killed.plus(LEASE).plusMillis(200)));

    Cli.Result shortRun = cli.run("run", "short.py");

    assertThat(shortRun.exitCode()).as(shortRun.describe()).isZero();
    assertThat(shortRun.stdout()).isEqualTo("short ok\n");
    assertThat(shortRun.stderr()).doesNotContain("stopped").doesNotContain("lost the claim");
    String shortId = cli.lastExecutionId();
    assertThat(status(shortId).get("attempt").asInt()).isOne();
    try (LocalRGrid reader = RGrid.builder().home(cli.home()).workers(0).build()) {
      // Polled through the library: a CLI process per poll would cost a JVM start each.
      Cli.await("the killed run has ended", SOON,
          () -> reader.execution(new ExecutionId(id)).status().isTerminal());
    }
    JsonNode orphan = status(id);
    assertThat(orphan.get("attempt").asInt()).isEqualTo(2);
    assertThat(statuses(orphan)).containsExactly("QUEUED", "RUNNING", "QUEUED", "RUNNING",
        "SUCCEEDED");

    Cli.Result logs = cli.run("logs", id).requireSuccess();
    assertThat(logs.stderr()).contains("[rgrid] attempt 1 lost with worker local-")
        .contains("running again as attempt 2 of 3");
    assertThat(logs.stdout()).endsWith("tick 2\nslow done\n");
    try (LocalRGrid reader = RGrid.builder().home(cli.home()).workers(0).build()) {
      List<LogLine> lines = reader.logs(new ExecutionId(id), 0, 1000);
      int marker = indexOf(lines, "[rgrid] attempt 1 lost");
      assertThat(lines.get(marker).stream()).isEqualTo(LogStream.SYSTEM);
      assertThat(lines.subList(0, marker)).extracting(LogLine::text)
          .containsExactly("tick 0", "tick 1", "tick 2");
      assertThat(lines.subList(marker + 1, lines.size())).extracting(LogLine::text)
          .startsWith("tick 0").endsWith("slow done");
    }

    // A later command finds nothing to hand over: the run is not started again.
    cli.run("run", "--no-cache", "short.py").requireSuccess();
    Cli.await("the agent has exited", SOON, () -> cli.processesUsingHome().isEmpty());
    assertThat(status(id).get("attempt").asInt()).isEqualTo(2);
    assertThat(statuses(status(id))).hasSize(5);
    script.forEach(ProcessHandle::destroyForcibly); // the first attempt's script, still waiting
  }

  private JsonNode status(String id) {
    return Cli.json(cli.run("status", id, "--json").requireSuccess().stdout());
  }

  private static List<String> statuses(JsonNode record) {
    List<String> out = new ArrayList<>();
    record.get("transitions").forEach(t -> out.add(t.get("status").asText()));
    return out;
  }

  private static int indexOf(List<LogLine> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).text().startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starts with '" + prefix + "' in " + lines);
  }
}
