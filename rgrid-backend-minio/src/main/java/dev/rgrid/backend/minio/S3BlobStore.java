package dev.rgrid.backend.minio;

import dev.rgrid.backend.minio.internal.HashingSource;
import dev.rgrid.backend.minio.internal.S3Clients;
import dev.rgrid.backend.minio.internal.S3Collection;
import dev.rgrid.backend.minio.internal.S3Errors;
import dev.rgrid.backend.minio.internal.StaleTemporaryObjects;
import dev.rgrid.backend.minio.internal.StreamingUpload;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.blob.BlobCapabilities;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.StoredBlob;
import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.RemoveObjectArgs;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.errors.MinioException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlobStore} on any S3-compatible server (MinIO, AWS S3, Ceph, Garage, …), through the
 * MinIO Java client. Blobs live in one bucket as {@code blobs/<first two hex digits>/<sha256>}.
 *
 * <p>A put streams content of unknown length as a multipart upload to a private temporary object
 * {@code tmp/<uuid>} while hashing it, then copies it server-side to its content key (unless that
 * is already stored) and removes the temporary object. Memory stays at about one 16 MiB part per
 * running put whatever the content's length, which caps a blob at about 150 GiB (S3's 10,000
 * parts). A put that fails or is interrupted completes no upload, so no blob appears; its temporary
 * object, if one was made, is removed. Temporary objects of processes that died mid-put are
 * removed by any open once a day old; their incomplete multipart uploads are the server's to
 * expire: opening the store sets a bucket lifecycle rule that aborts them after a day.
 *
 * <p>Garbage collection (see {@link BlobStore}) moves discarded blobs to {@code trash/} ({@link
 * S3Collection} says how that stays safe without a rename). Every put copies its object into
 * place even when the key is stored, which refreshes its last-modified time; {@code exists} does
 * not (it would cost a copy per lookup), but a blob discarded after a lookup is put back by the
 * read that needs it.
 *
 * <p>Safe for use by many threads and by many processes sharing the bucket. Every method may throw
 * {@link BackendUnavailableException} (backend {@code "s3"}) when the server cannot be reached,
 * refuses the credentials or fails.
 */
