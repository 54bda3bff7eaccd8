package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium against a real server with real workers (local
 * processes): sign-in, live logs, downloads, retry and cancel, filters, batches, and what keeps
 * it safe (no CSRF, no output run in its origin). One browser and one server for all; each page's
 * screenshot goes to {@code target/console-screenshots/}.
 *
 * <p>Skipped where Chromium or its driver is not installed ({@code apt-get install chromium
 * chromium-driver}); CI installs both. {@code -Drgrid.chromium=…} and {@code
 * -Drgrid.chromedriver=…} point at other binaries.
 */
class ConsoleBrowserTest {
  private static final Path CHROMIUM = Path.of(System.getProperty("rgrid.chromium",
      "/usr/bin/chromium"));
  private static final Path DRIVER = Path.of(System.getProperty("rgrid.chromedriver",
      "/usr/bin/chromedriver"));
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(45);

  @TempDir static Path home;
  @TempDir static Path downloads;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String aliceReadOnly;
  static String base;
  static WebDriver browser;

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "the console's browser tests need Chromium and its driver (" + CHROMIUM + ", " + DRIVER
            + "): apt-get install chromium chromium-driver");
    rgrid = RGrid.builder().home(home).engine("process").workers(3).build();
    Account a = rgrid.accounts().create("alice");
    alice = rgrid.accounts().createKey(a.id(), "").key();
    aliceReadOnly = rgrid.accounts().createKey(a.id(), "viewer", true).key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
    base = "http://127.0.0.1:" + server.port();
    Files.createDirectories(SHOTS);

    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--window-size=1280,1000", "--disable-dev-shm-usage",
            "--disable-gpu", "--no-first-run", "--disable-extensions")
        .setExperimentalOption("prefs", Map.of("download.default_directory",
            downloads.toString(), "download.prompt_for_download", false));
    if ("root".equals(System.getProperty("user.name"))) {
      options.addArguments("--no-sandbox"); // Chromium's sandbox refuses to run as root
    }
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (rgrid != null) {
      rgrid.close();
    }
  }

  @BeforeEach
  void signedIn() {
    browser.get(base + "/console/");
    WebElement signOut = browser.findElement(By.id("sign-out"));
    waitFor("the console to load", b -> !b.findElements(By.id("api-key")).isEmpty()
        || signOut.isDisplayed());
    if (!browser.findElements(By.id("api-key")).isEmpty()) {
      signIn(alice);
      waitFor("the executions page", b -> signOut.isDisplayed());
    }
  }

  @Test
  void signsInWithAKeyKeptInAnHttpOnlyCookieOnlyAndSignsOut() {
    browser.findElement(By.id("sign-out")).click();
    waitFor("the sign-in form", b -> !b.findElements(By.id("api-key")).isEmpty());
    shot("sign-in");
    signIn("rgk_000000000000_" + "A".repeat(43));
    waitFor("the refusal", b -> b.findElement(By.cssSelector(".signin [role=alert]")).getText()
        .contains("not accepted"));
    signIn(alice);
    waitFor("the executions page", b -> b.findElement(By.id("sign-out")).isDisplayed());
    assertThat(browser.findElement(By.id("who")).getText()).contains("alice");
    assertThat(browser.manage().getCookieNamed("rgrid_session").isHttpOnly()).isTrue();
    assertThat(browser.manage().getCookieNamed("rgrid_session").getSameSite())
        .isEqualTo("Strict");
    assertThat(js("return document.cookie")).isEqualTo("");
    assertThat(js("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
    assertThat(browser.getPageSource()).doesNotContain(alice);
    shot("executions");
  }

  @Test
  void theLandingPageLeadsToTheConsole() {
    browser.get(base + "/");
    assertThat(browser.findElement(By.tagName("h1")).getText()).contains("isolated containers");
    shot("landing");
    browser.findElement(By.linkText("Open the console")).click();
    waitFor("the console", b -> b.getCurrentUrl().startsWith(base + "/console/")
        && b.findElement(By.id("sign-out")).isDisplayed());
  }

  @Test
  void aRunningScriptsLinesArriveLiveAndItIsCancelledFromItsPage() {
    String id = submit("live.py", "import time\nfor i in range(600):\n"
        + "    print('tick', i, flush=True)\n    time.sleep(0.1)\n", Map.of());
    browser.get(base + "/console/#/executions/" + id);
    waitFor("live lines", b -> b.findElement(By.id("logs")).getText().contains("tick 3"));
    assertThat(api.get("/api/v1/executions/" + id, alice).json().path("status").asText())
        .as("the lines came while it ran").isEqualTo("RUNNING");
    shot("execution-running");
    WebElement cancel = browser.findElement(By.id("cancel"));
    assertThat(cancel.isEnabled()).isTrue();
    cancel.click();
    waitFor("the cancelled status", b -> b.findElement(By.cssSelector("#facts .status"))
        .getText().equals("CANCELLED"));
    assertThat(api.get("/api/v1/executions/" + id, alice).json().path("status").asText())
        .isEqualTo("CANCELLED");
    assertThat(browser.findElement(By.id("cancel")).isEnabled()).isFalse();
  }

  @Test
  void aFailedRunIsRetriedFromItsPageAndTheRetryHasItsOwnAddress() {
    String id = submit("fails.py", "import sys\nprint('about to fail')\nsys.exit(3)\n",
        Map.of(), "{\"API_TOKEN\": \"hunter2-value\"}");
    browser.get(base + "/console/#/executions/" + id);
    waitFor("the failed status", b -> b.findElement(By.cssSelector("#facts .status")).getText()
        .equals("FAILED"));
    assertThat(browser.findElement(By.id("logs")).getText()).contains("about to fail");
    assertThat(browser.findElement(By.id("facts")).getText()).contains("API_TOKEN")
        .doesNotContain("hunter2-value");
    shot("execution-failed");
    browser.findElement(By.id("retry")).click();
    waitFor("the retry's page", b -> !b.getCurrentUrl().endsWith(id)
        && b.getCurrentUrl().contains("#/executions/exec_"));
    String retry = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/')
        + 1);
    assertThat(api.get("/api/v1/executions/" + id, alice).json().path("retriedBy").asText())
        .isEqualTo(retry);
    waitFor("the link back", b -> b.findElement(By.id("facts")).getText().contains(id));
    browser.navigate().back();
    waitFor("the first run again", b -> b.findElement(By.cssSelector("h1")).getText()
        .equals(id));
    browser.navigate().refresh();
    waitFor("the same page after a reload", b -> b.findElement(By.cssSelector("h1")).getText()
        .equals(id) && b.findElement(By.id("facts")).getText().contains(retry));
  }

  @Test
  void aChildShowsWhatItWaitsForLinkedAndIsSkippedNamingTheFailedParent() {
    String parent = submit("parent.py", "raise SystemExit(2)\n", Map.of());
    String sha = api.upload(alice, "print('never')\n".getBytes(StandardCharsets.UTF_8));
    Api.Reply r = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": "
        + "\"child.py\", \"sha256\": \"" + sha + "\"}, \"parents\": [{\"execution\": \""
        + parent + "\", \"glob\": \"out/*.csv\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String child = r.json().path("id").asText();
    browser.get(base + "/console/#/executions/" + child);
    waitFor("the skip", b -> b.findElement(By.cssSelector("#facts .status")).getText()
        .equals("SKIPPED"));
    String facts = browser.findElement(By.id("facts")).getText();
    assertThat(facts).contains("Waits for").contains(parent + " (out/*.csv)")
        .contains("skipped: parent " + parent);
    browser.findElement(By.linkText(parent)).click();
    waitFor("the parent's page", b -> b.findElement(By.cssSelector("h1")).getText()
        .equals(parent));
  }

  @Test
  void anOutputDownloadsWithItsBytesAndAnHtmlOutputNeverRunsInTheConsole() throws Exception {
    String id = submit("outputs.py", "open('data.bin', 'wb').write(bytes(range(256)) * 3)\n"
        + "open('report.html', 'w').write('<script>localStorage.setItem(\"ran\", \"yes\");"
        + "document.title = \"ran\"</script>')\n", Map.of());
    browser.get(base + "/console/#/executions/" + id);
    waitFor("the outputs", b -> b.findElements(By.cssSelector("#outputs a.output")).size() == 2);
    shot("execution-outputs");
    WebElement data = browser.findElement(By.linkText("data.bin"));
    assertThat(data.getAttribute("href"))
        .isEqualTo(base + "/api/v1/executions/" + id + "/outputs/data.bin");
    byte[] expected = new byte[768];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (byte) (i % 256);
    }
    // Fetched with the session, as the link is.
    String fetched = (String) ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done(btoa("
            + "String.fromCharCode(...new Uint8Array(b)))));", data.getAttribute("href"));
    assertThat(Base64.getDecoder().decode(fetched)).isEqualTo(expected);
    data.click();
    Path saved = downloads.resolve("data.bin");
    waitFor("the download", b -> Files.isRegularFile(saved) && size(saved) == expected.length);
    assertThat(Files.readAllBytes(saved)).isEqualTo(expected);

    // Opened directly, the HTML output is a download, never a page of this origin.
    browser.get(browser.findElement(By.linkText("report.html")).getAttribute("href"));
    browser.get(base + "/console/#/executions/" + id);
    waitFor("the execution page", b -> b.findElements(By.cssSelector("#outputs a.output"))
        .size() == 2);
    assertThat(js("return localStorage.getItem('ran')")).isNull();
    assertThat(browser.getTitle()).isNotEqualTo("ran");
  }

  @Test
  void aLabelFilterNarrowsTheListOnTheServerAndLivesInTheAddress() {
    String red = submit("red.py", "print('red')\n", Map.of("team", "red"));
    String blue = submit("blue.py", "print('blue')\n", Map.of("team", "blue"));
    browser.get(base + "/console/#/executions");
    waitFor("both runs", b -> rows(b).containsAll(List.of(red, blue)));
    WebElement label = browser.findElement(By.id("filter-label"));
    label.sendKeys("team=red");
    browser.findElement(By.id("apply-filters")).click();
    waitFor("only the red run", b -> rows(b).contains(red) && !rows(b).contains(blue));
    assertThat(browser.getCurrentUrl()).contains("label=team%3Dred");
    shot("executions-filtered");
    browser.navigate().back();
    waitFor("both runs again", b -> rows(b).containsAll(List.of(red, blue)));
    browser.findElement(By.linkText(red)).click();
    waitFor("the red run's page", b -> b.findElement(By.cssSelector("h1")).getText()
        .equals(red));
  }

  @Test
  void searchScriptAndStartTimeFiltersNarrowTheListOnTheServerAndSurviveAReload() {
    String alpha = submit("alpha.py", "print('a')\n", Map.of("stage", "nightly-alpha"));
    String beta = submit("beta.py", "print('b')\n", Map.of());
    browser.get(base + "/console/#/executions");
    waitFor("both runs", b -> rows(b).containsAll(List.of(alpha, beta)));
    browser.findElement(By.id("filter-text")).sendKeys("NIGHTLY-ALPH");
    browser.findElement(By.id("apply-filters")).click();
    waitFor("only the alpha run", b -> rows(b).equals(List.of(alpha)));
    assertThat(browser.getCurrentUrl()).contains("q=NIGHTLY-ALPH");
    browser.navigate().refresh();
    waitFor("the same filter after a reload", b -> rows(b).equals(List.of(alpha))
        && b.findElement(By.id("filter-text")).getAttribute("value").equals("NIGHTLY-ALPH"));
    browser.get(base + "/console/#/executions?script=beta.py");
    waitFor("only the beta run", b -> rows(b).equals(List.of(beta)));
    assertThat(browser.findElement(By.id("filter-script")).getAttribute("value"))
        .isEqualTo("beta.py");
    shot("executions-searched");
    browser.get(base + "/console/#/executions?startedFrom=2999-01-01T00:00:00Z");
    waitFor("no run started in the future", b -> b.findElement(By.id("executions")).getText()
        .contains("No executions match"));
    assertThat(browser.findElement(By.id("filter-from")).getAttribute("value"))
        .as("shown in the browser's local time").matches("(2999-01-01|2998-12-31)T\\d\\d:\\d\\d");
    browser.get(base + "/console/#/executions?startedFrom=yesterday");
    waitFor("the server's refusal", b -> b.findElement(By.cssSelector("main [role=alert]"))
        .getText().contains("startedFrom"));
  }

  @Test
  void theWorkersPageShowsTheLiveWorkersAndTheQueueByState() {
    browser.get(base + "/console/#/executions");
    browser.findElement(By.linkText("Workers")).click();
    waitFor("the live worker", b -> b.findElements(By.cssSelector("#workers tr[data-id]"))
        .stream().anyMatch(r -> r.getAttribute("data-id").startsWith("local-")));
    assertThat(browser.getCurrentUrl()).endsWith("#/workers");
    assertThat(browser.findElement(By.id("queue")).getText()).contains("Ready")
        .contains("Running").contains("Lost with their worker");
    shot("workers");
  }

  @Test
  void theCostsPageGroupsTheAccountsRunsAsAsked() {
    submit("costed.py", "print('costed')\n", Map.of());
    browser.get(base + "/console/#/costs?by=runtime&since=7d");
    waitFor("the report", b -> b.findElement(By.id("cost-lines")).getText()
        .contains("python3.11") && b.findElement(By.id("cost-total")).getText()
        .contains("executions"));
    assertThat(browser.findElement(By.id("month")).getText()).contains("This month");
    shot("costs");
  }

  @Test
  void theApiDocumentationRendersTheOpenApiDocumentUnderTheStrictPolicy() {
    browser.get(base + "/api/docs");
    waitFor("the operations", b -> b.findElements(By.cssSelector(".opblock")).size() > 20);
    assertThat(browser.findElement(By.id("swagger-ui")).getText()).contains("/api/v1/executions")
        .contains("/api/v1/session");
    shot("api-docs");
  }

  @Test
  void aCookieCallThatChangesSomethingWithoutTheCsrfTokenIsRefused() {
    String id = submit("quick.py", "print('x')\n", Map.of());
    String path = "/api/v1/executions/" + id + "/cancel";
    long without = (Long) ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch(arguments[0], {method: 'POST', headers: {'Content-Type': "
            + "'application/json'}, body: '{}'}).then(r => done(r.status));", path);
    assertThat(without).isEqualTo(403L);
    long with = (Long) ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch('/api/v1/session').then(r => r.json()).then(s => fetch(arguments[0], "
            + "{method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': "
            + "s.csrfToken}, body: '{}'})).then(r => done(r.status));", path);
    assertThat(with).as("accepted with the token: 202, or 409 had it ended").isIn(202L, 409L);
  }

  @Test
  void aBatchShowsItsProgressOnItsOwnPageAndDownloadsAllItsOutputsAsOneZip() throws Exception {
    Api.Reply created = api.post("/api/v1/batches", alice, "{\"scriptName\": \"b.py\", "
        + "\"size\": 2, \"parallel\": 2}");
    String batch = created.json().path("id").asText();
    String sha = api.upload(alice, "print('in a batch')\nopen('o.txt', 'w').write('x')\n"
        .getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 2; i++) {
      assertThat(api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"b.py\", "
          + "\"sha256\": \"" + sha + "\"}, \"cache\": false, \"batchId\": \"" + batch + "\", "
          + "\"args\": [\"" + i + "\"]}").status()).isEqualTo(201);
    }
    browser.get(base + "/console/#/batches");
    waitFor("the batch", b -> b.findElement(By.id("batches")).getText().contains(batch));
    shot("batches");
    browser.findElement(By.linkText(batch)).click();
    waitFor("its progress", b -> b.findElement(By.id("facts")).getText().contains("2/2"));
    assertThat(browser.findElements(By.cssSelector("#batch-executions tr"))).hasSize(2);
    shot("batch");
    // All outputs in one zip, downloaded with the session as the link is.
    WebElement zip = browser.findElement(By.id("download-outputs"));
    assertThat(zip.getAttribute("href"))
        .isEqualTo(base + "/api/v1/batches/" + batch + "/outputs.zip");
    zip.click();
    Path saved = downloads.resolve(batch + "-outputs.zip");
    waitFor("the zip", b -> Files.isRegularFile(saved) && size(saved) > 0);
    try (java.util.zip.ZipFile archive = new java.util.zip.ZipFile(saved.toFile())) {
      assertThat(archive.stream().map(java.util.zip.ZipEntry::getName).toList()).hasSize(2)
          .allMatch(n -> n.matches("exec_[0-9A-Z]{26}/o\\.txt"));
    }
  }

  @Test
  void aReadOnlyKeySeesTheAccountsRunsAndBatchesButNoActionButton() {
    String id = submit("failing.py", "import sys\nsys.exit(2)\n", Map.of());
    Api.Reply created = api.post("/api/v1/batches", alice, "{\"scriptName\": \"b.py\", "
        + "\"size\": 1, \"parallel\": 1}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String batch = created.json().path("id").asText();
    browser.findElement(By.id("sign-out")).click();
    waitFor("the sign-in form", b -> !b.findElements(By.id("api-key")).isEmpty());
    signIn(aliceReadOnly);
    waitFor("the executions page", b -> b.findElement(By.id("sign-out")).isDisplayed()
        && rows(b).contains(id));
    assertThat(browser.findElement(By.id("who")).getText()).contains("alice")
        .contains("read-only");
    try {
      browser.get(base + "/console/#/executions/" + id);
      waitFor("the failed status", b -> b.findElement(By.cssSelector("#facts .status"))
          .getText().equals("FAILED"));
      shot("execution-read-only");
      assertThat(browser.findElements(By.cssSelector("main button"))).isEmpty();
      browser.get(base + "/console/#/batches/" + batch);
      waitFor("the batch's facts", b -> b.findElement(By.id("facts")).getText()
          .contains("b.py"));
      assertThat(browser.findElements(By.cssSelector("main button"))).isEmpty();
      assertThat(browser.findElement(By.id("download-outputs")).isDisplayed())
          .as("downloading is reading").isTrue();
      // Nor does the API take a change from this session, CSRF token or not.
      long status = (Long) ((JavascriptExecutor) browser).executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "fetch('/api/v1/session').then(r => r.json()).then(s => fetch(arguments[0], "
              + "{method: 'POST', headers: {'Content-Type': 'application/json', "
              + "'X-CSRF-Token': s.csrfToken}, body: '{}'})).then(r => done(r.status));",
          "/api/v1/executions/" + id + "/retry");
      assertThat(status).isEqualTo(403L);
      assertThat(api.get("/api/v1/executions/" + id, alice).json().path("retriedBy")
          .isTextual()).as("not retried").isFalse();
    } finally {
      browser.findElement(By.id("sign-out")).click();
      waitFor("the sign-in form", b -> !b.findElements(By.id("api-key")).isEmpty());
    }
  }

  private static String submit(String name, String script, Map<String, String> labels) {
    return submit(name, script, labels, "{}");
  }

  private static String submit(String name, String script, Map<String, String> labels,
      String env) {
    String sha = api.upload(alice, script.getBytes(StandardCharsets.UTF_8));
    StringBuilder l = new StringBuilder();
    labels.forEach((k, v) -> l.append(l.length() == 0 ? "" : ", ").append('"').append(k)
        .append("\": \"").append(v).append('"'));
    Api.Reply r = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"" + name
        + "\", \"sha256\": \"" + sha + "\"}, \"cache\": false, \"labels\": {" + l + "}, "
        + "\"env\": " + env + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  private static void signIn(String key) {
    WebElement field = browser.findElement(By.id("api-key"));
    field.clear();
    field.sendKeys(key);
    browser.findElement(By.id("sign-in")).click();
  }

  private static List<String> rows(WebDriver b) {
    return b.findElements(By.cssSelector("#executions tr[data-id]")).stream()
        .map(e -> e.getAttribute("data-id")).toList();
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Polls the page until {@code done} holds; on timeout, says what the browser logged. */
  private static void waitFor(String what, Function<WebDriver, Boolean> done) {
    try {
      new WebDriverWait(browser, WAIT).ignoring(RuntimeException.class).until(done::apply);
    } catch (TimeoutException e) {
      shot("timeout");
      throw new AssertionError("waited in vain for " + what + " at " + browser.getCurrentUrl()
          + "; browser log: " + browser.manage().logs().get(LogType.BROWSER).getAll(), e);
    }
  }

  private static void shot(String name) {
    try {
      File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
      Files.copy(png.toPath(), SHOTS.resolve(name + ".png"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new AssertionError("cannot save the screenshot " + name, e);
    }
  }
}
