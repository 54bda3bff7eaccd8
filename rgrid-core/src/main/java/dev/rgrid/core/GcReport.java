package dev.rgrid.core;

import java.time.Instant;

/**
 * What a garbage collection ({@link RGrid#gc}) removed, or would remove in a dry run. Blobs go in
 * two steps a grace period apart: first discarded (set aside, still found by reads that need
 * them), then deleted for good by a later collection, which is when their space comes back.
 *
 * @param dryRun whether nothing was changed
 * @param endedBefore executions that ended before this were removed
 * @param executions execution records removed
 * @param logLines their log lines
 * @param cacheEntries cache entries that pointed at them
 * @param batches batches left without executions
 * @param blobsDiscarded blobs nothing references any more, set aside by this collection
 * @param blobsDeleted blobs deleted for good
 * @param bytesFreed the bytes of the deleted blobs
 * @param blobsRestored discarded blobs something references again, put back in use
 * @param environmentsRemoved kept environments (virtualenvs, environment images) removed, least
 *     recently used first, to fit the budget ({@link GcSettings#environmentsMaxBytes()})
 * @param environmentBytesFreed the space they took
 */
public record GcReport(boolean dryRun, Instant endedBefore, long executions, long logLines,
    long cacheEntries, long batches, long blobsDiscarded, long blobsDeleted, long bytesFreed,
    long blobsRestored, long environmentsRemoved, long environmentBytesFreed) {}
