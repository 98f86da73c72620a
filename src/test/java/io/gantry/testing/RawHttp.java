package io.gantry.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls for what SDKs hide: exact bytes, headers, malformed bodies. */
public final class RawHttp {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private RawHttp() {}

  public static HttpResponse<byte[]> post(String url, String body, String... headers) {
    return post(url, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
  }

  public static HttpResponse<byte[]> post(String url, byte[] body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.setHeader(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  public static HttpResponse<byte[]> get(String url, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  public static HttpResponse<byte[]> delete(String url, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).DELETE();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  public static HttpResponse<java.io.InputStream> postStreaming(String url, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends and reads the whole body. A body whose transfer broke off (a stream Gantry aborted after
   * its error event) is returned as far as it came, and {@link #aborted} says so.
   */
  private static HttpResponse<byte[]> send(HttpRequest request) {
    HttpResponse<java.io.InputStream> streamed;
    try {
      streamed = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    boolean aborted = false;
    try (java.io.InputStream in = streamed.body()) {
      in.transferTo(body);
    } catch (IOException brokeOff) {
      aborted = true;
    }
    return new Read(streamed, body.toByteArray(), aborted);
  }

  /** Whether the response's transfer broke off before its end (no last chunk). */
  public static boolean aborted(HttpResponse<byte[]> response) {
    return response instanceof Read read && read.aborted;
  }

  /** A response read to its end, or as far as its transfer went. */
  private record Read(HttpResponse<java.io.InputStream> head, byte[] body, boolean aborted)
      implements HttpResponse<byte[]> {
    @Override
    public int statusCode() {
      return head.statusCode();
    }

    @Override
    public HttpRequest request() {
      return head.request();
    }

    @Override
    public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return head.headers();
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return head.sslSession();
    }

    @Override
    public URI uri() {
      return head.uri();
    }

    @Override
    public HttpClient.Version version() {
      return head.version();
    }
  }

  public static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
