package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStore;
import dev.rgrid.spi.store.LogStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link LogStore} passes: log lines are kept in order, resent ones are ignored
 * and any text is kept as it is. Extend it and return a fresh, empty store (see {@link
 * MetadataStoreFixture}).
 */
public abstract class LogStoreContract extends MetadataStoreFixture {
  @Test
  void keepsLogLinesInOrderAndIgnoresResentOnes() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    List<LogLine> lines = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      lines.add(new LogLine(i, i % 2 == 0 ? LogStream.STDERR : LogStream.STDOUT,
          T0.plusMillis(i), "line " + i + " ünïcødé \t 'quoted'"));
    }
    store.appendLogs(r.id(), lines.subList(0, 6));
    store.appendLogs(r.id(), lines.subList(4, 10));
    assertThat(store.logs(r.id(), 0, 100)).containsExactlyElementsOf(lines);
    assertThat(store.logs(r.id(), 7, 100)).containsExactlyElementsOf(lines.subList(7, 10));
    assertThat(store.logs(r.id(), 2, 3)).containsExactlyElementsOf(lines.subList(2, 5));
    assertThat(store.logs(r.id(), 10, 100)).isEmpty();
  }

  @Test
  void keepsLongAndEmptyLogLines() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    String longText = "x".repeat(200_000);
    List<LogLine> lines = List.of(new LogLine(1, LogStream.STDOUT, T0, ""),
        new LogLine(2, LogStream.STDOUT, T0, longText),
        new LogLine(3, LogStream.SYSTEM, T0, "\uFFFD marker"));
    store.appendLogs(r.id(), lines);
    assertThat(store.logs(r.id(), 0, 10)).containsExactlyElementsOf(lines);
  }
}
