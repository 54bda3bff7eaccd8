package dev.rgrid.store.sql;

import static dev.rgrid.spi.tck.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.tck.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON form of specs, including specs written by earlier versions. */
class StoreJsonTest {
  /**
   * Exactly what schema 1 (before the result cache) wrote for {@code Fixtures.spec(Map.of("team",
   * "data"), "batch_1")}: no requirements, requirementsSource, scriptFiles or cache.
   */
  static final String V1_SPEC = """
      {"scriptName":"job.py",\
      "script":{"sha256":"0000000000000000000000000000000000000000000000000000000000000001"},\
      "runtime":"python3.11","args":["/work/a b.csv","--x=1","ü"],"env":{"K":"v"},\
      "inputs":[{"path":"a b.csv",\
      "blob":{"sha256":"0000000000000000000000000000000000000000000000000000000000000002"},\
      "size":12}],"timeout":"PT5M","labels":{"team":"data"},"batchId":"batch_1",\
      "resources":{"milliCpus":1500,"memoryBytes":536870912},"network":false}""";

  @Test
  void decodesASpecWrittenBeforeTheResultCacheWithCachingOnAndNoDependencies() throws Exception {
    ExecutionSpec spec = StoreJson.decodeSpec(V1_SPEC);
    assertThat(spec).isEqualTo(Fixtures.spec(Map.of("team", "data"), "batch_1"));
    assertThat(spec.cache()).isTrue();
    assertThat(spec.requirements()).isEmpty();
    assertThat(spec.requirementsSource()).isNull();
    assertThat(spec.scriptFiles()).isEmpty();
  }

  @Test
  void roundTripsPlacementConstraintsWhichASpecWrittenBeforeThemHasNone() throws Exception {
    ExecutionSpec s = Fixtures.spec(Map.of(), null);
    ExecutionSpec placed = new ExecutionSpec(s.scriptName(), s.script(), s.runtime(), s.args(),
        s.env(), s.inputs(), s.timeout(), s.labels(), s.batchId(),
        s.resources().withConstraints(List.of("node.labels.gpu==true", "node.role!=manager")),
        s.network(), s.requirements(), s.requirementsSource(), s.scriptFiles(), s.cache(),
        s.retry(), s.secrets(), s.parents());
    ExecutionSpec decoded = StoreJson.decodeSpec(StoreJson.encodeSpec(placed));
    assertThat(decoded).isEqualTo(placed);
    assertThat(decoded.resources().constraints())
        .containsExactly("node.labels.gpu==true", "node.role!=manager");
    assertThat(StoreJson.decodeSpec(V1_SPEC).resources().constraints()).isEmpty();
  }

  @Test
  void keepsAnExplicitCacheFlagOfFalse() throws Exception {
    String optedOut = V1_SPEC.substring(0, V1_SPEC.length() - 1) + ",\"cache\":false}";
    assertThat(StoreJson.decodeSpec(optedOut).cache()).isFalse();
  }

  @Test
  void roundTripsRequirementsScriptFilesAndTheCacheFlag() throws Exception {
    for (boolean cache : new boolean[] {false, true}) {
      ExecutionSpec spec = withDependencies(Fixtures.spec(Map.of("k", "v"), null), cache);
      ExecutionSpec decoded = StoreJson.decodeSpec(StoreJson.encodeSpec(spec));
      assertThat(decoded).isEqualTo(spec);
      assertThat(decoded.cache()).isEqualTo(cache);
    }
    ExecutionSpec plain = Fixtures.spec(Map.of(), null);
    assertThat(StoreJson.decodeSpec(StoreJson.encodeSpec(plain))).isEqualTo(plain);
  }

  @Test
  void roundTripsParentsOfBothKindsAndReadsAnExecutionParentWrittenBeforeBatchParents()
      throws Exception {
    ExecutionId exec = ExecutionId.of("exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
    BatchId batch = BatchId.of("batch_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
    ExecutionSpec spec = Fixtures.spec(Map.of(), null).withParents(List.of(
        ParentLink.after(exec), new ParentLink(batch, "**/part.csv"),
        ParentLink.item(exec, "out/*.csv")));
    ExecutionSpec decoded = StoreJson.decodeSpec(StoreJson.encodeSpec(spec));
    assertThat(decoded).isEqualTo(spec);
    assertThat(decoded.parents()).extracting(ParentLink::item).containsExactly(false, false,
        true);
    assertThat(decoded.parentIds()).containsExactly(exec);
    assertThat(decoded.parentBatches()).containsExactly(batch);
    String before = V1_SPEC.substring(0, V1_SPEC.length() - 1)
        + ",\"parents\":[{\"parent\":{\"value\":\"" + exec + "\"},\"glob\":\"a.csv\"}]}";
    // Written before batch runs were fed by parent runs: no "item", so none is one.
    assertThat(StoreJson.decodeSpec(before).parents())
        .containsExactly(new ParentLink(exec, "a.csv"));
  }

  @Test
  void refusesJsonThatIsNotASpecObject() {
    for (String bad : List.of("[]", "42", "\"spec\"", "{\"scriptName\":", "")) {
      assertThatThrownBy(() -> StoreJson.decodeSpec(bad)).isInstanceOf(JsonProcessingException.class);
    }
  }

  /** {@code base} with requirements, their source and two accompanying files. */
  static ExecutionSpec withDependencies(ExecutionSpec base, boolean cache) {
    return new ExecutionSpec(base.scriptName(), base.script(), base.runtime(), base.args(),
        base.env(), base.inputs(), base.timeout(), base.labels(), base.batchId(),
        base.resources(), base.network(), List.of("numpy==2.1.3", "requests[socks]>=2.32"),
        "PEP 723 block in job.py", List.of(new InputFile("helpers/util.py", key(5), 42),
            new InputFile("pkg/__init__.py", key(6), 0)), cache, null, Map.of());
  }
}
