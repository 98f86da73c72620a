package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.translate.ResponseTools;
import java.util.List;

/**
 * A validated {@code POST /v1/responses} request.
 *
 * @param raw the body as sent, for echoing request fields into the Response object
 * @param inputItems the input as storable items (each with an id)
 * @param tools the tools translated for a chat backend, with what was dropped
 */
record ResponseRequest(
    ObjectNode raw,
    String model,
    List<ObjectNode> inputItems,
    String instructions,
    ResponseTools tools,
    JsonNode toolChoice,
    Boolean parallelToolCalls,
    Long maxToolCalls,
    Long maxOutputTokens,
    boolean store,
    boolean stream,
    boolean background,
    String previousResponseId,
    String conversationId,
    boolean includeEncryptedReasoning) {}
