package dev.rgrid.core.internal.wiring;

import dev.rgrid.core.Limits;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The collaborators and settings every part of the engine shares, wired once by the builder.
 *
 * @param store execution state
 * @param queue waiting work
 * @param blobs bytes
 * @param runtime where scripts run
 * @param catalog the runtimes by name
 * @param clock the only source of time
 * @param workerId this instance's name in the queue
 * @param workRoot where per-execution working directories are made
 * @param limits limits per execution
 * @param lease how long a claim lives without a heartbeat
 * @param maxAttempts how many times a run lost with its worker is started again, in all
 * @param pollInterval how often idle workers look for work they were not told about
 * @param packageIndex where Python packages are installed from
 * @param cacheDir where environments (and their locks) are kept on this machine
 * @param hourlyMicros what an hour of this worker costs, in micros; each execution it runs costs
 *     its run time at this price (see {@link dev.rgrid.core.internal.cost.Costs})
 * @param billedPerStartedHour whether the worker is billed per started hour, each hour's price
 *     then split over the executions that ran in it once it closes (see {@link
 *     dev.rgrid.core.internal.cost.HourlyBilling})
 */
public record EngineContext(
    MetadataStore store,
    ExecutionQueue queue,
    BlobStore blobs,
    ContainerRuntime runtime,
    RuntimeCatalog catalog,
    Clock clock,
    WorkerId workerId,
    Path workRoot,
    Limits limits,
    Duration lease,
    int maxAttempts,
    Duration pollInterval,
    PackageIndex packageIndex,
    Path cacheDir,
    long hourlyMicros,
    boolean billedPerStartedHour) {}
