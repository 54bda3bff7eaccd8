package dev.rgrid.bench;

import dev.rgrid.backend.docker.DockerRuntime;
import dev.rgrid.backend.docker.DockerSettings;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
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
 * A trivial script ({@code print(1)}) side by side, in one run, interleaved round by round: the
 * library on the Docker runtime (fresh container per run, and served by the warm pool), the CLI
 * ({@code scripts/rgrid run}, a new JVM each time), and {@code docker run --rm --network none}.
 * Every run has the result cache off (the same script every round would otherwise be a cache hit
 * from the second round on, timing no container at all); the count of hits is printed and must
 * be 0. Prints a Markdown table of medians. Usage: {@code scripts/bench-docker [ROUNDS]}.
 */
public final class DockerRunBench {
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  /** Library runs that were served from the result cache: with the cache off, always none. */
  private static int cacheHits;

  private DockerRunBench() {}

  /** Runs the benchmark; {@code args[0]} rounds (default 20), {@code args[1]} the repo root. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Path repo = Path.of(args.length > 1 ? args[1] : ".").toAbsolutePath();
    Path dir = Files.createTempDirectory("rgrid-bench-");
    Path script = Files.writeString(dir.resolve("trivial.py"), "print(1)\n");
    String image = RuntimeCatalog.defaults().resolve("python3.11").image();
    Map<String, List<Long>> results = new LinkedHashMap<>();
    DockerSettings settings = DockerSettings.fromEnvironment();
    try (DockerRuntime coldRuntime = new DockerRuntime(settings);
        DockerRuntime warmRuntime = new DockerRuntime(settings.withWarmContainers(1));
        LocalRGrid cold = RGrid.builder().home(dir.resolve("home-cold")).runtime(coldRuntime).build();
        LocalRGrid warm = RGrid.builder().home(dir.resolve("home-warm")).runtime(warmRuntime)
            .build()) {
      // Warm-up: JIT, connection pools, the state directories, and the warm pool's first fill.
      for (int i = 0; i < 3; i++) {
        library(cold, script);
        library(warm, script);
      }
      cli(repo, script, dir);
      docker(image);
      for (int round = 0; round < rounds; round++) {
        add(results, "library, fresh container (RGrid.run → await)", library(cold, script));
        waitForWarm(warmRuntime);
        add(results, "library, warm pool (RGrid.run → await)", library(warm, script));
        add(results, "library, warm pool, back to back (no wait for refill)",
            library(warm, script));
        add(results, "CLI `rgrid run trivial.py` (new JVM, Docker runtime)",
            cli(repo, script, dir));
        add(results, "`docker run --rm --network none " + image + " python3 -c 'print(1)'`",
            docker(image));
      }
      System.out.printf(Locale.ROOT, "warm starts served: %d; cache hits: %d%n",
          warmRuntime.warmStarts(), cacheHits);
      if (cacheHits > 0) {
        throw new IllegalStateException(cacheHits + " runs were cache hits: the timings are not"
            + " of container runs");
      }
    }
    long dockerCli = median(results.get(results.keySet().stream()
        .filter(k -> k.startsWith("`docker run")).findFirst().orElseThrow()));
    System.out.printf(Locale.ROOT, "%n| %d rounds, interleaved | median ms | min | max | vs docker "
        + "CLI |%n|---|---|---|---|---|%n", rounds);
    results.forEach((name, ms) -> System.out.printf(Locale.ROOT,
        "| %s | %d | %d | %d | %.2f× |%n", name, median(ms),
        ms.stream().mapToLong(Long::longValue).min().orElse(0),
        ms.stream().mapToLong(Long::longValue).max().orElse(0),
        median(ms) / (double) dockerCli));
  }

  private static long library(RGrid rgrid, Path script) throws InterruptedException {
    long start = System.nanoTime();
    ExecutionRecord done = rgrid.run(RunSpec.builder(script).cache(false).build())
        .await(DEADLINE).orElseThrow();
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (done.cached()) {
      cacheHits++;
    }
    if (done.status() != ExecutionStatus.SUCCEEDED) {
      throw new IllegalStateException("run failed: " + done.failure());
    }
    return ms;
  }

  private static void waitForWarm(DockerRuntime runtime) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (runtime.warmContainers(RuntimeCatalog.defaults().resolve("python3.11")) < 1) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the warm pool did not refill");
      }
      Thread.sleep(5);
    }
  }

  private static long cli(Path repo, Path script, Path dir) throws IOException,
      InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(repo.resolve("scripts/rgrid").toString(), "run",
        "--no-cache", "--output-dir", dir.resolve("cli-out").toString(), script.toString());
    pb.environment().put("RGRID_HOME", dir.resolve("home-cli").toString());
    pb.environment().put("RGRID_RUNTIME", "docker");
    return time(pb);
  }

  private static long docker(String image) throws IOException, InterruptedException {
    return time(new ProcessBuilder("docker", "run", "--rm", "--network", "none", image,
        "python3", "-c", "print(1)"));
  }

  private static long time(ProcessBuilder pb) throws IOException, InterruptedException {
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    long start = System.nanoTime();
    int code = pb.start().waitFor();
    long ms = (System.nanoTime() - start) / 1_000_000;
    if (code != 0) {
      throw new IllegalStateException(pb.command() + " exited with " + code);
    }
    return ms;
  }

  private static void add(Map<String, List<Long>> results, String name, long ms) {
    results.computeIfAbsent(name, k -> new ArrayList<>()).add(ms);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
