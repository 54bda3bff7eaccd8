package dev.rgrid.core.internal.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rgrid.core.SpendingAlert;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.OutboxAlert;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the alerts that reach people into the store's outbox, for {@link WebhookDelivery} to
 * post: a spending threshold crossed, a batch that ended with failed items. Only for a scope
 * (the installation, {@code ""}, or an account) that has a webhook. Each event has an id of its
 * own ({@code spending:<scope>:<month>:<threshold>}, {@code batch-failed:<batch>}), so that
 * however many processes see it happen, the outbox keeps it once and it is delivered once.
 */
public final class AlertEvents {
  /** The event type of a crossed spending threshold. */
  public static final String SPENDING = "spending.threshold";
  /** The event type of a batch that ended with failed items. */
  public static final String BATCH_FAILED = "batch.failed";

  private static final Logger LOG = LoggerFactory.getLogger(AlertEvents.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MetadataStore store;
  private final Clock clock;
  private volatile Runnable onOffer = () -> {};

  /** Alerts into {@code store}'s outbox, stamped by {@code clock}. */
  public AlertEvents(MetadataStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Runs {@code wake} after this instance added an alert, so its deliverer posts it at once. */
  public void onOffer(Runnable wake) {
    this.onOffer = wake;
  }

  /**
   * Offers the alert of a crossed spending threshold. Called each time a costed execution finds
   * the threshold crossed, so an offer lost with a process is made again by the next one.
   */
  public void spending(SpendingAlert alert) {
    String scope = alert.account().map(AccountId::value).orElse(LimitSetting.GLOBAL);
    String id = "spending:" + (scope.isEmpty() ? "global" : scope) + ":" + alert.month() + ":"
        + alert.thresholdPercent();
    offer(scope, id, SPENDING, body -> body.put("month", alert.month().toString())
        .put("thresholdPercent", alert.thresholdPercent())
        .put("spentMicros", alert.spentMicros())
        .put("limitMicros", alert.limitMicros())
        .put("message", alert.message()));
  }

  /**
   * Offers the alert of {@code done}'s batch when {@code done} ended it with failed (or timed out)
   * items: every input submitted and none queued or running any more.
   */
  public void ended(ExecutionRecord done) {
    if (done.spec().batchId() == null || !done.status().isTerminal()) {
      return;
    }
    String scope = scopeOf(done);
    try {
      if (store.findWebhook(scope).isEmpty()) {
        return;
      }
      BatchId batch = BatchId.of(done.spec().batchId());
      Optional<BatchRecord> record = store.findBatch(batch);
      BatchSummary s = store.batchSummary(batch);
      long failed = s.count(ExecutionStatus.FAILED);
      long timedOut = s.count(ExecutionStatus.TIMED_OUT);
      boolean over = s.count(ExecutionStatus.QUEUED) == 0
          && s.count(ExecutionStatus.RUNNING) == 0
          && s.total() >= record.map(BatchRecord::size).orElse(0);
      if (record.isEmpty() || !over || failed + timedOut == 0) {
        return;
      }
      offer(scope, "batch-failed:" + batch.value(), BATCH_FAILED, body -> body
          .put("batchId", batch.value())
          .put("scriptName", record.get().scriptName())
          .put("items", s.total())
          .put("succeeded", s.count(ExecutionStatus.SUCCEEDED))
          .put("failed", failed)
          .put("timedOut", timedOut)
          .put("cancelled", s.count(ExecutionStatus.CANCELLED))
          .put("costMicros", s.costMicros())
          .put("message", "batch " + batch.value() + " (" + record.get().scriptName()
              + ") ended with " + (failed + timedOut) + " of " + s.total()
              + " items failed"));
    } catch (RuntimeException e) {
      // The run is recorded; only its alert is lost, and the batch's next end offers it again.
      LOG.warn("could not offer the alert of batch {}: {}", done.spec().batchId(), e.getMessage());
    }
  }

  private void offer(String scope, String id, String type,
      java.util.function.Consumer<ObjectNode> fields) {
    // A read first: a crossed threshold is seen again by every costed run of the month, and most
    // of those find its alert offered already, which needs no write transaction.
    if (store.findWebhook(scope).isEmpty() || store.findAlert(id).isPresent()) {
      return;
    }
    Instant now = clock.instant();
    ObjectNode body = JSON.createObjectNode();
    body.put("id", id).put("type", type);
    if (scope.isEmpty()) {
      body.putNull("account");
    } else {
      body.put("account", scope);
    }
    body.put("timestamp", now.toString());
    fields.accept(body);
    if (store.offerAlert(OutboxAlert.pending(id, scope, type, body.toString(), now))) {
      LOG.info("alert {} queued for the webhook", id);
      onOffer.run();
    }
  }

  private static String scopeOf(ExecutionRecord r) {
    String account = r.spec().labels().get(AccountId.LABEL);
    return AccountId.isAccountId(account) ? account : LimitSetting.GLOBAL;
  }
}
