package dev.rgrid.core.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.internal.batch.OutputFolders.FlatClash;
import dev.rgrid.core.internal.batch.OutputFolders.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatOutputsTest {
  @Test
  void distinctFilesAndSharedDirectoriesDoNotClash() {
    Map<String, List<String>> outputs = Map.of(
        "a.csv", List.of("a.out", "plots/a.png", "plots/deep/a.svg"),
        "b.csv", List.of("b.out", "plots/b.png", "plots/deep/b.svg"),
        "c.csv", List.of());
    assertThat(OutputFolders.flatClashes(outputs)).isEmpty();
    OutputFolders.requireNoFlatClashes(outputs); // does not throw
  }

  @Test
  void theSamePathFromTwoInputsClashes() {
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    outputs.put("data/b.csv", List.of("result.json", "b.log"));
    outputs.put("data/a.csv", List.of("result.json", "a.log"));
    outputs.put("data/c.csv", List.of("c.log"));
    assertThat(OutputFolders.flatClashes(outputs)).containsExactly(new FlatClash("result.json",
        List.of(new Writer("data/a.csv", "result.json", false),
            new Writer("data/b.csv", "result.json", false))));
    assertThatThrownBy(() -> OutputFolders.requireNoFlatClashes(outputs))
        .isInstanceOf(FlatClashException.class)
        .hasMessage("--flat would overwrite outputs: 1 path written by more than one input: "
            + "'result.json' from data/a.csv, data/b.csv")
        .satisfies(e -> assertThat(((FlatClashException) e).hint()).get().asString()
            .contains("drop --flat"));
  }

  @Test
  void pathsThatDifferOnlyInCaseClashShowingEachSpelling() {
    Map<String, List<String>> outputs = Map.of("a.csv", List.of("out/Plot.png"),
        "b.csv", List.of("OUT/plot.png"));
    List<FlatClash> clashes = OutputFolders.flatClashes(outputs);
    assertThat(clashes).singleElement().satisfies(c -> assertThat(c.writers())
        .extracting(Writer::path).containsExactly("out/Plot.png", "OUT/plot.png"));
    assertThatThrownBy(() -> OutputFolders.requireNoFlatClashes(outputs))
        .hasMessageContaining("'out/Plot.png' from a.csv vs 'OUT/plot.png' from b.csv");
  }

  @Test
  void aFileWhereAnotherInputNeedsADirectoryClashes() {
    Map<String, List<String>> outputs = Map.of("a.csv", List.of("out"),
        "b.csv", List.of("out/x.png", "out/y.png"));
    assertThat(OutputFolders.flatClashes(outputs)).containsExactly(new FlatClash("out",
        List.of(new Writer("a.csv", "out", false), new Writer("b.csv", "out", true))));
  }

  @Test
  void outputsOfOneInputNeverClashWithEachOther() {
    assertThat(OutputFolders.flatClashes(Map.of("a.csv", List.of("x", "X", "x/y")))).isEmpty();
  }

  @Test
  void reportsEveryClashInOneErrorAndKeepsTheMessageReadableForHugeBatches() {
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      List<String> paths = new java.util.ArrayList<>(List.of("result.json"));
      for (int p = 0; p < 25; p++) {
        paths.add("part-" + p + ".txt");
      }
      outputs.put(String.format("in-%02d.csv", i), paths);
    }
    List<FlatClash> clashes = OutputFolders.flatClashes(outputs);
    assertThat(clashes).hasSize(26).allSatisfy(c -> assertThat(c.writers()).hasSize(30));
    assertThatThrownBy(() -> OutputFolders.requireNoFlatClashes(outputs))
        .isInstanceOfSatisfying(FlatClashException.class, e -> {
          assertThat(e.clashes()).isEqualTo(clashes);
          assertThat(e.getMessage()).startsWith("--flat would overwrite outputs: 26 paths")
              .contains("'part-0.txt' from in-00.csv, in-01.csv")
              .contains("and 20 more inputs").endsWith("; and 6 more");
        });
  }
}
