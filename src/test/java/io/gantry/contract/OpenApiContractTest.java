package io.gantry.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link OpenApiContract} both passes conforming JSON and fails non-conforming JSON.
 */
class OpenApiContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static ObjectNode object(String text) {
    return (ObjectNode) json(text);
  }

  // --- Chat Completions ------------------------------------------------------------------------

  private static final String CHAT_COMPLETION =
      """
      {"id":"chatcmpl-123","object":"chat.completion","created":1741569952,"model":"gpt-4.1",
       "choices":[{"index":0,
                   "message":{"role":"assistant","content":"Hello!","refusal":null,
                              "annotations":[]},
                   "logprobs":null,"finish_reason":"stop"}],
       "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,
                "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,
                   "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
       "service_tier":"default","system_fingerprint":"fp_123"}
      """;

  @Test
  void validChatCompletionPasses() {
    assertThatCode(() ->
            OpenApiContract.assertValid("CreateChatCompletionResponse", json(CHAT_COMPLETION)))
        .doesNotThrowAnyException();
    assertThat(OpenApiContract.violations("CreateChatCompletionResponse", CHAT_COMPLETION))
        .isEmpty();
  }

  @Test
  void chatCompletionWithoutChoicesFailsNamingChoices() {
    ObjectNode body = object(CHAT_COMPLETION);
    body.remove("choices");

    assertThat(OpenApiContract.violations("CreateChatCompletionResponse", body))
        .singleElement(STRING)
        .startsWith("$: ")
        .contains("choices")
        .contains("#/components/schemas/CreateChatCompletionResponse/required");
    assertThatThrownBy(() -> OpenApiContract.assertValid("CreateChatCompletionResponse", body))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("CreateChatCompletionResponse")
        .hasMessageContaining("required property 'choices' not found")
        .hasMessageContaining("JSON: {\"id\":\"chatcmpl-123\"");
  }

  @Test
  void everyViolationIsListedWithItsJsonPath() {
    ObjectNode body = object(CHAT_COMPLETION);
    body.put("created", "yesterday");
    ((ObjectNode) body.get("choices").get(0)).put("finish_reason", "bored");

    assertThat(OpenApiContract.violations("CreateChatCompletionResponse", body))
        .hasSize(2)
        .anySatisfy(v -> assertThat(v).startsWith("$.created: ").contains("integer expected"))
        .anySatisfy(
            v -> assertThat(v).startsWith("$.choices[0].finish_reason: ").contains("enumeration"));
  }

  @Test
  void llamaCppNonStreamResponseLacksRefusalAndLogprobs() {
    // Verbatim shape of llama-server's non-stream reply (see src/test/resources/llama-server/b1):
    // extras (timings, prompt_tokens_details) are fine, but the spec *requires* the nullable
    // message.refusal and choice.logprobs, which llama.cpp omits. The gateway must add them.
    String llama =
        """
        {"choices":[{"finish_reason":"stop","index":0,"message":{"role":"assistant","content":"hi",
          "reasoning_content":"thinking"}}],"created":1795773399,"model":"tiny",
         "system_fingerprint":"b0-unknown","object":"chat.completion",
         "usage":{"completion_tokens":6,"prompt_tokens":28,"total_tokens":34,
                  "prompt_tokens_details":{"cached_tokens":7}},
         "id":"chatcmpl-j7OpNb8PdfWhYglea4CJk2DDcCjlMygN",
         "timings":{"cache_n":7,"prompt_n":21,"prompt_ms":3.322,"predicted_n":6}}
        """;
    assertThat(OpenApiContract.violations("CreateChatCompletionResponse", llama))
        .hasSize(2)
        .anySatisfy(v -> assertThat(v).startsWith("$.choices[0].message: ").contains("'refusal'"))
        .anySatisfy(v -> assertThat(v).startsWith("$.choices[0]: ").contains("'logprobs'"));

    ObjectNode fixed = object(llama);
    ObjectNode choice = (ObjectNode) fixed.get("choices").get(0);
    choice.putNull("logprobs");
    ((ObjectNode) choice.get("message")).putNull("refusal");
    OpenApiContract.assertValid("CreateChatCompletionResponse", fixed);
  }

  @Test
  void streamChunksPassIncludingNullFinishReasonAndLlamaCppExtras() {
    // First chunk exactly as the spec's own example: finish_reason/logprobs are null. In OpenAPI
    // 3.1
    // "nullable: true" is not a keyword, but the spec still uses it here; the helper honours it.
    OpenApiContract.assertValid(
        "CreateChatCompletionStreamResponse",
        json(
            """
            {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,
             "model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb",
             "choices":[{"index":0,"delta":{"role":"assistant","content":""},
                         "logprobs":null,"finish_reason":null}],
             "obfuscation":"r4N7vQ2m"}
            """));
    // llama.cpp: reasoning_content in the delta, timings at top level, usage-only final chunk.
    OpenApiContract.assertValid(
        "CreateChatCompletionStreamResponse",
        """
        {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":"hmm"}}],
         "created":1795773399,"id":"chatcmpl-AREk","model":"tiny",
         "system_fingerprint":"b0-unknown","object":"chat.completion.chunk"}
        """);
    OpenApiContract.assertValid(
        "CreateChatCompletionStreamResponse",
        """
        {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1795773399,
         "id":"chatcmpl-AREk","model":"tiny","object":"chat.completion.chunk",
         "timings":{"prompt_n":1,"predicted_n":6}}
        """);
    OpenApiContract.assertValid(
        "CreateChatCompletionStreamResponse",
        """
        {"choices":[],"created":1795773399,"id":"chatcmpl-AREk","model":"tiny",
         "object":"chat.completion.chunk","usage":{"completion_tokens":6,"prompt_tokens":28,
         "total_tokens":34,"prompt_tokens_details":{"cached_tokens":27}}}
        """);
    // Tool-call deltas: only the first fragment carries id/type/name.
    OpenApiContract.assertValid(
        "CreateChatCompletionStreamResponse",
        """
        {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[
           {"index":0,"function":{"arguments":"{\\"loc"}}]}}],
         "created":1,"id":"c","model":"tiny","object":"chat.completion.chunk"}
        """);
  }

  @Test
  void streamChunkWithWrongShapeFails() {
    assertThat(
            OpenApiContract.violations(
                "CreateChatCompletionStreamResponse",
                """
                {"choices":[{"finish_reason":"done","index":"0","delta":{}}],"created":1,
                 "id":"c","model":"m","object":"chat.completion"}
                """))
        .anySatisfy(v -> assertThat(v).startsWith("$.choices[0].finish_reason: "))
        .anySatisfy(v -> assertThat(v).startsWith("$.choices[0].index: "))
        .anySatisfy(v -> assertThat(v).startsWith("$.object: "));
  }

  // --- Models, embeddings, errors --------------------------------------------------------------

  private static final String MODEL =
      """
      {"id":"gpt-4o","object":"model","created":1686935002,"owned_by":"openai"}
      """;

  @Test
  void modelAndModelListPass() {
    OpenApiContract.assertValid("Model", json(MODEL));
    OpenApiContract.assertValid(
        "ListModelsResponse",
        json(
            "{\"object\":\"list\",\"data\":["
                + MODEL
                + ",{\"id\":\"tiny\",\"object\":\"model\","
                + "\"created\":0,\"owned_by\":\"llamacpp\",\"meta\":{\"n_ctx\":2048}}]}"));
  }

  @Test
  void wrongTypedModelFails() {
    ObjectNode model = object(MODEL);
    model.put("created", "2023-06-16");
    model.remove("owned_by");
    assertThatThrownBy(() -> OpenApiContract.assertValid("Model", model))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("(2 violations)")
        .hasMessageContaining("$.created: string found, integer expected")
        .hasMessageContaining("owned_by");
    assertThat(
            OpenApiContract.violations(
                "ListModelsResponse", json("{\"object\":\"list\",\"data\":{}}")))
        .singleElement(STRING)
        .startsWith("$.data: ");
  }

  private static final String EMBEDDINGS =
      """
      {"object":"list","model":"text-embedding-3-small",
       "data":[{"object":"embedding","index":0,
                "embedding":[0.0023064255,-0.009327292,0.015797347]}],
       "usage":{"prompt_tokens":8,"total_tokens":8}}
      """;

  @Test
  void embeddingResponsePassesAndWrongTypeFails() {
    OpenApiContract.assertValid("CreateEmbeddingResponse", json(EMBEDDINGS));

    ObjectNode bad = object(EMBEDDINGS);
    ((ObjectNode) bad.get("data").get(0)).put("index", "zero");
    ((ObjectNode) bad.get("usage")).remove("total_tokens");
    assertThat(OpenApiContract.violations("CreateEmbeddingResponse", bad))
        .hasSize(2)
        .anySatisfy(v -> assertThat(v).startsWith("$.data[0].index: "))
        .anySatisfy(v -> assertThat(v).startsWith("$.usage: ").contains("total_tokens"));
  }

  @Test
  void base64EmbeddingIsNotInTheSpec() {
    // encoding_format=base64 makes OpenAI (and llama.cpp, capture f3) return a string, but the
    // spec only describes the float-array form: such responses cannot be contract-checked.
    ObjectNode b64 = object(EMBEDDINGS);
    ((ObjectNode) b64.get("data").get(0)).put("embedding", "AAAAAA==");
    assertThat(OpenApiContract.violations("CreateEmbeddingResponse", b64))
        .singleElement(STRING)
        .startsWith("$.data[0].embedding: string found, array expected");
  }

  @Test
  void errorResponsePassesAndLlamaCppStyleIntegerCodeFails() {
    OpenApiContract.assertValid(
        "ErrorResponse",
        json(
            """
            {"error":{"message":"Invalid 'messages': empty array.","type":"invalid_request_error",
                      "param":"messages","code":"empty_array"}}
            """));
    OpenApiContract.assertValid(
        "ErrorResponse",
        json(
            """
            {"error":{"message":"m","type":"server_error","param":null,"code":null}}
            """));

    // llama.cpp sends {"code":400,...} with no "param": both are contract violations.
    JsonNode llama =
        json(
            """
            {"error":{"code":400,"message":"'messages' is required",
                      "type":"invalid_request_error"}}
            """);
    assertThat(OpenApiContract.violations("ErrorResponse", llama))
        .anySatisfy(v -> assertThat(v).startsWith("$.error.code: ").contains("integer found"))
        .anySatisfy(v -> assertThat(v).startsWith("$.error: ").contains("'param'"));
    assertThatThrownBy(() -> OpenApiContract.assertValid("ErrorResponse", llama))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("$.error.code");
  }

  // --- Responses API ---------------------------------------------------------------------------

  private static final String TEXT_DELTA =
      """
      {"type":"response.output_text.delta","item_id":"msg_123","output_index":0,"content_index":0,
       "delta":"In","sequence_number":1,"logprobs":[]}
      """;

  @Test
  void outputTextDeltaEventPasses() {
    OpenApiContract.assertValidStreamEvent(json(TEXT_DELTA));
    OpenApiContract.assertValidStreamEvent(TEXT_DELTA);
  }

  @Test
  void outputTextDeltaEventWithoutSequenceNumberFailsAgainstItsConcreteSchema() {
    ObjectNode event = object(TEXT_DELTA);
    event.remove("sequence_number");
    assertThat(OpenApiContract.streamEventViolations(event))
        .singleElement(STRING)
        .contains("sequence_number")
        .contains("#/components/schemas/ResponseTextDeltaEvent/required");
    assertThatThrownBy(() -> OpenApiContract.assertValidStreamEvent(event))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("ResponseTextDeltaEvent (type 'response.output_text.delta')")
        .hasMessageContaining("required property 'sequence_number' not found");
  }

  @Test
  void textDeltaEventNeedsLogprobsEvenThoughTheSpecExampleOmitsIt() {
    ObjectNode event = object(TEXT_DELTA);
    event.remove("logprobs");
    assertThat(OpenApiContract.streamEventViolations(event))
        .singleElement(STRING)
        .contains("'logprobs'");
  }

  @Test
  void unknownOrMissingEventTypeFailsClearly() {
    assertThatThrownBy(() ->
            OpenApiContract.assertValidStreamEvent(
                json("{\"type\":\"response.output_text.delta.v2\"}")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "'response.output_text.delta.v2' is not a Responses stream event type")
        .hasMessageContaining("response.output_text.done");
    assertThatThrownBy(() -> OpenApiContract.assertValidStreamEvent(json("{\"delta\":\"x\"}")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("$.type: missing");
  }

  @Test
  void streamEventTypesAreMappedFromTheUnion() {
    assertThat(OpenApiContract.streamEventSchemas())
        .hasSizeGreaterThanOrEqualTo(50)
        .containsEntry("response.output_text.delta", "ResponseTextDeltaEvent")
        .containsEntry("response.completed", "ResponseCompletedEvent")
        .containsEntry("response.created", "ResponseCreatedEvent")
        .containsEntry("error", "ResponseErrorEvent");
    assertThat(OpenApiContract.streamEventSchemaName("nope")).isNull();
  }

  /** Minimal Response: every property the spec marks required, nullable ones as null. */
  private static final String RESPONSE =
      """
      {"id":"resp_123","object":"response","created_at":1741476542,"status":"completed",
       "error":null,"incomplete_details":null,"instructions":null,"model":"tiny",
       "output":[{"type":"message","id":"msg_123","status":"completed","role":"assistant",
                  "content":[{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}]}],
       "tools":[],"tool_choice":"auto","parallel_tool_calls":true,"metadata":{},
       "temperature":1.0,"top_p":1.0,
       "usage":{"input_tokens":14,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},
                "output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":16}}
      """;

  @Test
  void minimalResponsePassesAndIsAcceptedInsideResponseCompleted() {
    OpenApiContract.assertValid("Response", json(RESPONSE));

    ObjectNode completed = JSON.createObjectNode();
    completed.put("type", "response.completed");
    completed.set("response", json(RESPONSE));
    completed.put("sequence_number", 17);
    OpenApiContract.assertValidStreamEvent(completed);
  }

  @Test
  void responseMissingRequiredFieldsOrWithBadStatusFails() {
    ObjectNode response = object(RESPONSE);
    response.remove(List.of("output", "parallel_tool_calls"));
    response.put("status", "done");
    assertThat(OpenApiContract.violations("Response", response))
        .hasSize(3)
        .anySatisfy(v -> assertThat(v).contains("'output'"))
        .anySatisfy(v -> assertThat(v).contains("'parallel_tool_calls'"))
        .anySatisfy(v -> assertThat(v).startsWith("$.status: ").contains("enumeration"));
  }

  // --- Helper behaviour ------------------------------------------------------------------------

  @Test
  void formatIsAnnotationOnly() {
    // url_citation.url is "format: uri", Model.created "format: unixtime": neither is asserted.
    OpenApiContract.assertValid(
        "ChatCompletionResponseMessage",
        json(
            """
            {"role":"assistant","content":"see","refusal":null,
             "annotations":[{"type":"url_citation","url_citation":
               {"url":"not a uri at all","title":"t","start_index":0,"end_index":3}}]}
            """));
    OpenApiContract.assertValid("Model", json(MODEL.replace("1686935002", "-1")));
  }

  @Test
  void unknownSchemaNameIsAProgrammingError() {
    assertThatThrownBy(
            () -> OpenApiContract.violations("CreateChatCompletionResponsee", json("{}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No schema #/components/schemas/CreateChatCompletionResponsee")
        .hasMessageContaining("similar names: [")
        .hasMessageContaining("CreateChatCompletionResponse,");
  }

  @Test
  void malformedOrDuplicateKeyJsonTextIsReported() {
    assertThat(OpenApiContract.violations("Model", "{\"id\":\"a\",\"id\":\"b\"}"))
        .singleElement(STRING)
        .startsWith("$: not valid JSON")
        .contains("Duplicate");
    assertThat(OpenApiContract.violations("Model", "{\"id\":"))
        .singleElement(STRING)
        .startsWith("$: not valid JSON");
  }

  @Test
  void longJsonIsTruncatedInTheFailureMessage() {
    ObjectNode body = object(CHAT_COMPLETION);
    body.remove("choices");
    body.put("padding", "x".repeat(10_000));
    assertThatThrownBy(() -> OpenApiContract.assertValid("CreateChatCompletionResponse", body))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("more chars)")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(3_000));
  }

  @Test
  void specIsLoadedOnceAndIsSafeToUseConcurrently() throws Exception {
    System.out.println(
        "OpenAPI spec load took "
            + OpenApiContract.specLoadTime().toMillis()
            + " ms; "
            + OpenApiContract.schemaNames().size()
            + " schemas, "
            + OpenApiContract.streamEventSchemas().size()
            + " stream event types");
    assertThat(OpenApiContract.specLoadTime()).isSameAs(OpenApiContract.specLoadTime());

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<String>>> results =
          java.util.stream.IntStream.range(0, 64)
              .mapToObj(i ->
                  pool.submit(() ->
                      i % 2 == 0
                          ? OpenApiContract.violations("Response", json(RESPONSE))
                          : OpenApiContract.streamEventViolations(
                              json("{\"type\":\"response.output_text.delta\"}"))))
              .toList();
      for (int i = 0; i < results.size(); i++) {
        List<String> v = results.get(i).get();
        if (i % 2 == 0) {
          assertThat(v).isEmpty();
        } else {
          assertThat(v).hasSize(6);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
