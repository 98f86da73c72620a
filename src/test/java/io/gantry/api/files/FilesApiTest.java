package io.gantry.api.files;

import static io.gantry.api.files.FilesClient.json;
import static io.gantry.contract.OpenApiContract.assertValid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.MultipartField;
import com.openai.core.http.HttpResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileDeleted;
import com.openai.models.files.FileListParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import io.gantry.Gantry;
import io.gantry.config.FilesConfig;
import io.gantry.config.ServerConfig;
import io.gantry.store.FileBlobs;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Files API with openai-java and raw HTTP. Each gateway here is started for this class, so
 * listings see only the files these tests upload.
 */
class FilesApiTest {
  private static Gantry gantry;
  private static Gantry small;
  private static FilesClient files;

  @BeforeAll
  static void start() {
    gantry = TestStack.startGantry(TestStack.config(List.of(), Map.of()));
    small =
        TestStack.startGantry(
            TestStack.config(List.of(), Map.of()).withFiles(new FilesConfig(1024L, null, null)));
    files = new FilesClient(gantry.baseUrl());
  }

  @AfterAll
  static void stop() {
    gantry.close();
    small.close();
  }

  private static FileObject create(OpenAIClient client, String name, String text, FilePurpose p) {
    InputStream content = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    return client
        .files()
        .create(
            FileCreateParams.builder()
                .file(
                    MultipartField.<InputStream>builder()
                        .value(content)
                        .filename(name)
                        .contentType("text/plain")
                        .build())
                .purpose(p)
                .build());
  }

