package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.store.sql.ExecutionColumns;
import dev.rgrid.store.sql.StoreJson;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The statements that write {@link ExecutionRecord}s to the {@code executions} table, with
 * parameters named after their columns ({@link ExecutionColumns} maps the values and reads rows
 * back). Beside those columns PostgreSQL keeps the labels as JSONB, for {@code @>} filters.
 */
final class ExecutionRows {
  /** Every column a record is read from. */
  static final String COLUMNS = ExecutionColumns.COLUMNS;

  /** Inserts a row unless its id is taken: the caller counts the rows to tell. */
  static final String INSERT = "INSERT INTO executions (" + COLUMNS + ", labels) VALUES ("
      + params(Stream.concat(ExecutionColumns.IMMUTABLE.stream(),
          ExecutionColumns.MUTABLE.stream()).toList())
      + ", CAST(:labels AS jsonb)) ON CONFLICT (id) DO NOTHING";

  /** Rewrites the mutable columns; id, spec, labels, creation time and batch never change. */
  static final String UPDATE = "UPDATE executions SET " + assignments(ExecutionColumns.MUTABLE)
      + " WHERE id = :id";

  private ExecutionRows() {}

  /** Binds every parameter of {@link #INSERT}. */
  static <S extends SqlStatement<S>> S bindInsert(S statement, ExecutionRecord r) {
    ExecutionColumns.values(r).forEach(statement::bind);
    return statement.bind("labels", StoreJson.encodeLabels(r.spec().labels()));
  }

  /** Binds every parameter of {@link #UPDATE} (and no other: Jdbi refuses unused ones). */
  static <S extends SqlStatement<S>> S bindUpdate(S statement, ExecutionRecord r) {
    Map<String, Object> values = ExecutionColumns.values(r);
    for (String column : ExecutionColumns.MUTABLE) {
      statement.bind(column, values.get(column));
    }
    return statement.bind("id", r.id().value());
  }

  /** {@code a, b} as {@code :a, :b}. */
  private static String params(List<String> columns) {
    return ":" + String.join(", :", columns);
  }

  /** {@code a, b} as {@code a = :a, b = :b}. */
  private static String assignments(List<String> columns) {
    StringBuilder sb = new StringBuilder();
    for (String column : columns) {
      sb.append(sb.isEmpty() ? "" : ", ").append(column).append(" = :").append(column);
    }
    return sb.toString();
  }
}
