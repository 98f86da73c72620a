package io.gantry.api.inputs;

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
 * Fetches {@code http(s)} image URLs, but only from the hosts and ports the operator listed in
 * {@code files.image_url_allowed_hosts} ({@code host} allows the scheme's default port only, {@code
 * host:port} that port): a gateway that fetched any URL a client names could be made to read
 * internal addresses (SSRF). A fetch is bounded: {@link #CONNECT_TIMEOUT} to connect, {@link
 * #TOTAL_TIMEOUT} for the whole answer, at most {@code maxBytes}, a 200 with an image, and at most
 * {@link #MAX_REDIRECTS} redirects, each to the same host and port. Every failure gets the same
 * error text, so the errors cannot be used to learn which addresses and ports answer; the reason
 * goes to the log. The image is handed on as a {@code data:} URL, which every backend takes.
 */
final class ImageFetcher {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(15);
  static final int MAX_REDIRECTS = 3;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageFetcher.class);

  /** Host (lower case, no brackets) and port; a bare host's port is -1: the default one. */
  private record Origin(String host, int port) {}

  private final Set<Origin> allowed;
  private final long maxBytes;
  private final HttpClient client;

  ImageFetcher(List<String> allowedHosts, long maxBytes) {
    this.allowed = allowedHosts.stream().map(ImageFetcher::origin).collect(Collectors.toSet());
    this.maxBytes = maxBytes;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Whether Gantry may fetch this URL: http or https, on an allowed host and port. */
  boolean allows(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      return false;
    }
    if (uri.getUserInfo() != null) {
      return false; // no credentials in fetched URLs
    }
    String host = normalizeHost(uri.getHost());
    int port = uri.getPort();
    int defaultPort = scheme.equals("https") ? 443 : 80;
    return allowed.contains(new Origin(host, port < 0 ? defaultPort : port))
        || (port < 0 || port == defaultPort) && allowed.contains(new Origin(host, -1));
  }

  /** An allow-list entry: {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. */
  static Origin origin(String entry) {
    String e = entry.strip().toLowerCase(Locale.ROOT);
    int port = -1;
    String host = e;
    int close = e.lastIndexOf(']');
    int colon = e.lastIndexOf(':');
    boolean bareIpv6 = close < 0 && e.indexOf(':') != colon;
    if (colon > close && !bareIpv6 && colon > 0) {
      try {
        port = Integer.parseInt(e.substring(colon + 1));
        host = e.substring(0, colon);
      } catch (NumberFormatException notAPort) {
        port = -1;
      }
    }
    return new Origin(normalizeHost(host), port);
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
            || !normalizeHost(next.getHost()).equals(normalizeHost(uri.getHost()))
            || effectivePort(next) != effectivePort(uri)) {
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

  /** One text for every failure (refused, timed out, not found, not an image, too large). */
  private static ApiException failed(URI uri, String param, String why) {
    LOG.debug("image fetch of {} failed: {}", io.gantry.core.Urls.redact(uri.toString()), why);
    return ApiException.invalid(
        param,
        "Could not fetch the image at "
            + io.gantry.core.Urls.redact(uri.toString())
            + ". Send the image as a data URL, or upload it (POST /v1/files) and send its"
            + " file_id.");
  }

  private static int effectivePort(URI uri) {
    return uri.getPort() >= 0
        ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
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
