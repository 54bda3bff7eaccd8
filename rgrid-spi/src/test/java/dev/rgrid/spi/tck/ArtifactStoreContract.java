package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static dev.rgrid.spi.tck.Fixtures.key;
import static dev.rgrid.spi.tck.Fixtures.queued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ArtifactStore;
import dev.rgrid.spi.store.ExecutionRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ArtifactStore} passes: artifacts are recorded all at once and only
 * once, and removed for the next attempt of a lost one. Extend it and return a fresh, empty store
 * (see {@link MetadataStoreFixture}).
 */
public abstract class ArtifactStoreContract extends MetadataStoreFixture {
  @Test
  void recordsArtifactsAllAtOnceAndOnlyOnce() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    store.create(r);
    assertThat(store.artifacts(r.id())).isEmpty();
    List<Artifact> artifacts = List.of(new Artifact("out/b.txt", 3, key(3)),
        new Artifact("a.csv", 0, key(4)), new Artifact("ü space.bin", 1L << 33, key(5)));
    store.putArtifacts(r.id(), artifacts);
    assertThat(store.artifacts(r.id())).containsExactlyInAnyOrderElementsOf(artifacts);
    assertThatThrownBy(() -> store.putArtifacts(r.id(), List.of(new Artifact("c", 1, key(6)))))
        .isInstanceOf(ConflictException.class);
    assertThat(store.artifacts(r.id())).containsExactlyInAnyOrderElementsOf(artifacts);
  }

  @Test
  void removesTheArtifactsOfALostAttemptSoTheNextRecordsItsOwn() {
    ExecutionRecord r = queued(T0, Map.of(), null);
    ExecutionRecord other = queued(T0.plusMillis(1), Map.of(), null);
    store.create(r);
    store.create(other);
    store.putArtifacts(r.id(), List.of(new Artifact("a", 1, key(3)), new Artifact("b", 2, key(4))));
    store.putArtifacts(other.id(), List.of(new Artifact("a", 1, key(3))));
    assertThat(store.removeArtifacts(r.id())).isEqualTo(2);
    assertThat(store.artifacts(r.id())).isEmpty();
    assertThat(store.removeArtifacts(r.id())).isZero();
    store.putArtifacts(r.id(), List.of(new Artifact("c", 3, key(5))));
    assertThat(store.artifacts(r.id())).extracting(Artifact::path).containsExactly("c");
    assertThat(store.artifacts(other.id())).hasSize(1);
  }
}