public final class S3BlobStore implements BlobStore {
  // S3 allows 5 MiB to 5 GiB; 16 MiB keeps memory modest and still allows 150 GiB blobs.
  private static final long PART_SIZE = 16L * 1024 * 1024;
  private static final String BLOBS = "blobs/";
  private static final String TMP = "tmp/";
  private static final String TRASH = "trash/";
  private static final Duration MAX_PRESIGN = Duration.ofDays(7); // S3 signature v4's limit
  private static final BlobCapabilities CAPABILITIES = new BlobCapabilities(true, true);
  private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);

  private final S3Settings settings;
  private final MinioAsyncClient client;
  private final S3Errors errors;
  private final StreamingUpload upload;
  private final S3Collection collection;

  private S3BlobStore(S3Settings settings, MinioAsyncClient client) {
    this.settings = settings;
    this.client = client;
    this.errors = new S3Errors(settings);
    this.upload = new StreamingUpload(client, settings.bucket(), PART_SIZE, errors);
    this.collection = new S3Collection(client, settings.bucket(), BLOBS, TRASH, errors);
  }

  /**
   * Connects to the server of {@code settings}, creating the bucket when it is missing.
   *
   * @throws BackendUnavailableException when the server cannot be reached, refuses the
   *     credentials or cannot create the bucket
   */
  public static S3BlobStore open(S3Settings settings) {
    return open(settings, Clock.systemUTC());
  }

  /**
   * {@link #open(S3Settings)}, judging the age of leftover temporary objects by {@code clock}.
   *
   * @throws BackendUnavailableException when the server cannot be reached, refuses the
   *     credentials or cannot create the bucket
   */
  public static S3BlobStore open(S3Settings settings, Clock clock) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    MinioAsyncClient client;
    try {
      client = S3Clients.create(settings);
    } catch (MinioException e) {
      throw new S3Errors(settings).unavailable("cannot set up TLS for " + settings.describe()
          + " (" + e.getMessage() + ")", "check the certificates named by SSL_CERT_FILE and"
          + " SSL_CERT_DIR", e);
    }
    S3BlobStore store = new S3BlobStore(settings, client);
    try {
      store.createBucketIfMissing();
      store.collection.abortIncompleteUploadsAfterADay();
      new StaleTemporaryObjects(client, settings.bucket(), TMP, store.errors)
          .removeOlderThan(clock.instant().minus(Duration.ofDays(1)));
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The settings this store was opened with. */
  public S3Settings settings() {
    return settings;
  }

  @Override
  public BlobInfo put(InputStream content) {
    HashingSource source = new HashingSource(content);
    String temporary = TMP + UUID.randomUUID();
    RuntimeException failure = null;
    try {
      upload.run(source, temporary);
      BlobKey key = source.key();
      String name = objectName(key);
      // Copied even when the key is stored (same bytes): the copy refreshes the blob's time,
      // so garbage collection counts it young again.
      errors.await(client.copyObject(CopyObjectArgs.builder()
          .bucket(settings.bucket()).object(name)
          .source(SourceObject.builder().bucket(settings.bucket()).object(temporary).build())
          .build()), "copying blob " + key + " into place");
      return new BlobInfo(key, source.size());
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    } finally {
      removeTemporary(temporary, failure);
    }
  }

  @Override
  public InputStream open(BlobKey key) {
    return open(key, true);
  }

  /** Opens the blob, first putting it back when garbage collection set it aside. */
  private InputStream open(BlobKey key, boolean restoring) {
    String name = objectName(key);
    Optional<? extends InputStream> found = errors.awaitUnlessMissing(client.getObject(
        GetObjectArgs.builder().bucket(settings.bucket()).object(name).build()),
        "reading blob " + key);
    if (found.isEmpty() && restoring && collection.restore(key)) {
      return open(key, false);
    }
    return found.orElseThrow(() -> new NotFoundException("no blob " + key + " in "
        + errors.where(), "store it again, or check that nothing else deletes objects under "
        + BLOBS + " in bucket '" + settings.bucket() + "'"));
  }

  @Override
  public boolean exists(BlobKey key) {
    return stat(objectName(key)).isPresent() || collection.restore(key);
  }

  @Override
  public Optional<Long> size(BlobKey key) {
    return stat(objectName(key));
  }

  /**
   * {@inheritDoc}
   *
   * <p>S3 deletes without saying whether the object existed, so this asks first; a concurrent
   * delete of the same blob may make both callers see {@code true}.
   */
  @Override
  public boolean delete(BlobKey key) {
    String name = objectName(key);
    if (stat(name).isEmpty()) {
      return false;
    }
    errors.await(client.removeObject(RemoveObjectArgs.builder()
        .bucket(settings.bucket()).object(name).build()), "deleting blob " + key);
    return true;
  }

  @Override
  public List<StoredBlob> list(BlobKey after, int limit) {
    return collection.list(after, limit);
  }

  @Override
  public int discard(Collection<BlobKey> keys) {
    return collection.discard(keys);
  }

  @Override
  public List<StoredBlob> discarded(BlobKey after, int limit) {
    return collection.discarded(after, limit);
  }

  @Override
  public boolean restore(BlobKey key) {
    return collection.restore(key);
  }

  @Override
  public void purge(Collection<BlobKey> keys) {
    collection.purge(keys);
  }

  /** Presigned URLs are supported: see {@link #presignedGet(BlobKey, Duration)}. */
  @Override
  public BlobCapabilities capabilities() {
    return CAPABILITIES;
  }

  /**
   * A URL that downloads the blob with a plain HTTP GET, without credentials, until {@code
   * validFor} has passed. Made locally (no request to the server), so it is also made for a blob
   * that is not stored; fetching it then answers 404.
   *
   * @param validFor from 1 second to 7 days (S3's limit)
   * @throws IllegalArgumentException when {@code validFor} is out of that range
   */
  public URI presignedGet(BlobKey key, Duration validFor) {
    String name = objectName(key);
    Objects.requireNonNull(validFor, "validFor");
    if (validFor.compareTo(Duration.ofSeconds(1)) < 0 || validFor.compareTo(MAX_PRESIGN) > 0) {
      throw new IllegalArgumentException("a presigned URL must be valid for 1 second to 7 days,"
          + " not " + validFor);
    }
    try {
      return URI.create(client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
          .method(Http.Method.GET).bucket(settings.bucket()).object(name)
          .expiry((int) validFor.toSeconds(), TimeUnit.SECONDS).build()));
    } catch (MinioException | RuntimeException e) {
      throw errors.translate(e, "presigning a download of blob " + key);
    }
  }

  /** Releases the client's connections and threads. */
  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "S3BlobStore[" + settings.describe() + "]";
  }

  /** The object holding the blob with this key. */
  static String objectName(BlobKey key) {
    Objects.requireNonNull(key, "key");
    return S3Collection.name(BLOBS, key);
  }

  private void createBucketIfMissing() {
    String bucket = settings.bucket();
    boolean exists = errors.await(client.bucketExists(BucketExistsArgs.builder().bucket(bucket)
        .build()), "checking that the bucket exists");
    if (exists) {
      return;
    }
    CompletableFuture<?> made = client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
    try {
      errors.await(made, "creating the bucket");
    } catch (BackendUnavailableException e) {
      if (!S3Errors.isOwnBucket(e.getCause())) {
        throw e; // else another process created it just now: as good as ours
      }
    }
    LOG.info("created {}", settings.describe());
  }

  /** The size of an object, or empty when it does not exist. */
  private Optional<Long> stat(String name) {
    return errors.awaitUnlessMissing(client.statObject(StatObjectArgs.builder()
        .bucket(settings.bucket()).object(name).build()), "looking up " + name)
        .map(stat -> stat.size());
  }

  /**
   * Removes a temporary object, whether the put succeeded or not. After a failure this must not
   * hide the original error; after success a leftover is only wasted space, removed by a later
   * open.
   */
  private void removeTemporary(String name, RuntimeException failure) {
    // Cleanup runs even for an interrupted put: clear the flag for the call, restore it after.
    boolean interrupted = Thread.interrupted();
    try {
      errors.await(client.removeObject(RemoveObjectArgs.builder()
          .bucket(settings.bucket()).object(name).build()), "removing temporary object " + name);
    } catch (RuntimeException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      } else {
        LOG.warn("could not remove temporary object {} in {}; a later open removes it: {}", name,
            settings.describe(), e.getMessage());
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
