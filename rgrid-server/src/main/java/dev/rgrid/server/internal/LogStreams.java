package dev.rgrid.server.internal;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/executions/{id}/logs/stream?after=SEQ} as a WebSocket: every line after the
 * cursor, in order, then new lines as they are stored, then an end frame once the execution has
 * ended. Lines are always read from the store, whichever process or server wrote them; the
 * store's change notifications (PostgreSQL NOTIFY) say when to read, and a slow poll covers
 * stores that cannot notify and notifications lost in a reconnection. A client that reconnects
 * with the last sequence number it got receives each later line exactly once.
 */
public final class LogStreams implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogStreams.class);
  private static final int PAGE = 500;

  private final LocalRGrid rgrid;
  private final Vertx vertx;
  private final Map<ExecutionId, Set<Follower>> followers = new ConcurrentHashMap<>();
  private final AutoCloseable subscription;
  private final long timer;

  public LogStreams(LocalRGrid rgrid, Vertx vertx, java.time.Duration poll) {
    this.rgrid = rgrid;
    this.vertx = vertx;
    this.subscription = rgrid.subscribeChanges(this::changed);
    this.timer = vertx.setPeriodic(poll.toMillis(), t -> changed(null));
  }

  private void changed(ExecutionId id) {
    if (id == null) {
      followers.values().forEach(set -> set.forEach(Follower::wake));
    } else {
      followers.getOrDefault(id, Set.of()).forEach(Follower::wake);
    }
  }

  /** The route: checks the caller may see the execution, then upgrades. */
  public void open(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    ExecutionId id;
    long after;
    try {
      id = ExecutionId.of(ctx.pathParam("id"));
      String a = Params.single(ctx, "after");
      after = a == null || a.isBlank() ? 0 : Long.parseLong(a.trim());
      if (after < 0) {
        throw new NumberFormatException();
      }
    } catch (IllegalArgumentException e) { // NumberFormatException included
      Errors.send(ctx, e instanceof NumberFormatException
          ? ApiException.badRequest("'after' must be a sequence number (0 or more)", null)
          : ApiException.notFound("execution '" + ExecutionRoutes.shown(ctx.pathParam("id"))
              + "'"));
      return;
    }
    if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      // Checked here: Vert.x would answer a plain GET with a text error of its own.
      Errors.send(ctx, notAWebSocket());
      return;
    }
    ExecutionId execution = id;
    long cursor = after;
    vertx.executeBlocking(() -> rgrid.account(account).find(execution).isPresent(), false)
        .onComplete(found -> {
          if (found.failed()) {
            Errors.send(ctx, found.cause());
          } else if (!found.result()) {
            Errors.send(ctx, ApiException.notFound("execution " + execution));
          } else {
            // A handshake Vert.x refuses (another version) it answers itself, as the
            // protocol wants (426 with the versions it speaks): then this sends nothing.
            ctx.request().toWebSocket().onSuccess(ws -> follow(ws, execution, cursor))
                .onFailure(e -> Errors.send(ctx, notAWebSocket()));
          }
        });
  }

  private static ApiException notAWebSocket() {
    return ApiException.badRequest("this route is a WebSocket: the request is no WebSocket "
        + "handshake", "connect with a WebSocket client (Upgrade: websocket)");
  }

  private void follow(ServerWebSocket ws, ExecutionId id, long after) {
    Follower f = new Follower(ws, id, after, vertx.getOrCreateContext());
    followers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(f);
    ws.closeHandler(v -> forget(f));
    ws.exceptionHandler(e -> forget(f));
    ws.handler(b -> { }); // the client has nothing to say; reading keeps the connection healthy
    f.wake();
  }

  private void forget(Follower f) {
    f.closed = true;
    followers.computeIfPresent(f.id, (k, set) -> {
      set.remove(f);
      return set.isEmpty() ? null : set;
    });
  }

  /** One socket: reads and sends on a worker thread, one pass at a time. */
  private final class Follower {
    private final ServerWebSocket ws;
    private final ExecutionId id;
    private final Context context;
    private long cursor;
    private boolean running;
    private boolean again;
    private volatile boolean closed;

    Follower(ServerWebSocket ws, ExecutionId id, long cursor, Context context) {
      this.ws = ws;
      this.id = id;
      this.cursor = cursor;
      this.context = context;
    }

    void wake() {
      synchronized (this) {
        if (closed) {
          return;
        }
        if (running) {
          again = true;
          return;
        }
        running = true;
      }
      vertx.executeBlocking(() -> {
        boolean more = true;
        while (more) {
          pass();
          synchronized (this) {
            more = again && !closed;
            again = false;
            running = more;
          }
        }
        return null;
      }, false).onFailure(e -> {
        synchronized (this) {
          running = false;
        }
        LOG.warn("following the logs of {} failed: {}", id, e.getMessage());
        context.runOnContext(v -> ws.close((short) 1011, "reading the logs failed"));
        forget(this);
      });
    }

    /** Sends every stored line after the cursor; ends the stream once the execution has ended. */
    private void pass() throws Exception {
      while (!closed) {
        // Read the status first: lines are stored before the end is, so lines read after seeing
        // the end are all the lines there will be.
        ExecutionRecord record = rgrid.find(id).orElse(null);
        boolean ended = record == null || record.status().isTerminal();
        List<LogLine> lines = rgrid.logs(id, cursor, PAGE);
        for (LogLine line : lines) {
          send(Json.MAPPER.writeValueAsString(ExecutionJson.Line.of(line)));
          cursor = line.seq();
        }
        if (lines.size() == PAGE) {
          continue;
        }
        if (ended) {
          send(Json.MAPPER.writeValueAsString(Map.of("end", true, "status",
              record == null ? "UNKNOWN" : record.status().name())));
          closed = true;
          context.runOnContext(v -> ws.close((short) 1000, "ended"));
          forget(this);
        }
        return;
      }
    }

    private void send(String text) throws Exception {
      CompletableFuture<Void> writable = new CompletableFuture<>();
      context.runOnContext(v -> {
        if (ws.isClosed()) {
          writable.completeExceptionally(new java.io.IOException("the client went away"));
          return;
        }
        ws.writeTextMessage(text);
        if (ws.writeQueueFull()) {
          ws.drainHandler(d -> writable.complete(null));
        } else {
          writable.complete(null);
        }
      });
      writable.get(5, TimeUnit.MINUTES);
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.debug("closing the change subscription", e);
    }
  }
}
