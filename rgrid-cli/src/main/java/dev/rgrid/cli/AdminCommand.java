package dev.rgrid.cli;

import dev.rgrid.core.NewApiKey;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.ApiKeyRecord;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rgrid admin}: accounts and API keys of a server, managed directly on its state (the
 * embedded state directory, or the shared database of {@code RGRID_DB_URL} / {@code store.url}).
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Manage the accounts, API keys and alert webhooks of an RGrid server (run "
        + "where the server's state is reachable).",
    subcommands = {AdminCommand.Accounts.class, AdminCommand.Keys.class, AdminWebhooks.class})
final class AdminCommand extends CommandGroup {
  AdminCommand() {
    super("name what to manage: rgrid admin account …, rgrid admin key … or rgrid admin "
        + "webhook …");
  }

  /** {@code rgrid admin account}. */
  @Command(name = "account", mixinStandardHelpOptions = true, description = "Accounts.",
      subcommands = {CreateAccount.class, ListAccounts.class, AccountRetention.class})
  static final class Accounts extends CommandGroup {
    Accounts() {
      super("name an action: create, list or retention");
    }
  }

  /** {@code rgrid admin account retention ACCOUNT [DAYS|default]}. */
  @Command(name = "retention", mixinStandardHelpOptions = true,
      description = {"Show or set how many days an account's ended executions are kept, "
          + "instead of the global retention (retention.days, RGRID_RETENTION_DAYS); `default` "
          + "goes back to the global one. Garbage collection removes them once older."})
  static final class AccountRetention extends BaseCommand {
    @Parameters(index = "0", paramLabel = "ACCOUNT", description = "The account's name or id.")
    String account;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DAYS",
        description = "1 to 36500, or `default`; none to show the account's retention.")
    String days;

    @Override
    int execute() {
      try (LocalRGrid rgrid = open(0)) {
        Account owner = rgrid.accounts().get(account);
        if (days != null) {
          rgrid.accounts().setRetentionDays(owner.id(), days.equals("default") ? null
              : Parsing.positiveDays(days));
        }
        var own = rgrid.accounts().retentionDays(owner.id());
        long global = rgrid.gcSettings().retention().toDays();
        terminal.out.println(own.isPresent() ? own.getAsInt() + " days"
            : global + " days (the global retention)");
        if (days != null) {
          terminal.note("ended executions of " + owner.name() + " are kept "
              + (own.isPresent() ? own.getAsInt() + " days" : "as long as everyone's")
              + " from now on");
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid admin account create NAME}: prints the new account's id. */
  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an account.")
  static final class CreateAccount extends BaseCommand {
    @Parameters(paramLabel = "NAME", description = "Its unique name (letters, digits, . _ -).")
    String name;

    @Override
    int execute() {
      try (LocalRGrid rgrid = open(0)) {
        Account account = rgrid.accounts().create(name);
        terminal.out.println(account.id());
        terminal.note("account " + account.name() + " created; make it a key with `rgrid admin "
            + "key create " + account.name() + "`");
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid admin account list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the accounts.")
  static final class ListAccounts extends BaseCommand {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    int execute() throws Exception {
      try (LocalRGrid rgrid = open(0)) {
        List<Account> all = rgrid.accounts().list();
        if (json) {
          printJson(all.stream().map(a -> Map.of("id", a.id().value(), "name", a.name(),
              "createdAt", a.createdAt().toString())).toList());
        } else {
          all.forEach(a -> terminal.out.println(a.id() + "  " + a.name() + "  "
              + a.createdAt()));
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid admin key}. */
  @Command(name = "key", mixinStandardHelpOptions = true, description = "API keys.",
      subcommands = {CreateKey.class, ListKeys.class, RevokeKey.class})
  static final class Keys extends CommandGroup {
    Keys() {
      super("name an action: create, list or revoke");
    }
  }

  /** {@code rgrid admin key create ACCOUNT}: prints the key, the only time it is shown. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Make an API key for an account. The key is printed once and never stored.")
  static final class CreateKey extends BaseCommand {
    @Parameters(paramLabel = "ACCOUNT", description = "The account's name or id.")
    String account;

    @Option(names = "--name", paramLabel = "TEXT", defaultValue = "",
        description = "What the key is for.")
    String name;

    @Option(names = "--read-only", description = "A key that sees everything of its account "
        + "and changes nothing (the server refuses its POST, PUT and DELETE calls).")
    boolean readOnly;

    @Override
    int execute() {
      try (LocalRGrid rgrid = open(0)) {
        Account owner = rgrid.accounts().get(account);
        NewApiKey key = rgrid.accounts().createKey(owner.id(), name, readOnly);
        terminal.out.println(key.key());
        terminal.note((readOnly ? "read-only key " : "key ") + key.record().id() + " for "
            + owner.name() + ": shown this once; give it to its user (`rgrid login URL`), "
            + "revoke it with `rgrid admin key revoke " + key.record().id() + "`");
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid admin key list ACCOUNT}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the keys of an account (ids only; secrets are not kept).")
  static final class ListKeys extends BaseCommand {
    @Parameters(paramLabel = "ACCOUNT", description = "The account's name or id.")
    String account;

    @Override
    int execute() {
      try (LocalRGrid rgrid = open(0)) {
        Account owner = rgrid.accounts().get(account);
        for (ApiKeyRecord k : rgrid.accounts().keys(owner.id())) {
          terminal.out.println(k.id() + "  " + (k.active() ? "active " : "revoked") + "  "
              + (k.readOnly() ? "read-only   " : "read-write  ") + k.createdAt()
              + (k.name().isEmpty() ? "" : "  " + k.name()));
        }
        return ExitCodes.OK;
      }
    }
  }

  /** {@code rgrid admin key revoke KEY_ID}. */
  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API key.")
  static final class RevokeKey extends BaseCommand {
    @Parameters(paramLabel = "KEY_ID", description = "The key's id (12 hex digits, as listed).")
    String keyId;

    @Override
    int execute() {
      try (LocalRGrid rgrid = open(0)) {
        if (!rgrid.accounts().revokeKey(keyId)) {
          throw new dev.rgrid.spi.NotFoundException("no active key " + keyId,
              "list the keys with `rgrid admin key list ACCOUNT`");
        }
        terminal.note("key " + keyId + " revoked");
        return ExitCodes.OK;
      }
    }
  }
}
