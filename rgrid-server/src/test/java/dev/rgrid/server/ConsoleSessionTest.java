package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The landing page, the console's files and its sign-in over plain HTTP: the cookie's
 * attributes, CSRF and origin checks, sign-out, and the headers that keep pages and downloads
 * safe. (ConsoleBrowserTest drives the same in a real browser.)
 */
class ConsoleSessionTest {
  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(1).build();
    Account a = rgrid.accounts().create("alice");
    alice = rgrid.accounts().createKey(a.id(), "").key();
    // Keys are checked on every request: a revocation shows at once.
    server = RGridServer.start(rgrid, ServerOptions.defaults(0).withKeyCacheTtl(Duration.ZERO));
    api = new Api(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** A signed-in browser: its cookie header and CSRF token. */
  record Session(String cookie, String csrf, HttpResponse<byte[]> signIn) {}

  static Session signIn(String key) {
    Api.Reply r = api.post("/api/v1/session", null, "{\"key\": \"" + key + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
    return new Session(setCookie.substring(0, setCookie.indexOf(';')),
        r.json().path("csrfToken").asText(), r.raw());
  }

  @Test
  void signingInSetsAnHttpOnlyStrictCookieAndNeverSendsTheKeyBack() {
    Session s = signIn(alice);
    String setCookie = s.signIn().headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("rgrid_session=").containsIgnoringCase("HttpOnly")
        .contains("SameSite=Strict").contains("Path=/").doesNotContain("Secure")
        .doesNotContain(alice);
    assertThat(new String(s.signIn().body(), StandardCharsets.UTF_8)).doesNotContain(alice);
    JsonNode who = get("/api/v1/session", s.cookie()).json();
    assertThat(who.path("account").asText()).isEqualTo("alice");
    assertThat(who.path("csrfToken").asText()).isEqualTo(s.csrf());
    assertThat(get("/api/v1/executions", s.cookie()).status()).isEqualTo(200);
    // Behind a TLS proxy the cookie never travels in clear text.
    Api.Reply tls = api.post("/api/v1/session", null, "{\"key\": \"" + alice + "\"}",
        "X-Forwarded-Proto", "https");
    assertThat(tls.raw().headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure");
  }

  @Test
  void aWrongMissingOrHostileKeySignsNobodyIn() {
    assertThat(api.post("/api/v1/session", null, "{\"key\": \"rgk_000000000000_"
        + "A".repeat(43) + "\"}").status()).isEqualTo(401);
    assertThat(api.post("/api/v1/session", null, "{}").status()).isEqualTo(400);
    assertThat(api.post("/api/v1/session", null, "{\"key\": \"" + "k".repeat(5000) + "\"}")
        .status()).isEqualTo(413);
    assertThat(api.post("/api/v1/session", null, "{\"key\": \"" + "k".repeat(300) + "\"}")
        .status()).isEqualTo(400);
    assertThat(api.post("/api/v1/session", null, "{\"key\": 5, \"x\": 1}").status())
        .isEqualTo(400);
    assertThat(api.send("POST", "/api/v1/session", null,
        HttpRequest.BodyPublishers.ofString("key=" + alice), "Content-Type",
        "application/x-www-form-urlencoded").status()).isEqualTo(415);
    assertThat(get("/api/v1/executions", "rgrid_session=forged").status()).isEqualTo(401);
    assertThat(get("/api/v1/session", null).status()).isEqualTo(401);
  }

  @Test
  void aCookieCallThatChangesSomethingNeedsTheCsrfTokenAndTheSameOrigin() {
    Session s = signIn(alice);
    String path = "/api/v1/executions/exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC/cancel";
    Api.Reply noToken = api.post(path, null, "{}", "Cookie", s.cookie());
    assertThat(noToken.status()).isEqualTo(403);
    assertThat(noToken.errorCode()).isEqualTo("forbidden");
    assertThat(api.post(path, null, "{}", "Cookie", s.cookie(), "X-CSRF-Token", "wrong")
        .status()).isEqualTo(403);
    assertThat(api.post(path, null, "{}", "Cookie", s.cookie(), "X-CSRF-Token", s.csrf())
        .status()).as("past the checks: the execution does not exist").isEqualTo(404);
    assertThat(api.post(path, null, "{}", "Cookie", s.cookie(), "X-CSRF-Token", s.csrf(),
        "Origin", "http://evil.example").status()).isEqualTo(403);
    assertThat(api.post(path, null, "{}", "Cookie", s.cookie(), "X-CSRF-Token", s.csrf(),
        "Origin", "http://127.0.0.1:" + server.port()).status()).isEqualTo(404);
    assertThat(api.send("GET", "/api/v1/executions", null, null, "Cookie", s.cookie(),
        "Origin", "http://evil.example").status()).isEqualTo(403);
    // A Bearer caller needs no token, whatever cookie it sends.
    assertThat(api.post(path, alice, "{}", "Cookie", "rgrid_session=forged").status())
        .isEqualTo(404);
  }

  @Test
  void signingOutEndsTheSessionAndClearsTheCookie() {
    Session s = signIn(alice);
    assertThat(api.send("DELETE", "/api/v1/session", null, null, "Cookie", s.cookie())
        .status()).as("sign-out needs the token too").isEqualTo(403);
    Api.Reply out = api.send("DELETE", "/api/v1/session", null, null, "Cookie", s.cookie(),
        "X-CSRF-Token", s.csrf());
    assertThat(out.status()).isEqualTo(204);
    assertThat(out.raw().headers().firstValue("Set-Cookie").orElseThrow())
        .startsWith("rgrid_session=;").contains("Max-Age=0");
    assertThat(get("/api/v1/executions", s.cookie()).status()).isEqualTo(401);
  }

  @Test
  void revokingTheKeyEndsItsSessions() {
    Account bob = rgrid.accounts().create("bob");
    dev.rgrid.core.NewApiKey key = rgrid.accounts().createKey(bob.id(), "");
    Session s = signIn(key.key());
    assertThat(get("/api/v1/executions", s.cookie()).status()).isEqualTo(200);
    rgrid.accounts().revokeKey(key.record().id());
    assertThat(get("/api/v1/executions", s.cookie()).status()).isEqualTo(401);
  }

  @Test
  void theLogWebSocketTakesTheCookieButNotFromAnotherOrigin() throws Exception {
    String sha = api.upload(alice, "print('via the cookie')\n".getBytes(StandardCharsets.UTF_8));
    String id = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"ws.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"cache\": false}").json().path("id").asText();
    Session s = signIn(alice);
    URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/executions/" + id
        + "/logs/stream");
    LogStreamTest.Frames frames = new LogStreamTest.Frames();
    HttpClient.newHttpClient().newWebSocketBuilder().header("Cookie", s.cookie())
        .buildAsync(uri, frames).get(30, TimeUnit.SECONDS);
    assertThat(frames.closed.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(frames.frames.get(0).path("text").asText()).isEqualTo("via the cookie");
    Throwable refused = catchThrowable(() -> HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Cookie", s.cookie()).header("Origin", "http://evil.example")
        .buildAsync(uri, new LogStreamTest.Frames()).get(30, TimeUnit.SECONDS));
    assertThat(refused).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode())
        .isEqualTo(403);
  }

  @Test
  void pagesComeWithAStrictPolicyAndNoSniffing() {
    for (String path : List.of("/", "/console/", "/console/app.js", "/console/style.css",
        "/api/docs", "/api/docs/init.js", "/api/docs/swagger-ui/swagger-ui-bundle.js")) {
      Api.Reply r = get(path, null);
      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(header(r, "Content-Security-Policy")).as(path)
          .contains("script-src 'self'").contains("frame-ancestors 'none'")
          .doesNotContain("unsafe-inline");
      assertThat(header(r, "X-Content-Type-Options")).isEqualTo("nosniff");
      Api.Reply again = api.send("GET", path, null, null, "If-None-Match", header(r, "ETag"));
      assertThat(again.status()).as(path).isEqualTo(304);
    }
    assertThat(header(get("/", null), "Content-Type")).startsWith("text/html");
    assertThat(get("/", null).body()).contains("rgrid run").contains("RGrid.connect");
    assertThat(header(get("/console/app.js", null), "Content-Type"))
        .startsWith("text/javascript");
    Api.Reply redirect = get("/console", null);
    assertThat(redirect.status()).isEqualTo(301);
    assertThat(header(redirect, "Location")).isEqualTo("/console/");
    for (String path : List.of("/console/nope.js", "/console/%2e%2e/index.html",
        "/console/.hidden.js", "/console/app.js.map", "/console/dev/rgrid/console/ConsoleAssets"
            + ".class")) {
      assertThat(get(path, null).status()).as(path).isIn(400, 404);
    }
    assertThat(api.send("POST", "/console/", null, HttpRequest.BodyPublishers.noBody())
        .status()).isEqualTo(405);
  }

  @Test
  void anOutputIsDownloadedAsAnAttachmentThatIsNeverSniffedNorRun() throws Exception {
    String sha = api.upload(alice, ("open('report.html', 'w').write("
        + "'<script>document.title = \"ran\"</script>')\n").getBytes(StandardCharsets.UTF_8));
    String id = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"r.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"cache\": false}").json().path("id").asText();
    Session s = signIn(alice);
    String output = "/api/v1/executions/" + id + "/outputs/report.html";
    Api.Reply r = Poll.until(() -> get(output, s.cookie()), reply -> reply.status() == 200);
    assertThat(header(r, "Content-Disposition")).isEqualTo("attachment; filename=\"report.html\"");
    assertThat(header(r, "Content-Type")).isEqualTo("application/octet-stream");
    assertThat(header(r, "X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(header(r, "Content-Security-Policy")).contains("sandbox");
    assertThat(r.body()).contains("<script>");
  }

  private static Api.Reply get(String path, String cookie) {
    return cookie == null ? api.get(path, null)
        : api.send("GET", path, null, null, "Cookie", cookie);
  }

  private static String header(Api.Reply r, String name) {
    return r.raw().headers().firstValue(name).orElse(null);
  }
}
