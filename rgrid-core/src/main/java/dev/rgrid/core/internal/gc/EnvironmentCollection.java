package dev.rgrid.core.internal.gc;

import dev.rgrid.core.internal.runtime.EnvironmentLeases;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.KeptEnvironment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the environments of a cache directory (virtualenvs, environment images) within a size
 * budget: while they take more, the least recently used one that no run uses is removed. An
 * environment never leased since this was introduced counts as last used when it was built.
 */
public final class EnvironmentCollection {
  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentCollection.class);

  private final ContainerRuntime runtime;
  private final Path cacheDir;
  private final EnvironmentLeases leases;

  /** The environments {@code runtime} keeps for {@code cacheDir}, leased in {@code leases}. */
  public EnvironmentCollection(ContainerRuntime runtime, Path cacheDir,
      EnvironmentLeases leases) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    this.leases = Objects.requireNonNull(leases, "leases");
  }

  /** What was (or would be) removed. */
  public record Totals(long environments, long bytesFreed) {}

  private record Candidate(KeptEnvironment env, Instant lastUsed) {}

  /**
   * Removes least recently used environments until they take at most {@code maxBytes} ({@code 0}:
   * no budget, nothing is removed). An environment in use is skipped, whatever its age.
   */
  Totals run(long maxBytes, boolean dryRun) {
    if (maxBytes <= 0) {
      return new Totals(0, 0);
    }
    List<KeptEnvironment> kept;
    try {
      kept = runtime.environments(cacheDir);
    } catch (RGridException e) {
      // Retention and blobs are collected all the same; the next collection tries again.
      LOG.warn("environments not collected: {}", e.getMessage());
      return new Totals(0, 0);
    }
    long total = kept.stream().mapToLong(KeptEnvironment::bytes).sum();
    List<Candidate> oldestFirst = kept.stream()
        .map(e -> new Candidate(e, leases.lastUsed(e.key()).filter(u -> u.isAfter(e.created()))
            .orElse(e.created())))
        .sorted(Comparator.comparing(Candidate::lastUsed)
            .thenComparing(c -> c.env().key()))
        .toList();
    long removed = 0;
    long freed = 0;
    for (Candidate c : oldestFirst) {
      if (total <= maxBytes) {
        break;
      }
      KeptEnvironment env = c.env();
      boolean gone = leases.removeUnused(env.key(),
          () -> runtime.removeEnvironment(cacheDir, env.key()), dryRun);
      if (gone) {
        LOG.info("{} the environment {} ({} bytes, last used {})",
            dryRun ? "would remove" : "removed", env.name(), env.bytes(), c.lastUsed());
        removed++;
        freed += env.bytes();
        total -= env.bytes();
      }
    }
    return new Totals(removed, freed);
  }
}
