package dev.rgrid.backend.postgres.internal;

import dev.rgrid.backend.postgres.PostgresSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on one channel (the queue's {@code rgrid_queue}, or {@code rgrid_changes} for log lines
 * and records) on a connection of its own, outside the pool, and calls every subscriber with each
 * notification's payload. Started by the first subscription. A lost connection is reopened with
 * backoff (1 s doubling to 30 s); after each (re)connection subscribers are called once with
 * {@code null}, since notifications sent while nobody listened are lost.
 */
final class PgNotifications implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgNotifications.class);
  private static final int POLL_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final PostgresSettings settings;
  private final String channel;
  private final List<Consumer<String>> subscribers =
      new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition closing = lock.newCondition();
  private volatile boolean closed;
  private Thread thread;

  PgNotifications(PostgresSettings settings, String channel) {
    this.settings = settings;
    this.channel = channel;
  }

  /** Adds {@code onWork}, called for every notification; the returned handle removes it. */
  AutoCloseable subscribe(Runnable onWork) {
    return subscribePayloads(payload -> onWork.run());
  }

  /** Adds {@code onPayload}; the returned handle removes it. */
  AutoCloseable subscribePayloads(Consumer<String> onPayload) {
    subscribers.add(onPayload);
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
    return () -> subscribers.remove(onPayload);
  }

  private void listen() {
    long backoff = 1_000;
    while (!closed) {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("LISTEN " + channel);
        backoff = 1_000;
        fire(null); // whatever was announced while nobody listened
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] got = pg.getNotifications(POLL_MILLIS);
          if (got != null) {
            Set<String> seen = new HashSet<>();
            for (PGNotification n : got) {
              if (seen.add(n.getParameter())) {
                fire(n.getParameter());
              }
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.warn("listening on {} at {} failed ({}); again in {} s", channel,
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

  private void fire(String payload) {
    for (Consumer<String> r : subscribers) {
      try {
        r.accept(payload);
      } catch (RuntimeException e) {
        LOG.warn("a subscriber of {} failed", channel, e);
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
