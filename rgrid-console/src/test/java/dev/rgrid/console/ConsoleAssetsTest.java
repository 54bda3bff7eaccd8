package dev.rgrid.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleAssetsTest {
  private final ConsoleAssets assets = ConsoleAssets.fromClassPath();

  @Test
  void findsThePagesAndScriptsWithTheirTypesAndAStableEtag() {
    ConsoleAssets.Asset landing = assets.find("index.html").orElseThrow();
    assertThat(landing.contentType()).isEqualTo("text/html; charset=utf-8");
    assertThat(new String(landing.bytes(), StandardCharsets.UTF_8)).contains("/console/");
    ConsoleAssets.Asset app = assets.find("console/app.js").orElseThrow();
    assertThat(app.contentType()).startsWith("text/javascript");
    assertThat(app.size()).isEqualTo(app.bytes().length);
    assertThat(assets.find("console/app.js").orElseThrow().etag()).isEqualTo(app.etag())
        .isNotEqualTo(landing.etag()).startsWith("\"").endsWith("\"");
  }

  @Test
  void pagesCarryNoInlineScriptSoTheStrictPolicyHolds() {
    for (String page : new String[] {"index.html", "console/index.html", "api-docs/index.html"}) {
      String html = new String(assets.find(page).orElseThrow().bytes(), StandardCharsets.UTF_8);
      assertThat(html).as(page).doesNotContainPattern("<script(?![^>]*\\ssrc=)")
          .doesNotContainPattern("\\son[a-z]+=");
    }
  }

  @Test
  void findsNothingOutsideItsFolderNorOfAnUnknownType() {
    for (String name : new String[] {"../ConsoleAssets.class", "console/../index.html",
        "/index.html", ".hidden.js", "console/.x.js", "dev/rgrid/console/ConsoleAssets.class",
        "console/app.js/", "console//app.js", "console\\app.js", "index.html%00", "index",
        "console/app.JS.map", "nope.js", "", "x".repeat(300) + ".js"}) {
      assertThat(assets.find(name)).as(name).isEmpty();
    }
    assertThat(assets.find(null)).isEmpty();
  }

  @Test
  void swaggerUiComesFromItsWebJarWhateverItsVersion() {
    ConsoleAssets swagger = ConsoleAssets.swaggerUi();
    assertThat(swagger.find("swagger-ui-bundle.js").orElseThrow().size()).isGreaterThan(100_000);
    assertThat(swagger.find("swagger-ui.css")).isPresent();
    assertThat(swagger.find("../../../maven/org.webjars/swagger-ui/pom.properties")).isEmpty();
  }

  @Test
  void anAssetsContentCannotBeChangedFromOutside() {
    ConsoleAssets.Asset app = assets.find("console/app.js").orElseThrow();
    byte[] bytes = app.bytes();
    bytes[0] = '!';
    assertThat(assets.find("console/app.js").orElseThrow().bytes()[0]).isNotEqualTo((byte) '!');
  }
}
