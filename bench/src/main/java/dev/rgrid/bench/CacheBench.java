package dev.rgrid.bench;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.tck.Wheels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Caching, side by side in one run: a first run vs its cache-hit rerun through the library and
 * through the CLI, and a first run that builds a dependency environment vs a second run (another
 * script) that reuses it. Uses the runtime RGrid picks ({@code RGRID_RUNTIME}; Docker when it
 * answers). Usage: {@code scripts/bench-cache [ROUNDS] [ENV_ROUNDS]}.
 */
public final class CacheBench {
  private static final Duration DEADLINE = Duration.ofMinutes(10);

  private CacheBench() {}

  /** Runs it; {@code args}: rounds (20), environment rounds (5), the repository root. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int envRounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path repo = Path.of(args.length > 2 ? args[2] : ".").toAbsolutePath();
    Path dir = Files.createTempDirectory("rgrid-bench-cache-");
    Path wheels = Files.createDirectories(dir.resolve("wheels"));
    Path script = Files.writeString(dir.resolve("stats.py"), String.join("\n",
        "import csv, os, sys, statistics",
        "rows = list(csv.reader(open(sys.argv[1])))",
        "values = [float(r[1]) for r in rows[1:]]",
        "open('summary.txt', 'w').write(f'{len(values)} {statistics.mean(values):.3f}\\n')",
        "print('rows', len(values), 'round', os.environ['ROUND'])",
        ""));
    StringBuilder csv = new StringBuilder("id,value\n");
    for (int i = 0; i < 20_000; i++) {
      csv.append(i).append(',').append(i % 97 * 1.5).append('\n');
    }
    Path input = Files.writeString(dir.resolve("data.csv"), csv.toString());
    Map<String, List<Long>> results = new LinkedHashMap<>();
    try (LocalRGrid rgrid = RGrid.builder().home(dir.resolve("home"))
        .packageIndex(PackageIndex.offline(List.of(wheels))).build()) {
      System.out.printf(Locale.ROOT, "runtime: %s%n", rgrid.placement().runtime().orElseThrow().name());
      for (int i = 0; i < 3; i++) { // warm-up
        run(rgrid, RunSpec.builder(script).args(input.toString()).env("ROUND", "w" + i));
        run(rgrid, RunSpec.builder(script).args(input.toString()).env("ROUND", "w" + i));
      }
      for (int round = 0; round < rounds; round++) {
        RunSpec.Builder spec = RunSpec.builder(script).args(input.toString())
            .env("ROUND", "r" + round);
        add(results, "library: first run (miss, script runs)", run(rgrid, spec).millis);
        Timed hit = run(rgrid, RunSpec.builder(script).args(input.toString())
            .env("ROUND", "r" + round));
        if (!hit.record.cached()) {
          throw new IllegalStateException("expected a cache hit in round " + round);
        }
        add(results, "library: rerun (cache hit)", hit.millis);
        add(results, "CLI: first run (miss)", cli(repo, dir, script, input, "c" + round));
        add(results, "CLI: rerun (cache hit)", cli(repo, dir, script, input, "c" + round));
      }
      for (int round = 0; round < envRounds; round++) {
        String pkg = "bench-pkg-" + round + "-" + ProcessHandle.current().pid();
        Wheels.write(wheels, pkg, "1.0.0");
        String module = pkg.replace('-', '_');
        String header = "# /// script\n# dependencies = [\"" + pkg + "\"]\n# ///\nimport "
            + module + "\n";
        Path a = Files.writeString(dir.resolve("env-a-" + round + ".py"), header
            + "print(" + module + ".hello())\n");
        Path b = Files.writeString(dir.resolve("env-b-" + round + ".py"), header
            + "print('second', " + module + ".VERSION)\n");
        add(results, "library: first run with new requirements (builds the environment)",
            run(rgrid, RunSpec.builder(a)).millis);
        add(results, "library: other script, same requirements (environment reused)",
            run(rgrid, RunSpec.builder(b)).millis);
      }
    }
    System.out.printf(Locale.ROOT, "%n| %d rounds (%d for environments) | median ms | min | max |"
        + "%n|---|---|---|---|%n", rounds, envRounds);
    results.forEach((name, ms) -> System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n",
        name, median(ms) / 1000.0, ms.stream().mapToLong(Long::longValue).min().orElse(0)
            / 1000.0, ms.stream().mapToLong(Long::longValue).max().orElse(0) / 1000.0));
  }

  private record Timed(ExecutionRecord record, long millis) {}

  /** Times one run in microseconds (reported as ms with one decimal). */
  private static Timed run(RGrid rgrid, RunSpec.Builder spec) throws InterruptedException {
    long start = System.nanoTime();
    ExecutionRecord done = rgrid.run(spec.build()).await(DEADLINE).orElseThrow();
    long micros = (System.nanoTime() - start) / 1_000;
    if (done.status() != ExecutionStatus.SUCCEEDED) {
      throw new IllegalStateException("run failed: " + done.failure() + " "
          + rgrid.logs(done.id(), 0, 50));
    }
    return new Timed(done, micros);
  }

  private static long cli(Path repo, Path dir, Path script, Path input, String round)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(repo.resolve("scripts/rgrid").toString(), "run",
        "-q", "-e", "ROUND=" + round, "--output-dir", dir.resolve("cli-out").toString(),
        script.toString(), input.toString());
    pb.environment().put("RGRID_HOME", dir.resolve("home-cli").toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    long start = System.nanoTime();
    int code = pb.start().waitFor();
    long micros = (System.nanoTime() - start) / 1_000;
    if (code != 0) {
      throw new IllegalStateException("rgrid run exited with " + code);
    }
    return micros;
  }

  private static void add(Map<String, List<Long>> results, String name, long value) {
    results.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
