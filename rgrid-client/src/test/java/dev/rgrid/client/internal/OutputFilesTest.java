package dev.rgrid.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.RGridException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output paths from the server are placed under the download directory, or refused. */
class OutputFilesTest {
  @TempDir Path dir;

  @Test
  void placesRelativePathsUnderTheDirectory() {
    Path root = dir.toAbsolutePath().normalize();
    assertThat(OutputFiles.target(root, "out/a.txt")).isEqualTo(root.resolve("out/a.txt"));
    assertThat(OutputFiles.target(root, "out/../b.txt")).isEqualTo(root.resolve("b.txt"));
  }

  @Test
  void refusesPathsThatLeaveTheDirectory() {
    Path root = dir.toAbsolutePath().normalize();
    for (String bad : new String[] {"../escape.txt", "a/../../escape.txt", "/etc/passwd", ".",
        ""}) {
      assertThatThrownBy(() -> OutputFiles.target(root, bad)).as(bad)
          .isInstanceOf(RGridException.class).hasMessageContaining("refusing");
    }
  }
}
