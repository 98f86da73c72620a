package io.gantry.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates JSON emitted by the gateway against the OpenAI OpenAPI 3.1 document committed at {@code
 * src/test/resources/contract/openai-openapi.yaml}.
 *
 * <p>Usage from any test:
 *
 * <pre>{@code
 * OpenApiContract.assertValid("CreateChatCompletionResponse", body);   // Jackson 2 JsonNode
 * OpenApiContract.assertValid("CreateChatCompletionStreamResponse", sseDataLine); // raw JSON text
 * OpenApiContract.assertValidStreamEvent(responsesEvent);             // picks the schema by "type"
 * List<String> problems = OpenApiContract.violations("Model", node);  // for soft checks
 * }</pre>
 *
 * <p>How it works: the YAML (~3 MB) is parsed once, lazily and thread-safely, on first use (about
 * 1–2 s cold). The whole document becomes one JSON Schema resource with the synthetic base IRI
 * {@value #BASE_IRI}, so every internal {@code $ref: "#/components/schemas/..."} resolves inside
 * the already-parsed tree without any further I/O. Compiled schemas are cached per name.
 *
 * <p>Dialect: JSON Schema 2020-12 (what OpenAPI 3.1 schemas are), with these deliberate choices:
 *
 * <ul>
 *   <li>OpenAPI / vendor keywords ({@code discriminator}, {@code example}, {@code xml}, {@code
 *       externalDocs}, every {@code x-*} such as {@code x-oaiMeta} or {@code x-stainless-const},
 *       the document's own {@code paths}/{@code info}/..., and anything else unknown) are silent
 *       annotations: never errors, never log warnings. {@code discriminator} is ignored; the {@code
 *       anyOf}/{@code oneOf} it sits next to is what gets validated.
 *   <li>{@code nullable: true} <em>is honoured</em> (OpenAPI 3.0 meaning: {@code null} is also
 *       allowed). It is not a keyword in OpenAPI 3.1, but the spec still uses it ~100 times where
 *       it clearly means "may be null" &mdash; e.g. {@code finish_reason}/{@code logprobs} of
 *       {@code CreateChatCompletionStreamResponse}, which are {@code null} in every chunk but the
 *       last (and in the spec's own example). Ignoring it would fail every real stream chunk.
 *   <li>{@code format} is annotation-only: the spec uses non-standard formats ({@code unixtime},
 *       {@code int64}, {@code double}, {@code binary}, ...) and {@code uri} on fields that are not
 *       always absolute URIs, so asserting formats would only produce false failures.
 *   <li>Unknown properties are allowed unless the spec itself says {@code additionalProperties:
 *       false} (it does on many request schemas, but not on the chat/embeddings/models responses),
 *       so backend extras such as llama.cpp's {@code timings} or {@code reasoning_content} pass.
 * </ul>
 *
 * <p>The YAML is parsed with Jackson 2 / SnakeYAML (the project's own YAML stack). The validator
 * (networknt 3.x) works on Jackson 3 trees, so the parsed document and every instance are copied
 * node-by-node into Jackson 3 — no re-serialisation. SnakeYAML Engine (the YAML 1.2 parser under
 * Jackson 3) rejects the spec: {@code StopConfiguration}'s {@code example: |+} block scalar has a
 * whitespace-only line indented deeper than the following key.
 */
public final class OpenApiContract {

  /** Classpath location of the spec (copied from {@code src/test/resources}). */
  public static final String SPEC_RESOURCE = "/contract/openai-openapi.yaml";

  /** Synthetic base IRI of the spec document; appears in schema locations of violations. */
  public static final String BASE_IRI = "urn:gantry:openai-openapi";

  /** The union of all Responses streaming events. */
  public static final String STREAM_EVENT_UNION = "ResponseStreamEvent";

  private static final int MAX_JSON_IN_MESSAGE = 2000;

  /**
   * Registering {@code nullable} in the dialect's keyword map (as a plain annotation) is what
   * switches on the library's OpenAPI-3.0 {@code nullable} handling in its type/enum/oneOf checks.
   * {@code discriminator} must <em>not</em> be registered: its presence in the map switches the
   * library's anyOf/oneOf into discriminator mode. Everything else unknown is handled by the
   * dialect's silent unknown-keyword factory.
   */
  private static final List<String> REGISTERED_ANNOTATION_KEYWORDS = List.of("nullable");

  private static final ObjectMapper JACKSON2 = new ObjectMapper();

  private static final JsonMapper STRICT_JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final Object LOCK = new Object();
  private static volatile Spec spec;
  private static volatile RuntimeException loadFailure;

  private OpenApiContract() {}

  // ---------------------------------------------------------------------------------------------
  // Public API
  // ---------------------------------------------------------------------------------------------

  /**
   * Asserts that {@code json} is valid against {@code #/components/schemas/<schemaName>}.
   *
   * @throws AssertionError listing every violation (JSON path, message, spec location) and the
   *     offending JSON (truncated)
   * @throws IllegalArgumentException if the spec has no such schema
   */
  public static void assertValid(String schemaName, com.fasterxml.jackson.databind.JsonNode json) {
    List<String> problems = violations(schemaName, json);
    if (!problems.isEmpty()) {
      throw new AssertionError(failureMessage(schemaName, problems, String.valueOf(json)));
    }
  }

  /** Like {@link #assertValid(String, com.fasterxml.jackson.databind.JsonNode)} for JSON text. */
  public static void assertValid(String schemaName, String json) {
    List<String> problems = violations(schemaName, json);
    if (!problems.isEmpty()) {
      throw new AssertionError(failureMessage(schemaName, problems, json));
    }
  }

  /**
   * Every violation of {@code #/components/schemas/<schemaName>} by {@code json}, each as {@code
   * "<json path>: <message> [spec: <schema location>]"}; empty when valid.
   *
   * @throws IllegalArgumentException if the spec has no such schema
   */
  public static List<String> violations(
      String schemaName, com.fasterxml.jackson.databind.JsonNode json) {
    Schema schema = spec().schema(schemaName);
    return describe(schema.validate(toJackson3(json)));
  }

  /**
   * Like {@link #violations(String, com.fasterxml.jackson.databind.JsonNode)} for JSON text.
   * Malformed JSON (including duplicate keys) is reported as a violation.
   */
  public static List<String> violations(String schemaName, String json) {
    Schema schema = spec().schema(schemaName);
    tools.jackson.databind.JsonNode node;
    try {
      node = STRICT_JSON.readTree(json);
    } catch (tools.jackson.core.JacksonException e) {
      return List.of("$: not valid JSON: " + e.getOriginalMessage());
    }
    return describe(schema.validate(node));
  }

  /**
   * Asserts that {@code event} is a valid Responses streaming event. The concrete event schema is
   * chosen by the event's {@code type} (see {@link #streamEventSchemas()}), so failures name the
   * fields of that one event instead of the ~58-way {@code anyOf} of {@value #STREAM_EVENT_UNION}.
   *
   * @throws AssertionError if {@code type} is missing, unknown to the spec, or the event violates
   *     its schema
   */
  public static void assertValidStreamEvent(com.fasterxml.jackson.databind.JsonNode event) {
    List<String> problems = streamEventViolations(event);
    if (!problems.isEmpty()) {
      throw new AssertionError(
          failureMessage(streamEventLabel(event), problems, String.valueOf(event)));
    }
  }

  /**
   * Like {@link #assertValidStreamEvent(com.fasterxml.jackson.databind.JsonNode)} for JSON text.
   */
  public static void assertValidStreamEvent(String event) {
    com.fasterxml.jackson.databind.JsonNode node;
    try {
      node = JACKSON2.readTree(event);
    } catch (IOException e) {
      throw new AssertionError("Responses stream event is not valid JSON: " + truncate(event), e);
    }
    assertValidStreamEvent(node);
  }

  /**
   * Violations of a Responses streaming event against the event schema selected by its {@code
   * type}; an unknown or missing {@code type} is itself a violation.
   */
  public static List<String> streamEventViolations(com.fasterxml.jackson.databind.JsonNode event) {
    Spec s = spec();
    if (event == null || !event.isObject()) {
      return List.of("$: a Responses stream event must be a JSON object");
    }
    com.fasterxml.jackson.databind.JsonNode type = event.get("type");
    if (type == null || !type.isTextual()) {
      return List.of(
          "$.type: missing or not a string; a Responses stream event needs one of "
              + s.eventTypes.keySet());
    }
    String schemaName = s.eventTypes.get(type.textValue());
    if (schemaName == null) {
      return List.of(
          "$.type: '"
              + type.textValue()
              + "' is not a Responses stream event type known to the spec ("
              + STREAM_EVENT_UNION
              + "); known types: "
              + s.eventTypes.keySet());
    }
    return violations(schemaName, event);
  }

  /**
   * Map of Responses stream event {@code type} value to the component schema that describes it,
   * built from the {@code $ref}s of {@value #STREAM_EVENT_UNION} (sorted by type).
   */
  public static Map<String, String> streamEventSchemas() {
    return spec().eventTypes;
  }

  /** The name of the schema for a Responses stream event type, or {@code null} if unknown. */
  public static String streamEventSchemaName(String type) {
    return spec().eventTypes.get(type);
  }

  /** All names under {@code #/components/schemas}. */
  public static Set<String> schemaNames() {
    return spec().schemaNames;
  }

  /** How long the one-time load took (reading + parsing the YAML, building the root schema). */
  public static Duration specLoadTime() {
    return spec().loadTime;
  }

  // ---------------------------------------------------------------------------------------------
  // Loading
  // ---------------------------------------------------------------------------------------------

  private static Spec spec() {
    Spec s = spec;
    if (s != null) {
      return s;
    }
    synchronized (LOCK) {
      if (spec != null) {
        return spec;
      }
      if (loadFailure != null) {
        throw new IllegalStateException(
            "The OpenAPI spec " + SPEC_RESOURCE + " failed to load earlier", loadFailure);
      }
      try {
        spec = Spec.load();
        return spec;
      } catch (RuntimeException e) {
        loadFailure = e;
        throw e;
      }
    }
  }

  private static final class Spec {
    final Schema document;
    final Set<String> schemaNames;
    final Map<String, String> eventTypes;
    final Duration loadTime;
    final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    private Spec(
        tools.jackson.databind.JsonNode root,
        Schema document,
        Map<String, String> eventTypes,
        Duration loadTime) {
      this.document = document;
      this.schemaNames =
          Collections.unmodifiableSet(
              new TreeSet<>(root.path("components").path("schemas").propertyNames()));
      this.eventTypes = eventTypes;
      this.loadTime = loadTime;
    }

    static Spec load() {
      long start = System.nanoTime();
      com.fasterxml.jackson.databind.JsonNode yaml;
      try (InputStream in = OpenApiContract.class.getResourceAsStream(SPEC_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "OpenAPI spec not on the test classpath: " + SPEC_RESOURCE);
        }
        // SnakeYAML's default code point limit is 3 MB; the spec is just under that and growing.
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(64 * 1024 * 1024);
        options.setMaxAliasesForCollections(1000);
        yaml = new ObjectMapper(YAMLFactory.builder().loaderOptions(options).build()).readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read OpenAPI spec " + SPEC_RESOURCE, e);
      }
      tools.jackson.databind.JsonNode root = toJackson3(yaml);
      normalizeOpenApi30Leftovers(root);
      if (!root.path("components").path("schemas").isObject()) {
        throw new IllegalStateException(SPEC_RESOURCE + " has no components/schemas");
      }
      SchemaRegistry registry =
          SchemaRegistry.withDialect(
              dialect(),
              builder ->
                  builder.schemaRegistryConfig(
                      SchemaRegistryConfig.builder()
                          .formatAssertionsEnabled(false)
                          .pathType(PathType.JSON_PATH)
                          .build()));
      Schema document = registry.getSchema(SchemaLocation.of(BASE_IRI), root);
      Map<String, String> eventTypes = eventTypeMap(root);
      return new Spec(root, document, eventTypes, Duration.ofNanos(System.nanoTime() - start));
    }

    Schema schema(String name) {
      Schema cached = compiled.get(name);
      if (cached != null) {
        return cached;
      }
      if (name == null || !schemaNames.contains(name)) {
        throw new IllegalArgumentException(
            "No schema #/components/schemas/" + name + " in " + SPEC_RESOURCE + suggest(name));
      }
      return compiled.computeIfAbsent(
          name,
          n -> {
            Schema s =
                document.getSubSchema(
                    new NodePath(PathType.JSON_POINTER)
                        .append("components")
                        .append("schemas")
                        .append(n));
            s.initializeValidators();
            return s;
          });
    }

    private String suggest(String name) {
      if (name == null || name.isBlank()) {
        return "";
      }
      String needle = name.toLowerCase();
      List<String> close =
          schemaNames.stream()
              .filter(n -> n.toLowerCase().contains(needle) || needle.contains(n.toLowerCase()))
              .limit(15)
              .collect(Collectors.toList());
      return close.isEmpty() ? "" : "; similar names: " + close;
    }
  }

  /**
   * Rewrites OpenAPI 3.0 / draft-04 style boolean {@code exclusiveMinimum}/{@code exclusiveMaximum}
   * (e.g. {@code minimum: 0, exclusiveMinimum: true} in the fine-tuning hyperparameters) into the
   * 2020-12 numeric form. Left alone, the validator refuses to compile any schema that reaches one
   * ("exclusiveMinimum value is not a number").
   */
  private static void normalizeOpenApi30Leftovers(tools.jackson.databind.JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      fixExclusive(object, "exclusiveMinimum", "minimum");
      fixExclusive(object, "exclusiveMaximum", "maximum");
      for (tools.jackson.databind.JsonNode child : object.values()) {
        normalizeOpenApi30Leftovers(child);
      }
    } else if (node.isArray()) {
      for (tools.jackson.databind.JsonNode child : node) {
        normalizeOpenApi30Leftovers(child);
      }
    }
  }

  private static void fixExclusive(ObjectNode schema, String exclusive, String inclusive) {
    tools.jackson.databind.JsonNode flag = schema.get(exclusive);
    if (flag == null || !flag.isBoolean()) {
      return;
    }
    tools.jackson.databind.JsonNode bound = schema.get(inclusive);
    schema.remove(exclusive);
    if (flag.booleanValue() && bound != null && bound.isNumber()) {
      schema.remove(inclusive);
      schema.set(exclusive, bound);
    }
  }

  /**
   * Draft 2020-12 plus {@code nullable}, with every other unknown keyword as a silent annotation.
   * The library's default for unknown keywords is also an annotation, but it logs a WARN per
   * keyword. The library's own {@code Dialects.getOpenApi31()} was not used: it switches on
   * discriminator mode and still does not honour {@code nullable}.
   */
  private static Dialect dialect() {
    Dialect.Builder builder =
        Dialect.builder(Dialects.getDraft202012())
            .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword));
    for (String keyword : REGISTERED_ANNOTATION_KEYWORDS) {
      builder.keyword(new AnnotationKeyword(keyword));
    }
    return builder.build();
  }

  /**
   * type value → schema name for every member of {@value #STREAM_EVENT_UNION}, read from each
   * member's {@code properties.type} ({@code const} or {@code enum}, following {@code $ref} and
   * {@code allOf}).
   */
  private static Map<String, String> eventTypeMap(tools.jackson.databind.JsonNode root) {
    tools.jackson.databind.JsonNode schemas = root.path("components").path("schemas");
    tools.jackson.databind.JsonNode union = schemas.path(STREAM_EVENT_UNION);
    List<String> members = new ArrayList<>();
    for (String combinator : List.of("anyOf", "oneOf")) {
      for (tools.jackson.databind.JsonNode member : union.path(combinator)) {
        String ref = member.path("$ref").asString("");
        if (ref.startsWith("#/components/schemas/")) {
          members.add(ref.substring("#/components/schemas/".length()));
        }
      }
    }
    if (members.isEmpty()) {
      throw new IllegalStateException(
          STREAM_EVENT_UNION + " in " + SPEC_RESOURCE + " has no anyOf/oneOf of $refs");
    }
    Map<String, String> byType = new java.util.TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (String member : members) {
      Set<String> types = new TreeSet<>();
      collectTypeValues(root, schemas.path(member), types, 0);
      if (types.isEmpty()) {
        problems.add(member + " has no type const/enum");
      }
      for (String type : types) {
        String previous = byType.putIfAbsent(type, member);
        if (previous != null && !previous.equals(member)) {
          problems.add("type '" + type + "' is claimed by both " + previous + " and " + member);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Cannot map " + STREAM_EVENT_UNION + " members by type: " + problems);
    }
    return Collections.unmodifiableMap(byType);
  }

  private static void collectTypeValues(
      tools.jackson.databind.JsonNode root,
      tools.jackson.databind.JsonNode schema,
      Set<String> out,
      int depth) {
    if (depth > 10 || schema == null || schema.isMissingNode()) {
      return;
    }
    schema = deref(root, schema);
    tools.jackson.databind.JsonNode type = deref(root, schema.path("properties").path("type"));
    if (type.path("const").isString()) {
      out.add(type.path("const").asString());
    }
    for (tools.jackson.databind.JsonNode value : type.path("enum")) {
      if (value.isString()) {
        out.add(value.asString());
      }
    }
    for (tools.jackson.databind.JsonNode part : schema.path("allOf")) {
      collectTypeValues(root, part, out, depth + 1);
    }
  }

  private static tools.jackson.databind.JsonNode deref(
      tools.jackson.databind.JsonNode root, tools.jackson.databind.JsonNode schema) {
    for (int i = 0; i < 10 && schema.path("$ref").isString(); i++) {
      String ref = schema.path("$ref").asString();
      if (!ref.startsWith("#")) {
        break;
      }
      schema = root.at(ref.substring(1));
    }
    return schema;
  }

  // ---------------------------------------------------------------------------------------------
  // Reporting
  // ---------------------------------------------------------------------------------------------

  private static List<String> describe(List<Error> errors) {
    List<String> out = new ArrayList<>(errors.size());
    for (Error error : errors) {
      String path = String.valueOf(error.getInstanceLocation());
      if (path.isEmpty()) {
        path = "$";
      }
      String where = String.valueOf(error.getSchemaLocation());
      if (where.startsWith(BASE_IRI)) {
        where = where.substring(BASE_IRI.length());
      }
      if (isKnownDeviation(path, where)) {
        continue;
      }
      out.add(path + ": " + error.getMessage() + "  [spec: " + where + "]");
    }
    return out;
  }

  /**
   * The one place the document is overruled: a Response's {@code usage} is {@code null} until the
   * backend has reported it (the {@code response.created}/{@code in_progress} snapshots). OpenAI's
   * API sends exactly that, and the Open Responses specification requires the key (nullable), but
   * this document types it as a non-nullable object.
   */
  private static boolean isKnownDeviation(String path, String where) {
    return (path.equals("$.usage") || path.equals("$.response.usage"))
        && where.endsWith("/ResponseUsage/type");
  }

  private static String failureMessage(String what, List<String> problems, String json) {
    StringBuilder sb = new StringBuilder();
    sb.append("JSON does not conform to OpenAPI schema ")
        .append(what)
        .append(" (")
        .append(problems.size())
        .append(problems.size() == 1 ? " violation" : " violations")
        .append("):\n");
    for (String problem : problems) {
      sb.append("  - ").append(problem).append('\n');
    }
    sb.append("JSON: ").append(truncate(json));
    return sb.toString();
  }

  private static String streamEventLabel(com.fasterxml.jackson.databind.JsonNode event) {
    com.fasterxml.jackson.databind.JsonNode type = event == null ? null : event.get("type");
    if (type == null || !type.isTextual()) {
      return STREAM_EVENT_UNION;
    }
    String schemaName = spec().eventTypes.get(type.textValue());
    return schemaName == null
        ? STREAM_EVENT_UNION + " (type '" + type.textValue() + "')"
        : schemaName + " (type '" + type.textValue() + "')";
  }

  private static String truncate(String json) {
    if (json == null) {
      return "null";
    }
    if (json.length() <= MAX_JSON_IN_MESSAGE) {
      return json;
    }
    return json.substring(0, MAX_JSON_IN_MESSAGE)
        + "… ("
        + (json.length() - MAX_JSON_IN_MESSAGE)
        + " more chars)";
  }

  // ---------------------------------------------------------------------------------------------
  // Jackson 2 -> Jackson 3 tree copy (the validator is built on Jackson 3)
  // ---------------------------------------------------------------------------------------------

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static tools.jackson.databind.JsonNode toJackson3(com.fasterxml.jackson.databind.JsonNode node) {
    if (node == null) {
      return NODES.nullNode();
    }
    switch (node.getNodeType()) {
      case OBJECT:
        {
          ObjectNode object = NODES.objectNode();
          Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> fields =
              node.properties().iterator();
          while (fields.hasNext()) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> field = fields.next();
            object.set(field.getKey(), toJackson3(field.getValue()));
          }
          return object;
        }
      case ARRAY:
        {
          ArrayNode array = NODES.arrayNode(node.size());
          for (com.fasterxml.jackson.databind.JsonNode element : node) {
            array.add(toJackson3(element));
          }
          return array;
        }
      case STRING:
        return NODES.stringNode(node.textValue());
      case BOOLEAN:
        return NODES.booleanNode(node.booleanValue());
      case NUMBER:
        if (node.isInt() || node.isShort()) {
          return NODES.numberNode(node.intValue());
        }
        if (node.isLong()) {
          return NODES.numberNode(node.longValue());
        }
        if (node.isBigInteger()) {
          return NODES.numberNode(node.bigIntegerValue());
        }
        if (node.isBigDecimal()) {
          return NODES.numberNode(node.decimalValue());
        }
        if (node.isFloat()) {
          return NODES.numberNode(node.floatValue());
        }
        return NODES.numberNode(node.doubleValue());
      case BINARY:
        return NODES.stringNode(node.asText()); // base64, as Jackson 2 would serialise it
      case NULL:
      case MISSING:
        return NODES.nullNode();
      default:
        throw new IllegalArgumentException("Cannot validate a " + node.getNodeType() + " node");
    }
  }
}
