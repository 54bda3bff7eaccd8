package dev.rgrid.backend.postgres.internal;

import dev.rgrid.backend.postgres.PostgresSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the queue's channel ({@code LISTEN rgrid_queue}) on a connection of its own, outside
 * the pool, and calls every subscriber when a notification arrives. Started by the first
 * subscription. A lost connection is reopened with backoff (1 s doubling to 30 s); after each
 * (re)connection subscribers are called once, since notifications sent while nobody listened are
 * lost.
 */
final class PgNotifications implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgNotifications.class);
  private static final int POLL_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final PostgresSettings settings;
  private final List<Runnable> subscribers = new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition closing = lock.newCondition();
  private volatile boolean closed;
  private Thread thread;

  PgNotifications(PostgresSettings settings) {
    this.settings = settings;
  }

  /** Adds {@code onWork}; the returned handle removes it. */
  AutoCloseable subscribe(Runnable onWork) {
    subscribers.add(onWork);
    lock.lock();
    try {
      if (thread == null && !closed) {
        thread = new Thread(this::listen, "rgrid-pg-listen");
        thread.setDaemon(true);
        thread.start();
      }
    } finally {
      lock.unlock();
    }
    return () -> subscribers.remove(onWork);
  }

  private void listen() {
    long backoff = 1_000;
    while (!closed) {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("LISTEN " + PgQueueSql.CHANNEL);
        backoff = 1_000;
        fire(); // whatever was announced while nobody listened
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] got = pg.getNotifications(POLL_MILLIS);
          if (got != null && got.length > 0) {
            fire();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.warn("listening for queue changes on {} failed ({}); again in {} s",
            settings.redactedUrl(), e.getMessage(), backoff / 1000);
        await(backoff);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    if (settings.user() != null) {
      props.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      props.setProperty("password", settings.password());
    }
    props.setProperty("connectTimeout",
        Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
    return DriverManager.getConnection(settings.jdbcUrl(), props);
  }

  private void fire() {
    for (Runnable r : subscribers) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a queue subscriber failed", e);
      }
    }
  }

  private void await(long millis) {
    lock.lock();
    try {
      if (!closed) {
        closing.await(millis, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /** Stops listening. */
  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      closing.signalAll();
      t = thread;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      try {
        t.join(POLL_MILLIS * 4L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
