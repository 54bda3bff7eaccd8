package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InlineMetadataTest {

  private static final String SCRIPT = """
      #!/usr/bin/env python3
      # /// script
      # requires-python = ">=3.11"
      # dependencies = [
      #   "requests<3",
      #   "Rich",
      # ]
      #
      # [tool.rgrid]
      # memory = "2g"
      # ///

      import requests
      """;

  @Test
  void readsDependenciesAndRequiresPython() {
    InlineMetadata metadata = InlineMetadata.find(SCRIPT, "fetch.py").orElseThrow();

    assertThat(metadata.dependencies().lines()).containsExactly("requests<3", "rich");
    assertThat(metadata.requiresPython()).contains(">=3.11");
    assertThat(metadata.line()).isEqualTo(2);
  }

  @Test
  void aScriptWithoutBlockHasNoMetadata() {
    assertThat(InlineMetadata.find("import numpy\n# just a comment\n", "x.py")).isEmpty();
    assertThat(InlineMetadata.find("", "x.py")).isEmpty();
  }

  @Test
  void aBlockWithoutDependenciesHasNone() {
    InlineMetadata metadata =
        InlineMetadata.find("# /// script\n# requires-python = '>=3.12'\n# ///\n", "x.py")
            .orElseThrow();

    assertThat(metadata.dependencies().isEmpty()).isTrue();
    assertThat(metadata.requiresPython()).contains(">=3.12");
  }

  @Test
  void otherBlockTypesAreIgnored() {
    String source = "# /// pyproject\n# [project]\n# ///\nx = 1\n"
        + "# /// script\n# dependencies = ['numpy']\n# ///\n";

    assertThat(InlineMetadata.find(source, "x.py").orElseThrow().dependencies().lines())
        .containsExactly("numpy");
  }

  @Test
  void readsCrlfScriptsAndBlocksClosedAtTheEndOfTheText() {
    String source = "# /// script\r\n# dependencies = ['numpy']\r\n# ///";

    assertThat(InlineMetadata.find(source, "x.py").orElseThrow().dependencies().lines())
        .containsExactly("numpy");
  }

  @Test
  void theBlockEndsAtTheLastClosingLineLikeTheReferenceRegex() {
    // Both '# ///' lines are comment lines and the greedy reference expression takes the last,
    // so the first becomes TOML content ("///", line 3) - which is invalid, as with uv.
    String source = "# /// script\n# dependencies = ['numpy']\n# ///\n#\n# ///\nimport numpy\n";

    assertThatThrownBy(() -> InlineMetadata.find(source, "x.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessageStartingWith("the PEP 723 block in x.py is not valid TOML at line 3");
  }

  @Test
  void findsTheSameBlocksAsThePep723ReferenceExpression() {
    Pattern reference = Pattern.compile(
        "(?m)^# /// (?<type>[a-zA-Z0-9-]+)$\\s(?<content>(^#(| .*)$\\s)+)^# ///$");
    List<String> sources = List.of(
        "# /// script\n# dependencies = ['a']\n# ///\n",
        "x = 1\n# /// script\n#\n# dependencies = ['a']\n# ///\ny = 2\n# ///\n",
        "# /// other\n# a = 1\n#no-space\n# ///\n# /// script\n"
            + "# dependencies = ['b']\n# ///\n",
        "# /// other\n# a = 1\n# ///\n# /// script\n# dependencies = ['c']\n# ///\n",
        "# /// script\n# dependencies = ['d']\n# ///");
    for (String source : sources) {
      List<String> expected = new ArrayList<>();
      Matcher matcher = reference.matcher(source);
      while (matcher.find()) {
        if (matcher.group("type").equals("script")) {
          expected.add(matcher.group("content"));
        }
      }
      Optional<InlineMetadata> found = InlineMetadata.find(source, "x.py");
      assertThat(found.isPresent()).as(source).isEqualTo(expected.size() == 1);
      found.ifPresent(m -> assertThat(expected.get(0))
          .contains(m.dependencies().lines().get(0)));
    }
  }

  @Test
  void refusesTwoScriptBlocks() {
    String source = "# /// script\n# dependencies = ['a']\n# ///\nprint()\n"
        + "# /// script\n# dependencies = ['b']\n# ///\n";

    assertThatThrownBy(() -> InlineMetadata.find(source, "two.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessage("two.py has 2 PEP 723 '# /// script' blocks (lines 1 and 5); PEP 723 allows "
            + "one");
  }

  @Test
  void refusesAnUnclosedBlock() {
    String source = "import os\n# /// script\n# dependencies = ['numpy']\nimport numpy\n";

    assertThatThrownBy(() -> InlineMetadata.find(source, "open.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("the PEP 723 block in open.py opened at line 2 is not closed")
        .satisfies(e -> assertThat(((DependencyException) e).hint()).get().asString()
            .contains("'# ///'"));
    assertThatThrownBy(() -> InlineMetadata.find("# /// script", "end.py"))
        .hasMessageContaining("opened at line 1 is not closed");
    // The reference expression needs at least one line between header and closer.
    assertThatThrownBy(() -> InlineMetadata.find("# /// script\n# ///\n", "empty.py"))
        .hasMessageContaining("opened at line 1 is not closed");
  }

  @Test
  void refusesInvalidTomlWithTheParsersShortMessageAndTheScriptLine() {
    String source = "\n# /// script\n# dependencies = [\n#   'numpy',\n#   = 'x'\n# ]\n# ///\n";

    assertThatThrownBy(() -> InlineMetadata.find(source, "bad.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessageStartingWith("the PEP 723 block in bad.py is not valid TOML at line 5: ")
        .hasMessageNotContaining("\tat ")
        .hasMessageNotContaining("Source:");
  }

  @Test
  void refusesDuplicateTomlKeys() {
    String source = "# /// script\n# dependencies = []\n# dependencies = []\n# ///\n";

    assertThatThrownBy(() -> InlineMetadata.find(source, "dup.py"))
        .hasMessageContaining("not valid TOML at line")
        .hasMessageEndingWith(": Duplicate key");
  }

  @Test
  void refusesDependenciesOfTheWrongType() {
    assertThatThrownBy(() -> InlineMetadata.find(
        "# /// script\n# dependencies = 'numpy'\n# ///\n", "t.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessage("the PEP 723 block in t.py: 'dependencies' must be an array of strings, not a"
            + " string");
    assertThatThrownBy(() -> InlineMetadata.find(
        "# /// script\n# dependencies = ['numpy', 3]\n# ///\n", "t.py"))
        .hasMessage("the PEP 723 block in t.py: dependencies[1] must be a string, not a number");
    assertThatThrownBy(() -> InlineMetadata.find(
        "# /// script\n# dependencies = [{name = 'x'}]\n# ///\n", "t.py"))
        .hasMessageContaining("dependencies[0] must be a string, not a table");
    assertThatThrownBy(() -> InlineMetadata.find(
        "# /// script\n# requires-python = 3.11\n# ///\n", "t.py"))
        .hasMessageContaining("'requires-python' must be a string, not a number");
  }

  @Test
  void refusesNewlineInjectionInDependencyStrings() {
    String source = "# /// script\n# dependencies = [\"numpy\\nrm -rf /\"]\n# ///\n";

    assertThatThrownBy(() -> InlineMetadata.find(source, "inj.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessageStartingWith("the PEP 723 block in inj.py: dependencies[0]: invalid "
            + "requirement 'numpy\\nrm -rf /'")
        .hasMessageContaining("U+000A");
  }

  @Test
  void refusesShellMetacharactersAndUrlsInDependencies() {
    assertThatThrownBy(() -> InlineMetadata.find(
        "# /// script\n# dependencies = ['ok', 'x; $(id)']\n# ///\n", "s.py"))
        .hasMessageStartingWith("the PEP 723 block in s.py: dependencies[1]: invalid requirement");
    assertThatThrownBy(() -> InlineMetadata.find(
        "# /// script\n# dependencies = ['pkg @ https://evil/x.whl']\n# ///\n", "s.py"))
        .hasMessageContaining("direct references");
  }

  @Test
  void refusesAnInvalidRequiresPython() {
    assertThatThrownBy(() -> InlineMetadata.find(
        "# /// script\n# requires-python = '>=3.11; rm'\n# ///\n", "p.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("requires-python '>=3.11; rm'");
  }

  @Test
  @Timeout(10)
  void handlesAHugeCommentBlockWithoutOverflowingTheStack() {
    StringBuilder source = new StringBuilder("# /// script\n# dependencies = ['numpy']\n");
    for (int i = 0; i < 200_000; i++) {
      source.append("# filler line ").append(i).append('\n');
    }
    source.append("# ///\n");

    assertThatThrownBy(() -> InlineMetadata.find(source.toString(), "big.py"))
        .isInstanceOf(DependencyException.class)
        .hasMessageContaining("not valid TOML");
    assertThat(InlineMetadata.find(source.toString().replace("# filler", "# # filler"), "big.py"))
        .map(m -> m.dependencies().lines()).contains(List.of("numpy"));
  }

  @Test
  @Timeout(10)
  void manyHeaderLikeLinesTakeLinearTime() {
    String source = "# /// other\n".repeat(200_000) + "x = 1\n";

    assertThat(InlineMetadata.find(source, "many.py")).isEmpty();
  }
}
