package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.server.internal.BatchJson;
import dev.rgrid.server.internal.CostJson;
import dev.rgrid.server.internal.ExecutionJson;
import dev.rgrid.server.internal.SessionRoutes;
import dev.rgrid.server.internal.WorkerRoutes;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document at {@code /api/v1/openapi.json} against the server that serves it: the
 * same routes as the router, the same authentication, the same JSON shapes as the records, and a
 * document that holds together (unique operation ids, every {@code $ref} resolving).
 */
class OpenApiTest {
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  /** Added by a change of its own: documented already, served once that change lands. */
  private static final String WEBSOCKET = "GET /api/v1/executions/:id/logs/stream";
  private static final String ERROR = "#/components/schemas/Error";

  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static JsonNode doc;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(1).build();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
    Api.Reply reply = api.get("/api/v1/openapi.json", null);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    doc = reply.json();
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** An operation of the document: its method, its path as documented, and itself. */
  record Operation(String method, String path, JsonNode node) {
    /** {@code "GET /api/v1/executions/:id"}, in the router's syntax. */
    String route() {
      String template = path.endsWith("/outputs/{path}")
          ? path.substring(0, path.length() - "{path}".length()) + "*" : path;
      return method.toUpperCase(java.util.Locale.ROOT) + " "
          + template.replaceAll("\\{([^}/]+)}", ":$1");
    }

    boolean authenticated() {
      JsonNode security = node.has("security") ? node.get("security") : doc.path("security");
      return !security.isEmpty();
    }

    String name() {
      return method.toUpperCase(java.util.Locale.ROOT) + " " + path;
    }
  }

