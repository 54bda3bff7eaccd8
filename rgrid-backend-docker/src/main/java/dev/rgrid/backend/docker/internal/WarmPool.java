package dev.rgrid.backend.docker.internal;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.OutputSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers started ahead, per image, so that a run skips the engine's container start (most of
 * a short run's cost). A warm container has the default limits and no network; its {@code /work}
 * and {@code /rgrid} are bind mounts of private slot directories, and its shell waits on stdin
 * (see {@link WarmLaunch}). Taking one moves the run's staged files into the slot (renames, on
 * the same file system; the working directory becomes a link to the slot meanwhile, so it stays
 * live on the host), feeds it the launch lines, and moves the files back once the container has
 * ended, before its exit is told: the run sees its working directory as after a fresh start.
 * Each container serves one run, then is removed; a new one is started behind it.
 *
 * <p>Runs it cannot serve go the usual way: other limits, network, a value holding a newline, an
 * image without {@code /bin/sh}, slot directories on another file system than the run's.
 */
public final class WarmPool implements AutoCloseable {
  /** Label marking warm containers (they carry no execution id until used). */
  public static final String LABEL = "dev.rgrid.warm";
  private static final Logger LOG = LoggerFactory.getLogger(WarmPool.class);
  private static final String SLOTS = ".docker-warm";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private record Slot(DockerContainer container, Path dir, LateStdin stdin, LateSink sink) {
    Path work() {
      return dir.resolve("work");
    }

    Path script() {
      return dir.resolve("script");
    }
  }

