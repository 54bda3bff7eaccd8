package dev.rgrid.client.internal;

import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The execution routes of the API ({@code /api/v1/executions…}) as library values: what {@code
 * RemoteRGrid} and {@link RemoteExecution} are made of.
 */
public final class Executions {
  /** The most lines the server returns per page. */
  private static final int LOG_PAGE = 10_000;

  private final Http http;
  private final Records records;
  private final LogFollower follower;
  private final OutputFiles files;

  public Executions(Http http) {
    this.http = http;
    this.records = new Records(http.server());
    this.follower = new LogFollower(http, records);
    this.files = new OutputFiles(http);
  }

  /** Submits a prepared run; {@code run} tells what its user left for the server to choose. */
  public ExecutionRecord create(ExecutionSpec spec, RunSpec run) {
    return view(http.post(http.url("executions").build(), json(Records.create(spec, run))));
  }

  /**
   * As {@link #create(ExecutionSpec, RunSpec)}, under {@code idempotencyKey}: a request repeated
   * with it, by this client or another, answers with the execution the first one made.
   */
  public ExecutionRecord create(ExecutionSpec spec, RunSpec run, String idempotencyKey) {
    return view(http.post(http.url("executions").build(), json(Records.create(spec, run)),
        idempotencyKey));
  }

  /** The record of {@code id}, or empty when the server has none (for this account). */
  public Optional<ExecutionRecord> find(ExecutionId id) {
    Request request = http.request(http.url("executions/" + id.value()).build()).get().build();
    return http.send(request, code -> code == 404, r -> r.code() == 404 ? Optional.empty()
        : Optional.of(records.record(read(r, Wire.View.class))));
  }

  /** The record of {@code id}; {@link NotFoundException} when there is none. */
  public ExecutionRecord get(ExecutionId id) {
    return view(http.request(http.url("executions/" + id.value()).build()).get().build());
  }

  public ExecutionPage list(ExecutionQuery query) {
    HttpUrl.Builder url = http.url("executions");
    query.statuses().stream().map(ExecutionStatus::name).sorted()
        .forEach(s -> url.addQueryParameter("status", s));
    query.labels().forEach((k, v) -> url.addQueryParameter("label", k + "=" + v));
    if (query.batchId() != null) {
      url.addQueryParameter("batch", query.batchId());
    }
    if (query.before() != null) {
      url.addQueryParameter("before", query.before().value());
    }
    if (query.scriptName() != null) {
      url.addQueryParameter("script", query.scriptName());
    }
    if (query.startedFrom() != null) {
      url.addQueryParameter("startedFrom", query.startedFrom().toString());
    }
    if (query.startedBefore() != null) {
      url.addQueryParameter("startedTo", query.startedBefore().toString());
    }
    if (query.text() != null) {
      url.addQueryParameter("q", query.text());
    }
    url.addQueryParameter("limit", Integer.toString(query.limit()));
    Wire.Page page = http.send(http.request(url.build()).get().build(), code -> false,
        r -> read(r, Wire.Page.class));
    List<ExecutionRecord> items = page.items() == null ? List.of()
        : page.items().stream().map(records::record).toList();
    return new ExecutionPage(items, page.next() == null ? null : ExecutionId.of(page.next()));
  }

  /** Stored lines after {@code after}, at most {@code limit}, fetched page by page. */
  public List<LogLine> logs(ExecutionId id, long after, int limit) {
    if (limit < 1 || after < 0) {
      throw new IllegalArgumentException("need after >= 0 and limit >= 1");
    }
    List<LogLine> out = new ArrayList<>();
    long cursor = after;
    while (out.size() < limit) {
      int want = Math.min(LOG_PAGE, limit - out.size());
      HttpUrl url = http.url("executions/" + id.value() + "/logs")
          .addQueryParameter("after", Long.toString(cursor))
          .addQueryParameter("limit", Integer.toString(want)).build();
      Wire.Lines page = http.send(http.request(url).get().build(), code -> false,
          r -> read(r, Wire.Lines.class));
      List<Wire.Line> lines = page.lines() == null ? List.of() : page.lines();
      lines.forEach(l -> out.add(records.line(l)));
      if (lines.size() < want) {
        break;
      }
      cursor = lines.get(lines.size() - 1).seq();
    }
    return out;
  }

  /** Delivers lines after {@code after} as they come until it ends; returns its final record. */
  public ExecutionRecord follow(ExecutionId id, long after, Consumer<LogLine> consumer)
      throws InterruptedException {
    follower.follow(id, after, consumer, Long.MAX_VALUE);
    return get(id);
  }

  /**
   * Waits until {@code id} has ended or {@code deadlineNanos} ({@link System#nanoTime()}) passed.
   * Waits on the log stream from past any line there can be: the server then sends only its end
   * frame, as soon as the execution ends, with no polling.
   */
  public Optional<ExecutionRecord> await(ExecutionId id, long deadlineNanos)
      throws InterruptedException {
    ExecutionRecord now = get(id);
    if (now.status().isTerminal()) {
      return Optional.of(now);
    }
    if (!follower.follow(id, Long.MAX_VALUE, line -> { }, deadlineNanos)) {
      now = get(id); // it may have ended just as the deadline came
      return now.status().isTerminal() ? Optional.of(now) : Optional.empty();
    }
    return Optional.of(get(id));
  }

  /** Asks the server to cancel it; {@code false} when it had already ended. */
  public boolean cancel(ExecutionId id) {
    Request request = http.post(http.url("executions/" + id.value() + "/cancel").build(), "{}");
    return http.send(request, code -> code == 409, r -> r.code() != 409);
  }

  /** Runs an ended execution again; the new execution's record. */
  public ExecutionRecord retry(ExecutionId id) {
    return view(http.post(http.url("executions/" + id.value() + "/retry").build(), "{}"));
  }

  public List<Artifact> outputs(ExecutionId id) {
    Request request = http.request(http.url("executions/" + id.value() + "/outputs").build())
        .get().build();
    Wire.Outputs outputs = http.send(request, code -> false, r -> read(r, Wire.Outputs.class));
    return outputs.outputs() == null ? List.of()
        : outputs.outputs().stream().map(records::artifact).toList();
  }

  public List<Path> download(ExecutionId id, Path directory) {
    return files.download(id, outputs(id), directory);
  }

  /** Downloads {@code outputs} of {@code id}, as listed already, into {@code directory}. */
  public List<Path> download(ExecutionId id, List<Artifact> outputs, Path directory) {
    return files.download(id, outputs, directory);
  }

  /** Whether the connection was closed: nothing more is sent then. */
  boolean closed() {
    return http.closed();
  }

  private ExecutionRecord view(Request request) {
    return records.record(http.send(request, code -> false, r -> read(r, Wire.View.class)));
  }

  private <T> T read(Response r, Class<T> type) throws java.io.IOException {
    return Wire.read(r, type, http.server());
  }

  private static String json(Object value) {
    return Wire.write(value);
  }
}
