package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.spi.StorageFullException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.ForwardingBlobStore;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.RetryPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob store whose disk fills up once the script has run: the run ends once, as {@code
 * disk-full}, with the script's exit code; never run again, whatever its retry policy says (the
 * CLI's end-to-end test fills a real disk; this one pins the rule for every policy).
 */
class DiskFullTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path home;
  @TempDir Path src;

  @Test
  void aFullBlobStoreAfterTheScriptRanEndsItOnceEvenWhenItsPolicyRetriesDiskFull()
      throws Exception {
    Path marker = src.resolve("runs");
    Path script = Files.writeString(src.resolve("big.py"), "open(" + py(marker) + ", 'a')"
        + ".write('ran\\n')\nopen('out.bin', 'wb').write(b'x' * 100_000)\nraise SystemExit(3)\n");
    RetryPolicy everything = RetryPolicy.defaults().withInitialDelay(Duration.ofMillis(10))
        .withRetryOn(EnumSet.of(FailureKind.DISK_FULL, FailureKind.BACKEND_UNAVAILABLE));
    try (LocalRGrid rgrid = RGrid.builder().home(home)
        .blobs(new FullAbove(new FileBlobStore(home.resolve("blobs")), 50_000)).build()) {
      ExecutionRecord done = rgrid.run(RunSpec.builder(script).retry(everything).build())
          .await(DEADLINE).orElseThrow();

      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.failure().kind()).isEqualTo(FailureKind.DISK_FULL);
      assertThat(done.failure().message()).contains("its outputs could not be stored")
          .contains("is full");
      assertThat(done.failure().hint()).contains("free space");
      assertThat(done.exitCode()).as("the script's own exit code").isEqualTo(3);
      assertThat(done.attempt()).isEqualTo(1);
      assertThat(Files.readAllLines(marker)).as("the script ran once").containsExactly("ran");
    }
  }

  private static String py(Path p) {
    return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A real store whose disk is full for anything larger than {@code room} bytes. */
  private static final class FullAbove extends ForwardingBlobStore {
    private final int room;

    FullAbove(BlobStore delegate, int room) {
      super(delegate);
      this.room = room;
    }

    @Override
    public BlobInfo put(InputStream content) {
      byte[] bytes;
      try {
        bytes = content.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (bytes.length > room) {
        throw new StorageFullException("test", "/full", "the disk holding the blob store /full "
            + "is full", "free space on that disk", new IOException("No space left on device"));
      }
      return super.put(new ByteArrayInputStream(bytes));
    }
  }
}
