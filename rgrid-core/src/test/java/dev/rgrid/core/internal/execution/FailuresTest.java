package dev.rgrid.core.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.StorageFullException;
import dev.rgrid.spi.runtime.ContainerStartException;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** How a failure inside RGrid is classified and explained. */
class FailuresTest {
  private static final ExecutionId ID = ExecutionId.of("exec_01M8AXB2WH080CEFVK3WTHJKQ6");

  @Test
  void aFullDiskIsDiskFullWhoeverSaysIt() {
    assertThat(Failures.kindOf(new StorageFullException("file blob store", "/b", "full", "free",
        null))).isEqualTo(FailureKind.DISK_FULL);
    // An I/O error no backend wrapped (a disk filled up under RGrid's own files).
    assertThat(Failures.kindOf(new UncheckedIOException("cannot stage a.csv",
        new IOException("No space left on device")))).isEqualTo(FailureKind.DISK_FULL);
    // An engine that refuses a container because its disk is full says why in its message.
    assertThat(Failures.kindOf(new ContainerStartException("docker", "c", "no space left on "
        + "device", "free", new IOException("No space left on device"))))
        .isEqualTo(FailureKind.DISK_FULL);
  }

  @Test
  void otherOutagesStayTransientAndDefectsInternal() {
    assertThat(Failures.kindOf(new BackendUnavailableException("s3", "cannot reach s3", "wait",
        new IOException("Connection refused")))).isEqualTo(FailureKind.BACKEND_UNAVAILABLE);
    assertThat(Failures.kindOf(new ContainerStartException("docker", "c", "refused", "retry",
        null))).isEqualTo(FailureKind.START_FAILED);
    assertThat(Failures.kindOf(new IllegalStateException("bug"))).isEqualTo(FailureKind.INTERNAL);
  }

  @Test
  void anUnwrappedFullDiskGetsAMessageWithItsCauseAndAHintToFreeSpace() {
    FailureReason r = Failures.reasonOf(ID, new UncheckedIOException("cannot stage a.csv",
        new IOException("No space left on device")));
    assertThat(r.kind()).isEqualTo(FailureKind.DISK_FULL);
    assertThat(r.message()).isEqualTo("cannot stage a.csv: No space left on device");
    assertThat(r.hint()).contains("free space").doesNotContain("defect");
  }

  @Test
  void aDefectWithoutAMessageIsNamedAndPointsAtAReport() {
    FailureReason r = Failures.reasonOf(ID, new NullPointerException());
    assertThat(r.message()).isEqualTo("NullPointerException");
    assertThat(r.hint()).contains("defect").contains("rgrid status " + ID + " --json");
  }
}
