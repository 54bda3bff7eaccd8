package dev.rgrid.cli;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.NewWebhook;
import dev.rgrid.core.WebhookInfo;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.account.AccountId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rgrid admin webhook}: where each account's alerts (and the installation's) are posted,
 * managed on the server's state as the other admin commands are.
 */
@Command(name = "webhook", mixinStandardHelpOptions = true,
    description = "Webhooks that alerts are posted to: spending thresholds crossed and batches "
        + "that ended with failed items.",
    subcommands = {AdminWebhooks.Set.class, AdminWebhooks.Ls.class, AdminWebhooks.Rm.class})
final class AdminWebhooks extends CommandGroup {
  AdminWebhooks() {
    super("name an action: set, ls or rm");
  }

  /** The account named by {@code words} (its name or id), or the installation with --global. */
  static Optional<AccountId> account(LocalRGrid rgrid, boolean global, String account) {
    if (global == (account != null)) {
      throw new InvalidRunSpecException(global ? "--global and an account were both given"
          : "no account was given", "name an account, or pass --global for the installation's "
          + "own alerts (the global limit, runs without an account)");
    }
    return global ? Optional.empty() : Optional.of(rgrid.accounts().get(account).id());
  }

  /** {@code rgrid admin webhook set ACCOUNT URL} (or {@code --global URL}). */
  @Command(name = "set", mixinStandardHelpOptions = true,
      description = {"Post an account's alerts to URL (http or https; hosts in private ranges "
          + "too), signed with HMAC-SHA256. A new signing secret is made and printed once, "
          + "unless --secret-stdin reads one from standard input. Replaces the account's "
          + "webhook, if it had one."})
  static final class Set extends BaseCommand {
    @Parameters(paramLabel = "ACCOUNT URL", arity = "1..2",
        description = "The account's name or id (none with --global), then the URL.")
    List<String> words;

    @Option(names = "--global", description = "The installation's own alerts instead of an "
        + "account's: its global spending limit and the batches of runs without an account.")
    boolean global;

    @Option(names = "--secret-stdin", description = "Read the signing secret (16 to 256 "
        + "printable characters) from standard input instead of making one.")
    boolean secretStdin;

    @Override
    int execute() throws IOException {
      String url = words.get(words.size() - 1);
      String account = words.size() == 2 ? words.get(0) : null;
      String given = secretStdin ? readSecret() : null;
      try (LocalRGrid rgrid = open(0)) {
        Optional<AccountId> whose = account(rgrid, global, account);
        if (given != null) {
          WebhookInfo info = rgrid.operations().webhooks().set(whose, url, given);
          terminal.note("alerts of " + shown(info) + " go to " + info.url()
              + ", signed with the secret given");
          return ExitCodes.OK;
        }
        NewWebhook made = rgrid.operations().webhooks().set(whose, url);
        terminal.out.println(made.secret());
        terminal.note("alerts of " + shown(made.webhook()) + " go to " + made.webhook().url()
            + "; the signing secret above is shown this once: give it to the receiver, which "
            + "checks X-RGrid-Signature with it");
        return ExitCodes.OK;
      }
    }

    private String readSecret() throws IOException {
      byte[] bytes = terminal.invocation().stdin().readNBytes(1024);
      String text = new String(bytes, StandardCharsets.US_ASCII).strip();
      if (text.isEmpty()) {
        throw new InvalidRunSpecException("--secret-stdin read no secret from standard input",
            "pipe one in: `rgrid admin webhook set ACCOUNT URL --secret-stdin < file`");
      }
      return text; // the library refuses one of the wrong length, saying so
    }
  }

  /** {@code rgrid admin webhook ls}. */
  @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
      description = "List the webhooks: whose alerts go where (never their secrets).")
  static final class Ls extends BaseCommand {
    @Option(names = "--json", description = "Print them as JSON.")
    boolean json;

    @Override
    int execute() throws Exception {
      List<WebhookInfo> all;
      try (LocalRGrid rgrid = open(0)) {
        all = rgrid.operations().webhooks().list();
      }
      if (json) {
        printJson(Map.of("webhooks", all.stream().map(w -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("account", w.account().map(AccountId::value).orElse(null));
          m.put("url", w.url());
          m.put("createdAt", w.createdAt().toString());
          return m;
        }).toList()));
        return ExitCodes.OK;
      }
      if (all.isEmpty()) {
        terminal.note("no webhooks; set one with `rgrid admin webhook set ACCOUNT URL`");
      }
      for (WebhookInfo w : all) {
        terminal.out.println(w.account().map(AccountId::value).orElse("global") + "  "
            + w.url() + "  " + w.createdAt());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code rgrid admin webhook rm ACCOUNT} (or {@code --global}). */
  @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
      description = "Stop posting an account's alerts; those not delivered yet are dropped.")
  static final class Rm extends BaseCommand {
    @Parameters(paramLabel = "ACCOUNT", arity = "0..1",
        description = "The account's name or id (none with --global).")
    String account;

    @Option(names = "--global", description = "The installation's own webhook.")
    boolean global;

    @Override
    int execute() {
      try (LocalRGrid rgrid = open(0)) {
        Optional<AccountId> whose = account(rgrid, global, account);
        if (!rgrid.operations().webhooks().remove(whose)) {
          throw new NotFoundException("no webhook for " + (whose.isEmpty() ? "the installation"
              : "account " + account), "list them with `rgrid admin webhook ls`");
        }
        terminal.note("webhook of " + (whose.isEmpty() ? "the installation" : account)
            + " removed");
        return ExitCodes.OK;
      }
    }
  }

  private static String shown(WebhookInfo w) {
    return w.account().map(a -> "account " + a).orElse("the installation");
  }
}
