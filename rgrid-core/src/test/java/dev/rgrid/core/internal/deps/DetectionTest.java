package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.internal.deps.Detection.Source;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DetectionTest {

  private static Detection detection(RequirementSet set, Source source, String origin) {
    return new Detection(set, source, origin, List.of(), List.of(), Optional.empty(), List.of());
  }

  @Test
  void describesTheSourceAndTheRequirementsOnOneLine() {
    Detection detection = detection(RequirementSet.parse("pandas", "numpy>=1.26"), Source.EXPLICIT,
        "requirements file deps.txt");

    assertThat(detection.describe())
        .isEqualTo("dependencies from requirements file deps.txt: numpy>=1.26, pandas")
        .doesNotContain("\n");
  }

  @Test
  void cutsLongListsShort() {
    RequirementSet many = RequirementSet.of(
        IntStream.range(0, 50).mapToObj(i -> Requirement.parse("p" + (100 + i))).toList());

    String line = detection(many, Source.REQUIREMENTS_TXT, "requirements.txt beside the script")
        .describe();

    assertThat(line).startsWith("dependencies from requirements.txt beside the script: p100, ")
        .endsWith("p119 and 30 more");
  }

  @Test
  void copiesItsLists() {
    java.util.ArrayList<String> files = new java.util.ArrayList<>(List.of("a.py"));
    Detection detection = new Detection(RequirementSet.empty(), Source.NONE, "x", files,
        List.of(), Optional.empty(), List.of());
    files.add("b.py");

    assertThat(detection.localFiles()).containsExactly("a.py");
  }
}
