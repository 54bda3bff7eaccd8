package dev.rgrid.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.store.FailureKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** Telling a full disk from other I/O errors, and that it is not a transient failure. */
class StorageFullExceptionTest {
  @Test
  void recognisesNoSpaceAndQuotaErrorsAnywhereInTheCauseChain() {
    assertThat(StorageFullException.isOutOfSpace(new IOException("No space left on device")))
        .isTrue();
    assertThat(StorageFullException.isOutOfSpace(new UncheckedIOException("cannot stage a.csv",
        new IOException("Disk quota exceeded")))).isTrue();
    assertThat(StorageFullException.isOutOfSpace(new FileSystemException("/w/a.csv", null,
        "No space left on device"))).isTrue();
    assertThat(StorageFullException.isOutOfSpace(new RGridException("outer", null, null,
        new StorageFullException("sqlite", "/h/rgrid.db", "full", "free space", null)))).isTrue();
  }

  @Test
  void doesNotMistakeOtherErrorsForAFullDisk() {
    assertThat(StorageFullException.isOutOfSpace(new IOException("Permission denied"))).isFalse();
    assertThat(StorageFullException.isOutOfSpace(new FileSystemException("/w/a", null,
        "Read-only file system"))).isFalse();
    // Only the file system's own words count, not a script's text that mentions them.
    assertThat(StorageFullException.isOutOfSpace(new IllegalStateException(
        "No space left on device"))).isFalse();
    assertThat(StorageFullException.isOutOfSpace(null)).isFalse();
    Throwable loop = new IOException("loop");
    loop.initCause(new IOException("again", loop));
    assertThat(StorageFullException.isOutOfSpace(loop)).isFalse();
  }

  @Test
  void aFullDiskIsItsOwnKindAndNotRetriedByDefault() {
    assertThat(FailureKind.fromCode("disk-full")).isEqualTo(FailureKind.DISK_FULL);
    assertThat(FailureKind.DISK_FULL.isTransient()).isFalse();
    assertThat(dev.rgrid.spi.store.RetryPolicy.defaults().retryOn())
        .doesNotContain(FailureKind.DISK_FULL);
  }
}
