package dev.rgrid.backend.minio;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;

/**
 * A real S3 server for the tests: S3Proxy in this JVM, storing in a directory, listening on a
 * random free port of 127.0.0.1 only, and checking AWS signatures (v2 and v4).
 */
final class S3TestServer implements AutoCloseable {
  static final String ACCESS_KEY = "rgrid-test-access";
  static final String SECRET_KEY = "rgrid-test-secret-9f2c41";
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private final S3Proxy proxy;
  private final CountingStore store;
  private final URI endpoint;
  private final MinioClient admin;

  private S3TestServer(S3Proxy proxy, CountingStore store) {
    this.proxy = proxy;
    this.store = store;
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    this.admin = MinioClient.builder().endpoint(endpoint.toString())
        .credentials(ACCESS_KEY, SECRET_KEY).build();
  }

  /** Starts a server keeping its buckets under {@code root}, an existing directory. */
  static S3TestServer start(Path root) throws Exception {
    CountingStore store = new CountingStore(new FilesystemNio2BlobStore(root.toString()));
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:0")) // loopback only; port 0 = any free one
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    return new S3TestServer(proxy, store);
  }

  URI endpoint() {
    return endpoint;
  }

  /** A bucket name no test used yet in this JVM. */
  static String newBucket() {
    return "rgrid-test-" + BUCKETS.incrementAndGet();
  }

  /** Settings for {@code bucket} on this server, with the right credentials. */
  S3Settings settings(String bucket) {
    return S3Settings.of(endpoint, bucket, ACCESS_KEY, SECRET_KEY);
  }

  /** A store on a new bucket. */
  S3BlobStore newStore() {
    return S3BlobStore.open(settings(newBucket()));
  }

  /** How many server-side copies the server has made. */
  int copies() {
    return store.copies.get();
  }

  /** The names of the objects under {@code prefix} in {@code bucket}, listed by the server. */
  List<String> objects(String bucket, String prefix) throws Exception {
    List<String> names = new ArrayList<>();
    for (Result<Item> item : admin.listObjects(ListObjectsArgs.builder().bucket(bucket)
        .prefix(prefix).recursive(true).build())) {
      names.add(item.get().objectName());
    }
    return names;
  }

  /** Writes an object directly, as another client would. */
  void putObject(String bucket, String name, byte[] content) throws Exception {
    admin.putObject(PutObjectArgs.builder().bucket(bucket).object(name)
        .data(content, content.length).build());
  }

  /** The multipart uploads started and neither completed nor aborted in {@code bucket}. */
  int openMultipartUploads(String bucket) {
    return store.listMultipartUploads(bucket).size();
  }

  /** Stops the server; its port then refuses connections. */
  @Override
  public void close() {
    try {
      admin.close();
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the test S3 server", e);
    }
  }

  /** The server's storage, counting copies so tests can see which requests a put made. */
  private static final class CountingStore extends ForwardingBlobStore {
    final AtomicInteger copies = new AtomicInteger();

    CountingStore(BlobStore delegate) {
      super(delegate);
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
      copies.incrementAndGet();
      return super.copyBlob(request);
    }
  }
}
