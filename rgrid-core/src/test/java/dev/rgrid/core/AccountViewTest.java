package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.Resources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account-scoped view over a real embedded RGrid (SQLite, no workers: what is submitted
 * stays queued, which is all these rules need), called directly as a server's routes call it.
 */
class AccountViewTest {
  private static final ExecutionId MISSING_EXECUTION =
      ExecutionId.generate(Instant.parse("2020-01-01T00:00:00Z"), new Random(9));
  private static final BatchId MISSING_BATCH =
      BatchId.generate(Instant.parse("2020-01-01T00:00:00Z"), new Random(9));

  @TempDir static Path home;
  private static LocalRGrid rgrid;
  private static AccountView alice;
  private static AccountView bob;
  private static BlobKey script;

  @BeforeAll
  static void open() {
    rgrid = RGrid.builder().home(home).engine("process").workers(0).build();
    alice = rgrid.account(rgrid.accounts().create("alice").id());
    bob = rgrid.account(rgrid.accounts().create("bob").id());
    script = rgrid.blobStore().put(new ByteArrayInputStream(
        "print('hi')\n".getBytes(StandardCharsets.UTF_8))).key();
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static ExecutionSpec spec(String scriptName, String runtime, List<String> args,
      Map<String, String> labels) {
    return new ExecutionSpec(scriptName, script, runtime, args, Map.of(), List.of(),
        Duration.ofMinutes(1), labels, null, new Resources(0, 0), false);
  }

  private static ExecutionSpec spec(String... args) {
    return spec("job.py", "python3.11", List.of(args), Map.of());
  }

  /** Refused as "not found", with the very message a missing one gets. */
  private static void notFoundAsMissing(String name, Function<String, ThrowingCallable> call,
      String id, String missing) {
    String expected = catchMessage(call.apply(missing)).replace(missing, id);
    assertThatThrownBy(call.apply(id)).as(name).isInstanceOf(NotFoundException.class)
        .hasMessage(expected);
  }

  private static String catchMessage(ThrowingCallable call) {
    try {
      call.call();
    } catch (NotFoundException e) {
      return e.getMessage();
    } catch (Throwable e) {
      throw new AssertionError("expected not found, got " + e, e);
    }
    throw new AssertionError("expected not found, nothing was thrown");
  }

  @Test
  void whatItSubmitsIsTheAccountsWhateverAccountTheSpecNamed() {
    ExecutionRecord r = bob.submit(spec("job.py", "python3.11", List.of(),
        Map.of(AccountId.LABEL, alice.account().value(), "team", "x"))).record();
    assertThat(r.spec().labels()).containsEntry(AccountId.LABEL, bob.account().value())
        .containsEntry("team", "x");
    assertThat(bob.find(r.id())).isPresent();
    assertThat(alice.find(r.id())).isEmpty();
  }

  @Test
  void anotherAccountsExecutionIsNotFoundOnEveryOperationLikeAMissingOne() {
    ExecutionRecord hers = alice.submit(spec("private")).record();
    String id = hers.id().value();
    String missing = MISSING_EXECUTION.value();
    assertThat(bob.find(hers.id())).isEmpty();
    notFoundAsMissing("get", i -> () -> bob.get(ExecutionId.of(i)), id, missing);
    notFoundAsMissing("cancel", i -> () -> bob.cancel(ExecutionId.of(i)), id, missing);
    notFoundAsMissing("retry", i -> () -> bob.retry(ExecutionId.of(i)), id, missing);
    notFoundAsMissing("logs", i -> () -> bob.logs(ExecutionId.of(i), 0, 10), id, missing);
    notFoundAsMissing("outputs", i -> () -> bob.outputs(ExecutionId.of(i)), id, missing);
    notFoundAsMissing("resubmitted", i -> () -> bob.resubmitted(ExecutionId.of(i),
        spec("private"), null), id, missing);
    assertThat(alice.get(hers.id()).status()).as("bob changed nothing")
        .isEqualTo(ExecutionStatus.QUEUED);
  }

  @Test
  void aListNamesOnlyTheAccountsExecutionsEvenWhenItsFilterNamesAnother() {
    ExecutionRecord hers = alice.submit(spec("listed")).record();
    ExecutionRecord his = bob.submit(spec("listed")).record();
    List<ExecutionRecord> seen = bob.list(new ExecutionQuery(Set.of(),
        Map.of(AccountId.LABEL, alice.account().value()), null, null, 1000)).items();
    assertThat(seen).extracting(ExecutionRecord::id).contains(his.id())
        .doesNotContain(hers.id());
    assertThat(seen).allSatisfy(r -> assertThat(r.spec().labels())
        .containsEntry(AccountId.LABEL, bob.account().value()));
  }

  @Test
  void anotherAccountsBatchIsNotFoundAndCannotBeSubmittedInto() {
    BatchRecord hers = alice.createBatch("job.py", null, 2, 1, Map.of());
    String id = hers.id().value();
    String missing = MISSING_BATCH.value();
    notFoundAsMissing("record", i -> () -> bob.batchRecord(BatchId.of(i)), id, missing);
    notFoundAsMissing("progress", i -> () -> bob.batchProgress(BatchId.of(i)), id, missing);
    notFoundAsMissing("cancel", i -> () -> bob.cancelBatch(BatchId.of(i)), id, missing);
    notFoundAsMissing("retry", i -> () -> bob.retryBatch(BatchId.of(i), false), id, missing);
    notFoundAsMissing("submit into", i -> () -> bob.submit(spec(), BatchId.of(i)), id, missing);
    notFoundAsMissing("resubmitted into", i -> () -> bob.resubmitted(MISSING_EXECUTION, spec(),
        BatchId.of(i)), id, missing);
    notFoundAsMissing("resubmitted batch", i -> () -> bob.resubmittedBatch(BatchId.of(i),
        "job.py", null, 2, 1, Map.of()), id, missing);
    assertThat(alice.batchProgress(hers.id()).total()).isEqualTo(2);
    assertThat(alice.list(new ExecutionQuery(Set.of(), Map.of(), id, null, 10)).items())
        .as("nothing went into her batch").isEmpty();
  }

  @Test
  void aChildWaitsForTheAccountsOwnParentsAndAnotherAccountsAreRefusedAsMissingOnes() {
    ExecutionRecord parent = alice.submit(spec("parent")).record();
    BatchRecord batch = alice.createBatch("job.py", null, 1, 1, Map.of());
    alice.submit(spec("item"), batch.id());
    ExecutionSpec child = spec("child").withParents(List.of(
        new ParentLink(parent.id(), "out/*.csv"), ParentLink.after(batch.id())));
    ExecutionRecord waiting = alice.submit(child).record();
    assertThat(waiting.status()).isEqualTo(ExecutionStatus.WAITING);
    assertThat(waiting.spec().parents()).isEqualTo(child.parents());
    assertThat(alice.resubmitted(waiting.id(), child, null)).as("compared as stored")
        .contains(waiting);

    for (var pair : List.of(List.of(parent.id().value(), MISSING_EXECUTION.value()),
        List.of(batch.id().value(), MISSING_BATCH.value()))) {
      Function<String, ExecutionSpec> naming = id -> spec("child").withParents(List.of(
          id.startsWith("batch_") ? ParentLink.after(BatchId.of(id))
              : ParentLink.after(ExecutionId.of(id))));
      String missing = catchInvalid(() -> bob.submit(naming.apply(pair.get(1))));
      assertThat(missing).contains("to wait for");
      assertThat(catchInvalid(() -> bob.submit(naming.apply(pair.get(0)))))
          .isEqualTo(missing.replace(pair.get(1), pair.get(0)));
    }
    assertThat(bob.list(ExecutionQuery.latest(100)).items())
        .noneMatch(r -> !r.spec().parents().isEmpty());
  }

  private static String catchInvalid(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(InvalidRunSpecException.class);
    try {
      call.call();
    } catch (Throwable e) {
      return e.getMessage();
    }
    throw new AssertionError("unreachable");
  }

  @Test
  void anExecutionGoesIntoABatchOnlyWithTheBatchsScriptOnTheBatchsRuntime() {
    BatchRecord batch = alice.createBatch("job.py", "python", 3, 1, Map.of("team", "x"));
    assertThat(batch.runtime()).isEqualTo("python3.11");
    assertThat(batch.labels()).containsEntry(AccountId.LABEL, alice.account().value());
    assertThatThrownBy(() -> alice.submit(spec("other.py", "python3.11", List.of(), Map.of()),
        batch.id())).isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("runs "
            + "job.py on python3.11, not other.py on python3.11");
    assertThatThrownBy(() -> alice.submit(spec("job.py", "bash", List.of(), Map.of()),
        batch.id())).isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("bash");
    assertThatThrownBy(() -> alice.submit(spec("job.py", "cobol85", List.of(), Map.of()),
        batch.id())).isInstanceOf(InvalidRunSpecException.class);
    ExecutionRecord in = alice.submit(spec("job.py", "python3", List.of(), Map.of()),
        batch.id()).record();
    assertThat(in.spec().batchId()).isEqualTo(batch.id().value());
    assertThat(in.spec().runtime()).as("an alias is the batch's runtime").isEqualTo("python3.11");
  }

  @Test
  void aRepeatedRequestFindsWhatTheFirstMadeComparedAsStored() {
    ExecutionRecord first = alice.submit(spec("job.py", "python", List.of("a"), Map.of("k", "v")))
        .record();
    assertThat(alice.resubmitted(first.id(), spec("job.py", "python", List.of("a"),
        Map.of("k", "v")), null)).contains(alice.get(first.id()));
    assertThat(alice.resubmitted(first.id(), spec("job.py", "python3.11", List.of("a"),
        Map.of("k", "v")), null)).as("the alias resolved as stored").isPresent();
    assertThat(alice.resubmitted(first.id(), spec("job.py", "python", List.of("b"),
        Map.of("k", "v")), null)).as("other arguments").isEmpty();
    assertThat(alice.resubmitted(first.id(), spec("job.py", "python", List.of("a"),
        Map.of()), null)).as("other labels").isEmpty();
    assertThat(alice.resubmitted(first.id(), spec("job.py", "bash", List.of("a"),
        Map.of("k", "v")), null)).as("another runtime").isEmpty();
    assertThatThrownBy(() -> alice.resubmitted(first.id(), spec("job.py", "cobol85",
        List.of("a"), Map.of("k", "v")), null)).isInstanceOf(InvalidRunSpecException.class);

    BatchRecord batch = alice.createBatch("job.py", null, 2, 1, Map.of());
    ExecutionRecord in = alice.submit(spec("x"), batch.id()).record();
    assertThat(alice.resubmitted(in.id(), spec("x"), batch.id())).isPresent();
    assertThat(alice.resubmitted(in.id(), spec("x"), null)).as("outside the batch").isEmpty();
    assertThat(alice.resubmitted(first.id(), spec("job.py", "python", List.of("a"),
        Map.of("k", "v")), batch.id())).as("made outside, asked inside").isEmpty();
    assertThatThrownBy(() -> alice.resubmitted(in.id(), spec("other.py", "python3.11",
        List.of("x"), Map.of()), batch.id())).as("checked against the batch first")
        .isInstanceOf(InvalidRunSpecException.class);
  }

  @Test
  void aRepeatedBatchRequestFindsTheBatchOnlyWithTheSameValues() {
    BatchRecord made = alice.createBatch("job.py", null, 4, 2, Map.of("team", "x"));
    assertThat(alice.resubmittedBatch(made.id(), "job.py", null, 4, 2, Map.of("team", "x")))
        .contains(made);
    assertThat(alice.resubmittedBatch(made.id(), "job.py", "python", 4, 2, Map.of("team", "x")))
        .as("the runtime the suffix chose, named").contains(made);
    assertThat(alice.resubmittedBatch(made.id(), "job.py", null, 5, 2, Map.of("team", "x")))
        .isEmpty();
    assertThat(alice.resubmittedBatch(made.id(), "job.py", "bash", 4, 2, Map.of("team", "x")))
        .isEmpty();
    assertThatThrownBy(() -> alice.resubmittedBatch(made.id(), "job.py", "cobol85", 4, 2,
        Map.of())).isInstanceOf(InvalidRunSpecException.class);
  }

  @Test
  void cancellingAnEndedExecutionIsAConflictAndARetrySaysWhetherThisCallMadeIt() {
    ExecutionRecord queued = alice.submit(spec("retry me")).record();
    assertThat(alice.cancel(queued.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThatThrownBy(() -> alice.cancel(queued.id())).isInstanceOf(ConflictException.class)
        .hasMessage("execution " + queued.id() + " has ended (CANCELLED)");

    AccountView.Retried first = alice.retry(queued.id());
    assertThat(first.created()).isTrue();
    assertThat(first.execution().record().retryOf()).isEqualTo(queued.id());
    assertThat(first.execution().record().spec().labels())
        .containsEntry(AccountId.LABEL, alice.account().value());
    AccountView.Retried again = alice.retry(queued.id());
    assertThat(again.created()).as("its retry is still queued: that one").isFalse();
    assertThat(again.execution().id()).isEqualTo(first.execution().id());
    assertThatThrownBy(() -> alice.retry(first.execution().id()))
        .as("a queued execution cannot be retried").isInstanceOf(ConflictException.class);

    alice.cancel(first.execution().id());
    AccountView.Retried third = alice.retry(queued.id());
    assertThat(third.created()).as("the chain's last one ended: a new retry").isTrue();
    assertThat(third.execution().record().retryOf()).isEqualTo(first.execution().id());
  }

  @Test
  void refusesHostileAndHugeBatchesAndEstimatesBeforeStoringAnything() {
    assertThatThrownBy(() -> alice.createBatch("job.py", null, Integer.MAX_VALUE, 1, Map.of()))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> alice.createBatch("job.py", null, 1, -1, Map.of()))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> alice.createBatch("../job.py", null, 1, 1, Map.of()))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> alice.createBatch("job.py", "x".repeat(1 << 16), 1, 1, Map.of()))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> alice.estimate("../x", "job.py", null, 1))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> alice.estimate(script.sha256(), "job.py", null, 0))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> alice.estimate(script.sha256(), "job.py", "cobol85", 1))
        .isInstanceOf(InvalidRunSpecException.class);
    Estimate none = bob.estimate(script.sha256(), "job.py", null,
        AccountView.MAX_ESTIMATE_INPUTS);
    assertThat(none.inputs()).isEqualTo(AccountView.MAX_ESTIMATE_INPUTS);
    assertThat(none.samples()).as("nothing of his ran").isZero();
  }
}
