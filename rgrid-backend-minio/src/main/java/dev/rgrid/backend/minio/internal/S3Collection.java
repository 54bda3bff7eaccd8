package dev.rgrid.backend.minio.internal;

import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.StoredBlob;
import io.minio.CopyObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.SetBucketLifecycleArgs;
import io.minio.SourceObject;
import io.minio.errors.MinioException;
import io.minio.messages.DeleteRequest;
import io.minio.messages.DeleteResult;
import io.minio.messages.Filter;
import io.minio.messages.Item;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection's side of the S3 blob store: listing {@code blobs/} and {@code trash/} a
 * page at a time (S3 lists in key order), discarding by a server-side copy into {@code trash/}
 * and a batched delete, restoring by the copy back, purging by batched deletes (up to 1,000 keys
 * a request).
 *
 * <p>S3 has no rename and no conditional delete, so a put may copy its object into place between
 * the discard's copy and its delete; the delete then removes it, but the discard area holds the
 * same bytes (the key is their digest), and the read that needs them puts them back. That is why
 * a discard copies before it deletes.
 */
public final class S3Collection {
  private static final Logger LOG = LoggerFactory.getLogger(S3Collection.class);
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
  private static final int DELETE_BATCH = 1000;

  private final MinioAsyncClient client;
  private final String bucket;
  private final String live;
  private final String trash;
  private final S3Errors errors;

  /** Blobs under {@code live} (e.g. {@code blobs/}), discarded ones under {@code trash}. */
  public S3Collection(MinioAsyncClient client, String bucket, String live, String trash,
      S3Errors errors) {
    this.client = client;
    this.bucket = bucket;
    this.live = live;
    this.trash = trash;
    this.errors = errors;
  }

  /** The object of {@code key} under {@code prefix}. */
  public static String name(String prefix, BlobKey key) {
    return prefix + key.sha256().substring(0, 2) + "/" + key.sha256();
  }

  /** Stored blobs after {@code after}, at most {@code limit}, by key. */
  public List<StoredBlob> list(BlobKey after, int limit) {
    return listUnder(live, after, limit);
  }

  /** Discarded blobs after {@code after}, at most {@code limit}, by key. */
  public List<StoredBlob> discarded(BlobKey after, int limit) {
    return listUnder(trash, after, limit);
  }

  /** Copies each blob into the trash, then deletes the originals in batches. */
  public int discard(Collection<BlobKey> keys) {
    List<String> copied = new ArrayList<>();
    for (BlobKey key : keys) {
      if (copy(name(live, key), name(trash, key), "discarding blob " + key)) {
        copied.add(name(live, key));
      }
    }
    delete(copied, "deleting discarded blobs");
    return copied.size();
  }

  /** Copies a discarded blob back into place and removes it from the trash. */
  public boolean restore(BlobKey key) {
    if (!copy(name(trash, key), name(live, key), "restoring blob " + key)) {
      return false;
    }
    delete(List.of(name(trash, key)), "removing restored blob " + key + " from the trash");
    return true;
  }

  /** Deletes discarded blobs in batches. */
  public void purge(Collection<BlobKey> keys) {
    delete(keys.stream().map(k -> name(trash, k)).toList(), "purging discarded blobs");
  }

  /**
   * Asks the server to abort multipart uploads left incomplete for a day (a put whose process
   * died). A server without lifecycle support (some S3-compatible ones) is logged, not fatal: the
   * parts then stay until removed by hand.
   */
  public void abortIncompleteUploadsAfterADay() {
    LifecycleConfiguration config = new LifecycleConfiguration(List.of(
        new LifecycleConfiguration.Rule(Status.ENABLED,
            new LifecycleConfiguration.AbortIncompleteMultipartUpload(1), null, new Filter(""),
            "rgrid-abort-incomplete-uploads", null, null, null)));
    try {
      errors.await(client.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket)
          .config(config).build()), "setting the bucket's lifecycle rule");
    } catch (RuntimeException e) {
      LOG.warn("{} did not take the lifecycle rule that aborts incomplete uploads after a day"
          + " ({}); abort them with the server's own tools", errors.where(), e.getMessage());
    }
  }

  /** Copies {@code from} to {@code to}; false when {@code from} does not exist. */
  private boolean copy(String from, String to, String action) {
    return errors.awaitUnlessMissing(client.copyObject(CopyObjectArgs.builder().bucket(bucket)
        .object(to).source(SourceObject.builder().bucket(bucket).object(from).build()).build()),
        action).isPresent();
  }

  private void delete(List<String> names, String action) {
    for (int from = 0; from < names.size(); from += DELETE_BATCH) {
      List<DeleteRequest.Object> batch = names.subList(from,
          Math.min(names.size(), from + DELETE_BATCH)).stream()
          .map(DeleteRequest.Object::new).toList();
      try {
        for (Result<DeleteResult.Error> r : client.removeObjects(RemoveObjectsArgs.builder()
            .bucket(bucket).objects(batch).build())) {
          DeleteResult.Error e = r.get();
          if (!"NoSuchKey".equals(e.code())) {
            throw errors.unavailable(action + " failed for " + e.objectName() + ": "
                + e.code() + " " + e.message(), "check the credentials' delete permission on"
                + " bucket '" + bucket + "'", null);
          }
        }
      } catch (MinioException e) {
        throw errors.translate(e, action);
      }
    }
  }

  private List<StoredBlob> listUnder(String prefix, BlobKey after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    ListObjectsArgs.Builder args = ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
        .recursive(true).maxKeys(Math.min(limit, 1000));
    if (after != null) {
      args.startAfter(name(prefix, after));
    }
    List<StoredBlob> out = new ArrayList<>();
    try {
      for (Result<Item> result : client.listObjects(args.build())) {
        Item item = result.get();
        String hex = item.objectName().substring(item.objectName().lastIndexOf('/') + 1);
        if (!KEY.matcher(hex).matches() || item.isDir()) {
          continue;
        }
        Instant at = item.lastModified() == null ? Instant.EPOCH
            : item.lastModified().toInstant();
        out.add(new StoredBlob(new BlobKey(hex), item.size(), at));
        if (out.size() == limit) {
          break;
        }
      }
    } catch (MinioException | RuntimeException e) {
      throw errors.translate(e, "listing objects under " + prefix);
    }
    return out;
  }
}
