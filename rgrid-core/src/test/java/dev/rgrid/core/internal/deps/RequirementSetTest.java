package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RequirementSetTest {

  @Test
  void sortsAndDeduplicates() {
    RequirementSet set = RequirementSet.parse("pandas", "Numpy >= 1.26", "numpy>=1.26", "PANDAS");

    assertThat(set.lines()).containsExactly("numpy>=1.26", "pandas");
    assertThat(set.size()).isEqualTo(2);
    assertThat(set.isEmpty()).isFalse();
    assertThat(set).hasToString("numpy>=1.26, pandas");
  }

  @Test
  void keepsRequirementsThatDifferInSpecifierOrMarker() {
    RequirementSet set = RequirementSet.parse("numpy", "numpy>=1", "numpy; os_name == 'nt'");

    assertThat(set.lines())
        .containsExactly("numpy", "numpy; os_name == \"nt\"", "numpy>=1");
  }

  @Test
  void digestIgnoresOrderCaseAndBlanks() {
    RequirementSet one = RequirementSet.parse("Requests >= 2.0", "rich");
    RequirementSet two = RequirementSet.parse("rich", "requests>=2.0", "requests >=2.0");

    assertThat(one).isEqualTo(two);
    assertThat(one.sha256()).isEqualTo(two.sha256()).hasSize(64).matches("[0-9a-f]{64}");
  }

  @Test
  void digestIsOfTheCanonicalLinesJoinedByNewlines() throws Exception {
    RequirementSet set = RequirementSet.parse("b", "a");
    byte[] expected = java.security.MessageDigest.getInstance("SHA-256")
        .digest("a\nb".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(set.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(expected));
    assertThat(set.sha256()).isNotEqualTo(RequirementSet.parse("a", "b>=1").sha256());
  }

  @Test
  void emptySetIsEmpty() {
    assertThat(RequirementSet.empty().isEmpty()).isTrue();
    assertThat(RequirementSet.empty().lines()).isEmpty();
    assertThat(RequirementSet.of(List.of())).isEqualTo(RequirementSet.empty());
  }

  @Test
  void isImmutable() {
    List<Requirement> source = new ArrayList<>(List.of(Requirement.parse("a")));
    RequirementSet set = RequirementSet.of(source);
    source.add(Requirement.parse("b"));

    assertThat(set.lines()).containsExactly("a");
    assertThatThrownBy(() -> set.requirements().add(Requirement.parse("c")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void allowsAThousandDistinctRequirementsButNoMore() {
    List<Requirement> thousand = IntStream.range(0, 1_000)
        .mapToObj(i -> Requirement.parse("pkg" + i)).toList();
    assertThat(RequirementSet.of(thousand).size()).isEqualTo(1_000);

    List<Requirement> more = new ArrayList<>(thousand);
    more.add(Requirement.parse("one-more"));
    assertThatThrownBy(() -> RequirementSet.of(more))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("1,001 distinct requirements")
        .hasMessageContaining("1,000 allowed");
  }

  @Test
  void duplicatesDoNotCountTowardsTheLimit() {
    List<Requirement> many = IntStream.range(0, 5_000)
        .mapToObj(i -> Requirement.parse(i % 2 == 0 ? "Same" : "same")).toList();

    assertThat(RequirementSet.of(many).lines()).containsExactly("same");
  }

  @Test
  void refusesCanonicalLinesLongerThanTheLimit() {
    // Each part is short enough on its own; the canonical line is not.
    String extras = String.join(",", IntStream.range(0, 100).mapToObj(i -> "extra" + i).toList());
    Requirement requirement = new Requirement("pkg", List.of(extras.split(",")),
        ">=1," + String.join(",", IntStream.range(0, 60).mapToObj(i -> "!=" + i + ".0").toList()),
        null);

    assertThatThrownBy(() -> RequirementSet.of(List.of(requirement)))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("characters long, more than 1000");
  }
}
