package dev.rgrid.core;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.account.ApiKeyRecord;
import dev.rgrid.spi.store.RetentionStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Accounts and their API keys, as a server and {@code rgrid admin} use them. A key reads {@code
 * rgk_<id>_<secret>}: the id (12 hex digits) finds the stored key, the secret (256 random bits)
 * proves it. Only the SHA-256 of the secret is stored; a slow password hash would add nothing
 * for a secret this long, and would cost every request.
 */
public final class Accounts {
  private static final Pattern KEY = Pattern.compile("rgk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
  private static final HexFormat HEX = HexFormat.of();

  private final AccountStore store;
  private final RetentionStore retention;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  Accounts(AccountStore store, RetentionStore retention, Clock clock) {
    this.store = store;
    this.retention = retention;
    this.clock = clock;
  }

  /** The store underneath, for what a server records per account (blob grants, idempotency). */
  public AccountStore store() {
    return store;
  }

  /**
   * Makes an account.
   *
   * @throws InvalidRunSpecException when the name is not a valid account name
   * @throws ConflictException when an account has that name
   */
  public Account create(String name) {
    try {
      Account.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new InvalidRunSpecException(e.getMessage(), "pick a name like team-data");
    }
    if (store.findAccountByName(name).isPresent()) {
      throw new ConflictException("an account named " + name + " exists already");
    }
    Account account = new Account(AccountId.generate(clock.instant(), random), name,
        clock.instant());
    store.createAccount(account);
    return account;
  }

  /** Every account, oldest first. */
  public List<Account> list() {
    return store.accounts();
  }

  /**
   * The account with this id or name.
   *
   * @throws NotFoundException when there is none
   */
  public Account get(String idOrName) {
    String value = idOrName == null ? "" : idOrName.trim();
    Optional<Account> found = AccountId.isAccountId(value)
        ? store.findAccount(AccountId.of(value)) : store.findAccountByName(value);
    return found.orElseThrow(() -> new NotFoundException("no account " + value,
        "list them with `rgrid admin account list`"));
  }

  /**
   * Makes a key for {@code account}; its secret is in the result and nowhere else.
   *
   * @throws NotFoundException when the account does not exist
   */
  public NewApiKey createKey(AccountId account, String name) {
    return createKey(account, name, false);
  }

  /**
   * Makes a key for {@code account}, read-only when {@code readOnly}: such a key sees everything
   * of its account and changes nothing (the server refuses its state-changing calls).
   *
   * @throws NotFoundException when the account does not exist
   */
  public NewApiKey createKey(AccountId account, String name, boolean readOnly) {
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    random.nextBytes(id);
    random.nextBytes(secret);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    ApiKeyRecord record = new ApiKeyRecord(HEX.formatHex(id), account, name,
        sha256(secretText), clock.instant(), null, readOnly);
    store.createKey(record);
    return new NewApiKey(record, "rgk_" + record.id() + "_" + secretText);
  }

  /** The keys of an account, revoked ones included. */
  public List<ApiKeyRecord> keys(AccountId account) {
    return store.keys(account);
  }

  /**
   * Keeps the ended executions of {@code account} for {@code days} days, instead of the global
   * retention ({@link GcSettings#retention()}), or for the global one again ({@code null}).
   * Garbage collection removes them once they are older than that, unless it is given an
   * explicit {@link GcRequest#olderThan()}, which applies to every account alike.
   *
   * @throws InvalidRunSpecException when {@code days} is not from 1 to 36500
   * @throws NotFoundException when the account does not exist
   */
  public void setRetentionDays(AccountId account, Integer days) {
    if (store.findAccount(account).isEmpty()) {
      throw new NotFoundException("no account " + account,
          "list them with `rgrid admin account list`");
    }
    try {
      retention.setRetentionDays(account, days);
    } catch (IllegalArgumentException e) {
      throw new InvalidRunSpecException(e.getMessage(), "give a number of days, or `default` for "
          + "the global retention");
    }
  }

  /** The days {@code account}'s ended executions are kept, when it has a retention of its own. */
  public OptionalInt retentionDays(AccountId account) {
    Integer days = retention.retentionDays().get(account);
    return days == null ? OptionalInt.empty() : OptionalInt.of(days);
  }

  /** Revokes a key by its id; {@code false} when there is no such active key. */
  public boolean revokeKey(String keyId) {
    return ApiKeyRecord.isKeyId(keyId) && store.revokeKey(keyId, clock.instant());
  }

  /**
   * The account a presented key acts for: empty when the key is malformed, unknown, revoked or
   * its secret is wrong (which of these is not told, so a caller learns nothing from trying).
   */
  public Optional<AccountId> authenticate(String presented) {
    return authenticateKey(presented).map(ApiKeyRecord::account);
  }

  /**
   * The stored key a presented key is, as {@link #authenticate} checks it: for a caller that
   * also needs what the key may do ({@link ApiKeyRecord#readOnly()}).
   */
  public Optional<ApiKeyRecord> authenticateKey(String presented) {
    if (presented == null || presented.length() > 100) {
      return Optional.empty();
    }
    var m = KEY.matcher(presented.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    Optional<ApiKeyRecord> key = store.findKey(m.group(1));
    // Hash even when the key is unknown, so that timing does not tell known ids from unknown.
    byte[] given = sha256(m.group(2)).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = key.map(k -> k.secretSha256()).orElse("0".repeat(64))
        .getBytes(StandardCharsets.US_ASCII);
    boolean same = MessageDigest.isEqual(given, expected);
    return key.filter(k -> same && k.active());
  }

  private static String sha256(String text) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
