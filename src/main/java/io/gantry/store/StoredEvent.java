package io.gantry.store;

import java.util.Objects;

/** One stream event of a response, kept so a client can resume the stream after a sequence. */
public record StoredEvent(String responseId, long sequenceNumber, String type, String json) {
  public StoredEvent {
    Objects.requireNonNull(responseId, "responseId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(json, "json");
  }
}
