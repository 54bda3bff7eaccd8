package dev.rgrid.core.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final String IN = "/work/in/data 1.csv";

  @Test
  void appendsTheInputWhenNoArgumentHasAPlaceholder() {
    assertThat(Placement.place(List.of("--verbose", "-n", "3"), IN))
        .containsExactly("--verbose", "-n", "3", IN);
    assertThat(Placement.place(List.of(), IN)).containsExactly(IN);
  }

  @Test
  void replacesAWholeArgumentPlaceholderInPlace() {
    assertThat(Placement.place(List.of("{}", "--out", "o.json"), IN))
        .containsExactly(IN, "--out", "o.json");
  }

  @Test
  void replacesAPlaceholderInsideAnArgument() {
    assertThat(Placement.place(List.of("--in={}", "--backup", "{}.bak"), IN))
        .containsExactly("--in=" + IN, "--backup", IN + ".bak");
  }

  @Test
  void replacesEveryPlaceholderWithTheSamePath() {
    assertThat(Placement.place(List.of("{}", "--copy={}:{}"), "a.csv"))
        .containsExactly("a.csv", "--copy=a.csv:a.csv");
  }

  @Test
  void doubledBracesAreALiteralPlaceholderAndDoNotCount() {
    assertThat(Placement.place(List.of("--json={{}}"), IN)).containsExactly("--json={}", IN);
    assertThat(Placement.place(List.of("{{}}", "{}"), IN)).containsExactly("{}", IN);
    assertThat(Placement.place(List.of("{{{}}}"), IN)).containsExactly("{{}}", IN);
    assertThat(Placement.hasPlaceholder(List.of("{{{}}}"))).isFalse();
  }

  @Test
  void leavesOtherBracesAndShellCharactersAlone() {
    assertThat(Placement.place(List.of("{", "}", "{x}", "{ }", "$HOME", "*"), IN))
        .containsExactly("{", "}", "{x}", "{ }", "$HOME", "*", IN);
  }

  @Test
  void doesNotExpandPlaceholdersInsideTheInputItself() {
    assertThat(Placement.place(List.of("{}"), "we{}ird.csv")).containsExactly("we{}ird.csv");
  }

  @Test
  void tellsWhetherTheInputWillBePlacedOrAppended() {
    assertThat(Placement.hasPlaceholder(List.of("-v", "--in={}"))).isTrue();
    assertThat(Placement.hasPlaceholder(List.of("-v", "{{}}"))).isFalse();
    assertThat(Placement.hasPlaceholder(List.of())).isFalse();
  }

  @Test
  void returnsANewUnmodifiableListAndLeavesTheArgumentsAlone() {
    List<String> args = new ArrayList<>(List.of("{}"));
    List<String> placed = Placement.place(args, IN);
    assertThat(args).containsExactly("{}");
    assertThatThrownBy(() -> placed.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }
}
