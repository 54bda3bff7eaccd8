package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Benchmark, run by hand (its name keeps it out of the suite): the console's execution page
 * following a script that prints 100,000 lines, then opening the ended run's page again, in a
 * real headless Chromium against a real server. Reports the longest main-thread task (the Long
 * Tasks API: any task over 50 ms) while the page follows, and how long until the last line is
 * shown. Run: {@code mvn -pl rgrid-server -am verify -Dtest=ConsoleLogFollowBench
 * -Dsurefire.failIfNoSpecifiedTests=false} (see docs/benchmarks.md).
 */
class ConsoleLogFollowBench {
  private static final int LINES = Integer.getInteger("rgrid.bench.lines", 100_000);
  private static final Duration WAIT = Duration.ofMinutes(5);

  @TempDir Path home;

  @Test
  void theExecutionPageFollowsAHundredThousandLines() throws Exception {
    try (LocalRGrid rgrid = RGrid.builder().home(home).engine("process").workers(1).build();
        RGridServer server = RGridServer.start(rgrid, ServerOptions.defaults(0))) {
      Account a = rgrid.accounts().create("bench");
      String key = rgrid.accounts().createKey(a.id(), "").key();
      Api api = new Api(server.port());
      String base = "http://127.0.0.1:" + server.port();
      WebDriver browser = browser();
      try {
        browser.get(base + "/console/");
        new WebDriverWait(browser, WAIT).until(b -> !b.findElements(By.id("api-key")).isEmpty());
        browser.findElement(By.id("api-key")).sendKeys(key);
        browser.findElement(By.id("sign-in")).click();
        new WebDriverWait(browser, WAIT).until(b -> b.findElement(By.id("sign-out"))
            .isDisplayed());

        // Paced: 1,000 lines every 50 ms, so the page follows a run that is still printing.
        String script = "import sys, time\nfor i in range(" + LINES + "):\n"
            + "    print('line', i, 'of the benchmark, long enough to wrap nothing')\n"
            + "    if i % 1000 == 999:\n        sys.stdout.flush(); time.sleep(0.05)\n";
        String sha = api.upload(key, script.getBytes(StandardCharsets.UTF_8));
        Api.Reply r = api.post("/api/v1/executions", key, "{\"script\": {\"path\": "
            + "\"print.py\", \"sha256\": \"" + sha + "\"}, \"cache\": false}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = r.json().path("id").asText();

        Result following = measure(browser, base + "/console/#/executions/" + id);
        Result reopened = measure(browser, base + "/console/#/executions/" + id);
        System.out.printf("console log bench: %,d lines%n  following the run: %s%n"
            + "  opening the ended run: %s%n", LINES, following, reopened);
      } finally {
        browser.quit();
      }
    }
  }

  record Result(long millisToLastLine, double longestTaskMs, int longTasks, double longTasksMs,
      long linesShown) {
    @Override
    public String toString() {
      return String.format("last line after %,d ms; longest main-thread task %.0f ms; %d tasks"
          + " over 50 ms, %.0f ms in all; %,d lines kept in the page", millisToLastLine,
          longestTaskMs, longTasks, longTasksMs, linesShown);
    }
  }

  private static Result measure(WebDriver browser, String url) {
    JavascriptExecutor js = (JavascriptExecutor) browser;
    browser.get("about:blank");
    long start = System.nanoTime();
    browser.get(url);
    // Registered at once with buffered: true, so tasks since the page's start are seen too.
    js.executeScript("window.__long = []; new PerformanceObserver((list) => {"
        + " for (const e of list.getEntries()) window.__long.push(e.duration); })"
        + ".observe({type: 'longtask', buffered: true});");
    String last = "line " + (LINES - 1) + " ";
    new WebDriverWait(browser, WAIT).pollingEvery(Duration.ofMillis(100)).until(b ->
        (Boolean) js.executeScript("const l = document.getElementById('logs');"
            // The last text node only: reading the whole log's text would itself be a long task.
            + " const t = l && l.lastChild && l.lastChild.lastChild;"
            + " return t != null && t.nodeType === 3 && t.data.includes(arguments[0]);", last));
    long millis = (System.nanoTime() - start) / 1_000_000;
    @SuppressWarnings("unchecked")
    List<Number> tasks = (List<Number>) js.executeScript("return window.__long;");
    double longest = tasks.stream().mapToDouble(Number::doubleValue).max().orElse(0);
    double sum = tasks.stream().mapToDouble(Number::doubleValue).sum();
    long lines = ((Number) js.executeScript("let n = 0; for (const c of"
        + " document.querySelectorAll('#logs > span:not(.trimmed)')) {"
        + " n += c.textContent.split('\\n').length - 1; } return n;")).longValue();
    return new Result(millis, longest, tasks.size(), sum, lines);
  }

  private static WebDriver browser() {
    Path chromium = Path.of(System.getProperty("rgrid.chromium", "/usr/bin/chromium"));
    Path driver = Path.of(System.getProperty("rgrid.chromedriver", "/usr/bin/chromedriver"));
    if (!Files.isExecutable(chromium) || !Files.isExecutable(driver)) {
      throw new IllegalStateException("needs " + chromium + " and " + driver);
    }
    ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
        .addArguments("--headless=new", "--window-size=1280,1000", "--disable-dev-shm-usage",
            "--disable-gpu", "--no-first-run", "--disable-extensions");
    if ("root".equals(System.getProperty("user.name"))) {
      options.addArguments("--no-sandbox");
    }
    options.setExperimentalOption("prefs", Map.of());
    return new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(driver.toFile()).usingAnyFreePort().build(), options);
  }
}
