package io.gantry.api.files;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.api.NotFound;
import io.gantry.api.Owned;
import io.gantry.api.Page;
import io.gantry.api.inputs.ContentTypes;
import io.gantry.config.FilesConfig;
import io.gantry.core.ErrorKind;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.store.FileBlobs;
import io.gantry.store.FilePage;
import io.gantry.store.FileStore;
import io.gantry.store.StoredFile;
import io.helidon.http.Method;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Files API: {@code POST /v1/files} (multipart upload), list, retrieve, delete and {@code GET
 * /v1/files/{id}/content}. Metadata is in the store, bytes under the data directory ({@link
 * FileBlobs}).
 */
public final class FilesEndpoints implements Surface {
  private static final Logger LOG = LoggerFactory.getLogger(FilesEndpoints.class);

  /** Room for the form's other fields and part headers beside the file itself. */
  public static final long FORM_OVERHEAD_BYTES = 64 * 1024;

  /** The spec's bounds for {@code expires_after.seconds}: one hour to 30 days. */
  private static final long MIN_EXPIRY = 3600;

  private static final long MAX_EXPIRY = 2_592_000;

  /** Files uploaded for batch expire after 30 days unless told otherwise, as the spec says. */
  private static final long BATCH_EXPIRY = 30L * 24 * 3600;

  private static final int MAX_LIMIT = 10_000;
  private static final int MAX_FILENAME = 255;
  private static final int SWEEP_BATCH = 100;

  /** The last sort key handed out, so keys only grow within this process. */
  private static final AtomicLong LAST_SORT_KEY = new AtomicLong();

  private final FileStore store;
  private final FileBlobs blobs;
  private final long maxUploadBytes;
  private final TenantFileQuota quota;

  public FilesEndpoints(FileStore store, FileBlobs blobs, FilesConfig config) {
    this.store = store;
    this.blobs = blobs;
    this.maxUploadBytes = config.maxUploadBytes();
    this.quota = new TenantFileQuota(store, config.maxBytesPerTenant());
  }

  /** How the 413 of the upload route names its limit. */
  public static final String UPLOAD_LIMIT_NAME =
      "files.max_upload_bytes plus " + FORM_OVERHEAD_BYTES / 1024 + " KiB for the form";

  @Override
  public void routes(Routes routes) {
    routes
        .route(
            Method.POST,
            "/v1/files",
            "files",
            Access.KEY,
            maxUploadBytes + FORM_OVERHEAD_BYTES,
            UPLOAD_LIMIT_NAME,
            this::upload)
        .route(Method.GET, "/v1/files", "files", Access.KEY, this::list)
        .route(Method.GET, "/v1/files/{id}", "files", Access.KEY, owned(this::retrieve))
        .route(Method.DELETE, "/v1/files/{id}", "files", Access.KEY, owned(this::delete))
        .route(Method.GET, "/v1/files/{id}/content", "files", Access.KEY, owned(this::content));
  }

  /** The route's file must be the caller's tenant's (else 404). */
  private static io.gantry.edge.Endpoint owned(io.gantry.edge.Endpoint endpoint) {
    return Owned.byPath("id", Owned.FILE, endpoint);
  }

  public void upload(Exchange exchange) throws IOException {
    String boundary;
    try {
      boundary = MultipartForm.boundary(exchange.header("Content-Type"));
    } catch (MultipartForm.MalformedException e) {
      throw ApiException.invalid(
          null, e.getMessage() + " Upload with the fields 'file' and 'purpose'.");
    }
    byte[] body = exchange.body();
    MultipartForm form;
    try {
      form = MultipartForm.parse(body, boundary);
    } catch (MultipartForm.MalformedException e) {
      throw ApiException.invalid(
          null, "The multipart/form-data body is malformed: " + e.getMessage());
    }
    MultipartForm.Part file =
        form.first("file")
            .orElseThrow(() -> ApiException.invalid("file", "Missing required parameter: 'file'."));
    if (file.length() > maxUploadBytes) {
      throw new ApiException(
          413,
          "invalid_request_error",
          "file_too_large",
          "file",
          "The file is "
              + file.length()
              + " bytes; this gateway accepts uploads of up to "
              + maxUploadBytes
              + " bytes (files.max_upload_bytes).",
          ErrorKind.CLIENT_INVALID);
    }
    String purpose = field(form, "purpose").orElse(null);
    if (purpose == null || purpose.isEmpty()) {
      throw ApiException.invalid("purpose", "Missing required parameter: 'purpose'.");
    }
    if (!Purposes.uploadable(purpose)) {
      throw ApiException.invalid(
          "purpose",
          "Invalid purpose '"
              + purpose
              + "': use one of "
              + String.join(", ", Purposes.UPLOADABLE)
              + ".");
    }
    Long expiresAfter = expiresAfter(form);
    if (expiresAfter == null && purpose.equals("batch")) {
      expiresAfter = BATCH_EXPIRY;
    }
    sweepExpired();

    String filename = filename(file.filename());
    String contentType = contentType(file, filename);
    long createdAt = System.currentTimeMillis() / 1000;
    StoredFile stored =
        new StoredFile(
            Ids.random("file-", 24),
            filename,
            purpose,
            contentType,
            file.length(),
            createdAt,
            expiresAfter == null ? null : createdAt + expiresAfter,
            nextSortKey());
    String tenant =
        exchange.tenant() == null ? io.gantry.govern.Tenancy.DEFAULT : exchange.tenant();
    try (TenantFileQuota.Reservation ignored = quota.reserve(tenant, file.length())) {
      exchange.created(stored.id(), "file");
      blobs.write(stored.id(), file::writeTo);
      try {
        store.save(stored);
      } catch (RuntimeException e) {
        blobs.delete(stored.id());
        throw e;
      }
    }
    exchange.sendJson(200, FileJson.file(stored));
  }

