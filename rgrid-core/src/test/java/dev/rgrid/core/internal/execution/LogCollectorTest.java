package dev.rgrid.core.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.Limits;
import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.core.internal.store.SqliteDatabase;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCollectorTest {
  @TempDir Path dir;

  @Test
  void capsTheStoredLogWithOneMarkerAndKeepsTheRawBytesUpToTheirOwnCap() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("db"));
        FileBlobStore blobs = new FileBlobStore(dir.resolve("blobs"))) {
      Limits limits = Limits.defaults().withLogs(1000, 64, 5000);
      ExecutionId id = ExecutionId.generate(Clock.systemUTC().instant(), new SecureRandom());
      db.metadataStore().create(ExecutionRecord.queued(id, new ExecutionSpec("x.py",
          new BlobKey("0".repeat(64)), "python3.11", List.of(), Map.of(), List.of(),
          Duration.ofMinutes(1), Map.of(), null, null, false), Clock.systemUTC().instant()));
      LogCollector logs = new LogCollector(id, db.metadataStore(), blobs, Clock.systemUTC(),
          limits, ExecutionListener.NONE, dir, false);
      byte[] line = "0123456789012345678\n".getBytes(StandardCharsets.UTF_8); // 20 bytes
      for (int i = 0; i < 500; i++) { // 10,000 bytes
        logs.write(OutputSink.Stream.STDOUT, line, 0, line.length);
      }
      logs.write(OutputSink.Stream.STDERR, line, 0, line.length);
      LogCollector.Captured captured = logs.finish();

      List<LogLine> stored = db.metadataStore().logs(id, 0, 10_000);
      assertThat(captured.truncated()).isTrue();
      assertThat(stored).hasSize(51);
      assertThat(stored.get(50).stream()).isEqualTo(LogStream.SYSTEM);
      assertThat(stored.get(50).text()).contains("truncated");
      assertThat(stored).extracting(LogLine::seq).doesNotHaveDuplicates().isSorted();
      try (InputStream in = blobs.open(captured.stdout())) {
        assertThat(in.readAllBytes()).hasSize(5000);
      }
      try (InputStream in = blobs.open(captured.stderr())) {
        assertThat(in.readAllBytes()).isEqualTo(line);
      }
    }
  }
}
