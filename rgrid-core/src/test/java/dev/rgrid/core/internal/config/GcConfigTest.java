package dev.rgrid.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.GcSettings;
import dev.rgrid.core.InvalidRunSpecException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The environment budget's setting: sizes with binary units, off, and refused values. */
class GcConfigTest {
  private static final Path FILE = Path.of("/home/u/.rgrid/config.properties");

  private static long budget(String value) {
    return GcConfig.load(Map.of("RGRID_ENVS_MAX_BYTES", value), new Properties(), FILE)
        .environmentsMaxBytes();
  }

  @Test
  void sizesTakeBinaryUnitsAndOffOrZeroMeansNoBudget() {
    assertThat(budget("10G")).isEqualTo(10L << 30);
    assertThat(budget("500m")).isEqualTo(500L << 20);
    assertThat(budget("20GiB")).isEqualTo(20L << 30);
    assertThat(budget("1T")).isEqualTo(1L << 40);
    assertThat(budget("4096")).isEqualTo(4096);
    assertThat(budget("off")).isZero();
    assertThat(budget("0")).isZero();
    assertThat(GcConfig.load(Map.of(), new Properties(), FILE).environmentsMaxBytes())
        .isEqualTo(GcSettings.ENVIRONMENTS_MAX_BYTES).isEqualTo(20L << 30);
  }

  @Test
  void theConfigFileKeyIsReadWhenTheVariableIsUnset() {
    Properties props = new Properties();
    props.setProperty("envs.max-bytes", "2G");
    assertThat(GcConfig.load(Map.of(), props, FILE).environmentsMaxBytes()).isEqualTo(2L << 30);
  }

  @Test
  void badBudgetsAreRefusedNamingTheSettingOnOneShortLine() {
    for (String bad : List.of("-1G", "10X", "1.5G", "ten", "10 G", "9999999999T", "5ib",
        "x".repeat(10_000), "1G;rm -rf ~", "\u0000")) {
      assertThatThrownBy(() -> budget(bad)).as(bad)
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("RGRID_ENVS_MAX_BYTES (envs.max-bytes)")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200).doesNotContain("\n"));
    }
  }
}
