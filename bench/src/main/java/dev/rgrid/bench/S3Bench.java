package dev.rgrid.bench;

import dev.rgrid.backend.minio.S3BlobStore;
import dev.rgrid.backend.minio.S3Settings;
import dev.rgrid.spi.blob.BlobInfo;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * A large blob through the S3 store. {@code S3Bench server DIR} runs an S3Proxy on loopback and
 * prints its endpoint; {@code S3Bench client ENDPOINT GIB} (run with a small heap) streams GIB
 * gibibytes of generated content of unknown length into the store and back, checking the
 * digest, and reports throughput and the peak heap used.
 */
public final class S3Bench {
  private static final String ACCESS = "bench-access";
  private static final String SECRET = "bench-secret-5b1e";

  private S3Bench() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("server")) {
      S3Proxy proxy = S3Proxy.builder()
          .blobStore(new FilesystemNio2BlobStore(Files.createDirectories(Path.of(args[1]))
              .toString()))
          .endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
          .build();
      proxy.start();
      while (!proxy.getState().equals("STARTED")) {
        Thread.sleep(10);
      }
      System.out.println("http://127.0.0.1:" + proxy.getPort());
      System.out.flush();
      Thread.currentThread().join();
      return;
    }
    URI endpoint = URI.create(args[1]);
    long bytes = (long) (Double.parseDouble(args[2]) * (1L << 30));
    // The heap in use, sampled every 5 ms on a thread of its own (the sum of each pool's own
    // peak would count peaks that never happened together).
    long[] maxUsed = {0};
    Thread sampler = new Thread(() -> {
      var memory = ManagementFactory.getMemoryMXBean();
      while (!Thread.currentThread().isInterrupted()) {
        maxUsed[0] = Math.max(maxUsed[0], memory.getHeapMemoryUsage().getUsed());
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    sampler.start();
    try (S3BlobStore store = S3BlobStore.open(S3Settings.of(endpoint, "bench", ACCESS,
        SECRET))) {
      Generated source = new Generated(bytes);
      long t0 = System.nanoTime();
      BlobInfo info = store.put(source);
      double up = (System.nanoTime() - t0) / 1e9;
      String expected = HexFormat.of().formatHex(source.digest.digest());
      if (!info.key().sha256().equals(expected) || info.size() != bytes) {
        throw new IllegalStateException("stored " + info + ", expected " + expected);
      }
      long t1 = System.nanoTime();
      MessageDigest back = MessageDigest.getInstance("SHA-256");
      long read = 0;
      byte[] buffer = new byte[1 << 16];
      try (InputStream in = store.open(info.key())) {
        for (int n; (n = in.read(buffer)) >= 0; read += n) {
          back.update(buffer, 0, n);
        }
      }
      double down = (System.nanoTime() - t1) / 1e9;
      if (read != bytes || !HexFormat.of().formatHex(back.digest()).equals(expected)) {
        throw new IllegalStateException("read back " + read + " bytes, digest differs");
      }
      sampler.interrupt();
      long peak = maxUsed[0];
      System.out.printf("| %.2f GiB | put %.1f s, %.0f MiB/s | get %.1f s, %.0f MiB/s | heap in use"
          + " at most %.1f MiB of max %.0f MiB |%n", bytes / (double) (1L << 30), up,
          bytes / up / (1 << 20), down, bytes / down / (1 << 20), peak / (double) (1 << 20),
          Runtime.getRuntime().maxMemory() / (double) (1 << 20));
    }
  }

  /** Deterministic content of a given length, its digest computed as it is read. */
  private static final class Generated extends InputStream {
    private final long length;
    private final MessageDigest digest;
    private long position;
    private long state = 0x9E3779B97F4A7C15L;

    Generated(long length) throws Exception {
      this.length = length;
      this.digest = MessageDigest.getInstance("SHA-256");
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= length) {
        return -1;
      }
      int n = (int) Math.min(len, length - position);
      for (int i = 0; i < n; i++) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        b[off + i] = (byte) state;
      }
      digest.update(b, off, n);
      position += n;
      return n;
    }
  }
}
