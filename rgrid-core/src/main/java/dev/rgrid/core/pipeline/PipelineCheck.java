package dev.rgrid.core.pipeline;

import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.core.preparation.BatchInputs;
import dev.rgrid.spi.store.ParentLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything checked of a pipeline before any of it runs: names, files, each step's run
 * options, references, batch rules and cycles. It also puts the steps in the order they are submitted (each after its parents,
 * otherwise as declared), so that every parent is stored before a child names it.
 */
final class PipelineCheck {
  private final Path base;
  private final SpecRules rules;
  private final Map<String, Step> byName = new LinkedHashMap<>();

  private PipelineCheck(Path base, Limits limits) {
    this.base = base;
    this.rules = new SpecRules(limits);
  }

  /**
   * The steps in submission order, each step's run options checked against {@code limits}.
   *
   * @throws InvalidRunSpecException naming the first problem found
   */
  static List<Step> ordered(Path base, List<Step> steps, Limits limits) {
    PipelineCheck check = new PipelineCheck(base, limits);
    if (steps.isEmpty()) {
      throw invalid("a pipeline needs at least one step", "add a [steps.NAME] table with a script");
    }
    if (steps.size() > Pipeline.MAX_STEPS) {
      throw invalid("a pipeline has at most " + Pipeline.MAX_STEPS + " steps, this one has "
          + steps.size(), "split it into several pipelines, or use a batch step for many files");
    }
    for (Step step : steps) {
      if (!Step.NAME.matcher(step.name()).matches()) {
        throw invalid("step name '" + shown(step.name()) + "' is not allowed",
            "name steps with 1-63 letters, digits, '_' or '-', starting with a letter or digit");
      }
      if (check.byName.put(step.name(), step) != null) {
        throw invalid("step " + step.name() + " is defined twice", "give each step its own name");
      }
    }
    for (Step step : steps) {
      check.files(step);
      check.options(step);
      check.references(step);
    }
    List<Step> order = check.order();
    for (Step step : order) {
      check.batch(step);
    }
    return order;
  }

  private void files(Step step) {
    Path script = inside(step, "script", step.script());
    if (!Files.isRegularFile(script)) {
      throw invalid("step " + step.name() + ": script " + step.script() + " is not a file",
          "check the path; it is relative to " + base);
    }
    // Checked here rather than at submission, where a refusal would come after earlier steps.
    SpecRules.checkLabels(step.labels());
    for (String key : step.labels().keySet()) {
      if (key.startsWith(SpecRules.RESERVED_LABELS)) {
        throw invalid("step " + step.name() + ": label " + shown(key) + " is reserved",
            "labels starting with " + SpecRules.RESERVED_LABELS + " are set by RGrid; pick "
                + "another key");
      }
    }
    for (Path input : step.inputs()) {
      if (!Files.exists(inside(step, "input", input))) {
        throw invalid("step " + step.name() + ": input " + input + " does not exist",
            "check the path; it is relative to " + base);
      }
    }
  }

  /**
   * Checks a step's run options (runtime name, timeout, CPU and memory limits, placement
   * constraints, arguments) by the rules its submission applies (SpecRules), so that a bad value
   * in any step stops the pipeline before its first step is submitted. What only the instance
   * running it knows (whether a runtime is in its catalog, its machine's CPUs) is checked when
   * the pipeline is run, still before any step is submitted (StepSubmission).
   */
  private void options(Step step) {
    try {
      rules.checkRun(StepSubmission.template(base, step).build());
    } catch (InvalidRunSpecException e) {
      throw invalid("step " + step.name() + ": " + e.getMessage(), e.hint().orElse(null));
    } catch (IllegalArgumentException e) {
      throw invalid("step " + step.name() + ": " + shown(e.getMessage()),
          "fix [steps." + step.name() + "]");
    }
  }

  /**
   * {@code path} resolved in the base directory, refused when it leads out of it (by {@code ..}
   * or a link): a pipeline file someone else wrote must not upload this machine's other files.
   */
  private Path inside(Step step, String what, Path path) {
    Path resolved = base.resolve(path).normalize();
    boolean in = resolved.startsWith(base);
    if (in && Files.exists(resolved)) {
      try {
        in = resolved.toRealPath().startsWith(base.toRealPath());
      } catch (IOException e) {
        in = false;
      }
    }
    if (!in) {
      throw invalid("step " + step.name() + ": " + what + " " + shown(path.toString())
          + " is outside the pipeline's directory " + base,
          "keep scripts and inputs under the pipeline's directory");
    }
    return resolved;
  }

  private void references(Step step) {
    for (Step.StepOutput output : step.from()) {
      outputGlob(step, output, "input " + shown(output.toString()),
          "write step:path, e.g. " + output.step() + ":out.csv or " + output.step()
              + ":'**/*.csv', without '..'");
    }
    Step.StepOutput feed = step.batchFrom();
    if (feed != null) {
      // Named as the file writes it: the user wrote batch = "...", not an input.
      outputGlob(step, feed, "batch = \"" + shown(feed.toString()) + "\"",
          "write batch = \"" + feed.step() + ":GLOB\", matching one output of each of "
              + feed.step() + "'s runs, e.g. " + feed.step() + ":out.csv, without '..'");
    }
    step.needs().forEach(need -> known(step, need));
  }

