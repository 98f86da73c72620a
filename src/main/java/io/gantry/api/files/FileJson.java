package io.gantry.api.files;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.store.FilePage;
import io.gantry.store.StoredFile;

/** The spec's {@code OpenAIFile}, {@code ListFilesResponse} and {@code DeleteFileResponse}. */
final class FileJson {
  private FileJson() {}

  static ObjectNode file(StoredFile f) {
    ObjectNode out = Json.object();
    out.put("id", f.id());
    out.put("object", "file");
    out.put("bytes", f.bytes());
    out.put("created_at", f.createdAt());
    if (f.expiresAt() != null) {
      out.put("expires_at", f.expiresAt());
    }
    out.put("filename", f.filename());
    out.put("purpose", f.purpose());
    // Deprecated but required by the spec; an upload is usable as soon as it is stored.
    out.put("status", "processed");
    return out;
  }

  /** Cursors are null on an empty page, as OpenAI sends them. */
  static ObjectNode list(FilePage page) {
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    page.files().forEach(f -> data.add(file(f)));
    out.put("first_id", page.files().isEmpty() ? null : page.files().getFirst().id());
    out.put("last_id", page.files().isEmpty() ? null : page.files().getLast().id());
    out.put("has_more", page.hasMore());
    return out;
  }

  static ObjectNode deleted(String id) {
    return Json.object().put("id", id).put("object", "file").put("deleted", true);
  }
}
