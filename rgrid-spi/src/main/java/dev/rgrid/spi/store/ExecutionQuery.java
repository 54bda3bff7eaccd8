package dev.rgrid.spi.store;

import dev.rgrid.spi.ExecutionId;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A filter over executions, newest first. Paging is by key ({@code before}: the last id of the
 * previous page), so a page costs the same however deep it is; every filter narrows that walk.
 *
 * @param statuses keep only these statuses (empty: all)
 * @param labels keep only executions carrying every one of these labels
 * @param batchId keep only this batch, or {@code null}
 * @param before page cursor: keep only ids before this one (exclusive), or {@code null}
 * @param limit at most this many (1 to 1000)
 * @param scriptName keep only runs of a script of exactly this file name ({@code job.py}), or
 *     {@code null}
 * @param startedFrom keep only runs whose (latest attempt) started at or after this, or {@code
 *     null}; a run that has not started is left out as soon as either bound is set
 * @param startedBefore keep only runs that started before this (exclusive), or {@code null}
 * @param text keep only runs whose id, script name, or a label's key or value contains this,
 *     ignoring the case of ASCII letters (at most {@value #MAX_TEXT} characters), or {@code null}
 */
public record ExecutionQuery(
    Set<ExecutionStatus> statuses,
    Map<String, String> labels,
    String batchId,
    ExecutionId before,
    int limit,
    String scriptName,
    Instant startedFrom,
    Instant startedBefore,
    String text) {
  /** The longest free text a query takes, in {@code char}s. */
  public static final int MAX_TEXT = 200;

  /**
   * Checks the values; a blank script name or text is no filter.
   *
   * @throws IllegalArgumentException for a limit out of range, a text or script name longer
   *     than {@value #MAX_TEXT} characters, or a time range that ends before it starts
   */
  public ExecutionQuery {
    statuses = Set.copyOf(statuses);
    labels = Map.copyOf(labels);
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
    }
    scriptName = blankToNull(scriptName, "script name");
    text = blankToNull(text, "search text");
    if (startedFrom != null && startedBefore != null && !startedFrom.isBefore(startedBefore)) {
      throw new IllegalArgumentException("the start range is empty: from " + startedFrom
          + " is not before " + startedBefore + "; give a 'from' earlier than the 'to'");
    }
  }

  /** Statuses, labels, batch and cursor only (no script, time or text filter). */
  public ExecutionQuery(Set<ExecutionStatus> statuses, Map<String, String> labels,
      String batchId, ExecutionId before, int limit) {
    this(statuses, labels, batchId, before, limit, null, null, null, null);
  }

  /** The newest {@code limit} executions, unfiltered. */
  public static ExecutionQuery latest(int limit) {
    return new ExecutionQuery(Set.of(), Map.of(), null, null, limit);
  }

  /** This query, keeping only runs of the script with this file name ({@code null}: any). */
  public ExecutionQuery withScriptName(String name) {
    return new ExecutionQuery(statuses, labels, batchId, before, limit, name, startedFrom,
        startedBefore, text);
  }

  /** This query, keeping only runs started in {@code [from, before)} (either may be null). */
  public ExecutionQuery withStarted(Instant from, Instant before) {
    return new ExecutionQuery(statuses, labels, batchId, this.before, limit, scriptName, from,
        before, text);
  }

  /** This query, keeping only runs whose id, script name or a label contains {@code text}. */
  public ExecutionQuery withText(String text) {
    return new ExecutionQuery(statuses, labels, batchId, before, limit, scriptName,
        startedFrom, startedBefore, text);
  }

  /** This query with other labels (the other filters kept). */
  public ExecutionQuery withLabels(Map<String, String> labels) {
    return new ExecutionQuery(statuses, labels, batchId, before, limit, scriptName,
        startedFrom, startedBefore, text);
  }

  private static String blankToNull(String value, String what) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.length() > MAX_TEXT) {
      throw new IllegalArgumentException("a " + what + " to search for has at most " + MAX_TEXT
          + " characters, this one has " + value.length() + ": search for a shorter part");
    }
    return value;
  }
}
