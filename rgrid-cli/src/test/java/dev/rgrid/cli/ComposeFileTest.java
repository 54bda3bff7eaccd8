package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Keeps {@code deploy/compose.yaml} (the production shape the operations guide describes) true to
 * the code: every rgrid command in it parses with this CLI, every {@code RGRID_*} variable in it
 * is one RGrid reads, every dependency names a service, and the image is built from the jar the
 * build makes.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final String JAR = "/opt/rgrid/rgrid.jar";

  private static JsonNode compose() throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve(
        "deploy/compose.yaml").toFile());
    for (JsonNode service : root.path("services")) {
      String envFile = service.path("env_file").asText("");
      if (envFile.isEmpty()) {
        continue;
      }
      // Compose reads KEY=VALUE lines from the env file; the service's own entries win.
      com.fasterxml.jackson.databind.node.ObjectNode env = service.has("environment")
          ? (com.fasterxml.jackson.databind.node.ObjectNode) service.get("environment")
          : ((com.fasterxml.jackson.databind.node.ObjectNode) service).putObject("environment");
      for (String line : Files.readAllLines(ROOT.resolve("deploy").resolve(envFile))) {
        int eq = line.indexOf('=');
        if (!line.isBlank() && !line.startsWith("#") && eq > 0 && !env.has(line.substring(0, eq))) {
          env.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    return root;
  }

  @Test
  void everyRgridCommandInTheComposeFileParses() throws Exception {
    JsonNode services = compose().path("services");
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> service = it.next();
      if (!service.getValue().path("image").asText().equals("rgrid")) {
        continue;
      }
      List<String> args = rgridArgs(service.getValue());
      CommandLine cli = Main.commandLine(new Terminal(new ByteArrayOutputStream(),
          new ByteArrayOutputStream(), false));
      // Throws (with the offending option) when the file names one the CLI does not have.
      cli.parseArgs(args.toArray(String[]::new));
      checked++;
    }
    assertThat(checked).as("rgrid services").isGreaterThanOrEqualTo(3);
  }

  @Test
  void everyRgridVariableIsOneRgridReadsAndDependenciesNameServices() throws Exception {
    JsonNode services = compose().path("services");
    Set<String> names = new HashSet<>();
    services.fieldNames().forEachRemaining(names::add);
    Set<String> variables = new HashSet<>();
    for (JsonNode service : services) {
      service.path("environment").fieldNames().forEachRemaining(variables::add);
      service.path("depends_on").fieldNames().forEachRemaining(d ->
          assertThat(names).as("depends_on " + d).contains(d));
    }
    String sources = mainSources();
    List<String> rgrid = variables.stream().filter(v -> v.startsWith("RGRID_")).toList();
    assertThat(rgrid).contains("RGRID_DB_URL", "RGRID_S3_ENDPOINT", "RGRID_HOME");
    for (String v : rgrid) {
      assertThat(sources).as(v + " is read somewhere in RGrid").contains("\"" + v + "\"");
    }
    // The database and S3 credentials on both sides agree.
    JsonNode server = services.path("server").path("environment");
    assertThat(server.path("RGRID_DB_PASSWORD").asText())
        .isEqualTo(services.path("postgres").path("environment").path("POSTGRES_PASSWORD")
            .asText());
    assertThat(server.path("RGRID_S3_SECRET_KEY").asText())
        .isEqualTo(services.path("minio").path("environment").path("MINIO_ROOT_PASSWORD")
            .asText());
    assertThat(server.path("RGRID_DB_URL").asText()).contains("//postgres:5432/"
        + services.path("postgres").path("environment").path("POSTGRES_DB").asText());
  }

  @Test
  void theImageIsBuiltFromTheJarTheBuildMakes() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile"));
    assertThat(dockerfile).contains("COPY rgrid-cli/target/rgrid.jar " + JAR)
        .contains("ENTRYPOINT [\"java\", \"-jar\", \"" + JAR + "\"]");
    assertThat(Files.readString(ROOT.resolve("rgrid-cli/pom.xml")))
        .contains("<outputFile>${project.build.directory}/rgrid.jar</outputFile>");
    assertThat(Files.readString(ROOT.resolve("docs/operations.md")))
        .contains("deploy/compose.yaml");
  }

  /** The rgrid arguments a service runs: after the jar in its entrypoint, then its command. */
  static List<String> rgridArgs(JsonNode service) {
    List<String> entrypoint = strings(service.path("entrypoint"));
    List<String> command = strings(service.path("command"));
    if (entrypoint.size() == 2 && entrypoint.get(1).equals("-c")) {
      // A shell line: "exec java -jar JAR args…", $$HOSTNAME standing for the host name.
      String line = command.get(0).replace("$$HOSTNAME", "host-1").replace("\"", "");
      String after = line.substring(line.indexOf(JAR) + JAR.length()).trim();
      return List.of(after.split("\\s+"));
    }
    List<String> args = new ArrayList<>();
    int jar = entrypoint.indexOf(JAR);
    if (jar >= 0) {
      args.addAll(entrypoint.subList(jar + 1, entrypoint.size()));
    }
    args.addAll(command);
    return args;
  }

  static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String mainSources() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files.filter(p -> p.toString().contains("/src/main/java/") && p.toString().endsWith(".java"))
          .forEach(p -> {
            try {
              all.append(Files.readString(p));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return all.toString();
  }
}
