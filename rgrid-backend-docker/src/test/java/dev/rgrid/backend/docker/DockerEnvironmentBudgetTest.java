package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.rgrid.backend.docker.internal.Engine;
import dev.rgrid.backend.docker.internal.EnvironmentImages;
import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.GcSettings;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.PrivateFiles;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.internal.runtime.EnvironmentLeases;
import dev.rgrid.spi.runtime.KeptEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment budget on a real Docker engine: environment images of this state directory go
 * least recently used first, never one a run holds, never another directory's or a base image.
 * The images are small layers committed on the local {@code rgrid/bash:5} (nothing is pulled),
 * named and labelled as the runtime names and labels its builds, under a repository of this test
 * alone.
 */
class DockerEnvironmentBudgetTest {
  private static final String BASE = "rgrid/bash:5";
  private static final int PAYLOAD = 300_000;

  @TempDir static Path home;
  private static Engine engine;
  private static DockerRuntime runtime;
  private static final String REPOSITORY = EnvironmentImages.REPOSITORY + "gctest-"
      + UUID.randomUUID().toString().substring(0, 8);
  private static final List<String> made = new ArrayList<>();

  @BeforeAll
  static void connect() {
    engine = Engine.connect(DockerTests.settings());
    runtime = new DockerRuntime(DockerTests.settings());
  }

  @AfterAll
  static void cleanUp() {
    for (String image : made) {
      try {
        engine.control().removeImageCmd(image).withForce(true).exec();
      } catch (NotFoundException e) {
        // collected by the test
      }
    }
    runtime.close();
    engine.close();
  }

  private static String key(char c) {
    return String.valueOf(c).repeat(32);
  }

  /** An environment image of {@code key}: {@code PAYLOAD} random bytes on the base image. */
  private static String image(String key, Path cacheDir) throws Exception {
    String baseId = engine.control().inspectImageCmd(BASE).exec().getId();
    CreateContainerResponse c = engine.control().createContainerCmd(BASE)
        .withEntrypoint("sh", "-c", "head -c " + PAYLOAD + " /dev/urandom > /payload").exec();
    try {
      engine.control().startContainerCmd(c.getId()).exec();
      assertThat(engine.control().waitContainerCmd(c.getId())
          .exec(new WaitContainerResultCallback()).awaitStatusCode()).isZero();
      engine.control().commitCmd(c.getId()).withRepository(REPOSITORY).withTag(key)
          .withLabels(Map.of(EnvironmentImages.KEY, key + key, EnvironmentImages.BASE, baseId))
          .exec();
    } finally {
      engine.control().removeContainerCmd(c.getId()).withForce(true).exec();
    }
    String name = REPOSITORY + ":" + key;
    made.add(name);
    // What the runtime leaves when it builds or uses an environment for this cache directory.
    PrivateFiles.createDirectories(cacheDir);
    Files.createFile(cacheDir.resolve("docker-env-" + key + ".lock"));
    return name;
  }

  private static boolean exists(String image) {
    try {
      engine.control().inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  private static void use(Path cacheDir, String key, int minute) {
    new EnvironmentLeases(cacheDir, Clock.fixed(Instant.now().plus(Duration.ofMinutes(minute)),
        ZoneOffset.UTC)).acquire(key).close();
  }

  @Test
  void imagesGoLeastRecentlyUsedFirstNeverOneInUseNorAnotherDirectorysOrABaseImage()
      throws Exception {
    Path state = home.resolve("state");
    Path cache = state.resolve("envs");
    String a = image(key('a'), cache);
    String b = image(key('b'), cache);
    String c = image(key('c'), cache);
    // Another state directory's environment: no lock file here.
    String other = image(key('d'), home.resolve("other-envs"));
    use(cache, key('b'), 1);
    use(cache, key('a'), 2);
    use(cache, key('c'), 3);

    List<KeptEnvironment> kept = runtime.environments(cache);
    assertThat(kept).extracting(KeptEnvironment::name).containsExactlyInAnyOrder(a, b, c);
    // Each image's own layer: the payload, not the base image's 190 MB.
    assertThat(kept).allSatisfy(e -> assertThat(e.bytes()).isBetween((long) PAYLOAD,
        10L * PAYLOAD));
    long total = kept.stream().mapToLong(KeptEnvironment::bytes).sum();
    long sizeOfB = kept.stream().filter(e -> e.key().equals(key('b'))).findFirst().orElseThrow()
        .bytes();

    GcSettings budget = new GcSettings(Duration.ofDays(30), Duration.ofHours(1), null,
        total - 1);
    try (LocalRGrid rgrid = RGrid.builder().home(state).runtime(runtime).workers(0).gc(budget)
        .build()) {
      GcReport first = rgrid.gc(GcRequest.configured());
      assertThat(first.environmentsRemoved()).isEqualTo(1);
      assertThat(first.environmentBytesFreed()).isEqualTo(sizeOfB);
      assertThat(exists(b)).isFalse();
      assertThat(List.of(a, c, other, BASE)).allMatch(DockerEnvironmentBudgetTest::exists);
    }

    GcSettings none = new GcSettings(Duration.ofDays(30), Duration.ofHours(1), null, 1);
    try (LocalRGrid rgrid = RGrid.builder().home(state).runtime(runtime).workers(0).gc(none)
        .build()) {
      try (EnvironmentLeases.Lease running = new EnvironmentLeases(cache, Clock.systemUTC())
          .acquire(key('c'))) {
        GcReport held = rgrid.gc(GcRequest.configured());
        assertThat(held.environmentsRemoved()).isEqualTo(1);
        assertThat(exists(a)).isFalse();
        assertThat(exists(c)).isTrue();
      }
      assertThat(rgrid.gc(GcRequest.configured()).environmentsRemoved()).isEqualTo(1);
      assertThat(exists(c)).isFalse();
      assertThat(List.of(other, BASE)).allMatch(DockerEnvironmentBudgetTest::exists);
      assertThat(runtime.environments(cache)).isEmpty();
    }
  }
}
