package dev.rgrid.backend.postgres.internal;

import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.account.ApiKeyRecord;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.store.sql.NanoInstants;
import dev.rgrid.store.sql.StoreChecks;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@link AccountStore} on PostgreSQL (tables of migrations V2 and V4), shared by every server
 * instance on the database. Every driver error leaves as the SPI's exception (see {@link
 * PgErrors}); the connection pool belongs to the backend.
 */
public final class PgAccounts implements AccountStore {
  private static final String ACCOUNT_COLUMNS = "id, name, created_at";
  private static final String KEY_COLUMNS =
      "id, account_id, name, secret_sha256, created_at, revoked_at, read_only";
  private static final String NO_ACCOUNT_HINT = "list them with `rgrid admin account list`";

  private final Jdbi jdbi;
  private final PgErrors errors;

  /** The accounts in the migrated database of {@code jdbi}; {@code settings} name it in errors. */
  public PgAccounts(Jdbi jdbi, PostgresSettings settings) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.errors = new PgErrors(Objects.requireNonNull(settings, "settings"));
  }

  @Override
  public void createAccount(Account account) {
    Objects.requireNonNull(account, "account");
    // No conflict target: a taken id and a taken name both leave the row out, without an error
    // that would abort a surrounding transaction.
    int inserted = errors.call("storing account " + account.id(), () -> jdbi.withHandle(h ->
        h.createUpdate("INSERT INTO accounts (" + ACCOUNT_COLUMNS + ")"
                + " VALUES (:id, :name, :created_at) ON CONFLICT DO NOTHING")
            .bind("id", account.id().value())
            .bind("name", account.name())
            .bind("created_at", NanoInstants.toColumn(account.createdAt()))
            .execute()));
    if (inserted == 0) {
      // Accounts are never deleted, so this second look tells which of the two was taken.
      boolean idTaken = findAccount(account.id()).isPresent();
      throw new ConflictException(idTaken ? "account " + account.id() + " exists"
          : "an account named " + account.name() + " exists");
    }
  }

  @Override
  public Optional<Account> findAccount(AccountId id) {
    Objects.requireNonNull(id, "id");
    return errors.call("reading account " + id, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE id = :id")
            .bind("id", id.value())
            .map((rs, ctx) -> account(rs))
            .findOne()));
  }

  @Override
  public Optional<Account> findAccountByName(String name) {
    Objects.requireNonNull(name, "name");
    return errors.call("reading account " + name, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE name = :name")
            .bind("name", name)
            .map((rs, ctx) -> account(rs))
            .findOne()));
  }

  @Override
  public List<Account> accounts() {
    return errors.call("listing accounts", () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + ACCOUNT_COLUMNS + " FROM accounts ORDER BY created_at, id")
            .map((rs, ctx) -> account(rs))
            .list()));
  }

  @Override
  public void createKey(ApiKeyRecord key) {
    Objects.requireNonNull(key, "key");
    // Selecting the account inserts nothing when it is missing, instead of failing on the foreign
    // key with an integrity error that PgErrors could not tell from a taken id. The casts type
    // the parameters, which a SELECT list would otherwise leave as text.
    int inserted = errors.call("storing API key " + key.id(), () -> jdbi.withHandle(h ->
        h.createUpdate("INSERT INTO api_keys (" + KEY_COLUMNS + ") SELECT :id, a.id, :name,"
                + " :secret_sha256, CAST(:created_at AS BIGINT), CAST(:revoked_at AS BIGINT),"
                + " CAST(:read_only AS BOOLEAN) FROM accounts a WHERE a.id = :account ON CONFLICT (id) DO NOTHING")
            .bind("id", key.id())
            .bind("account", key.account().value())
            .bind("name", key.name())
            .bind("secret_sha256", key.secretSha256())
            .bind("created_at", NanoInstants.toColumn(key.createdAt()))
            .bind("revoked_at", NanoInstants.toNullableColumn(key.revokedAt()))
            .bind("read_only", key.readOnly())
            .execute()));
    if (inserted == 0) {
      if (findAccount(key.account()).isEmpty()) {
        throw new NotFoundException("no account " + key.account() + " to make API key "
            + key.id() + " for", NO_ACCOUNT_HINT);
      }
      throw new ConflictException("API key " + key.id() + " exists");
    }
  }

  @Override
  public Optional<ApiKeyRecord> findKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return errors.call("reading API key " + keyId, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = :id")
            .bind("id", keyId)
            .map((rs, ctx) -> apiKey(rs))
            .findOne()));
  }

  @Override
  public List<ApiKeyRecord> keys(AccountId account) {
    Objects.requireNonNull(account, "account");
    return errors.call("listing the API keys of " + account, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE account_id = :account"
                + " ORDER BY created_at, id")
            .bind("account", account.value())
            .map((rs, ctx) -> apiKey(rs))
            .list()));
  }

  @Override
  public boolean revokeKey(String keyId, Instant at) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(at, "at");
    // The NULL test makes a second revocation a no-op that keeps the first time, also when two
    // arrive at once: the second waits for the first's row lock and then finds it revoked.
    int updated = errors.call("revoking API key " + keyId, () -> jdbi.withHandle(h ->
        h.createUpdate("UPDATE api_keys SET revoked_at = :at"
                + " WHERE id = :id AND revoked_at IS NULL")
            .bind("at", NanoInstants.toColumn(at))
            .bind("id", keyId)
            .execute()));
    return updated > 0;
  }

  @Override
  public void grantBlob(AccountId account, BlobKey key) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(key, "key");
    errors.run("granting blob " + key + " to " + account, () -> jdbi.useHandle(h ->
        h.createUpdate("INSERT INTO account_blobs (account_id, blob_key)"
                + " VALUES (:account, :blob) ON CONFLICT DO NOTHING")
            .bind("account", account.value())
            .bind("blob", key.sha256())
            .execute()));
  }

  @Override
  public boolean hasBlob(AccountId account, BlobKey key) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(key, "key");
    return errors.call("checking blob " + key + " of " + account, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT EXISTS (SELECT 1 FROM account_blobs"
                + " WHERE account_id = :account AND blob_key = :blob)")
            .bind("account", account.value())
            .bind("blob", key.sha256())
            .mapTo(Boolean.class)
            .one()));
  }

  @Override
  public ExecutionId rememberIdempotent(AccountId account, String key, ExecutionId execution,
      Instant at, Instant notBefore) {
    StoreChecks.requireIdempotent(account, key, execution, at, notBefore);
    // One statement that always returns the row the key names afterwards: on a conflict it
    // updates the row, to ours when the row has expired and to itself when not. A read after
    // the insert would need a second statement, and between the two a prune could delete the
    // row it conflicted with. ON CONFLICT DO UPDATE locks the row and sees its latest committed
    // version, so concurrent requests all return the one winner.
    String found = errors.call("remembering an idempotency key of " + account, () ->
        jdbi.withHandle(h -> h.createQuery("INSERT INTO idempotency_keys (account_id, key,"
                + " execution_id, created_at) VALUES (:account, :key, :execution, :at)"
                + " ON CONFLICT (account_id, key) DO UPDATE SET"
                + " execution_id = CASE WHEN idempotency_keys.created_at < :notBefore"
                + " THEN EXCLUDED.execution_id ELSE idempotency_keys.execution_id END,"
                + " created_at = CASE WHEN idempotency_keys.created_at < :notBefore"
                + " THEN EXCLUDED.created_at ELSE idempotency_keys.created_at END"
                + " RETURNING execution_id")
            .bind("account", account.value())
            .bind("key", key)
            .bind("execution", execution.value())
            .bind("at", NanoInstants.toColumn(at))
            .bind("notBefore", NanoInstants.toBound(notBefore))
            .mapTo(String.class)
            .one()));
    return decodeExecution(found);
  }

  @Override
  public Optional<ExecutionId> findIdempotent(AccountId account, String key, Instant notBefore) {
    Objects.requireNonNull(account, "account");
    AccountStore.checkIdempotencyKey(key);
    long bound = NanoInstants.toBound(Objects.requireNonNull(notBefore, "notBefore"));
    return errors.call("reading an idempotency key of " + account, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT execution_id FROM idempotency_keys"
                + " WHERE account_id = :account AND key = :key AND created_at >= :notBefore")
            .bind("account", account.value())
            .bind("key", key)
            .bind("notBefore", bound)
            .mapTo(String.class)
            .findOne())).map(this::decodeExecution);
  }

  @Override
  public int pruneIdempotency(Instant before) {
    long bound = NanoInstants.toBound(Objects.requireNonNull(before, "before"));
    return errors.call("pruning idempotency keys", () -> jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM idempotency_keys WHERE created_at < :before")
            .bind("before", bound)
            .execute()));
  }

  private ExecutionId decodeExecution(String value) {
    try {
      return new ExecutionId(value);
    } catch (IllegalArgumentException e) {
      throw errors.unreadable("execution id '" + value + "' of an idempotency key", e);
    }
  }

  private Account account(ResultSet rs) throws SQLException {
    String id = rs.getString("id");
    try {
      return new Account(new AccountId(id), rs.getString("name"),
          NanoInstants.fromColumn(rs.getLong("created_at")));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw errors.unreadable("account " + id, e);
    }
  }

  private ApiKeyRecord apiKey(ResultSet rs) throws SQLException {
    String id = rs.getString("id");
    try {
      return new ApiKeyRecord(id, new AccountId(rs.getString("account_id")),
          rs.getString("name"), rs.getString("secret_sha256"),
          NanoInstants.fromColumn(rs.getLong("created_at")),
          NanoInstants.read(rs, "revoked_at"), rs.getBoolean("read_only"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw errors.unreadable("API key " + id, e);
    }
  }
}
