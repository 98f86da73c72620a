package io.gantry.upstream;

/**
 * What a backend can do, so that surfaces ask it instead of testing which class it is.
 *
 * @param relaysOpenAiApi it speaks the OpenAI API itself: a chat or embeddings request may be sent
 *     as it is and its answer relayed byte for byte (the fast path)
 * @param toolChoice it honours {@code tool_choice} (Ollama's API has none)
 * @param jsonSchema it can constrain its output to a JSON schema
 * @param grammar it takes GBNF grammars (llama.cpp)
 * @param tokenize it exposes a tokenizer
 * @param embeddings it embeds text
 * @param flavor the server behind it: {@code ollama}, or {@code openai-compatible} until a probe
 *     tells more ({@code llama.cpp}, {@code vllm}, {@code lmstudio}, {@code sglang})
 */
public record BackendCapabilities(
    boolean relaysOpenAiApi,
    boolean toolChoice,
    boolean jsonSchema,
    boolean grammar,
    boolean tokenize,
    boolean embeddings,
    String flavor) {}
