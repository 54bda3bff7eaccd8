package dev.rgrid.core.internal.account;

import dev.rgrid.core.AccountView;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.core.internal.spec.Texts;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of what an account asks a server for, apart from the store so they can be tested
 * alone: what is the account's, whether an execution fits a batch, whether a repeated batch
 * request is the same, and what an estimate may be asked for.
 */
public final class AccountRules {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private AccountRules() {}

  /** Whether what carries {@code labels} belongs to {@code account}. */
  public static boolean owns(AccountId account, Map<String, String> labels) {
    return account.value().equals(labels.get(AccountId.LABEL));
  }

  /** {@code labels} with the account's label set to {@code account}, whatever they said. */
  public static Map<String, String> labelled(Map<String, String> labels, AccountId account) {
    Map<String, String> owned = new HashMap<>(labels);
    owned.put(AccountId.LABEL, account.value());
    return owned;
  }

  /**
   * Checks that an execution of {@code batch} runs the batch's script on the batch's runtime:
   * a batch's progress, costs and estimates are of one script.
   *
   * @param runtime the spec's runtime by its catalog name
   * @throws InvalidRunSpecException when it runs another script or another runtime
   */
  public static void fitsBatch(ExecutionSpec spec, String runtime, BatchRecord batch) {
    if (!spec.scriptName().equals(batch.scriptName()) || !runtime.equals(batch.runtime())) {
      throw new InvalidRunSpecException("batch " + batch.id() + " runs "
          + Texts.printable(batch.scriptName()) + " on " + batch.runtime() + ", not "
          + Texts.printable(spec.scriptName()) + " on " + runtime,
          "submit the batch's own script into it, or create another batch");
    }
  }

  /**
   * Whether {@code batch} is the one a create request with these values makes: the same script,
   * runtime (resolved, as stored), size, parallelism and labels besides the account's.
   */
  public static boolean sameBatch(BatchRecord batch, String scriptName, String runtime, int size,
      int parallel, Map<String, String> labels) {
    Map<String, String> stored = new HashMap<>(batch.labels());
    stored.remove(AccountId.LABEL);
    Map<String, String> asked = new HashMap<>(labels);
    asked.remove(AccountId.LABEL);
    return batch.scriptName().equals(scriptName) && batch.runtime().equals(runtime)
        && batch.size() == size && batch.parallel() == parallel && stored.equals(asked);
  }

  /**
   * Checks what an estimate is asked for: a SHA-256 digest, a script's file name as a run's is
   * checked, a plain runtime name when one is given, and 1 to {@link
   * AccountView#MAX_ESTIMATE_INPUTS} inputs.
   *
   * @throws InvalidRunSpecException saying which value is wrong
   */
  public static void checkEstimate(String scriptSha256, String scriptName, String runtime,
      int inputs) {
    if (scriptSha256 == null || !SHA256.matcher(scriptSha256).matches()) {
      throw new InvalidRunSpecException("'" + Texts.printable(String.valueOf(scriptSha256))
          + "' is not the script's SHA-256 digest", "give 64 lowercase hex digits");
    }
    SpecRules.checkScriptName(scriptName);
    if (runtime != null && !runtime.isBlank()) {
      SpecRules.checkRuntimeName(runtime);
    }
    if (inputs < 1 || inputs > AccountView.MAX_ESTIMATE_INPUTS) {
      throw new InvalidRunSpecException("an estimate is for 1 to "
          + AccountView.MAX_ESTIMATE_INPUTS + " inputs, was " + inputs,
          "count the inputs the batch would have");
    }
  }
}
