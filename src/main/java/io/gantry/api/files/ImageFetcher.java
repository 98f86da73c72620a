package io.gantry.api.files;

import io.gantry.edge.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Fetches {@code http(s)} image URLs, but only from the hosts the operator listed in {@code
 * files.image_url_allowed_hosts}: a gateway that fetched any URL a client names could be made to
 * read internal addresses (SSRF). A fetch is bounded: {@link #CONNECT_TIMEOUT} to connect, {@link
 * #TOTAL_TIMEOUT} for the whole answer, at most {@code maxBytes}, a 200 with an image, and at most
 * {@link #MAX_REDIRECTS} redirects, each to the same host. The image is handed on as a {@code
 * data:} URL, which every backend takes.
 */
final class ImageFetcher {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(15);
  static final int MAX_REDIRECTS = 3;

  private final Set<String> allowedHosts;
  private final long maxBytes;
  private final HttpClient client;

  ImageFetcher(List<String> allowedHosts, long maxBytes) {
    this.allowedHosts =
        allowedHosts.stream().map(ImageFetcher::normalizeHost).collect(Collectors.toSet());
    this.maxBytes = maxBytes;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Whether Gantry may fetch this URL: http or https, on an allowed host. */
  boolean allows(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return (scheme.equals("http") || scheme.equals("https"))
        && uri.getHost() != null
        && allowedHosts.contains(normalizeHost(uri.getHost()));
  }

  /**
   * The image at {@code uri} as a base64 {@code data:} URL.
   *
   * @throws ApiException (400 naming {@code param}) when it cannot be fetched or is no image
   */
  String fetchAsDataUrl(URI uri, String param) {
    long deadline = System.nanoTime() + TOTAL_TIMEOUT.toNanos();
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> response = send(current, deadline, uri, param);
      int status = response.statusCode();
      if (status >= 300 && status < 400 && response.headers().firstValue("location").isPresent()) {
        close(response.body());
        URI next;
        try {
          next = current.resolve(response.headers().firstValue("location").get());
        } catch (IllegalArgumentException e) {
          throw failed(uri, param, "it redirects to an invalid URL");
        }
        if (hop == MAX_REDIRECTS
            || !allows(next)
            || !normalizeHost(next.getHost()).equals(normalizeHost(uri.getHost()))) {
          throw failed(
              uri,
              param,
              hop == MAX_REDIRECTS
                  ? "it redirects more than " + MAX_REDIRECTS + " times"
                  : "it redirects to another host, which is not followed");
        }
        current = next;
        continue;
      }
      if (status != 200) {
        close(response.body());
        throw failed(uri, param, "the server answered HTTP " + status);
      }
      byte[] bytes = read(response, deadline, uri, param);
      String type = ContentTypes.sniffImage(bytes);
      if (type == null) {
        String declared =
            ContentTypes.essence(response.headers().firstValue("content-type").orElse(null));
        throw failed(
            uri,
            param,
            "the answer is not a PNG, JPEG, GIF or WebP image (Content-Type "
                + (declared == null ? "none" : declared)
                + ")");
      }
      return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }
  }

  private HttpResponse<InputStream> send(URI target, long deadline, URI original, String param) {
    HttpRequest request =
        HttpRequest.newBuilder(target)
            .timeout(remaining(deadline, original, param))
            .header("Accept", "image/*")
            .GET()
            .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (java.net.http.HttpTimeoutException e) {
      throw failed(original, param, "it did not answer within " + TOTAL_TIMEOUT.toSeconds() + " s");
    } catch (IOException e) {
      throw failed(original, param, "the connection failed (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(original, param, "the fetch was interrupted");
    }
  }

  /** Reads at most maxBytes before the deadline; a slow sender is cut off by closing the stream. */
  private byte[] read(HttpResponse<InputStream> response, long deadline, URI uri, String param) {
    long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
    InputStream body = response.body();
    if (declared > maxBytes) {
      close(body);
      throw tooLarge(uri, param);
    }
    CompletableFuture<byte[]> reading =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            command -> Thread.ofVirtual().start(command));
    try {
      byte[] bytes = reading.get(remaining(deadline, uri, param).toNanos(), TimeUnit.NANOSECONDS);
      if (bytes.length > maxBytes) {
        throw tooLarge(uri, param);
      }
      return bytes;
    } catch (TimeoutException e) {
      throw failed(
          uri, param, "it did not send the image within " + TOTAL_TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw failed(uri, param, "reading it failed (" + e.getCause().getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(uri, param, "the fetch was interrupted");
    } finally {
      close(body);
    }
  }

  private static Duration remaining(long deadline, URI uri, String param) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw failed(uri, param, "it did not answer within " + TOTAL_TIMEOUT.toSeconds() + " s");
    }
    return Duration.ofNanos(left);
  }

  private ApiException tooLarge(URI uri, String param) {
    return failed(
        uri, param, "the image is larger than " + maxBytes + " bytes (files.max_input_file_bytes)");
  }

  private static ApiException failed(URI uri, String param, String why) {
    return ApiException.invalid(param, "Could not fetch the image at " + uri + ": " + why + ".");
  }

  private static void close(InputStream body) {
    try {
      body.close();
    } catch (IOException ignored) {
      // Nothing more to read from it anyway.
    }
  }

  /** Lower case, without the brackets of an IPv6 literal. */
  private static String normalizeHost(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }
}
