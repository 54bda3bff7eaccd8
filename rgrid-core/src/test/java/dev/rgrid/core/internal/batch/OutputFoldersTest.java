package dev.rgrid.core.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutputFoldersTest {
  private static List<String> assign(String... paths) {
    return OutputFolders.assign(List.of(paths).stream().map(Path::of).toList());
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void namesEachFolderAfterItsInputsFileName() {
    assertThat(assign("/base/x/data.csv", "/base/x/other.csv", "/base/y/third.csv"))
        .containsExactly("data.csv", "other.csv", "third.csv");
  }

  @Test
  void separatesTheSameFileNameInTwoFoldersByTheirParents() {
    assertThat(assign("/base/a/data.csv", "/base/b/data.csv", "/base/c/other.csv"))
        .containsExactly("a_data.csv", "b_data.csv", "other.csv");
  }

  @Test
  void separatesAThreeWayCollision() {
    assertThat(assign("a/data.csv", "b/data.csv", "c/data.csv"))
        .containsExactly("a_data.csv", "b_data.csv", "c_data.csv");
  }

  @Test
  void climbsOnlyAsFarAsNeededForEachInput() {
    assertThat(assign("/r/x/a/data.csv", "/r/y/a/data.csv", "/r/b/data.csv"))
        .containsExactly("x_a_data.csv", "y_a_data.csv", "b_data.csv");
    assertThat(assign("data.csv", "a/data.csv")).containsExactly("data.csv", "a_data.csv");
  }

  @Test
  void derivesNamesFromPathsRelativeToTheBaseDirectory() {
    Path base = Path.of("/home/me/project");
    assertThat(OutputFolders.assign(base, List.of(base.resolve("data.csv"),
        base.resolve("a/data.csv"), Path.of("/elsewhere/x/data.csv"))))
        .containsExactly("data.csv", "a_data.csv", "x_data.csv");
    assertThat(OutputFolders.assign(List.of(base.resolve("data.csv"), base.resolve("a/data.csv"))))
        .as("without a base the parent directory is all there is to tell them apart")
        .containsExactly("project_data.csv", "a_data.csv");
  }

  @Test
  void separatesNamesThatDifferOnlyInCaseWithANumber() {
    assertThat(assign("/r/Data.csv", "/r/data.csv")).containsExactly("Data.csv", "data-2.csv");
    assertThat(assign("/r/p/Data.csv", "/r/p/data.csv", "/r/q/data.csv"))
        .containsExactly("p_Data.csv", "p_data-2.csv", "q_data.csv");
  }

  @Test
  void numbersOnlyWhatJoiningWithUnderscoresCannotTellApart() {
    assertThat(assign("/r/a/data.csv", "/r/b/data.csv", "/r/a_data.csv"))
        .containsExactly("a_data-2.csv", "b_data.csv", "a_data.csv");
  }

  @Test
  void skipsNumbersAlreadyTakenAndNumbersAnInputGivenTwice() {
    assertThat(assign("/r/x/Data.csv", "/r/x/data.csv", "/r/data-2.csv"))
        .containsExactly("Data.csv", "data-3.csv", "data-2.csv");
    assertThat(assign("/r/data.csv", "/r/data.csv")).containsExactly("data.csv", "data-2.csv");
  }

  @Test
  void givesTheSameNamesWhateverTheOrderOfTheInputs() {
    List<Path> inputs = new ArrayList<>();
    for (String p : List.of("/r/a/data.csv", "/r/b/data.csv", "/r/a_data.csv", "/r/B/Data.csv",
        "/r/x/y/z.csv", "/r/q/y/z.csv", "/r/Z.CSV", "/r/dup.csv", "/r/DUP.csv", "/r/k/dup.csv")) {
      inputs.add(Path.of(p));
    }
    Map<Path, String> first = zip(inputs, OutputFolders.assign(inputs));
    Random random = new Random(3);
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(inputs, random);
      assertThat(zip(inputs, OutputFolders.assign(inputs))).isEqualTo(first);
    }
    assertThat(first.values().stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct())
        .hasSize(inputs.size());
  }

  private static Map<Path, String> zip(List<Path> inputs, List<String> names) {
    Map<Path, String> map = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      map.put(inputs.get(i), names.get(i));
    }
    return map;
  }

  @ParameterizedTest(name = "[{index}] {0} => {1}")
  @CsvSource(delimiterString = "=>", quoteCharacter = '"', value = {
      "CON.csv => _CON.csv",
      "con => _con",
      "Lpt1.txt => _Lpt1.txt",
      "CONSOLE.csv => CONSOLE.csv",
      "-rf.csv => _rf.csv",
      "--x => __x",
      ".hidden => _hidden",
      ". => _",
      ".. => _",
      "a/b\\c => a_b_c",
      "what?.csv => what_.csv",
      "a:b<c>d|e => a_b_c_d_e",
      "\"name. . \" => name",
      "\"  spaced name.csv \" => spaced name.csv",
      "ünï cödé.csv => ünï cödé.csv",
      "\"\" => _",
  })
  void makesHostileNamesSafe(String raw, String expected) {
    assertThat(OutputFolders.sanitize(raw)).isEqualTo(expected);
  }

  @Test
  void replacesControlFormatAndNulCharactersAndNormalisesUnicode() {
    assertThat(OutputFolders.sanitize("tab\tnew\nline\0x\u007f.csv"))
        .isEqualTo("tab_new_line_x_.csv");
    assertThat(OutputFolders.sanitize("\u202Egpj.csv")).isEqualTo("_gpj.csv");
    assertThat(OutputFolders.sanitize("zero\u200Bwidth")).isEqualTo("zero_width");
    assertThat(OutputFolders.sanitize("e\u0301.csv")).isEqualTo("\u00e9.csv");
  }

  @Test
  void shortensLongNamesKeepingTheExtensionAndDistinctness() {
    String a = OutputFolders.sanitize("x".repeat(300) + "-a.csv");
    String b = OutputFolders.sanitize("x".repeat(300) + "-b.csv");
    assertThat(List.of(a, b)).allSatisfy(name -> {
      assertThat(utf8(name)).isLessThanOrEqualTo(100);
      assertThat(name).startsWith("xxxx").endsWith(".csv").matches(".*~[0-9a-f]{8}\\.csv");
    });
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void shortensMultiByteNamesWithoutCuttingACharacter() {
    for (String unit : List.of("ü", "\u20ac", "\uD83D\uDE00")) {
      String name = OutputFolders.sanitize(unit.repeat(200) + ".parquet");
      assertThat(utf8(name)).isLessThanOrEqualTo(100);
      assertThat(name).endsWith(".parquet");
      String stem = name.substring(0, name.indexOf('~'));
      assertThat(stem.replace(unit, "")).isEmpty();
      assertThat(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
          .isEqualTo(name);
    }
    assertThat(OutputFolders.sanitize("y".repeat(120))).hasSizeLessThanOrEqualTo(100)
        .matches("y+~[0-9a-f]{8}");
  }

  @Test
  void numberedLongNamesStayWithinTheLimit() {
    String path = "/r/" + "n".repeat(150) + ".csv";
    List<String> names = assign(path, path);
    assertThat(names.get(1)).endsWith("-2.csv");
    assertThat(names).allSatisfy(n -> assertThat(utf8(n)).isLessThanOrEqualTo(100))
        .doesNotHaveDuplicates();
  }

  @Test
  void oddPathComponentsNeverBecomeDotOrDotDotFolders() {
    List<String> names = assign("..", ".", "x/../y.csv", "../../etc/passwd", "/");
    assertThat(names).doesNotContain(".", "..", "").allSatisfy(n -> {
      assertThat(n).doesNotContain("/").doesNotStartWith(".").doesNotStartWith("-");
    });
    assertThat(names.get(3)).isEqualTo("passwd");
  }

  @Test
  void foldersForARealTreeCanAllBeCreatedSideBySide(@TempDir Path dir) throws IOException {
    for (String file : List.of("in/a/data.csv", "in/b/data.csv", "in/Data.csv", "in/data.csv",
        "in/-v.csv", "in/CON.csv", "in/sp ace/ünï.csv", "in/deep/a/data.csv")) {
      Path p = dir.resolve(file);
      Files.createDirectories(p.getParent());
      Files.createFile(p);
    }
    List<Path> inputs = Globs.expand(dir, List.of("in/**"));
    List<String> names = OutputFolders.assign(dir.resolve("in"), inputs);
    assertThat(names).containsExactly("_v.csv", "_CON.csv",
        "Data.csv", "a_data.csv", "b_data.csv", "data-2.csv", "deep_a_data.csv", "ünï.csv");
    Path out = Files.createDirectory(dir.resolve("out"));
    for (String name : names) {
      Files.createDirectory(out.resolve(name)); // fails on a collision or an unsafe name
    }
    try (var listed = Files.list(out)) {
      assertThat(listed.map(p -> p.getFileName().toString().toLowerCase(Locale.ROOT))
          .collect(Collectors.toSet())).hasSize(inputs.size());
    }
  }
}
