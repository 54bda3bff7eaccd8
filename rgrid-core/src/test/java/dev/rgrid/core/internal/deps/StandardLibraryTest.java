package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StandardLibraryTest {

  @Test
  void knowsTheStandardLibraryOfPython311() {
    StandardLibrary library = StandardLibrary.of("3.11");

    assertThat(library.version()).isEqualTo("3.11");
    assertThat(library.contains("os")).isTrue();
    assertThat(library.contains("tomllib")).isTrue();
    assertThat(library.contains("xml.etree.ElementTree")).isTrue();
    assertThat(library.contains("__future__")).isTrue();
    assertThat(library.contains("distutils")).isTrue();
    assertThat(library.contains("asyncore")).isTrue();
    assertThat(library.contains("numpy")).isFalse();
    assertThat(library.contains("yaml")).isFalse();
    assertThat(library.contains("OS")).isFalse();
  }

  @Test
  void python312DropsTheModulesItRemoved() {
    StandardLibrary library = StandardLibrary.of("3.12");

    assertThat(library.version()).isEqualTo("3.12");
    for (String removed : new String[] {"asynchat", "asyncore", "distutils", "imp", "smtpd"}) {
      assertThat(library.contains(removed)).as(removed).isFalse();
      assertThat(StandardLibrary.of("3.11").contains(removed)).as(removed).isTrue();
    }
    assertThat(library.contains("os")).isTrue();
    assertThat(library.contains("tomllib")).isTrue();
  }

  @Test
  void patchVersionsCountAsTheirMinorVersion() {
    assertThat(StandardLibrary.of("3.12.4").version()).isEqualTo("3.12");
    assertThat(StandardLibrary.of(" Python 3.12.0rc1 ").version()).isEqualTo("3.12");
    assertThat(StandardLibrary.of("3.11.7").version()).isEqualTo("3.11");
  }

  @Test
  void unknownVersionsUse311() {
    assertThat(StandardLibrary.of(null).version()).isEqualTo("3.11");
    assertThat(StandardLibrary.of("").version()).isEqualTo("3.11");
    assertThat(StandardLibrary.of("2.7").version()).isEqualTo("3.11");
    assertThat(StandardLibrary.of("3.99").version()).isEqualTo("3.11");
    assertThat(StandardLibrary.of("latest").version()).isEqualTo("3.11");
    assertThat(StandardLibrary.of("99999999999999.12").version()).isEqualTo("3.11");
    assertThat(StandardLibrary.of("3.99").contains("distutils")).isTrue();
  }
}
