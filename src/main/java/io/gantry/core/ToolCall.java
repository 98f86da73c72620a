package io.gantry.core;

/** A tool call the model made; {@code arguments} is the JSON text exactly as produced. */
public record ToolCall(String id, String name, String arguments) {}
