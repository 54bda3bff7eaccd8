package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ModulePackagesTest {

  private final ModulePackages packages = ModulePackages.defaults();

  private String packageOf(String module) {
    return packages.packageFor(module).map(Requirement::toString).orElse(null);
  }

  @Test
  void mapsTheWellKnownMismatches() {
    Map<String, String> expected = Map.ofEntries(
        Map.entry("cv2", "opencv-python"), Map.entry("PIL", "pillow"),
        Map.entry("sklearn", "scikit-learn"), Map.entry("yaml", "pyyaml"),
        Map.entry("bs4", "beautifulsoup4"), Map.entry("dateutil", "python-dateutil"),
        Map.entry("dotenv", "python-dotenv"), Map.entry("jwt", "pyjwt"),
        Map.entry("magic", "python-magic"), Map.entry("Crypto", "pycryptodome"),
        Map.entry("OpenSSL", "pyopenssl"), Map.entry("serial", "pyserial"),
        Map.entry("usb", "pyusb"), Map.entry("skimage", "scikit-image"),
        Map.entry("attr", "attrs"), Map.entry("docx", "python-docx"),
        Map.entry("pptx", "python-pptx"), Map.entry("fitz", "pymupdf"),
        Map.entry("MySQLdb", "mysqlclient"), Map.entry("psycopg2", "psycopg2-binary"),
        Map.entry("lxml", "lxml"), Map.entry("zmq", "pyzmq"),
        Map.entry("Levenshtein", "python-levenshtein"), Map.entry("sentencepiece", "sentencepiece"),
        Map.entry("google", "protobuf"), Map.entry("google.protobuf.message", "protobuf"));
    expected.forEach((module, pkg) -> assertThat(packageOf(module)).as(module).isEqualTo(pkg));
  }

  @Test
  void theLongestListedPrefixWins() {
    assertThat(packageOf("google.cloud.storage.Client")).isEqualTo("google-cloud-storage");
    assertThat(packageOf("google.cloud.pubsub_v1.PublisherClient"))
        .isEqualTo("google-cloud-pubsub");
    assertThat(packageOf("PIL.Image")).isEqualTo("pillow");
    assertThat(packageOf("azure.storage.blob.BlobServiceClient")).isEqualTo("azure-storage-blob");
  }

  @Test
  void aWildcardKeyFillsInTheNextNamePart() {
    assertThat(packageOf("google.cloud.vision.ImageAnnotatorClient"))
        .isEqualTo("google-cloud-vision");
    assertThat(packageOf("google.cloud.translate_v2")).isEqualTo("google-cloud-translate-v2");
  }

  @Test
  void windowsOnlyPackagesCarryAMarker() {
    assertThat(packageOf("win32api")).isEqualTo("pywin32; sys_platform == \"win32\"");
  }

  @Test
  void unlistedModulesAreTheirOwnNormalisedPackage() {
    assertThat(packages.listed("numpy")).isEmpty();
    assertThat(packageOf("numpy.linalg")).isEqualTo("numpy");
    assertThat(packageOf("Flask_SQLAlchemy")).isEqualTo("flask-sqlalchemy");
    assertThat(packageOf("no_such_module_anywhere")).isEqualTo("no-such-module-anywhere");
  }

  @Test
  void namesThatCannotBePackagesGiveNothing() {
    assertThat(packages.packageFor("__main__")).isEmpty();
    assertThat(packages.packageFor("_private")).isEmpty();
    assertThat(packages.packageFor("módulo")).isEmpty();
  }
}
