package dev.rgrid.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExecutionIdTest {
  @Test
  void carriesItsCreationTimeAndSortsByIt() {
    SplittableRandom random = new SplittableRandom(7);
    Instant t = Instant.parse("2026-11-26T03:04:05.678Z");
    ExecutionId a = ExecutionId.generate(t, random);
    ExecutionId b = ExecutionId.generate(t.plusMillis(1), random);
    assertThat(a.createdAt()).isEqualTo(t);
    assertThat(b.createdAt()).isEqualTo(t.plusMillis(1));
    assertThat(a).isLessThan(b);
    assertThat(ExecutionId.generate(Instant.EPOCH, random).createdAt()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void refusesWhatIsNotAnId() {
    for (String bad : new String[] {"", "exec_", "exec_0123456789012345678901234I",
        "EXEC_01M8AXB2WH080CEFVK3WTHJKQ6", "exec_01M8AXB2WH080\nCEFVK3WTHJKQ6",
        "x".repeat(100_000)}) {
      assertThatThrownBy(() -> ExecutionId.of(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    // What a user pastes may carry surrounding whitespace: of() takes the id inside it.
    assertThat(ExecutionId.of(" exec_01M8AXB2WH080CEFVK3WTHJKQ6\n").value())
        .isEqualTo("exec_01M8AXB2WH080CEFVK3WTHJKQ6");
  }
}