  @Test
  void sdkUploadListRetrieveContentDelete() throws Exception {
    OpenAIClient client = TestStack.client(gantry);
    FileObject a = create(client, "a.txt", "alpha", FilePurpose.USER_DATA);
    FileObject b = create(client, "b.txt", "bravo", FilePurpose.ASSISTANTS);
    FileObject c = create(client, "c.txt", "charlie", FilePurpose.USER_DATA);
    assertThat(a.id()).startsWith("file-");
    assertThat(a.bytes()).isEqualTo(5);
    assertThat(a.filename()).isEqualTo("a.txt");
    assertThat(a.purpose()).isEqualTo(FileObject.Purpose.USER_DATA);

    // Pages of one, newest first, followed by the SDK's own cursor handling.
    List<String> userData = new ArrayList<>();
    client
        .files()
        .list(FileListParams.builder().purpose("user_data").limit(1).build())
        .autoPager()
        .forEach(f -> userData.add(f.id()));
    assertThat(userData).containsExactly(c.id(), a.id());
    List<String> ascending = new ArrayList<>();
    client
        .files()
        .list(FileListParams.builder().order(FileListParams.Order.ASC).build())
        .autoPager()
        .forEach(f -> ascending.add(f.id()));
    assertThat(ascending).containsSubsequence(a.id(), b.id(), c.id());

    assertThat(client.files().retrieve(b.id())).isEqualTo(b);
    try (HttpResponse content = client.files().content(c.id())) {
      assertThat(content.body().readAllBytes())
          .isEqualTo("charlie".getBytes(StandardCharsets.UTF_8));
    }
    FileDeleted deleted = client.files().delete(c.id());
    assertThat(deleted.deleted()).isTrue();
    assertThat(deleted.id()).isEqualTo(c.id());
    assertThatThrownBy(() -> client.files().retrieve(c.id())).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.files().delete(c.id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void sdkExpiresAfter() {
    FileObject file =
        TestStack.client(gantry)
            .files()
            .create(
                FileCreateParams.builder()
                    .file("soon gone".getBytes(StandardCharsets.UTF_8))
                    .purpose(FilePurpose.BATCH)
                    .expiresAfter(FileCreateParams.ExpiresAfter.builder().seconds(3600).build())
                    .build());
    assertThat(file.expiresAt()).contains(file.createdAt() + 3600);
  }

  @Test
  void rawLifecycleIsSpecValidAndKeepsBytesUnderTheDataDir() throws Exception {
    byte[] bytes = new byte[70_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + 7); // every byte value, CR and LF among them
    }
    JsonNode file = files.uploaded("blob.bin", "application/octet-stream", bytes, "fine-tune");
    String id = file.get("id").asText();
    assertThat(file.get("bytes").asLong()).isEqualTo(bytes.length);
    assertThat(file.get("status").asText()).isEqualTo("processed");
    assertThat(file.has("expires_at")).isFalse();
    Path stored = Path.of(gantry.config().dataDir(), "files", id);
    assertThat(stored).hasBinaryContent(bytes);

    var retrieved = files.get("/" + id);
    assertThat(retrieved.statusCode()).isEqualTo(200);
    assertValid("OpenAIFile", json(retrieved));
    assertThat(json(retrieved)).isEqualTo(file);

    var list = files.get("?purpose=fine-tune&limit=5&order=asc");
    assertThat(list.statusCode()).isEqualTo(200);
    assertValid("ListFilesResponse", json(list));
    assertThat(json(list).get("first_id").asText()).isEqualTo(id);

    var content = files.get("/" + id + "/content");
    assertThat(content.statusCode()).isEqualTo(200);
    assertThat(content.body()).isEqualTo(bytes);
    assertThat(content.headers().firstValue("content-type")).contains("application/octet-stream");
    assertThat(content.headers().firstValue("x-content-type-options")).contains("nosniff");
    assertThat(content.headers().firstValue("content-disposition").orElseThrow())
        .startsWith("attachment; filename=\"blob.bin\"");

    var deleted = files.delete(id);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertValid("DeleteFileResponse", json(deleted));
    assertThat(json(deleted).get("deleted").asBoolean()).isTrue();
    assertThat(stored).doesNotExist();

    for (var gone :
        List.of(files.get("/" + id), files.get("/" + id + "/content"), files.delete(id))) {
      assertThat(gone.statusCode()).isEqualTo(404);
      assertThat(json(gone).path("error").path("code").asText()).isEqualTo("file_not_found");
      assertThat(gone.headers().firstValue("x-request-id")).isPresent();
    }
  }

  @Test
  void rawPaginationWithCursorsAndAnEmptyPage() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(
          files
              .uploaded("v" + i + ".png", "image/png", FilesClient.png(), "vision")
              .get("id")
              .asText());
    }
    JsonNode first = json(files.get("?purpose=vision&limit=2"));
    assertValid("ListFilesResponse", first);
    assertThat(first.get("data").findValuesAsText("id")).containsExactly(ids.get(2), ids.get(1));
    assertThat(first.get("has_more").asBoolean()).isTrue();
    assertThat(first.get("last_id").asText()).isEqualTo(ids.get(1));
    JsonNode second = json(files.get("?purpose=vision&limit=2&after=" + ids.get(1)));
    assertValid("ListFilesResponse", second);
    assertThat(second.get("data").findValuesAsText("id")).containsExactly(ids.get(0));
    assertThat(second.get("has_more").asBoolean()).isFalse();
    // Cursors of an empty page are null, as OpenAI sends them (the spec says string).
    JsonNode none = json(files.get("?purpose=evals"));
    assertThat(none.get("data")).isEmpty();
    assertThat(none.get("first_id").isNull()).isTrue();
    assertThat(none.get("has_more").asBoolean()).isFalse();

