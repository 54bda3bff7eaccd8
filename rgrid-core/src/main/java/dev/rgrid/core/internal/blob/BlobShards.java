package dev.rgrid.core.internal.blob;

import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.StoredBlob;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A directory of blobs laid out as {@code <dir>/<first two hex digits>/<sha256>}, listed in key
 * order a page at a time: one shard (about 1/256 of the blobs) is read and sorted at once, so
 * memory follows the shard, not the store.
 */
final class BlobShards {
  private static final Pattern SHARD = Pattern.compile("[0-9a-f]{2}");
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

  private final Path dir;

  BlobShards(Path dir) {
    this.dir = dir;
  }

  /** Where the blob with this key lives. */
  Path pathOf(BlobKey key) {
    String hex = key.sha256();
    return dir.resolve(hex.substring(0, 2)).resolve(hex);
  }

  /** The blobs after {@code after} (null: from the first), at most {@code limit}, by key. */
  List<StoredBlob> list(BlobKey after, int limit) throws IOException {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    List<StoredBlob> out = new ArrayList<>();
    String from = after == null ? "" : after.sha256();
    for (String shard : shards()) {
      if (!from.isEmpty() && shard.compareTo(from.substring(0, 2)) < 0) {
        continue;
      }
      for (Path file : sortedKeys(dir.resolve(shard))) {
        String name = file.getFileName().toString();
        if (name.compareTo(from) <= 0) {
          continue;
        }
        try {
          BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
          out.add(new StoredBlob(new BlobKey(name), a.size(), a.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
          continue; // removed since the directory was read
        }
        if (out.size() == limit) {
          return out;
        }
      }
    }
    return out;
  }

  private List<String> shards() throws IOException {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (SHARD.matcher(name).matches() && Files.isDirectory(p)) {
          names.add(name);
        }
      }
    }
    names.sort(null);
    return names;
  }

  private static List<Path> sortedKeys(Path shard) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(shard)) {
      for (Path p : entries) {
        if (KEY.matcher(p.getFileName().toString()).matches()) {
          files.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return files;
    }
    files.sort(null);
    return files;
  }
}