  /** Checks that {@code output} names a known step and a glob that stays within its outputs. */
  private void outputGlob(Step step, Step.StepOutput output, String what, String hint) {
    known(step, output.step());
    String glob = output.glob();
    boolean climbs = ("/" + glob + "/").contains("/../") || glob.equals("..");
    if (glob.isBlank() || glob.length() > ParentLink.MAX_GLOB || glob.startsWith("/")
        || glob.contains("\\") || glob.indexOf('\0') >= 0 || climbs) {
      throw invalid("step " + step.name() + ": " + what + " must name a relative path or glob "
          + "of " + output.step() + "'s outputs", hint);
    }
  }

  private void known(Step step, String parent) {
    if (parent.equals(step.name())) {
      throw invalid("step " + step.name() + " waits for itself", "remove it from its own needs");
    }
    if (!byName.containsKey(parent)) {
      throw invalid("step " + step.name() + " needs unknown step '" + shown(parent) + "'",
          "the steps are: " + String.join(", ", byName.keySet()));
    }
  }

  private void batch(Step step) {
    for (String parent : step.parents()) {
      if (fansOutLater(parent) && (step.batch() != null || step.batchFrom() != null)) {
        // Its runs are made only when its parent run ends: a batch fed from it now would have
        // one run for its template (the submission refuses it too). A single run waiting for
        // it (fan-in) is handed over to its runs when they are made.
        throw invalid("step " + step.name() + ": cannot be fed by " + parent + " yet: "
            + parent + " fans out from the single run of " + byName.get(parent).batchFrom()
            .step() + ", so its runs are not known until that run ends", "run " + step.name()
            + " in a pipeline of its own once " + parent + " has ended");
      }
    }
    if (step.batch() == null && step.batchFrom() == null) {
      if (step.parallel() != 0) {
        throw invalid("step " + step.name() + ": parallel applies only to a batch step",
            "add batch = \"GLOB\", or remove parallel");
      }
      return; // it may wait for a batch step, and take its runs' outputs (fan-in)
    }
    if (step.batchFrom() != null) {
      fedBatch(step);
      return;
    }
    if (!step.parents().isEmpty()) {
      // The runs of a batch cannot wait for other runs yet (the submission refuses it).
      throw invalid("step " + step.name() + ": a batch step cannot wait for other steps yet",
          "run the steps it needs in a pipeline of their own first");
    }
    if (step.parallel() != 0) {
      BatchSpec.checkParallel(step.parallel());
    }
    if (step.batch().isBlank()) {
      throw invalid("step " + step.name() + ": batch must be a glob such as \"data/*.csv\"",
          "give the files to run once each");
    }
    // Expanded now, so that a pattern matching nothing stops the pipeline before any run.
    RunSpec probe = RunSpec.builder(step.script()).baseDirectory(base).build();
    List<Path> files = BatchInputs.expand(BatchSpec.builder(probe).glob(step.batch()).build(),
        base);
    for (Path file : files) {
      inside(step, "batch file", base.relativize(file));
    }
  }

  /**
   * A batch step fed by another's runs, or by the outputs of a single-run step (fan-out, made
   * into runs when that run ends), and nothing else is waited for (a batch's runs wait only for
   * their own parent runs).
   */
  /** Whether step {@code name} is a batch step fanned out from a single-run step's outputs. */
  private boolean fansOutLater(String name) {
    Step step = byName.get(name);
    if (step == null || step.batchFrom() == null) {
      return false;
    }
    Step parent = byName.get(step.batchFrom().step());
    return parent != null && parent.batch() == null && parent.batchFrom() == null;
  }

  private void fedBatch(Step step) {
    String parent = step.batchFrom().step();
    if (step.parents().size() > 1) {
      throw invalid("step " + step.name() + ": a batch step fed by " + parent
          + " cannot wait for other steps too", "chain the others through " + parent);
    }
    if (step.parallel() != 0) {
      BatchSpec.checkParallel(step.parallel());
    }
  }

  /** Parents first, otherwise as declared; a cycle is named. */
  private List<Step> order() {
    List<Step> order = new ArrayList<>();
    Map<String, Boolean> done = new HashMap<>(); // false: being visited, true: placed
    for (String name : byName.keySet()) {
      visit(name, done, new ArrayList<>(), order);
    }
    return order;
  }

  private void visit(String name, Map<String, Boolean> done, List<String> path, List<Step> order) {
    Boolean state = done.get(name);
    if (Boolean.TRUE.equals(state)) {
      return;
    }
    if (Boolean.FALSE.equals(state)) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
      cycle.add(name);
      throw invalid("the steps form a cycle (each needs the next): "
          + String.join(" → ", cycle),
          "remove one of these needs or inputs so that the steps can run in order");
    }
    done.put(name, false);
    path.add(name);
    Step step = byName.get(name);
    for (String parent : step.parents()) {
      visit(parent, done, path, order);
    }
    path.remove(path.size() - 1);
    done.put(name, true);
    order.add(step);
  }

  private static String shown(String value) {
    String printable = value.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 80 ? printable.substring(0, 80) + "…" : printable;
  }

  static InvalidRunSpecException invalid(String message, String hint) {
    return new InvalidRunSpecException(message, hint);
  }
}
