package io.gantry.edge;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.OptionalLong;

/** An HTTP request on its own connection, as Helidon gives it. */
final class HelidonWire implements Wire {
  private final ServerRequest request;
  private final ServerResponse response;

  HelidonWire(ServerRequest request, ServerResponse response) {
    this.request = request;
    this.response = response;
  }

  @Override
  public String method() {
    return request.prologue().method().text();
  }

  @Override
  public String rawPath() {
    return request.path().rawPath();
  }

  @Override
  public String rawQuery() {
    return request.query().rawValue();
  }

  @Override
  public Optional<String> query(String name) {
    return request.query().first(name).asOptional();
  }

  @Override
  public String header(String name) {
    return request.headers().first(HeaderNames.create(name)).orElse(null);
  }

  @Override
  public OptionalLong contentLength() {
    return request.headers().contentLength();
  }

  @Override
  public InputStream body() {
    return request.content().inputStream();
  }

  @Override
  public String remoteHost() {
    try {
      return request.remotePeer().host();
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public void responseHeader(String name, String value) {
    response.header(HeaderNames.create(name), value);
  }

  @Override
  public void send(int status, String contentType, byte[] bytes) {
    response.status(Status.create(status));
    response.header(HeaderNames.CONTENT_TYPE, contentType);
    response.send(bytes);
  }

  @Override
  public OutputStream stream(int status, String contentType) {
    response.status(Status.create(status));
    response.header(HeaderNames.CONTENT_TYPE, contentType);
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    response.header(HeaderNames.create("X-Accel-Buffering"), "no");
    return response.outputStream();
  }

  @Override
  public boolean isSent() {
    return response.isSent();
  }
}
