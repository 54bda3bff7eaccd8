package dev.rgrid.backend.minio.internal;

import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes temporary objects left by processes that died mid-put. Only old ones: a young one may
 * belong to a put running right now in another process.
 */
public final class StaleTemporaryObjects {
  private static final Logger LOG = LoggerFactory.getLogger(StaleTemporaryObjects.class);

  private final MinioAsyncClient client;
  private final String bucket;
  private final String prefix;
  private final S3Errors errors;

  /** Temporary objects named {@code prefix…} in {@code bucket}. */
  public StaleTemporaryObjects(MinioAsyncClient client, String bucket, String prefix,
      S3Errors errors) {
    this.client = client;
    this.bucket = bucket;
    this.prefix = prefix;
    this.errors = errors;
  }

  /**
   * Removes those last modified before {@code cutoff}.
   *
   * @return how many were removed
   */
  public int removeOlderThan(Instant cutoff) {
    int removed = 0;
    try {
      for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
          .bucket(bucket).prefix(prefix).recursive(true).build())) {
        Item item = result.get();
        if (item.lastModified() != null && item.lastModified().toInstant().isBefore(cutoff)) {
          errors.await(client.removeObject(RemoveObjectArgs.builder()
              .bucket(bucket).object(item.objectName()).build()),
              "removing stale temporary object " + item.objectName());
          removed++;
        }
      }
    } catch (MinioException | RuntimeException e) {
      throw errors.translate(e, "listing temporary objects under " + prefix);
    }
    if (removed > 0) {
      LOG.info("removed {} temporary objects older than {} in {}", removed, cutoff,
          errors.where());
    }
    return removed;
  }
}
