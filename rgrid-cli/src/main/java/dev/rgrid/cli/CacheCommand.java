package dev.rgrid.cli;

import dev.rgrid.core.CachePruned;
import dev.rgrid.core.Config;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.store.CacheEntry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rgrid cache ls|prune}: the result cache. */
@Command(name = "cache", mixinStandardHelpOptions = true,
    description = {"The result cache: successful runs whose results identical runs reuse "
        + "(same runtime and image, script, dependencies, inputs, arguments and environment).",
        "Pruning ends reuse; the executions stay, with their outputs."},
    subcommands = {CacheCommand.Ls.class, CacheCommand.Prune.class})
final class CacheCommand extends BaseCommand {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  int execute() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a cache command: rgrid cache ls, or rgrid cache prune");
  }

  /**
   * The state whose cache the command manages: this machine's or the shared store's. Logged in
   * to a server, the command does not apply (the cache there is the server's, shared by its
   * accounts, and the library refuses it): a usage error saying so, before anything is opened.
   */
  static RGrid ownState(BaseCommand command) {
    Config config = command.config();
    if (config.server() != null) {
      throw new InvalidRunSpecException("rgrid cache manages the result cache of this machine or "
          + "a shared store, but you are logged in to " + config.server().url()
          + ", whose cache is the server's", "run `rgrid cache` on the server's host (with its "
          + "RGRID_HOME or RGRID_DB_URL), or `rgrid logout` to manage this machine's");
    }
    return command.client(0, null);
  }

  /** {@code rgrid cache ls}. */
  @Command(name = "ls", mixinStandardHelpOptions = true,
      description = "List the cache entries, most recently used first.")
  static final class Ls extends BaseCommand {
    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
        description = "At most N entries (1-100000, default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print them as JSON.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    int execute() throws Exception {
      if (limit < 1 || limit > 100_000) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--limit must be between 1 and 100000, was " + limit);
      }
      try (RGrid rgrid = ownState(this)) {
        List<CacheEntry> entries = rgrid.cache().entries(limit);
        if (json) {
          printJson(entries);
          return ExitCodes.OK;
        }
        terminal.out.printf("%-12s  %-30s  %-11s  %-20s  %9s  %5s  %s%n", "KEY", "EXECUTION",
            "RUNTIME", "SCRIPT", "SIZE", "HITS", "LAST USED");
        long total = 0;
        for (CacheEntry e : entries) {
          total += e.sizeBytes();
          terminal.out.printf("%-12s  %-30s  %-11s  %-20s  %9s  %5d  %s%n",
              e.key().substring(0, 12), e.executionId(), e.runtime(), cut(e.scriptName(), 20),
              human(e.sizeBytes()), e.hits(), Formats.time(e.lastUsedAt()));
        }
        terminal.note(entries.size() + " entr" + (entries.size() == 1 ? "y" : "ies") + ", "
            + human(total));
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid cache prune}. */
  @Command(name = "prune", mixinStandardHelpOptions = true,
      description = "Remove cache entries: those unused for longer than --older-than, then the "
          + "least recently used until the rest fit in --max-size.")
  static final class Prune extends BaseCommand {
    @Option(names = "--older-than", paramLabel = "DURATION",
        description = "Remove entries not used within this long (30d, 12h, 90m).")
    String olderThan;

    @Option(names = "--max-size", paramLabel = "SIZE",
        description = "Keep at most this much (500m, 2g). Entries of runs without output "
            + "take 0 bytes and always fit: --all removes them.")
    String maxSize;

    @Option(names = "--all", description = "Remove every entry.")
    boolean all;

    @Option(names = "--json", description = "Print what was removed as JSON.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    int execute() throws Exception {
      if (olderThan == null && maxSize == null && !all) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "say what to remove: --older-than DURATION, --max-size SIZE, or --all");
      }
      Duration age = olderThan == null ? null : Parsing.duration(olderThan);
      if (all && (olderThan != null || maxSize != null)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--all removes every entry: leave out --older-than and --max-size, or --all");
      }
      Long max = maxSize == null ? null : Parsing.size(maxSize);
      try (RGrid rgrid = ownState(this)) {
        CachePruned pruned = all ? rgrid.cache().clear() : rgrid.cache().prune(age, max);
        if (json) {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("removed", pruned.removed());
          out.put("removedBytes", pruned.removedBytes());
          out.put("kept", pruned.kept());
          out.put("keptBytes", pruned.keptBytes());
          printJson(out);
        } else {
          terminal.note("removed " + pruned.removed().size() + " entr"
              + (pruned.removed().size() == 1 ? "y" : "ies") + " (" + human(pruned.removedBytes())
              + "); " + pruned.kept() + " left (" + human(pruned.keptBytes()) + ")");
        }
        return ExitCodes.OK;
      }
    }
  }

  static String human(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