  private final Engine engine;
  private final Launcher launcher;
  private final ContainerRecipe recipe;
  private final RunAs runAs;
  private final int size;
  private final Consumer<DockerContainer> onClose;
  private final Map<String, Deque<Slot>> ready = new ConcurrentHashMap<>();
  private final Set<Slot> idle = ConcurrentHashMap.newKeySet();
  private final Set<String> unsuitable = ConcurrentHashMap.newKeySet();
  private final ExecutorService filler = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "rgrid-docker-warm");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong served =
      new AtomicLong();
  private volatile Path root;
  private volatile boolean off;

  /**
   * Keeps {@code size} containers ready per image once the first run has shown where runs keep
   * their files; {@code onClose} runs when a container taken from it is closed.
   */
  public WarmPool(Engine engine, Launcher launcher, ContainerRecipe recipe, RunAs runAs, int size,
      Consumer<DockerContainer> onClose) {
    this.engine = engine;
    this.launcher = launcher;
    this.recipe = recipe;
    this.runAs = runAs;
    this.size = size;
    this.onClose = onClose;
    this.off = size == 0 || engine.tls(); // stdin cannot be fed through a TLS endpoint
  }

  /** Starts filling the pool of {@code image}, once runs have shown where slots can live. */
  public void prepare(String image) {
    if (!off && root != null) {
      keepReady(image);
    }
  }

  /**
   * A started container running {@code spec}, its output going to {@code sink}, or empty when
   * none is ready or suitable: the caller then starts one the usual way, and {@code spec}'s stdin
   * is untouched.
   */
  public Optional<DockerContainer> take(ContainerSpec spec, OutputSink sink) {
    if (off || !spec.limits().equals(Limits.DEFAULT)) {
      return Optional.empty();
    }
    Optional<byte[]> lines = WarmLaunch.lines(spec);
    String image = spec.runtime().image();
    Path workDir;
    Path scriptDir;
    try {
      workDir = spec.workDir().toRealPath();
      scriptDir = spec.scriptDir().toRealPath();
    } catch (IOException e) {
      return Optional.empty(); // the usual start says what is wrong
    }
    if (lines.isEmpty() || unsuitable.contains(image) || !knowRoot(workDir)
        || !Files.isRegularFile(scriptDir.resolve(spec.scriptName()))) {
      return Optional.empty();
    }
    Slot slot = poll(image);
    keepReady(image);
    if (slot == null) {
      return Optional.empty();
    }
    runAs.grant(List.of(workDir, scriptDir));
    try {
      moveAll(scriptDir, slot.script());
      moveAll(workDir, slot.work());
      // The run's working directory stays live on the host while the script runs (the caller
      // may look into it): it points at the slot until the files come back.
      Files.delete(workDir);
      Files.createSymbolicLink(workDir, slot.work());
    } catch (IOException e) {
      LOG.warn("warm containers turned off: cannot move a run's files into {} ({}); runs start "
          + "their own containers", slot.dir(), e.toString());
      off = true;
      handBack(slot, workDir, scriptDir);
      discard(slot);
      return Optional.empty();
    }
    if (!slot.container().beforeExit(() -> handBack(slot, workDir, scriptDir))) {
      handBack(slot, workDir, scriptDir); // it ended in the meantime: start one the usual way
      discard(slot);
      return Optional.empty();
    }
    slot.sink().deliverTo(sink);
    InputStream stdin = spec.stdin() == null ? InputStream.nullInputStream() : spec.stdin();
    slot.stdin().supply(new SequenceInputStream(new ByteArrayInputStream(lines.get()), stdin));
    served.incrementAndGet();
    return Optional.of(slot.container());
  }

  /** How many containers of {@code image} are waiting to be taken. */
  public int ready(String image) {
    Deque<Slot> queue = ready.get(image);
    return queue == null ? 0 : queue.size();
  }

  /** How many runs warm containers have served. */
  public long served() {
    return served.get();
  }

  /** The ids of the containers waiting to be taken. */
  public Set<String> ids() {
    Set<String> ids = new HashSet<>();
    idle.forEach(s -> ids.add(s.container().id()));
    return ids;
  }

  /** Removes the containers not taken and their slot directories. */
  @Override
  public void close() {
    off = true;
    filler.shutdown();
    try {
      // Let a start in flight finish rather than break it off (and leave the engine mid-way).
      if (!filler.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        LOG.warn("a warm container was still starting after {}; removing the others", CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Slot slot : List.copyOf(idle)) {
      discard(slot);
    }
    Path dir = root;
    if (dir != null) {
      deleteQuietly(dir);
    }
  }

  private synchronized boolean knowRoot(Path workDir) {
    if (root != null) {
      return true;
    }
    Path run = workDir.getParent();
    Path runs = run == null ? null : run.getParent();
    if (runs == null) {
      off = true;
      return false;
    }
    Path slots = runs.resolve(SLOTS);
    removeSlotsOfEndedProcesses(slots);
    byte[] suffix = new byte[4];
    RANDOM.nextBytes(suffix);
    root = slots.resolve(ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(suffix));
    return true;
  }

  private Slot poll(String image) {
    Deque<Slot> queue = ready.get(image);
    for (Slot slot; queue != null && (slot = queue.pollFirst()) != null; ) {
      idle.remove(slot);
      if (!slot.container().ended()) {
        return slot;
      }
      // Its shell is gone before any run: the image has no /bin/sh, or something killed it.
      if (unsuitable.add(image)) {
        LOG.warn("no warm containers for {}: they end on their own (is there a /bin/sh?)",
            image);
      }
      discard(slot);
    }
    return null;
  }

  private void keepReady(String image) {
    try {
      filler.execute(() -> fill(image));
    } catch (RejectedExecutionException e) {
      // Closed meanwhile: nothing to fill.
    }
  }

  private void fill(String image) {
    Deque<Slot> queue = ready.computeIfAbsent(image, k -> new ConcurrentLinkedDeque<>());
    while (!off && !unsuitable.contains(image) && queue.size() < size) {
      try {
        Slot slot = start(image);
        idle.add(slot);
        queue.addLast(slot);
        if (off) {
          discard(slot); // closed while it started
        }
      } catch (RuntimeException e) {
        if (off) {
          return;
        }
        LOG.warn("could not start a warm container of {}: {}", image, e.getMessage());
        return; // the next take tries again
      }
    }
  }

  private Slot start(String image) {
    String name = ContainerRecipe.name("warm");
    Path dir = root.resolve(name);
    try {
      Files.createDirectories(dir.resolve("work"), PrivateModes.directory(dir));
      Files.createDirectories(dir.resolve("script"), PrivateModes.directory(dir));
    } catch (IOException e) {
      throw new RGridException("cannot create the warm slot " + dir + ": " + e, null, null, e);
    }
    runAs.grant(List.of(dir.resolve("work"), dir.resolve("script")));
    String id;
    try {
      id = recipe.createWarm(engine.control(), image, name, dir.resolve("work"),
          dir.resolve("script")).exec().getId();
    } catch (RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
    LateStdin stdin = new LateStdin();
    LateSink sink = new LateSink();
    DockerContainer container = launcher.attachAndStart(id, name, stdin, sink, c -> {
      onClose.accept(c);
      deleteQuietly(dir);
    });
    return new Slot(container, dir, stdin, sink);
  }

  private void discard(Slot slot) {
    idle.remove(slot);
    try {
      slot.container().close();
    } catch (RuntimeException e) {
      LOG.debug("removing warm container {} failed", slot.container().name(), e);
    }
  }

  private void handBack(Slot slot, Path workDir, Path scriptDir) {
    try {
      if (Files.isSymbolicLink(workDir)) {
        Files.delete(workDir);
      }
      if (!Files.isDirectory(workDir)) {
        Files.createDirectory(workDir, PrivateModes.directory(workDir));
        runAs.grant(List.of(workDir));
      }
      moveAll(slot.work(), workDir);
      moveAll(slot.script(), scriptDir);
    } catch (IOException e) {
      throw new RGridException("cannot move the files of " + slot.container().name()
          + " back to " + workDir + ": " + e, "check the free space and permissions there",
          null, e);
    }
  }

  /** Renames every entry of {@code from} into {@code to}; on failure, the moved ones go back. */
  private static void moveAll(Path from, Path to) throws IOException {
    List<Path> moved = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(from)) {
      for (Path entry : entries) {
        Files.move(entry, to.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        moved.add(entry.getFileName());
      }
    } catch (IOException e) {
      for (Path name : moved) {
        try {
          Files.move(to.resolve(name), from.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException back) {
          e.addSuppressed(back);
        }
      }
      throw e;
    }
  }

  private static void removeSlotsOfEndedProcesses(Path slots) {
    if (!Files.isDirectory(slots)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(slots)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        int dash = name.indexOf('-');
        try {
          long pid = Long.parseLong(dash < 0 ? name : name.substring(0, dash));
          if (ProcessHandle.of(pid).isEmpty()) {
            deleteQuietly(entry);
          }
        } catch (NumberFormatException e) {
          // Not one of ours: leave it.
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot list {}", slots, e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.debug("cannot delete {}", dir, e);
    }
  }
}