  static List<Operation> operations() {
    List<Operation> out = new ArrayList<>();
    doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields()
        .forEachRemaining(op -> {
          if (METHODS.contains(op.getKey())) {
            out.add(new Operation(op.getKey(), path.getKey(), op.getValue()));
          }
        }));
    return out;
  }

  @Test
  void servesAnOpenApi31DocumentWithoutAKey() {
    Api.Reply reply = api.get("/api/v1/openapi.json", null);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.raw().headers().firstValue("Content-Type")).contains("application/json");
    assertThat(doc.path("openapi").asText()).startsWith("3.1");
    assertThat(doc.path("info").path("title").asText()).isEqualTo("RGrid API");
    assertThat(doc.path("info").path("version").asText()).isEqualTo("1");
    assertThat(doc.path("servers").path(0).path("url").asText()).isEqualTo("/");
    JsonNode scheme = doc.path("components").path("securitySchemes")
        .path(doc.path("security").path(0).fieldNames().next());
    assertThat(scheme.path("type").asText()).isEqualTo("http");
    assertThat(scheme.path("scheme").asText()).isEqualTo("bearer");
  }

  @Test
  void documentsExactlyTheRoutesTheRouterServesUnderApiV1() {
    Set<String> served = new TreeSet<>(server.apiRoutes());
    Set<String> documented = operations().stream().map(Operation::route)
        .filter(r -> r.substring(r.indexOf(' ') + 1).startsWith("/api/v1/"))
        .collect(Collectors.toCollection(TreeSet::new));
    // A route that takes any method must be documented with at least one.
    for (String any : served.stream().filter(r -> r.startsWith("* ")).toList()) {
      String path = any.substring(2);
      assertThat(documented).as("documented methods of %s", path)
          .anyMatch(r -> r.endsWith(" " + path));
      served.remove(any);
      documented.removeIf(r -> r.endsWith(" " + path));
    }
    boolean webSocketServed = served.contains(WEBSOCKET)
        || server.apiRoutes().contains("* " + WEBSOCKET.substring(4));
    if (!webSocketServed) {
      documented.remove(WEBSOCKET);
    }
    assertThat(documented).as("documented under /api/v1 (the router serves %s)", served)
        .isEqualTo(served);
    assertThat(served).contains("POST /api/v1/executions", "GET /api/v1/openapi.json",
        "GET /api/v1/executions/:id/outputs/*", "HEAD /api/v1/blobs/:sha256");
  }

  @Test
  void documentsTheWebSocketLogStreamAsAnUpgradeOfAGet() {
    JsonNode get = doc.path("paths").path("/api/v1/executions/{id}/logs/stream").path("get");
    assertThat(get.path("x-websocket").asBoolean()).isTrue();
    assertThat(get.path("responses").has("101")).isTrue();
    assertThat(get.path("parameters").findValuesAsText("name")).contains("after");
  }

  @Test
  void everyOperationHasAUniqueIdAndEveryRefusableOneDocumentsItsErrorBody() {
    List<Operation> operations = operations();
    assertThat(operations).hasSizeGreaterThan(10);
    Set<String> ids = new HashSet<>();
    for (Operation op : operations) {
      String id = op.node().path("operationId").asText();
      assertThat(id).as("operationId of %s", op.name()).isNotBlank();
      assertThat(ids.add(id)).as("operationId %s is unique", id).isTrue();
      assertThat(op.node().path("summary").asText()).as("summary of %s", op.name())
          .isNotBlank();
      if (op.authenticated()) {
        assertThat(op.node().path("responses").has("401")).as("401 of %s", op.name()).isTrue();
        List<String> errors = new ArrayList<>();
        op.node().path("responses").fields().forEachRemaining(r -> {
          if (r.getKey().startsWith("4") && ERROR.equals(schemaRef(r.getValue()))) {
            errors.add(r.getKey());
          }
        });
        assertThat(errors).as("4xx responses of %s with an Error body", op.name()).isNotEmpty();
      }
    }
    // Only these need no key; the rest of /api/v1 does (checked against the server below).
    assertThat(operations.stream().filter(op -> !op.authenticated()).map(Operation::name))
        .containsExactlyInAnyOrder("GET /health", "GET /ready", "GET /metrics",
            "POST /api/v1/session",
            "GET /api/v1/openapi.json");
  }

  @Test
  void theServerRefusesEveryAuthenticatedOperationWithoutAKeyAndServesTheOthers() {
    Set<String> served = new HashSet<>(server.apiRoutes());
    for (Operation op : operations()) {
      if (op.route().equals(WEBSOCKET) && !served.contains(WEBSOCKET)) {
        continue;
      }
      String path = op.path().replace("{id}", "exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC")
          .replace("{sha256}", "0".repeat(64)).replace("{path}", "out.txt")
          .replace("{name}", "API_TOKEN");
      String method = op.method().toUpperCase(java.util.Locale.ROOT);
      HttpRequest.BodyPublisher body = method.equals("POST") || method.equals("PUT")
          ? HttpRequest.BodyPublishers.ofString("{}") : null;
      Api.Reply reply = api.send(method, path, null, body);
      if (op.authenticated()) {
        assertThat(reply.status()).as(op.name() + ": " + reply.body()).isEqualTo(401);
        if (!method.equals("HEAD")) {
          assertThat(reply.errorCode()).as(op.name()).isEqualTo("unauthorized");
        }
      } else if (op.name().equals("POST /api/v1/session")) { // served, but {} holds no key
        assertThat(reply.status()).as(op.name() + ": " + reply.body()).isEqualTo(400);
      } else {
        assertThat(reply.status()).as(op.name() + ": " + reply.body()).isEqualTo(200);
      }
    }
  }

  @Test
  void everyRefResolvesInsideTheDocument() {
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertThat(refs).hasSizeGreaterThan(20);
    for (String ref : refs) {
      assertThat(ref).as("$ref").startsWith("#/");
      assertThat(doc.at(JsonPointer.compile(ref.substring(1))).isMissingNode())
          .as("%s resolves", ref).isFalse();
    }
  }

  @Test
  void theErrorSchemaListsTheStableCodesAndTheShape() {
    JsonNode schemas = doc.path("components").path("schemas");
    List<String> codes = new ArrayList<>();
    schemas.path("ErrorCode").path("enum").forEach(c -> codes.add(c.asText()));
    assertThat(codes).containsExactlyInAnyOrder("unauthorized", "not_found", "invalid_request",
        "no_match", "malformed_json", "unknown_field", "blob_not_uploaded", "digest_mismatch", "too_large",
        "conflict", "spending_limit", "unavailable", "internal", "method_not_allowed",
        "idempotency_mismatch", "forbidden", "read_only");
    JsonNode error = schemas.path("Error").path("properties").path("error");
    assertThat(fieldNames(error.path("properties"))).containsExactlyInAnyOrder("code",
        "message", "hint");
    // The body the server really sends has that shape.
    Api.Reply refused = api.get("/api/v1/executions", null);
    assertThat(fieldNames(refused.json().path("error"))).containsExactlyInAnyOrder("code",
        "message", "hint");
  }

  @Test
  void theSchemasHaveTheFieldsOfTheRecordsTheServerWrites() {
    JsonNode schemas = doc.path("components").path("schemas");
    Map<String, Class<? extends Record>> shapes = Map.ofEntries(
        Map.entry("FileRef", ExecutionJson.FileRef.class),
        Map.entry("CreateRequest", ExecutionJson.CreateRequest.class),
        Map.entry("Parent", ExecutionJson.Parent.class),
        Map.entry("RetryRequest", ExecutionJson.RetryRequest.class),
        Map.entry("Execution", ExecutionJson.View.class),
        Map.entry("Failure", ExecutionJson.Failure.class),
        Map.entry("Page", ExecutionJson.Page.class), Map.entry("Lines", ExecutionJson.Lines.class),
        Map.entry("Line", ExecutionJson.Line.class),
        Map.entry("Output", ExecutionJson.Output.class),
        Map.entry("CostReport", CostJson.Report.class), Map.entry("CostLine", CostJson.Line.class),
        Map.entry("Spending", CostJson.Spending.class),
        Map.entry("LimitRequest", CostJson.LimitRequest.class),
        Map.entry("Estimate", CostJson.EstimateView.class),
        Map.entry("RuntimeCatalog", CostJson.Catalog.class),
        Map.entry("Runtime", CostJson.Runtime.class),
        Map.entry("BatchCreateRequest", BatchJson.CreateRequest.class),
        Map.entry("Batch", BatchJson.View.class),
        Map.entry("BatchProgress", BatchJson.Progress.class),
        Map.entry("BatchCancelled", BatchJson.Cancelled.class),
        Map.entry("BatchRetried", BatchJson.Retried.class),
        Map.entry("SignIn", SessionRoutes.SignIn.class),
        Map.entry("Session", SessionRoutes.View.class),
        Map.entry("WorkerList", WorkerRoutes.View.class),
        Map.entry("Worker", WorkerRoutes.Worker.class),
        Map.entry("QueueDepth", WorkerRoutes.Queue.class));
    shapes.forEach((schema, type) -> assertThat(fieldNames(schemas.path(schema)
        .path("properties"))).as("properties of %s (%s)", schema, type.getSimpleName())
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(type.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getName).toList()));
    assertThat(schemas.path("CreateRequest").path("additionalProperties").asBoolean(true))
        .isFalse();
    assertThat(schemas.path("FileRef").path("additionalProperties").asBoolean(true)).isFalse();
    assertThat(schemas.path("BatchCreateRequest").path("additionalProperties").asBoolean(true))
        .isFalse();
    assertThat(schemas.path("LimitRequest").path("additionalProperties").asBoolean(true))
        .isFalse();
  }

  /** The schema {@code $ref} of a response's JSON body, following a response {@code $ref}. */
  private static String schemaRef(JsonNode response) {
    JsonNode r = response;
    if (r.has("$ref")) {
      r = doc.at(JsonPointer.compile(r.get("$ref").asText().substring(1)));
    }
    return r.path("content").path("application/json").path("schema").path("$ref").asText(null);
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (f.getKey().equals("$ref") && f.getValue().isTextual()) {
          refs.add(f.getValue().asText());
        } else {
          collectRefs(f.getValue(), refs);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, refs));
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
