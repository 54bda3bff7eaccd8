package dev.rgrid.core.internal.store;

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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link AccountStore} of the embedded database: rows of {@code accounts}, {@code api_keys},
 * {@code account_blobs} and {@code idempotency_keys} (schemas 6 and 8). Writes that read first run
 * in one {@code BEGIN IMMEDIATE} transaction, so that they hold across processes sharing the file.
 */
final class SqliteAccounts implements AccountStore {
  private static final String KEY_COLUMNS =
      "id, account_id, name, secret_sha256, created_at, revoked_at, read_only";
  static final String NO_ACCOUNT_HINT = "list them with `rgrid admin account list`";

  private final SqliteDatabase db;

  SqliteAccounts(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public void createAccount(Account account) {
    Objects.requireNonNull(account, "account");
    db.write("storing account " + account.id(), c -> {
      // Looked up first, inside the write lock, to say which of id and name is taken; the
      // unique constraints stay as the last word.
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, name FROM accounts WHERE id = ? OR name = ?")) {
        ps.setString(1, account.id().value());
        ps.setString(2, account.name());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new ConflictException(rs.getString(1).equals(account.id().value())
                ? "account " + account.id() + " exists"
                : "an account named " + account.name() + " exists");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)")) {
        ps.setString(1, account.id().value());
        ps.setString(2, account.name());
        ps.setLong(3, NanoInstants.toColumn(account.createdAt()));
        ps.executeUpdate();
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw SqliteErrors.conflict("account " + account.id() + " or an account named "
              + account.name() + " exists", e);
        }
        throw e;
      }
      return null;
    });
  }

  @Override
  public Optional<Account> findAccount(AccountId id) {
    Objects.requireNonNull(id, "id");
    return db.read("reading account " + id, c -> {
      List<Account> found = accounts(c, "SELECT id, name, created_at FROM accounts WHERE id = ?",
          id.value());
      return found.stream().findFirst();
    });
  }

  @Override
  public Optional<Account> findAccountByName(String name) {
    Objects.requireNonNull(name, "name");
    return db.read("reading account " + name, c -> {
      List<Account> found = accounts(c,
          "SELECT id, name, created_at FROM accounts WHERE name = ?", name);
      return found.stream().findFirst();
    });
  }

  @Override
  public List<Account> accounts() {
    return db.read("listing accounts", c -> accounts(c,
        "SELECT id, name, created_at FROM accounts ORDER BY created_at, id", null));
  }

  @Override
  public void createKey(ApiKeyRecord key) {
    Objects.requireNonNull(key, "key");
    db.write("storing API key " + key.id(), c -> {
      // Checked before the insert, in the same transaction, because the foreign key would fail
      // as a constraint like a taken id, and the two need different exceptions.
      if (!exists(c, "SELECT 1 FROM accounts WHERE id = ?", key.account().value())) {
        throw new NotFoundException("no account " + key.account() + " to make API key "
            + key.id() + " for", NO_ACCOUNT_HINT);
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (" + KEY_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, key.id());
        ps.setString(2, key.account().value());
        ps.setString(3, key.name());
        ps.setString(4, key.secretSha256());
        ps.setLong(5, NanoInstants.toColumn(key.createdAt()));
        NanoInstants.bind(ps, 6, key.revokedAt());
        ps.setInt(7, key.readOnly() ? 1 : 0);
        ps.executeUpdate();
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw SqliteErrors.conflict("API key " + key.id() + " exists", e);
        }
        throw e;
      }
      return null;
    });
  }

  @Override
  public Optional<ApiKeyRecord> findKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return db.read("reading API key " + keyId, c ->
        keys(c, "SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = ?", keyId).stream()
            .findFirst());
  }

  @Override
  public List<ApiKeyRecord> keys(AccountId account) {
    Objects.requireNonNull(account, "account");
    return db.read("listing the API keys of " + account, c -> keys(c, "SELECT " + KEY_COLUMNS
        + " FROM api_keys WHERE account_id = ? ORDER BY created_at, id", account.value()));
  }

  @Override
  public boolean revokeKey(String keyId, Instant at) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(at, "at");
    return db.write("revoking API key " + keyId, c -> {
      // The NULL test makes a second revocation a no-op that keeps the first time.
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
        ps.setLong(1, NanoInstants.toColumn(at));
        ps.setString(2, keyId);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public void grantBlob(AccountId account, BlobKey key) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(key, "key");
    db.write("granting blob " + key + " to " + account, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT OR IGNORE INTO account_blobs (account_id, blob_key) VALUES (?, ?)")) {
        ps.setString(1, account.value());
        ps.setString(2, key.sha256());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean hasBlob(AccountId account, BlobKey key) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(key, "key");
    return db.read("checking blob " + key + " of " + account, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT 1 FROM account_blobs WHERE account_id = ? AND blob_key = ?")) {
        ps.setString(1, account.value());
        ps.setString(2, key.sha256());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Override
  public ExecutionId rememberIdempotent(AccountId account, String key, ExecutionId execution,
      Instant at, Instant notBefore) {
    StoreChecks.requireIdempotent(account, key, execution, at, notBefore);
    // The upsert and the read back share one IMMEDIATE transaction: no other connection, in
    // this process or another, can slip its own row in between. An expired row is taken over
    // in place, so that pruning is never needed for a key to be used again.
    return db.write("remembering idempotency key of " + account, c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_keys"
          + " (account_id, key, execution_id, created_at) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (account_id, key) DO UPDATE SET execution_id = excluded.execution_id,"
          + " created_at = excluded.created_at WHERE idempotency_keys.created_at < ?")) {
        ps.setString(1, account.value());
        ps.setString(2, key);
        ps.setString(3, execution.value());
        ps.setLong(4, NanoInstants.toColumn(at));
        ps.setLong(5, NanoInstants.toBound(notBefore));
        ps.executeUpdate();
      }
      return idempotent(c, account, key, Long.MIN_VALUE).orElseThrow(() ->
          new IllegalStateException("idempotency key of " + account
              + " missing right after it was inserted"));
    });
  }

  @Override
  public Optional<ExecutionId> findIdempotent(AccountId account, String key, Instant notBefore) {
    Objects.requireNonNull(account, "account");
    AccountStore.checkIdempotencyKey(key);
    long bound = NanoInstants.toBound(Objects.requireNonNull(notBefore, "notBefore"));
    return db.read("reading idempotency key of " + account,
        c -> idempotent(c, account, key, bound));
  }

  @Override
  public int pruneIdempotency(Instant before) {
    long bound = NanoInstants.toBound(Objects.requireNonNull(before, "before"));
    return db.write("pruning idempotency keys", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM idempotency_keys WHERE created_at < ?")) {
        ps.setLong(1, bound);
        return ps.executeUpdate();
      }
    });
  }

  private Optional<ExecutionId> idempotent(Connection c, AccountId account, String key,
      long notBefore) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT execution_id FROM idempotency_keys"
        + " WHERE account_id = ? AND key = ? AND created_at >= ?")) {
      ps.setString(1, account.value());
      ps.setString(2, key);
      ps.setLong(3, notBefore);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String value = rs.getString(1);
        try {
          return Optional.of(new ExecutionId(value));
        } catch (IllegalArgumentException e) {
          throw db.errors().unreadable("execution id '" + value + "' of an idempotency key", e);
        }
      }
    }
  }

  private static boolean exists(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The accounts {@code sql} selects (id, name, created_at), with one parameter or none. */
  private List<Account> accounts(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setString(1, param);
      }
      List<Account> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          try {
            out.add(new Account(new AccountId(id), rs.getString(2),
                NanoInstants.fromColumn(rs.getLong(3))));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw db.errors().unreadable("account " + id, e);
          }
        }
      }
      return out;
    }
  }

  /** The keys {@code sql} selects ({@link #KEY_COLUMNS}), with one parameter. */
  private List<ApiKeyRecord> keys(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      List<ApiKeyRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          try {
            out.add(new ApiKeyRecord(id, new AccountId(rs.getString(2)), rs.getString(3),
                rs.getString(4), NanoInstants.fromColumn(rs.getLong(5)), NanoInstants.read(rs, 6),
                rs.getInt(7) != 0));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw db.errors().unreadable("API key " + id, e);
          }
        }
      }
      return out;
    }
  }
}
