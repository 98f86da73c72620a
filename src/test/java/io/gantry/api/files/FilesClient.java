package io.gantry.api.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.contract.OpenApiContract;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Raw HTTP for the Files API: hand-built multipart uploads, and test documents. */
final class FilesClient {
  static final String BOUNDARY = "----gantry-test-boundary-7MA4YWxkTrZu0gW";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String filesUrl;

  FilesClient(String gatewayUrl) {
    this.filesUrl = gatewayUrl + "/v1/files";
  }

  /** A multipart body: the file part first, then the text fields in order. */
  static byte[] form(
      String filename, String contentType, byte[] content, Map<String, String> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder("--" + BOUNDARY + "\r\n");
    head.append("Content-Disposition: form-data; name=\"file\"; filename=\"")
        .append(filename)
        .append("\"\r\n");
    if (contentType != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    head.append("\r\n");
    out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    fields.forEach((name, value) ->
        out.writeBytes(
            ("--"
                    + BOUNDARY
                    + "\r\nContent-Disposition: form-data; name=\""
                    + name
                    + "\"\r\n\r\n"
                    + value
                    + "\r\n")
                .getBytes(StandardCharsets.UTF_8)));
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  HttpResponse<byte[]> upload(String filename, String contentType, byte[] content, String purpose) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (purpose != null) {
      fields.put("purpose", purpose);
    }
    return uploadForm(form(filename, contentType, content, fields));
  }

  HttpResponse<byte[]> uploadForm(byte[] body) {
    return send(
        HttpRequest.newBuilder(URI.create(filesUrl))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private static HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Uploads and returns the file object, checked against the spec. */
  JsonNode uploaded(String filename, String contentType, byte[] content, String purpose)
      throws IOException {
    HttpResponse<byte[]> response = upload(filename, contentType, content, purpose);
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    JsonNode file = Json.MAPPER.readTree(response.body());
    OpenApiContract.assertValid("OpenAIFile", file);
    return file;
  }

  HttpResponse<byte[]> get(String pathAndQuery) {
    return RawHttp.get(filesUrl + pathAndQuery);
  }

  HttpResponse<byte[]> delete(String id) {
    return send(HttpRequest.newBuilder(URI.create(filesUrl + "/" + id)).DELETE().build());
  }

  static JsonNode json(HttpResponse<byte[]> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A one-page PDF whose text is {@code lines}, one per line. */
  static byte[] pdf(String... lines) {
    try (PDDocument document = new PDDocument();
        ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDPage page = new PDPage();
      document.addPage(page);
      try (PDPageContentStream content = new PDPageContentStream(document, page)) {
        content.beginText();
        content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
        content.setLeading(16);
        content.newLineAtOffset(72, 700);
        for (String line : lines) {
          content.showText(line);
          content.newLine();
        }
        content.endText();
      }
      document.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tiny PNG. */
  static byte[] png() {
    BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xff0000);
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String pngDataUrl() {
    return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png());
  }
}
