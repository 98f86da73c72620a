package io.gantry.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an {@link Exchange} reads its request from and writes its answer to: an HTTP request on its
 * own connection ({@link HelidonWire}), or one message of a WebSocket ({@link MessageWire}).
 */
interface Wire {
  String method();

  /** The path as sent, undecoded. */
  String rawPath();

  /** The query as sent, or null/empty when there is none. */
  String rawQuery();

  Optional<String> query(String name);

  /** A request header's first value, or null. */
  String header(String name);

  OptionalLong contentLength();

  InputStream body() throws IOException;

  /** The client's address, or null when unknown. */
  String remoteHost();

  void responseHeader(String name, String value);

  /** Sends a whole answer. */
  void send(int status, String contentType, byte[] bytes);

  /** Starts a streamed answer with the headers a stream needs. */
  OutputStream stream(int status, String contentType);

  /** Whether the answer (or its start) has gone. */
  boolean isSent();
}
