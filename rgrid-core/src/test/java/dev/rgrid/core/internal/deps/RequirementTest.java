package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequirementTest {

  @Test
  void normalisesNameExtrasSpecifierAndMarker() {
    Requirement requirement =
        Requirement.parse("  Requests[Socks, security] <3 , >= 2.0 ;python_version>='3.8'  ");

    assertThat(requirement.name()).isEqualTo("requests");
    assertThat(requirement.extras()).containsExactly("security", "socks");
    assertThat(requirement.specifier()).isEqualTo(">=2.0,<3");
    assertThat(requirement.marker()).isEqualTo("python_version >= \"3.8\"");
    assertThat(requirement).hasToString(
        "requests[security,socks]>=2.0,<3; python_version >= \"3.8\"");
  }

  @Test
  void canonicalisesNamesAsPep503Says() {
    assertThat(Requirement.parse("Scikit_Learn").name()).isEqualTo("scikit-learn");
    assertThat(Requirement.parse("ruamel.yaml").name()).isEqualTo("ruamel-yaml");
    assertThat(Requirement.parse("a-_.b").name()).isEqualTo("a-b");
    assertThat(Requirement.parse("Zope.Interface[Test_Extra]").extras())
        .containsExactly("test-extra");
  }

  @Test
  void equalRequirementsWrittenDifferentlyAreEqual() {
    assertThat(Requirement.parse("Requests >= 2.0"))
        .isEqualTo(Requirement.parse("requests>=2.0"));
    assertThat(Requirement.parse("numpy<2,>=1.26,>=1.26"))
        .isEqualTo(Requirement.parse("numpy >=1.26, <2"))
        .hasToString("numpy>=1.26,<2");
    assertThat(Requirement.parse("x[b,a,a]")).isEqualTo(Requirement.parse("X[a,b]"));
  }

  @Test
  void ordersClausesAsPinsThenLowerThenUpperBoundsThenExclusions() {
    assertThat(Requirement.parse("x !=1.5, <2, ~=1.1, >1.0, <=1.9, ==1.*, ===weird")
        .specifier()).isEqualTo("===weird,==1.*,~=1.1,>1.0,<=1.9,<2,!=1.5");
  }

  @Test
  void acceptsEveryOperatorAndParenthesisedSpecifiers() {
    assertThat(Requirement.parse("pkg (>=1.0, <2)").specifier()).isEqualTo(">=1.0,<2");
    assertThat(Requirement.parse("pkg===1.0+local").specifier()).isEqualTo("===1.0+local");
    assertThat(Requirement.parse("pkg~=1.4.5").specifier()).isEqualTo("~=1.4.5");
    assertThat(Requirement.parse("pkg!=1.0.post1").specifier()).isEqualTo("!=1.0.post1");
    assertThat(Requirement.parse("pkg==1.0RC1").specifier()).isEqualTo("==1.0rc1");
  }

  @Test
  void normalisesComplexMarkers() {
    Requirement requirement = Requirement.parse("pywin32 ; ( sys_platform=='win32'or os_name "
        + "== \"nt\" ) and python_version not  in '3.6 3.7'");

    assertThat(requirement.marker()).isEqualTo(
        "(sys_platform == \"win32\" or os_name == \"nt\") and python_version not in \"3.6 3.7\"");
    assertThat(Requirement.parse("x; 'linux' in sys_platform").marker())
        .isEqualTo("\"linux\" in sys_platform");
    assertThat(Requirement.parse("x; extra == \"test\"").marker()).isEqualTo("extra == \"test\"");
  }

  @Test
  void constructorNormalisesToo() {
    Requirement requirement = new Requirement("PyYAML", List.of("B", "a"), " >= 6 ", null);

    assertThat(requirement).isEqualTo(Requirement.parse("pyyaml[a,b]>=6"));
    assertThat(requirement.marker()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"requests; rm -rf /", "requests; rm -rf x", "x$(id)", "x`id`", "a | b",
      "a && b", "a & b", "requests;", "numpy >= 1.0; python_version >= '3.8'; ls", "pkg >= $HOME"})
  void refusesShellMetacharactersAndCommandInjection(String text) {
    assertThatThrownBy(() -> Requirement.parse(text))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("invalid requirement '" + text + "'");
  }

  @Test
  void namesTheOffendingCharacter() {
    assertThatThrownBy(() -> Requirement.parse("x$(id)"))
        .hasMessageContaining("'$' is not allowed");
    assertThatThrownBy(() -> Requirement.parse("x`id`"))
        .hasMessageContaining("'`' is not allowed");
    assertThatThrownBy(() -> Requirement.parse("a | b"))
        .hasMessageContaining("'|' is not allowed");
    assertThatThrownBy(() -> Requirement.parse("a && b"))
        .hasMessageContaining("'&' is not allowed");
    assertThatThrownBy(() -> Requirement.parse("requests; rm -rf /"))
        .hasMessageContaining("'/' is not allowed");
    assertThatThrownBy(() -> Requirement.parse("requests; rm -rf x"))
        .hasMessageContaining("'rm' is not a marker variable");
  }

  @Test
  void refusesControlCharactersAndShowsThemEscaped() {
    assertThatThrownBy(() -> Requirement.parse("numpy\nrm -rf /"))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("'numpy\\nrm -rf /'")
        .hasMessageContaining("U+000A");
    assertThatThrownBy(() -> Requirement.parse("numpy\u0000"))
        .hasMessageContaining("U+0000")
        .hasMessageContaining("numpy\\x00");
    assertThatThrownBy(() -> Requirement.parse("numpy\r"))
        .hasMessageContaining("U+000D");
  }

  @ParameterizedTest
  @ValueSource(strings = {"pkg @ https://example.com/pkg.whl", "pkg@git+https://github.com/a/b",
      "https://example.com/x.tar.gz", "git+ssh://git@github.com/a/b.git"})
  void refusesDirectReferencesAndUrls(String text) {
    assertThatThrownBy(() -> Requirement.parse(text))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("direct references and URLs");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-r other.txt", "-e .", "--index-url https://x", "--hash=sha256:ab"})
  void refusesPipOptions(String text) {
    assertThatThrownBy(() -> Requirement.parse(text))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("pip options")
        .satisfies(e -> assertThat(((DependencyException) e).hint()).get().asString()
            .contains("--index-url / --find-links"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "-", "foo-", ".foo", "_foo", "foo bar", "foo 1.0", "foo >=",
      "foo >= 1.0 <2", "foo[", "foo[a", "foo[a,,b]", "foo[-a]", "foo>=1.*", "foo==1.*.2",
      "foo=1.0", "foo=>1", "foo; python_version", "foo; python_version >=", "foo; (os_name == 'nt'",
      "foo; os_name == 'nt' xor 1", "foo; os_name == 'nt\"", "foo; os_name == 'a;b'",
      "foo; os.name == 'nt'", "./local/pkg", "C:\\pkg", "foo # comment", "naïve", "foo,bar"})
  void refusesMalformedRequirements(String text) {
    assertThatThrownBy(() -> Requirement.parse(text))
        .isInstanceOf(DependencyException.class)
        .hasMessageStartingWith("invalid requirement '")
        .satisfies(e -> assertThat(((DependencyException) e).hint()).isPresent());
  }

  @Test
  void refusesOverlongText() {
    String text = "a".repeat(Requirement.MAX_LENGTH + 1);

    assertThatThrownBy(() -> Requirement.parse(text))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("1001 characters long");
  }

  @Test
  void quotesLongTextShortened() {
    String text = "pkg$" + "x".repeat(500);

    assertThatThrownBy(() -> Requirement.parse(text))
        .hasMessageContaining("…'")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
  }

  @Test
  void sortsByNameThenCanonicalText() {
    List<Requirement> sorted = List.of(Requirement.parse("b"), Requirement.parse("a>=2"),
        Requirement.parse("a>=1")).stream().sorted().toList();

    assertThat(sorted).extracting(Requirement::toString).containsExactly("a>=1", "a>=2", "b");
  }

  @Test
  void validatesNamesWithoutThrowing() {
    assertThat(Requirement.isValidName("opencv-python")).isTrue();
    assertThat(Requirement.isValidName("__main__")).isFalse();
    assertThat(Requirement.isValidName("módulo")).isFalse();
    assertThat(Requirement.isValidName(null)).isFalse();
  }
}
