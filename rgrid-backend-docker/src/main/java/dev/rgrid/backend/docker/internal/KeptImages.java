package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import dev.rgrid.spi.runtime.KeptEnvironment;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The environment images ({@code rgrid-env/<runtime>:<key32>}) a cache directory uses, for garbage
 * collection. The engine's images are shared by every state directory on it, so each collects only
 * those it built or used: the ones whose {@code docker-env-<key32>.lock} is in its cache directory
 * ({@link #used}). Images of other names are never touched.
 */
public final class KeptImages {
  private static final Logger LOG = LoggerFactory.getLogger(KeptImages.class);
  private static final Pattern TAG = Pattern.compile(
      Pattern.quote(EnvironmentImages.REPOSITORY) + "[a-z0-9._-]+:([0-9a-f]{32})");

  private final Engine engine;

  /** The environment images on {@code engine}. */
  public KeptImages(Engine engine) {
    this.engine = engine;
  }

  /** Notes that {@code cacheDir} uses the environment {@code key32}: its lock file exists. */
  static void used(Path cacheDir, String key32) throws IOException {
    Path file = lockFile(cacheDir, key32);
    if (!Files.exists(file)) {
      Files.createDirectories(cacheDir, PrivateModes.directory(file));
      try {
        Files.createFile(file, PrivateModes.file(file));
      } catch (FileAlreadyExistsException e) {
        // another run noted it first
      }
    }
  }

  /** The lock file of environment {@code key32} in {@code cacheDir}. */
  static Path lockFile(Path cacheDir, String key32) {
    return cacheDir.resolve("docker-env-" + key32 + ".lock");
  }

  /**
   * The environment images {@code cacheDir} uses, each sized as the layers it adds to its base
   * image (0 when it is only another name of an image that stays).
   */
  public List<KeptEnvironment> list(Path cacheDir) {
    List<Image> images;
    try {
      images = engine.control().listImagesCmd()
          .withReferenceFilter(EnvironmentImages.REPOSITORY + "*").exec();
    } catch (RuntimeException e) {
      throw engine.failure("list the environment images", e);
    }
    Map<String, Long> baseSizes = new HashMap<>();
    List<KeptEnvironment> kept = new ArrayList<>();
    for (Image image : images) {
      String[] tags = image.getRepoTags() == null ? new String[0] : image.getRepoTags();
      for (String tag : tags) {
        Matcher m = TAG.matcher(tag);
        if (!m.matches() || !Files.exists(lockFile(cacheDir, m.group(1)))) {
          continue;
        }
        long own = tags.length > 1 ? 0 : ownSize(image, baseSizes);
        Instant created = Instant.ofEpochSecond(image.getCreated() == null ? 0
            : image.getCreated());
        kept.add(new KeptEnvironment(m.group(1), tag, own, created));
      }
    }
    return kept;
  }

  /**
   * Removes the name of environment {@code key32} that {@code cacheDir} uses (the image goes with
   * its last name); false when it is gone, or the engine refuses because a container uses it.
   */
  public boolean remove(Path cacheDir, String key32) {
    boolean removed = false;
    for (KeptEnvironment env : list(cacheDir)) {
      if (!env.key().equals(key32)) {
        continue;
      }
      try {
        engine.control().removeImageCmd(env.name()).exec();
        removed = true;
      } catch (NotFoundException e) {
        // removed meanwhile
      } catch (ConflictException e) {
        LOG.debug("environment image {} stays, in use: {}", env.name(), Engine.message(e));
      } catch (RuntimeException e) {
        throw engine.failure("remove the environment image " + env.name(), e);
      }
    }
    if (removed) {
      try {
        Files.deleteIfExists(lockFile(cacheDir, key32));
      } catch (IOException e) {
        LOG.debug("lock file of {} stays: {}", key32, e.toString());
      }
    }
    return removed;
  }

  private long ownSize(Image image, Map<String, Long> baseSizes) {
    long size = image.getSize() == null ? 0 : image.getSize();
    String base = image.getLabels() == null ? null
        : image.getLabels().get(EnvironmentImages.BASE);
    if (base == null) {
      return size;
    }
    long baseSize = baseSizes.computeIfAbsent(base, id -> inspect(id)
        .map(InspectImageResponse::getSize).orElse(0L));
    return Math.max(0, size - baseSize);
  }

  private Optional<InspectImageResponse> inspect(String id) {
    try {
      return Optional.of(engine.control().inspectImageCmd(id).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw engine.failure("inspect the image " + id, e);
    }
  }
}
