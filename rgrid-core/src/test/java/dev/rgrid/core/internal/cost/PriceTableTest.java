package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PriceTableTest {

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void theLocalMachineIsFreeByDefault() {
    PriceTable table = PriceTable.defaults();
    assertThat(table.hourlyMicros("local")).isZero();
    assertThat(table.asMap()).containsExactly(Map.entry("local", 0L));
  }

  @Test
  void readsPricesFromPropertiesAndIgnoresOtherKeys() {
    PriceTable table =
        PriceTable.fromProperties(
            props(
                "price.local", "0.10",
                "price.c5-large", "0.085",
                "price.gpu_a100.x2", "€3.20",
                "limit.monthly", "not a price"));
    assertThat(table.hourlyMicros("local")).isEqualTo(100_000);
    assertThat(table.hourlyMicros("c5-large")).isEqualTo(85_000);
    assertThat(table.hourlyMicros("gpu_a100.x2")).isEqualTo(3_200_000);
    assertThat(table.asMap()).containsOnlyKeys("local", "c5-large", "gpu_a100.x2");
  }

  @Test
  void keepsTheLocalDefaultWhenPropertiesDoNotPriceIt() {
    assertThat(PriceTable.fromProperties(props("price.c5", "1")).hourlyMicros("local")).isZero();
  }

  @Test
  void seesDefaultsOfTheProperties() {
    Properties defaults = props("price.c5", "2");
    assertThat(PriceTable.fromProperties(new Properties(defaults)).hourlyMicros("c5"))
        .isEqualTo(2_000_000);
  }

  @Test
  void anUnknownTypeNamesTheKnownOnesAndHowToPriceIt() {
    PriceTable table = PriceTable.fromProperties(props("price.c5-large", "0.085"));
    CostException e = catchThrowableOfType(CostException.class, () -> table.hourlyMicros("gpu"));
    assertThat(e).hasMessage("no price for worker type 'gpu'; known types: c5-large, local");
    assertThat(e.hint()).contains("set price.gpu=<euros per hour> in the price settings, e.g. price.gpu=0.085");
    assertThat(table.find("gpu")).isEmpty();
  }

  @Test
  void listsAtMostTenKnownTypes() {
    PriceTable table = PriceTable.defaults();
    for (int i = 0; i < 30; i++) {
      table = table.with("t" + i, i);
    }
    PriceTable full = table;
    assertThatThrownBy(() -> full.hourlyMicros("gpu")).hasMessageEndingWith("… (31 in all)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"price.C5", "price.", "price.-c5", "price.c5 large", "price.c5/large",
      "price.../etc", "price.c\u00e9", "price.c5\u0000"})
  void refusesBadTypeNamesInProperties(String key) {
    CostException e =
        catchThrowableOfType(CostException.class, () -> PriceTable.fromProperties(props(key, "1")));
    assertThat(e.getMessage()).startsWith("not a valid worker type").doesNotContain("\u0000");
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("lower-case"));
  }

  @Test
  void typeNamesMayHaveUpToSixtyThreeCharacters() {
    String longest = "a".repeat(63);
    assertThat(PriceTable.checkType(longest)).isEqualTo(longest);
    assertThatThrownBy(() -> PriceTable.checkType(longest + "a"))
        .isInstanceOf(CostException.class);
  }

  @Test
  void aHostileTypeNameIsShortenedInTheMessage() {
    String huge = "X".repeat(1 << 20);
    assertThatThrownBy(() -> PriceTable.defaults().hourlyMicros(huge))
        .isInstanceOf(CostException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-0.10", "abc", "$1", "0.0000001", "٥", ""})
  void aBadPriceNamesItsKey(String amount) {
    CostException e =
        catchThrowableOfType(
            CostException.class, () -> PriceTable.fromProperties(props("price.c5", amount)));
    assertThat(e.getMessage()).startsWith("price 'price.c5': ");
    assertThat(e.hint()).isPresent();
    assertThat(e.getCause()).isInstanceOf(CostException.class);
  }

  @Test
  void withReturnsANewTableAndLeavesTheOldOneAlone() {
    PriceTable before = PriceTable.defaults();
    PriceTable after = before.with("local", 50_000).with("c5", 85_000);
    assertThat(before.hourlyMicros("local")).isZero();
    assertThat(after.hourlyMicros("local")).isEqualTo(50_000);
    assertThat(after).isEqualTo(PriceTable.defaults().with("c5", 85_000).with("local", 50_000));
    assertThat(after.toString()).isEqualTo("PriceTable[c5=€0.085/h, local=€0.05/h]");
    assertThatThrownBy(() -> before.with("c5", -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> before.with("C5", 1)).isInstanceOf(CostException.class);
  }

  @Test
  void theMapCannotBeChangedFromOutside() {
    assertThatThrownBy(() -> PriceTable.defaults().asMap().put("x", 1L))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