  public void list(Exchange exchange) {
    Page paging = Page.of(exchange, MAX_LIMIT, MAX_LIMIT, false);
    String purpose = exchange.query("purpose").filter(p -> !p.isEmpty()).orElse(null);
    FilePage page =
        store.list(
            purpose, paging.after(), paging.limit(), paging.ascending(), now(), exchange.tenant());
    exchange.sendJson(200, FileJson.list(page));
  }

  public void retrieve(Exchange exchange) {
    exchange.sendJson(200, FileJson.file(find(exchange.pathParam("id"))));
  }

  public void delete(Exchange exchange) {
    String id = exchange.pathParam("id");
    find(id);
    if (!store.delete(id)) {
      throw notFound(id);
    }
    blobs.delete(id);
    exchange.sendJson(200, FileJson.deleted(id));
  }

  /**
   * The bytes with their type. Sent as an attachment that browsers must not sniff, so an uploaded
   * HTML or SVG file is never run as a page of the gateway's origin.
   */
  public void content(Exchange exchange) throws IOException {
    StoredFile file = find(exchange.pathParam("id"));
    byte[] bytes;
    try {
      bytes = blobs.read(file.id());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalStateException(
          "file "
              + file.id()
              + " is in the store but its bytes are missing from the data directory"
              + " (with several Gantry processes, data_dir must be shared)",
          e);
    }
    exchange.responseHeader("Content-Disposition", disposition(file.filename()));
    exchange.responseHeader("X-Content-Type-Options", "nosniff");
    exchange.sendBytes(200, file.contentType(), bytes);
  }

  private StoredFile find(String id) {
    return store.find(id, now()).orElseThrow(() -> notFound(id));
  }

  private static ApiException notFound(String id) {
    return NotFound.object("file", "file_not_found", "file_id", id);
  }

  /** Removes a batch of expired files; they are already invisible, this frees their space. */
  private void sweepExpired() {
    try {
      for (StoredFile expired : store.expired(now(), SWEEP_BATCH)) {
        if (store.delete(expired.id())) {
          blobs.delete(expired.id());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("files: removing expired files failed: {}", e.toString());
    }
  }

  /** {@code expires_after} as the SDKs send it (bracketed fields) or as one JSON field. */
  private static Long expiresAfter(MultipartForm form) {
    Optional<String> anchor = field(form, "expires_after[anchor]");
    Optional<String> seconds = field(form, "expires_after[seconds]");
    Optional<String> json = field(form, "expires_after");
    if (json.isPresent() && anchor.isEmpty() && seconds.isEmpty()) {
      try {
        JsonNode node = Json.MAPPER.readTree(json.get());
        anchor = Optional.ofNullable(node.path("anchor").asText(null));
        JsonNode value = node.path("seconds");
        seconds = Optional.ofNullable(value.isValueNode() ? value.asText() : null);
      } catch (IOException e) {
        throw ApiException.invalid(
            "expires_after", "'expires_after' must be an object with 'anchor' and 'seconds'.");
      }
    }
    if (anchor.isEmpty() && seconds.isEmpty()) {
      return null;
    }
    if (!anchor.orElse("").equals("created_at")) {
      throw ApiException.invalid(
          "expires_after.anchor", "'expires_after.anchor' must be 'created_at'.");
    }
    long value;
    try {
      value = Long.parseLong(seconds.orElse(""));
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < MIN_EXPIRY || value > MAX_EXPIRY) {
      throw ApiException.invalid(
          "expires_after.seconds",
          "'expires_after.seconds' must be an integer from "
              + MIN_EXPIRY
              + " (1 hour) to "
              + MAX_EXPIRY
              + " (30 days).");
    }
    return value;
  }

  private static Optional<String> field(MultipartForm form, String name) {
    return form.first(name).map(p -> p.text().strip());
  }

  /** The client's name without control characters, at most {@value #MAX_FILENAME} characters. */
  private static String filename(String given) {
    if (given == null || given.isBlank()) {
      return "file";
    }
    StringBuilder clean = new StringBuilder();
    given
        .codePoints()
        .filter(c -> !Character.isISOControl(c))
        .limit(MAX_FILENAME)
        .forEach(clean::appendCodePoint);
    return clean.isEmpty() ? "file" : clean.toString();
  }

  /** The part's own type, else what the name suggests, else octet-stream. */
  private static String contentType(MultipartForm.Part part, String filename) {
    String given = part.contentType();
    if (given != null
        && !ContentTypes.essence(given).equals(ContentTypes.OCTET_STREAM)
        && given.length() <= 255
        && given.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      return given;
    }
    String guessed = ContentTypes.fromFilename(filename);
    return guessed != null ? guessed : ContentTypes.OCTET_STREAM;
  }

  /** An attachment with an ASCII fallback name and the exact name in RFC 5987 form. */
  private static String disposition(String filename) {
    String ascii = filename.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
    String encoded = URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }

  private static long nextSortKey() {
    long micros = System.currentTimeMillis() * 1000;
    return LAST_SORT_KEY.updateAndGet(last -> Math.max(last + 1, micros));
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }
}