    assertThat(json(files.get("?limit=0")).path("error").path("param").asText()).isEqualTo("limit");
    assertThat(json(files.get("?order=up")).path("error").path("param").asText())
        .isEqualTo("order");
  }

  @Test
  void badUploadsNameTheirParameter() {
    byte[] text = "x".getBytes(StandardCharsets.UTF_8);
    var wrongPurpose = files.upload("x.txt", "text/plain", text, "training");
    assertThat(wrongPurpose.statusCode()).isEqualTo(400);
    assertThat(json(wrongPurpose).path("error").path("param").asText()).isEqualTo("purpose");
    assertThat(json(wrongPurpose).path("error").path("message").asText())
        .contains("assistants, batch, fine-tune, vision, user_data, evals");

    var noPurpose = files.upload("x.txt", "text/plain", text, null);
    assertThat(noPurpose.statusCode()).isEqualTo(400);
    assertThat(json(noPurpose).path("error").path("param").asText()).isEqualTo("purpose");

    byte[] noFile =
        ("--"
                + FilesClient.BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
                + "user_data\r\n--"
                + FilesClient.BOUNDARY
                + "--\r\n")
            .getBytes(StandardCharsets.UTF_8);
    var missingFile = files.uploadForm(noFile);
    assertThat(missingFile.statusCode()).isEqualTo(400);
    assertThat(json(missingFile).path("error").path("param").asText()).isEqualTo("file");

    var cut = files.uploadForm(java.util.Arrays.copyOf(noFile, noFile.length - 12));
    assertThat(cut.statusCode()).isEqualTo(400);
    assertThat(json(cut).path("error").path("message").asText()).contains("malformed");

    var notMultipart = RawHttp.post(gantry.baseUrl() + "/v1/files", "{\"purpose\":\"user_data\"}");
    assertThat(notMultipart.statusCode()).isEqualTo(400);
    assertThat(json(notMultipart).path("error").path("message").asText())
        .contains("multipart/form-data");

    Map<String, String> badExpiry = new LinkedHashMap<>();
    badExpiry.put("purpose", "user_data");
    badExpiry.put("expires_after[anchor]", "created_at");
    badExpiry.put("expires_after[seconds]", "60");
    var expiry = files.uploadForm(FilesClient.form("x.txt", "text/plain", text, badExpiry));
    assertThat(expiry.statusCode()).isEqualTo(400);
    assertThat(json(expiry).path("error").path("param").asText())
        .isEqualTo("expires_after.seconds");
  }

  @Test
  void uploadsOverTheLimitGetA413() {
    FilesClient limited = new FilesClient(small.baseUrl());
    var atLimit = limited.upload("ok.txt", "text/plain", new byte[1024], "user_data");
    assertThat(atLimit.statusCode()).as(RawHttp.text(atLimit)).isEqualTo(200);

    var over = limited.upload("big.txt", "text/plain", new byte[1025], "user_data");
    assertThat(over.statusCode()).isEqualTo(413);
    JsonNode error = json(over).get("error");
    assertThat(error.get("code").asText()).isEqualTo("file_too_large");
    assertThat(error.get("param").asText()).isEqualTo("file");
    assertThat(error.get("message").asText()).contains("1024", "files.max_upload_bytes");

    // Far over: refused by the body limit of the route before the form is read.
    var huge = limited.upload("huge.txt", "text/plain", new byte[200_000], "user_data");
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(json(huge).path("error").path("code").asText()).isEqualTo("request_too_large");
    assertThat(json(huge).path("error").path("message").asText())
        .contains("files.max_upload_bytes");
  }

  @Test
  void uploadsMayBeLargerThanTheServersJsonBodyLimit() {
    Gantry tight =
        TestStack.startGantry(
            TestStack.config(List.of(), Map.of())
                .withServer(new ServerConfig("127.0.0.1", 0, 4096L, 5)));
    try {
      var upload =
          new FilesClient(tight.baseUrl())
              .upload("big.md", "text/markdown", new byte[100_000], "user_data");
      assertThat(upload.statusCode()).as(RawHttp.text(upload)).isEqualTo(200);
      var jsonBody = RawHttp.post(tight.baseUrl() + "/v1/responses", new byte[5000]);
      assertThat(jsonBody.statusCode()).isEqualTo(413);
      assertThat(RawHttp.text(jsonBody)).contains("server.max_request_bytes");
    } finally {
      tight.close();
    }
  }

  @Test
  void blobsAreWrittenAtomicallyAndStaleTemporariesRemoved() throws Exception {
    Path dir = Files.createTempDirectory("gantry-blobs");
    FileBlobs blobs = FileBlobs.open(dir);
    Path stale = dir.resolve("files/file-x.abc.tmp");
    Files.writeString(stale, "half");
    Files.setLastModifiedTime(
        stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
    Path fresh = dir.resolve("files/file-y.abc.tmp");
    Files.writeString(fresh, "another process, mid-write");
    FileBlobs.open(dir);
    assertThat(stale).doesNotExist();
    assertThat(fresh).exists();

    assertThatThrownBy(() ->
            blobs.write(
                "file-z",
                out -> {
                  out.write(1);
                  throw new java.io.IOException("disk full");
                }))
        .hasMessage("disk full");
    assertThat(dir.resolve("files/file-z")).doesNotExist();
    try (var left = Files.list(dir.resolve("files"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("file-y.abc.tmp");
    }
    assertThatThrownBy(() -> blobs.read("../gantry.db"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
