package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import java.util.List;

/**
 * The output files an execution recorded (their content lives in the blob store). Part of {@link
 * MetadataStore}; artifacts belong to a stored execution ({@link ExecutionStore}). Every method
 * may throw {@link BackendUnavailableException}.
 */
public interface ArtifactStore {

  /**
   * Records the artifacts of an execution, all or none.
   *
   * @throws ConflictException when artifacts are already recorded for it
   * @throws NotFoundException when there is no such execution
   */
  void putArtifacts(ExecutionId id, List<Artifact> artifacts);

  /** The artifacts of an execution, by path. */
  List<Artifact> artifacts(ExecutionId id);

  /**
   * Removes the artifacts recorded for an execution: those of an attempt whose worker was lost
   * before it could record the end, so that the next attempt records its own.
   *
   * @return how many were removed
   */
  int removeArtifacts(ExecutionId id);
}
