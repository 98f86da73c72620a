package io.gantry.edge;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One WebSocket message run as a request: the method, path and body its endpoint chose, the headers
 * of the upgrade request (its key, its session id), and the answer handed to {@link SocketReplies}.
 * A request id is never taken from the upgrade: each message gets its own.
 */
final class MessageWire implements Wire {
  private final String method;
  private final String path;
  private final byte[] body;
  private final Map<String, String> upgradeHeaders;
  private final String remoteHost;
  private final SocketReplies replies;
  private boolean sent;

  MessageWire(
      String method,
      String path,
      byte[] body,
      Map<String, String> upgradeHeaders,
      String remoteHost,
      SocketReplies replies) {
    this.method = method;
    this.path = path;
    this.body = body;
    this.upgradeHeaders = upgradeHeaders;
    this.remoteHost = remoteHost;
    this.replies = replies;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String rawPath() {
    return path;
  }

  @Override
  public String rawQuery() {
    return null;
  }

  @Override
  public Optional<String> query(String name) {
    return Optional.empty();
  }

  @Override
  public String header(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "content-type" -> "application/json";
      case "content-length" -> Integer.toString(body.length);
      case "x-request-id", "transfer-encoding", "content-encoding" -> null;
      default -> upgradeHeaders.get(name.toLowerCase(Locale.ROOT));
    };
  }

  @Override
  public OptionalLong contentLength() {
    return OptionalLong.of(body.length);
  }

  @Override
  public InputStream body() {
    return new ByteArrayInputStream(body);
  }

  @Override
  public String remoteHost() {
    return remoteHost;
  }

  @Override
  public void responseHeader(String name, String value) {
    // A message's answer is events on the socket: it has no headers.
  }

  @Override
  public void send(int status, String contentType, byte[] bytes) {
    sent = true;
    try {
      replies.whole(status, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public OutputStream stream(int status, String contentType) {
    sent = true;
    try {
      return replies.stream(status);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean isSent() {
    return sent;
  }
}
