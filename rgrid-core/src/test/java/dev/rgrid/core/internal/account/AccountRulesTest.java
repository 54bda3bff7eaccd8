package dev.rgrid.core.internal.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.AccountView;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AccountRulesTest {
  private static final AccountId ALICE = AccountId.generate(Instant.EPOCH, new Random(1));
  private static final AccountId BOB = AccountId.generate(Instant.EPOCH, new Random(2));
  private static final String SHA = "ab".repeat(32);
  private static final BatchRecord BATCH = new BatchRecord(
      BatchId.generate(Instant.EPOCH, new Random(3)), Instant.EPOCH, "job.py", "python3.11", 3,
      2, Map.of(AccountId.LABEL, ALICE.value(), "team", "x"));

  private static ExecutionSpec spec(String scriptName) {
    return new ExecutionSpec(scriptName, new BlobKey(SHA), "python3.11", List.of(), Map.of(),
        List.of(), Duration.ofMinutes(1), Map.of(), null, new Resources(0, 0), false);
  }

  @Test
  void onlyTheLabelOfTheAccountItselfMakesSomethingItsOwn() {
    assertThat(AccountRules.owns(ALICE, Map.of(AccountId.LABEL, ALICE.value()))).isTrue();
    assertThat(AccountRules.owns(ALICE, Map.of(AccountId.LABEL, BOB.value()))).isFalse();
    assertThat(AccountRules.owns(ALICE, Map.of())).as("unlabelled: a local run").isFalse();
    assertThat(AccountRules.owns(ALICE, Map.of("account", ALICE.value()))).isFalse();
    assertThat(AccountRules.owns(ALICE, Map.of(AccountId.LABEL, ALICE.value() + " ")))
        .isFalse();
    assertThat(AccountRules.owns(ALICE, Map.of(AccountId.LABEL,
        ALICE.value().toLowerCase()))).isFalse();
  }

  @Test
  void labellingReplacesAnAccountLabelTheCallerGaveAndKeepsTheRest() {
    Map<String, String> given = Map.of(AccountId.LABEL, BOB.value(), "team", "x");
    assertThat(AccountRules.labelled(given, ALICE))
        .isEqualTo(Map.of(AccountId.LABEL, ALICE.value(), "team", "x"));
    assertThat(given).as("the caller's map is left alone").containsEntry(AccountId.LABEL,
        BOB.value());
  }

  @Test
  void anExecutionFitsABatchOnlyWithTheBatchsScriptOnTheBatchsRuntime() {
    assertThatCode(() -> AccountRules.fitsBatch(spec("job.py"), "python3.11", BATCH))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> AccountRules.fitsBatch(spec("other.py"), "python3.11", BATCH))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessage("batch " + BATCH.id() + " runs job.py on python3.11, not other.py on "
            + "python3.11");
    assertThatThrownBy(() -> AccountRules.fitsBatch(spec("job.py"), "bash", BATCH))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not job.py on bash");
    assertThatThrownBy(() -> AccountRules.fitsBatch(spec("JOB.py"), "python3.11", BATCH))
        .as("names compare exactly").isInstanceOf(InvalidRunSpecException.class);
  }

  @Test
  void aHostileScriptNameIsShownShortAndHarmlessWhenItDoesNotFit() {
    String hostile = "evil\u202E\nyp." + "x".repeat(10_000) + ".py";
    assertThatThrownBy(() -> AccountRules.fitsBatch(spec(hostile), "python3.11", BATCH))
        .isInstanceOf(InvalidRunSpecException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).hasSizeLessThan(300).doesNotContain("\u202E", "\n");
          assertThat(((InvalidRunSpecException) e).hint()).isPresent();
        });
  }

  @Test
  void aRepeatedBatchRequestIsTheSameOnlyWithEveryValueTheSame() {
    Map<String, String> labels = Map.of("team", "x");
    assertThat(AccountRules.sameBatch(BATCH, "job.py", "python3.11", 3, 2, labels)).isTrue();
    assertThat(AccountRules.sameBatch(BATCH, "job.py", "python3.11", 3, 2,
        Map.of("team", "x", AccountId.LABEL, BOB.value())))
        .as("the account's label is the view's, not the request's").isTrue();
    assertThat(AccountRules.sameBatch(BATCH, "other.py", "python3.11", 3, 2, labels)).isFalse();
    assertThat(AccountRules.sameBatch(BATCH, "job.py", "bash", 3, 2, labels)).isFalse();
    assertThat(AccountRules.sameBatch(BATCH, "job.py", "python3.11", 4, 2, labels)).isFalse();
    assertThat(AccountRules.sameBatch(BATCH, "job.py", "python3.11", 3, 1, labels)).isFalse();
    assertThat(AccountRules.sameBatch(BATCH, "job.py", "python3.11", 3, 2, Map.of())).isFalse();
    assertThat(AccountRules.sameBatch(BATCH, "job.py", "python3.11", 3, 2,
        Map.of("team", "y"))).isFalse();
  }

  @Test
  void anEstimateIsAskedForADigestAFileNameAndOneToAMillionInputs() {
    assertThatCode(() -> AccountRules.checkEstimate(SHA, "job.py", null, 1))
        .doesNotThrowAnyException();
    assertThatCode(() -> AccountRules.checkEstimate(SHA, "job.py", "python",
        AccountView.MAX_ESTIMATE_INPUTS)).doesNotThrowAnyException();
    assertThatCode(() -> AccountRules.checkEstimate(SHA, "job.py", " ", 1))
        .as("a blank runtime chooses by the suffix").doesNotThrowAnyException();
  }

  @Test
  void refusesMalformedHostileAndHugeEstimateValuesSayingWhich() {
    String[] digests = {null, "", "../x", SHA.toUpperCase(), SHA.substring(1), SHA + "a",
        "g".repeat(64), SHA.substring(2) + "\n\n", "x".repeat(1 << 20)};
    for (String digest : digests) {
      assertThatThrownBy(() -> AccountRules.checkEstimate(digest, "job.py", null, 1))
          .as(String.valueOf(digest).length() + " chars").isInstanceOf(
              InvalidRunSpecException.class).hasMessageContaining("SHA-256")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }
    String[] names = {null, "", " ", "a/b.py", "..\\b.py", "..", ".", "a\u0000.py",
        "a\u202E.py", "x".repeat(256), "x".repeat(1 << 20)};
    for (String name : names) {
      assertThatThrownBy(() -> AccountRules.checkEstimate(SHA, name, null, 1))
          .as(String.valueOf(name).length() + " chars")
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("script name")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }
    for (int inputs : new int[] {0, -1, Integer.MIN_VALUE, AccountView.MAX_ESTIMATE_INPUTS + 1,
        Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> AccountRules.checkEstimate(SHA, "job.py", null, inputs))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("1 to 1000000 inputs, was " + inputs);
    }
    for (String runtime : new String[] {"r".repeat(10_000), "py\nthon", "py\u202Ethon"}) {
      assertThatThrownBy(() -> AccountRules.checkEstimate(SHA, "job.py", runtime, 1))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("runtime name");
    }
  }
}
