package dev.rgrid.core.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.tck.BlobStoreContract;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest extends BlobStoreContract {
  @TempDir Path dir;

  @Override
  protected BlobStore newStore() {
    return new FileBlobStore(dir.resolve("blobs"));
  }

  private FileBlobStore store() {
    return (FileBlobStore) blobs;
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void laysBlobsOutByTheFirstTwoHexDigitsOfTheirKey() throws Exception {
    byte[] content = "layout".getBytes(StandardCharsets.UTF_8);
    BlobInfo info = blobs.put(new ByteArrayInputStream(content));
    String hex = info.key().sha256();
    Path expected = store().root().resolve(hex.substring(0, 2)).resolve(hex);
    assertThat(expected).hasBinaryContent(content);
    assertThat(filesUnder(store().root())).containsExactly(expected);
  }

  @Test
  void leavesNoTemporaryFileWhenTheSourceFails() throws Exception {
    InputStream failing = new SequenceInputStream(
        new ByteArrayInputStream(new byte[200_000]), new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("disk on the other side went away");
          }
        });
    assertThatThrownBy(() -> blobs.put(failing))
        .isInstanceOf(RGridException.class)
        .hasMessageContaining("could not read the content")
        .hasRootCauseMessage("disk on the other side went away");
    assertThat(filesUnder(store().root())).isEmpty();
  }

  @Test
  void leavesNoTemporaryFileWhenTheSourceThrowsAnUncheckedError() throws Exception {
    InputStream failing = new InputStream() {
      @Override
      public int read() {
        throw new IllegalStateException("bug in the caller's stream");
      }
    };
    assertThatThrownBy(() -> blobs.put(failing)).isInstanceOf(IllegalStateException.class);
    assertThat(filesUnder(store().root())).isEmpty();
  }

  @Test
  void reportsARootThatIsARegularFileAsUnavailableWithAHint() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> new FileBlobStore(file))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertThat(e.backend()).isEqualTo("file blob store");
          assertThat(e.getMessage()).contains(file.toString());
          assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h)
              .contains(file.toString()).contains("writable").contains("RGRID_HOME"));
          assertThat(e.getCause()).isInstanceOf(IOException.class);
        });
  }

  @Test
  void forgetsABlobWhoseFileWasDeletedUnderIt() throws Exception {
    BlobInfo info = blobs.put(new ByteArrayInputStream(new byte[] {1, 2, 3}));
    Files.delete(store().pathOf(info.key()));
    assertThat(blobs.exists(info.key())).isFalse();
    assertThat(blobs.size(info.key())).isEmpty();
    assertThat(blobs.delete(info.key())).isFalse();
    assertThatThrownBy(() -> blobs.open(info.key()))
        .isInstanceOfSatisfying(NotFoundException.class,
            e -> assertThat(e.getMessage()).contains(info.key().sha256()));
  }

  @Test
  void storesAgainABlobWhoseFileWasDeleted() throws Exception {
    byte[] content = "again".getBytes(StandardCharsets.UTF_8);
    BlobInfo info = blobs.put(new ByteArrayInputStream(content));
    Files.delete(store().pathOf(info.key()));
    assertThat(blobs.put(new ByteArrayInputStream(content))).isEqualTo(info);
    try (InputStream in = blobs.open(info.key())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void removesOnlyStaleTemporaryFilesWhenOpened() throws Exception {
    Path tmp = store().root().resolve("tmp");
    Instant now = Instant.parse("2026-11-25T10:00:00Z");
    Path stale = Files.writeString(tmp.resolve("old.part"), "abandoned");
    Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofHours(25))));
    Path fresh = Files.writeString(tmp.resolve("young.part"), "in progress elsewhere");
    Files.setLastModifiedTime(fresh, FileTime.from(now.minus(Duration.ofHours(1))));

    new FileBlobStore(store().root(), Clock.fixed(now, ZoneOffset.UTC)).close();

    assertThat(stale).doesNotExist();
    assertThat(fresh).exists();
  }

  @Test
  void acceptsTheSameContentFromSeveralStoresOnOneRoot() throws Exception {
    // Separate instances share nothing in memory, like separate processes sharing ~/.rgrid.
    byte[] content = new byte[256 * 1024];
    new Random(3).nextBytes(content);
    List<FileBlobStore> stores = List.of(store(), new FileBlobStore(store().root()),
        new FileBlobStore(store().root()));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<BlobInfo>> puts = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        FileBlobStore s = stores.get(i % stores.size());
        puts.add(pool.submit(() -> s.put(new ByteArrayInputStream(content))));
      }
      for (Future<BlobInfo> put : puts) {
        assertThat(put.get(60, TimeUnit.SECONDS)).isEqualTo(puts.get(0).get());
      }
    } finally {
      pool.shutdownNow();
    }
    BlobInfo info = stores.get(1).put(new ByteArrayInputStream(content));
    assertThat(filesUnder(store().root())).containsExactly(store().pathOf(info.key()));
    try (InputStream in = stores.get(2).open(info.key())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }
}
