package dev.rgrid.cli;

import dev.rgrid.core.Config;
import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rgrid gc}: retention and blob garbage collection of this machine's or shared state. */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"Remove executions that ended longer ago than the retention (default 30 "
        + "days, RGRID_RETENTION_DAYS) with their logs, outputs list, cache entries and emptied "
        + "batches; then delete the blobs nothing uses any more. Queued and running work is "
        + "never touched.",
        "Unused blobs are set aside first and deleted by a later gc, once older than the grace "
        + "period; that is when their space comes back.",
        "Environments (virtualenvs, environment images) past their budget (default 20G, "
        + "RGRID_ENVS_MAX_BYTES, off for none) go too, least recently used first; never one a "
        + "run uses."})
final class GcCommand extends BaseCommand {
  @Option(names = "--older-than", paramLabel = "DURATION",
      description = "Remove executions that ended longer ago than this (30d, 12h, 90m; default:"
          + " the retention).")
  String olderThan;

  @Option(names = "--grace", paramLabel = "DURATION",
      description = "Delete unused blobs only once older than this (default 1h, RGRID_GC_GRACE)."
          + " 0 deletes them at once, with no protection for blobs being stored right now.")
  String grace;

  @Option(names = "--dry-run", description = "Say what would be removed; change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  /** {@code text} as a duration, or a usage error naming {@code option} and a short echo. */
  private static Duration duration(String option, String text) {
    try {
      if (text.length() <= 40) {
        return Parsing.duration(text);
      }
    } catch (CommandLine.TypeConversionException e) {
      // said below, shorter
    }
    String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
    throw new CommandLine.TypeConversionException(option + ": '"
        + shown.replaceAll("\\p{Cntrl}", "?") + "' is not a positive duration (examples: 30d, "
        + "12h, 90m)");
  }

  @Override
  int execute() throws Exception {
    Duration age = olderThan == null ? null : duration("--older-than", olderThan);
    Duration wait = grace == null ? null
        : grace.strip().equals("0") ? Duration.ZERO : duration("--grace", grace);
    Config config = config();
    if (config.server() != null) {
      throw new InvalidRunSpecException("rgrid gc collects this machine's or a shared store's "
          + "state, but you are logged in to " + config.server().url() + ", which collects its "
          + "own", "run `rgrid gc` on the server's host (with its RGRID_HOME or RGRID_DB_URL), "
          + "or `rgrid logout` to collect this machine's");
    }
    try (RGrid rgrid = client(0, null)) {
      GcReport r = rgrid.gc(new GcRequest(age, wait, dryRun));
      if (json) {
        printJson(r);
        return ExitCodes.OK;
      }
      String verb = r.dryRun() ? "would remove " : "removed ";
      terminal.note(verb + r.executions() + " execution" + (r.executions() == 1 ? "" : "s")
          + " ended before " + Formats.time(r.endedBefore()) + " (" + r.logLines()
          + " log lines, " + r.cacheEntries() + " cache entries, " + r.batches() + " batches)");
      terminal.note((r.dryRun() ? "would set aside " : "set aside ") + r.blobsDiscarded()
          + " unused blobs; " + (r.dryRun() ? "would delete " : "deleted ") + r.blobsDeleted()
          + " (" + CacheCommand.human(r.bytesFreed()) + (r.dryRun() ? " would come back)"
          : " freed)") + (r.blobsRestored() > 0 ? "; " + r.blobsRestored()
          + " in use again, kept" : ""));
      if (r.environmentsRemoved() > 0) {
        terminal.note((r.dryRun() ? "would remove " : "removed ") + r.environmentsRemoved()
            + " least recently used environment" + (r.environmentsRemoved() == 1 ? "" : "s")
            + " (" + CacheCommand.human(r.environmentBytesFreed())
            + (r.dryRun() ? " would come back)" : " freed)"));
      }
      return ExitCodes.OK;
    }
  }
}
