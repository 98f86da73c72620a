package io.gantry.store;

import java.util.Objects;

/**
 * A stored Conversations API object, without its items.
 *
 * @param createdAt seconds since the Unix epoch
 * @param metadataJson the metadata as JSON object text, exactly as stored ({@code {}} when none)
 */
public record Conversation(String id, long createdAt, String metadataJson) {
  public Conversation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(metadataJson, "metadataJson");
  }
}
