package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rgrid admin webhook} and {@code rgrid admin account retention} on a server's state
 * directory, as an administrator uses them.
 */
class AdminOperationsEndToEndTest {
  @TempDir static Path temp;
  private static Cli cli;

  @BeforeAll
  static void account() {
    cli = new Cli(temp.resolve("server"));
    cli.runFromDevNull("admin", "account", "create", "team").requireSuccess();
  }

  @AfterAll
  static void close() {
    cli.close();
  }

  @Test
  void setShowsTheSecretOnceListsWithoutItAndRemoves() throws Exception {
    Cli.Result set = cli.runFromDevNull("admin", "webhook", "set", "team",
        "http://127.0.0.1:8999/hook").requireSuccess();
    String secret = set.stdout().strip();
    assertThat(secret).startsWith("whsec_");
    assertThat(set.stderr()).contains("shown this once");
    Cli.Result given = cli.runWithStdin("a-secret-chosen-by-the-admin\n".getBytes(
        StandardCharsets.US_ASCII), "admin", "webhook", "set", "--global",
        "https://hooks.example/rgrid", "--secret-stdin").requireSuccess();
    assertThat(given.stdout()).isEmpty();

    Cli.Result ls = cli.runFromDevNull("admin", "webhook", "ls", "--json").requireSuccess();
    assertThat(ls.stdout()).doesNotContain(secret).doesNotContain("a-secret-chosen");
    JsonNode hooks = Cli.json(ls.stdout()).get("webhooks");
    assertThat(hooks).hasSize(2);
    assertThat(hooks.get(0).get("account").isNull()).isTrue();
    assertThat(hooks.get(0).get("url").asText()).isEqualTo("https://hooks.example/rgrid");
    assertThat(hooks.get(1).get("account").asText()).startsWith("acct_");
    assertThat(hooks.get(1).get("url").asText()).isEqualTo("http://127.0.0.1:8999/hook");

    cli.runFromDevNull("admin", "webhook", "rm", "team").requireSuccess();
    Cli.Result again = cli.runFromDevNull("admin", "webhook", "rm", "team");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(again.errorLines()).singleElement().asString().contains("no webhook");
    cli.runFromDevNull("admin", "webhook", "rm", "--global").requireSuccess();
  }

  @Test
  void hostileUrlsAndMissingAccountsAreUsageErrorsSayingWhy() {
    // The library's test refuses every kind; here, that the command says so as a usage error.
    for (String url : new String[] {"file:///etc/passwd",
        "https://hooks.example/" + "a".repeat(2000)}) {
      Cli.Result r = cli.runFromDevNull("admin", "webhook", "set", "team", url);
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.errorLines()).singleElement().asString().contains("cannot post alerts to");
      assertThat(r.stdout()).isEmpty();
    }
    Cli.Result noAccount = cli.runFromDevNull("admin", "webhook", "set",
        "https://hooks.example/");
    assertThat(noAccount.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noAccount.errorLines()).singleElement().asString().contains("no account");
    Cli.Result unknown = cli.runFromDevNull("admin", "webhook", "set", "nobody",
        "https://hooks.example/");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    Cli.Result shortSecret = cli.runWithStdin("short".getBytes(StandardCharsets.US_ASCII),
        "admin", "webhook", "set", "team", "https://hooks.example/", "--secret-stdin");
    assertThat(shortSecret.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(shortSecret.errorLines()).singleElement().asString()
        .contains("signing secret");
  }

  @Test
  void anAccountsRetentionIsShownSetAndGivenBack() {
    assertThat(cli.runFromDevNull("admin", "account", "retention", "team").requireSuccess()
        .stdout()).isEqualTo("30 days (the global retention)\n");
    Cli.Result set = cli.runFromDevNull("admin", "account", "retention", "team", "7")
        .requireSuccess();
    assertThat(set.stdout()).isEqualTo("7 days\n");
    assertThat(cli.runFromDevNull("admin", "account", "retention", "team").requireSuccess()
        .stdout()).isEqualTo("7 days\n");
    for (String bad : new String[] {"36501", "a week"}) {
      Cli.Result r = cli.runFromDevNull("admin", "account", "retention", "team", bad);
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.errorLines()).singleElement().asString().containsAnyOf("days", "DAYS");
    }
    assertThat(cli.runFromDevNull("admin", "account", "retention", "team", "default")
        .requireSuccess().stdout()).isEqualTo("30 days (the global retention)\n");
    assertThat(cli.runFromDevNull("admin", "account", "retention", "nobody", "5").exitCode())
        .isEqualTo(ExitCodes.NOT_FOUND);
  }
}
