package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rgrid.backend.postgres.PostgresBackend;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Keeps the cluster files true to the code: {@code deploy/stack.yaml} (Docker Swarm) and {@code
 * deploy/kubernetes/} (untested on a cluster here; parsed and checked field by field), including
 * the KEDA trigger's queue-depth query, run on a real PostgreSQL with RGrid's schema.
 */
class StackFilesTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode stack() throws IOException {
    return YAML.readTree(ROOT.resolve("deploy/stack.yaml").toFile());
  }

  /** Every document of a Kubernetes file, by {@code kind/name}. */
  private static Map<String, JsonNode> kubernetes(String file) throws IOException {
    Map<String, JsonNode> docs = new HashMap<>();
    try (var it = YAML.readerFor(JsonNode.class)
        .<JsonNode>readValues(ROOT.resolve("deploy/kubernetes").resolve(file).toFile())) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        assertThat(doc.path("apiVersion").asText()).as(file + " apiVersion").isNotEmpty();
        assertThat(doc.path("metadata").path("name").asText()).as(file + " name").isNotEmpty();
        docs.put(doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText(),
            doc);
      }
    }
    return docs;
  }

  private static void parses(List<String> args) {
    CommandLine cli = Main.commandLine(new Terminal(new ByteArrayOutputStream(),
        new ByteArrayOutputStream(), false));
    // Throws (with the offending option) when a file names one the CLI does not have.
    cli.parseArgs(args.toArray(String[]::new));
  }

  @Test
  void theStackRunsCommandsThisCliParsesAndTheAutoscalerScalesItsWorkerService()
      throws Exception {
    JsonNode services = stack().path("services");
    assertThat(services.fieldNames()).toIterable()
        .contains("postgres", "minio", "server", "worker", "autoscaler");
    for (String name : List.of("server", "worker", "autoscaler")) {
      JsonNode service = services.path(name);
      assertThat(service.path("image").asText()).as(name).isEqualTo("rgrid");
      assertThat(service.path("env_file").asText()).as(name).isEqualTo("rgrid.env");
      assertThat(service.has("depends_on")).as(name + ": stack deploy ignores depends_on")
          .isFalse();
      parses(ComposeFileTest.rgridArgs(service));
    }
    List<String> autoscale = ComposeFileTest.rgridArgs(services.path("autoscaler"));
    List<String> worker = ComposeFileTest.rgridArgs(services.path("worker"));
    assertThat(autoscale.get(0)).isEqualTo("autoscale");
    // docker stack deploy names services STACK_SERVICE; the docs deploy the stack as rgrid.
    assertThat(option(autoscale, "--service")).isEqualTo("rgrid_worker");
    assertThat(option(autoscale, "--per-worker")).isEqualTo(option(worker, "--concurrency"));
    JsonNode deploy = services.path("worker").path("deploy");
    assertThat(deploy.path("mode").asText()).isEqualTo("replicated");
    assertThat(services.path("autoscaler").path("deploy").path("placement").path("constraints")
        .get(0).asText()).isEqualTo("node.role == manager");
    assertThat(ComposeFileTest.strings(services.path("autoscaler").path("volumes")))
        .contains("/var/run/docker.sock:/var/run/docker.sock");
    assertThat(Files.readString(ROOT.resolve("docs/operations.md")))
        .contains("deploy/stack.yaml", "deploy/kubernetes/", "untested");
  }

  @Test
  void theKubernetesDeploymentsRunCommandsThisCliParses() throws Exception {
    JsonNode server = kubernetes("server.yaml").get("Deployment/rgrid-server");
    JsonNode serverPod = container(server);
    parses(ComposeFileTest.strings(serverPod.path("args")));
    assertThat(kubernetes("server.yaml")).containsKey("Service/rgrid-server");
    JsonNode worker = container(kubernetes("worker.yaml").get("Deployment/rgrid-worker"));
    String line = worker.path("args").get(0).asText();
    String jar = "/opt/rgrid/rgrid.jar";
    parses(List.of(line.substring(line.indexOf(jar) + jar.length()).replace("\"$HOSTNAME\"",
        "host-1").trim().split("\\s+")));
    for (JsonNode pod : List.of(serverPod, worker)) {
      assertThat(pod.path("envFrom").get(0).path("secretRef").path("name").asText())
          .isEqualTo("rgrid-env");
    }
    JsonNode secret = kubernetes("config.yaml").get("Secret/rgrid-env").path("stringData");
    assertThat(secret.fieldNames()).toIterable().contains("RGRID_DB_URL", "RGRID_DB_PASSWORD",
        "RGRID_S3_ENDPOINT", "RGRID_S3_SECRET_KEY");
    assertThat(Files.readString(ROOT.resolve("deploy/kubernetes/README.md")))
        .contains("not tested in this repository");
  }

  @Test
  void theJobTemplateHasTheDockerRuntimesHardeningAndNoNetwork() throws Exception {
    Map<String, JsonNode> docs = kubernetes("job-template.yaml");
    JsonNode job = docs.get("Job/rgrid-run-RUN_ID").path("spec");
    JsonNode pod = job.path("template").path("spec");
    JsonNode run = pod.path("containers").get(0);
    JsonNode security = run.path("securityContext");
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(security.path("privileged").asBoolean(true)).isFalse();
    assertThat(ComposeFileTest.strings(security.path("capabilities").path("drop")))
        .containsExactly("ALL");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(65534);
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(pod.path("hostNetwork").asBoolean(true)).isFalse();
    assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
    assertThat(job.path("backoffLimit").asInt(-1)).isZero();
    JsonNode resources = run.path("resources");
    assertThat(resources.path("limits").path("memory").asText()).isEqualTo("1Gi");
    assertThat(resources.path("limits").path("cpu").asText()).isEqualTo("1");
    assertThat(resources.path("requests")).isEqualTo(resources.path("limits"));
    List<String> mounts = new ArrayList<>();
    run.path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText()
        + (m.path("readOnly").asBoolean() ? ":ro" : "")));
    assertThat(mounts).containsExactlyInAnyOrder("/work", "/rgrid:ro", "/tmp");

    JsonNode policy = docs.get("NetworkPolicy/rgrid-runs-no-network").path("spec");
    assertThat(ComposeFileTest.strings(policy.path("policyTypes")))
        .containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(policy.path("ingress").isEmpty()).isTrue();
    assertThat(policy.path("egress").isEmpty()).isTrue();
    // The policy selects the run's pods.
    policy.path("podSelector").path("matchLabels").fields().forEachRemaining(label ->
        assertThat(job.path("template").path("metadata").path("labels").path(label.getKey())
            .asText()).isEqualTo(label.getValue().asText()));
  }

  @Test
  void theKedaTriggerCountsTheQueueOnRGridsSchemaAndScalesTheWorkerDeployment()
      throws Exception {
    Map<String, JsonNode> docs = kubernetes("keda-scaledobject.yaml");
    JsonNode scaled = docs.get("ScaledObject/rgrid-worker").path("spec");
    assertThat(scaled.path("scaleTargetRef").path("name").asText()).isEqualTo("rgrid-worker");
    assertThat(scaled.path("minReplicaCount").asInt()).isLessThanOrEqualTo(
        scaled.path("maxReplicaCount").asInt());
    JsonNode trigger = scaled.path("triggers").get(0);
    assertThat(trigger.path("type").asText()).isEqualTo("postgresql");
    JsonNode worker = container(kubernetes("worker.yaml").get("Deployment/rgrid-worker"));
    String concurrency = worker.path("args").get(0).asText().replaceAll(".*--concurrency (\\d+).*",
        "$1");
    assertThat(trigger.path("metadata").path("targetQueryValue").asText()).isEqualTo(concurrency);
    String auth = trigger.path("authenticationRef").path("name").asText();
    JsonNode secretRef = docs.get("TriggerAuthentication/" + auth).path("spec")
        .path("secretTargetRef").get(0);
    assertThat(secretRef.path("parameter").asText()).isEqualTo("password");
    assertThat(secretRef.path("name").asText()).isEqualTo("rgrid-env");

    // The query on a real PostgreSQL with RGrid's schema: waiting and claimed entries alike.
    String query = trigger.path("metadata").path("query").asText();
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      String url = postgres.getJdbcUrl("postgres", "postgres");
      try (PostgresBackend backend = PostgresBackend.open(PostgresSettings.of(url, "postgres",
          null))) {
        assertThat(count(postgres, query)).isZero();
        ExecutionQueue queue = backend.queue();
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        for (int i = 0; i < 5; i++) {
          queue.enqueue(new QueueEntry(ExecutionId.generate(now, new java.util.Random(i)), null,
              now, 1), now,
              Duration.ZERO);
        }
        queue.claim(new WorkerId("w1"), 2, now, Duration.ofMinutes(1));
        assertThat(queue.depth()).isEqualTo(3);
        assertThat(count(postgres, query)).isEqualTo(5);
      }
    }
  }

  private static long count(EmbeddedPostgres postgres, String query) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
      assertThat(r.next()).isTrue();
      return r.getLong(1);
    }
  }

  private static JsonNode container(JsonNode deployment) {
    return deployment.path("spec").path("template").path("spec").path("containers").get(0);
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    assertThat(i).as(name + " in " + args).isNotNegative();
    return args.get(i + 1);
  }
}
