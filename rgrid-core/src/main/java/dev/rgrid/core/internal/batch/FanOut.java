package dev.rgrid.core.internal.batch;

import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.NoMatchException;
import dev.rgrid.core.internal.spec.OutputGlobs;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.BatchRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The mark of a batch fanned out from a run that had not ended when it was submitted ({@code
 * rgrid run --batch-from EXEC_ID:GLOB}): the batch is stored with one run of its template
 * carrying {@value #LABEL}, linked to the parent run by an item link whose glob is the batch's,
 * and the worker that claims that run once the parent succeeded expands it into the batch's runs
 * instead of running it ({@code FanOutExpansion}).
 */
public final class FanOut {
  /** The label of a batch's template run waiting to be expanded; its value is always "pending". */
  public static final String LABEL = "rgrid.fan-out";
  /** The value of {@link #LABEL}. */
  public static final String PENDING = "pending";
  /**
   * The label of a batch (its record, not a run) stored to be fanned out later: its value names
   * the source, {@link #sourceValue}, so the one template run a server's remote client submits
   * into it is taken only with that parent and glob ({@code RemoteFanOuts}).
   */
  public static final String SOURCE_LABEL = "rgrid.fan-out.source";

  /**
   * The label of a template run whose batch takes fewer runs than {@link
   * BatchSpec#DEFAULT_MAX_INPUTS}: the most, in decimal. More than the default is never taken.
   */
  public static final String MAX_INPUTS_LABEL = "rgrid.fan-out.max-inputs";

  private FanOut() {}

  /**
   * The most runs the template run {@code spec} expands into: its {@link #MAX_INPUTS_LABEL}, or
   * {@link BatchSpec#DEFAULT_MAX_INPUTS} when it has none.
   *
   * @throws InvalidRunSpecException when the label is not a number from 1 to the default
   */
  public static int maxInputs(ExecutionSpec spec) {
    String value = spec.labels().get(MAX_INPUTS_LABEL);
    if (value == null) {
      return BatchSpec.DEFAULT_MAX_INPUTS;
    }
    int max;
    try {
      max = value.length() > 6 ? -1 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      max = -1;
    }
    if (max < 1 || max > BatchSpec.DEFAULT_MAX_INPUTS) {
      throw new InvalidRunSpecException("label " + MAX_INPUTS_LABEL + " is a number from 1 to "
          + BatchSpec.DEFAULT_MAX_INPUTS + ", was '" + value + "'", "set it so, or leave it out");
    }
    return max;
  }

  /** Whether {@code spec} is a fan-out batch's template run, to expand rather than run. */
  public static boolean isTemplate(ExecutionSpec spec) {
    return PENDING.equals(spec.labels().get(LABEL)) && spec.batchId() != null
        && spec.parents().size() == 1 && spec.parents().get(0).item();
  }

  /** As {@link #isTemplate(ExecutionSpec)}, for a record. */
  public static boolean isTemplate(ExecutionRecord record) {
    return isTemplate(record.spec());
  }

  /** The link to the parent run whose outputs the template of {@code spec} fans out over. */
  public static ParentLink source(ExecutionSpec spec) {
    return spec.parents().get(0);
  }

  /** Whether {@code record} is a template run not expanded yet: it has not ended. */
  public static boolean isPending(ExecutionRecord record) {
    return isTemplate(record) && !record.status().isTerminal();
  }

  /**
   * One run of a fanned-out batch: the parent's output it takes (its exact path) and the folder
   * its outputs go under.
   */
  public record Item(String path, String folder) {}

  /**
   * The runs of a batch fanned out over the outputs of {@code parent} ({@code artifacts}) that
   * {@code glob} matches, ordered by path: the same whether expanded at submission (the parent
   * had ended) or later, by a worker.
   *
   * @throws NoMatchException when no output matches
   * @throws InvalidRunSpecException when there are more than {@code max}, or one cannot be named
   *     in a link
   */
  public static List<Item> items(ExecutionId parent, List<Artifact> artifacts, String glob,
      int max) {
    ParentLink link = ParentLink.item(parent, glob);
    OutputGlobs.checkRelative(link);
    PathMatcher matcher = OutputGlobs.matcher(link);
    List<Artifact> matched = artifacts.stream()
        .filter(a -> matcher.matches(Path.of(a.path())))
        .sorted(Comparator.comparing(Artifact::path)).toList();
    if (matched.isEmpty()) {
      throw new NoMatchException(parent + " produced no " + glob,
          "see what it wrote with `rgrid status " + parent + "`");
    }
    if (matched.size() > max) {
      throw new InvalidRunSpecException(parent + ":" + glob + " gives " + matched.size()
          + " runs, more than " + max, "split the work into several batches");
    }
    List<Path> paths = matched.stream().map(a -> Path.of(a.path())).toList();
    List<String> folders = OutputFolders.assign(paths);
    List<Item> items = new ArrayList<>(matched.size());
    for (int i = 0; i < matched.size(); i++) {
      String path = matched.get(i).path();
      if (path.indexOf('\\') >= 0 || path.length() > ParentLink.MAX_GLOB) {
        throw new InvalidRunSpecException(parent + "'s output " + path + " cannot be named "
            + "in a link ('\\' or longer than " + ParentLink.MAX_GLOB + " characters)",
            "narrow the glob to leave it out");
      }
      items.add(new Item(path, folders.get(i)));
    }
    return items;
  }

  /**
   * Refuses to chain from {@code batch} while it waits to be fanned out: its runs are not known
   * yet, and a run stored now would wait for its template only, released before the runs it
   * stands for ran. Once the template has ended, every run of the batch is stored (the template
   * ends last), so a check that passes stays true.
   *
   * @throws InvalidRunSpecException when the batch has a template run not expanded yet
   */
  public static void checkExpanded(Function<ExecutionQuery, ExecutionPage> list, BatchId batch) {
    ExecutionPage pending = list.apply(new ExecutionQuery(Set.of(ExecutionStatus.WAITING,
        ExecutionStatus.QUEUED, ExecutionStatus.RUNNING), Map.of(LABEL, PENDING), batch.value(),
        null, 1));
    if (!pending.items().isEmpty()) {
      ExecutionRecord template = pending.items().get(0);
      throw new InvalidRunSpecException("batch " + batch + " fans out from "
          + source(template.spec()).parent() + ", which has not ended: its runs are not known"
          + " yet", "chain from it once " + source(template.spec()).parent() + " has ended");
    }
  }

  /**
   * The spec of the run taking {@code item}: that of the template run {@code template}, linked
   * to its one output and labelled with its folder.
   */
  public static ExecutionSpec itemSpec(ExecutionSpec template, Item item) {
    ParentLink source = source(template);
    Map<String, String> labels = new LinkedHashMap<>(template.labels());
    labels.remove(LABEL);
    labels.remove(MAX_INPUTS_LABEL);
    labels.put(LatestRuns.ITEM_LABEL, item.folder());
    ExecutionSpec t = template;
    return new ExecutionSpec(t.scriptName(), t.script(), t.runtime(), t.args(), t.env(),
        t.inputs(), t.timeout(), labels, t.batchId(), t.resources(), t.network(),
        t.requirements(), t.requirementsSource(), t.scriptFiles(), t.cache(), t.retry(),
        t.secrets(), List.of(ParentLink.item(source.parent(), item.path())));
  }

  /**
   * The value of {@link #SOURCE_LABEL} for a batch fanned out from {@code source}: the parent
   * run and a digest of the glob (a glob may be longer than a label's value).
   */
  public static String sourceValue(ParentLink source) {
    return source.parent().value() + ":" + HexFormat.of().formatHex(sha256(source.glob()));
  }

  /**
   * The id of {@code batch}'s one template run when a remote client submits it: the same for
   * every submission, so a second one into the batch conflicts in the store however close the
   * two come.
   */
  public static ExecutionId templateId(BatchRecord batch) {
    long seed = ByteBuffer.wrap(sha256(batch.id().value() + "\ntemplate")).getLong();
    return ExecutionId.generate(batch.createdAt(), new SplittableRandom(seed));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * The id of the run of {@code batch} taking {@code parent}'s output {@code path}: the same on
   * every attempt, so an expansion done again finds what an earlier one stored. Its time is the
   * batch's; the rest comes from a digest of the three names, which no other run shares.
   */
  public static ExecutionId itemId(BatchRecord batch, ExecutionId parent, String path) {
    long seed = ByteBuffer.wrap(sha256(batch.id().value() + "\n" + parent.value() + "\n"
        + path)).getLong();
    return ExecutionId.generate(batch.createdAt(), new SplittableRandom(seed));
  }
}
