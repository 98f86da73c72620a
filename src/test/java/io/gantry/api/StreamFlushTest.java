package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.testing.TestStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Streams are flushed to the client when no more of the backend's answer has already arrived: a
 * burst the backend sent at once reaches the client in a few HTTP chunks, not one per event, while
 * a lone event is written at once (the backend sends nothing more until the client has it). Checked
 * on the chat fast path (openai backend), chat rendered from an Ollama backend, and a Responses
 * stream, against a scripted backend that writes each event as its own HTTP chunk.
 */
class StreamFlushTest {
  private static final int TOKENS = 40;

  enum Surface {
    CHAT_RELAY("openai-model", "/v1/chat/completions"),
    CHAT_FROM_OLLAMA("ollama-model", "/v1/chat/completions"),
    RESPONSES("openai-model", "/v1/responses");

    final String model;
    final String path;

    Surface(String model, String path) {
      this.model = model;
      this.path = path;
    }

    String body() {
      return this == RESPONSES
          ? "{\"model\":\"" + model + "\",\"stream\":true,\"input\":\"hi\"}"
          : "{\"model\":\""
              + model
              + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }
  }

  static ScriptedBackend openai;
  static ScriptedBackend ollama;
  static Gantry gantry;

  @BeforeAll
  static void start() throws IOException {
    openai = new ScriptedBackend(false);
    ollama = new ScriptedBackend(true);
    gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    new BackendConfig(
                        "scripted-openai",
                        "openai",
                        openai.url() + "/v1",
                        null,
                        List.of(),
                        null,
                        null,
                        null,
                        null),
                    new BackendConfig(
                        "scripted-ollama",
                        "ollama",
                        ollama.url(),
                        null,
                        List.of(),
                        null,
                        null,
                        null,
                        null)),
                Map.of()));
  }

  @AfterAll
  static void stop() throws IOException {
    gantry.close();
    openai.close();
    ollama.close();
  }

  private static ScriptedBackend backendOf(Surface surface) {
    return surface == Surface.CHAT_FROM_OLLAMA ? ollama : openai;
  }

  @ParameterizedTest
  @EnumSource(Surface.class)
  void aBurstAlreadyArrivedGoesOutInFewWrites(Surface surface) throws Exception {
    ScriptedBackend backend = backendOf(surface);
    backend.script =
        out -> {
          // Every event of the answer in one socket write, each its own HTTP chunk.
          ByteArrayOutputStream all = new ByteArrayOutputStream();
          for (int i = 0; i < TOKENS; i++) {
            all.write(backend.chunk(backend.token("t" + i + " ")));
          }
          all.write(backend.ending());
          out.write(all.toByteArray());
          out.flush();
        };
    ChunkedReply reply = ChunkedReply.fetch(gantry, surface);
    assertThat(reply.text()).contains("t0 ").contains("t" + (TOKENS - 1) + " ");
    int events = reply.events();
    assertThat(events).as("events relayed").isGreaterThanOrEqualTo(TOKENS);
    // One write per event would be one chunk per event.
    assertThat(reply.chunks())
        .as("HTTP chunks carrying %d events (%s)", events, surface)
        .isLessThanOrEqualTo(events / 4);
  }

  @ParameterizedTest
  @EnumSource(Surface.class)
  void aLoneEventIsWrittenAtOnce(Surface surface) throws Exception {
    ScriptedBackend backend = backendOf(surface);
    CountDownLatch clientHasIt = new CountDownLatch(1);
    AtomicBoolean sentBeforeTimeout = new AtomicBoolean();
    backend.script =
        out -> {
          out.write(backend.chunk(backend.token("first ")));
          out.flush();
          // Nothing more until the client has the first token: a held flush would stall here.
          try {
            sentBeforeTimeout.set(clientHasIt.await(10, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          out.write(backend.chunk(backend.token("second ")));
          out.write(backend.ending());
          out.flush();
        };
    ChunkedReply reply = ChunkedReply.fetch(gantry, surface, "first ", clientHasIt);
    assertThat(reply.text()).contains("first ").contains("second ");
    assertThat(sentBeforeTimeout)
        .as("the client had the first token while the backend waited (%s)", surface)
        .isTrue();
  }

  /**
   * What a client read: the HTTP chunks of a chunked response (or the one body of a response sent
   * whole, with a length), and the text they carried.
   */
  record ChunkedReply(List<String> chunkTexts) {
    static ChunkedReply fetch(Gantry gantry, Surface surface) throws IOException {
      return fetch(gantry, surface, null, null);
    }

    /** Counts {@code seen} down once {@code marker} has arrived. */
    static ChunkedReply fetch(Gantry gantry, Surface surface, String marker, CountDownLatch seen)
        throws IOException {
      java.net.URI uri = java.net.URI.create(gantry.baseUrl());
      try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
        socket.setSoTimeout(20_000);
        byte[] body = surface.body().getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST "
                    + surface.path
                    + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
        String status = line(in);
        assertThat(status).startsWith("HTTP/1.1 200");
        boolean chunked = false;
        int length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
          String lower = header.toLowerCase(java.util.Locale.ROOT);
          chunked |= lower.startsWith("transfer-encoding: chunked");
          if (lower.startsWith("content-length:")) {
            length = Integer.parseInt(lower.substring("content-length:".length()).strip());
          }
        }
        List<String> chunks = new ArrayList<>();
        if (!chunked) {
          // Nothing was flushed before the answer ended (it all fit Helidon's response buffer):
          // sent whole with a length, one write.
          assertThat(length).as("a chunked stream or one with a length").isNotNegative();
          chunks.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
          return new ChunkedReply(chunks);
        }
        StringBuilder so = new StringBuilder();
        while (true) {
          int size = Integer.parseInt(line(in).strip(), 16);
          if (size == 0) {
            break;
          }
          String text = new String(in.readNBytes(size), StandardCharsets.UTF_8);
          line(in);
          chunks.add(text);
          so.append(text);
          if (seen != null && so.indexOf(marker) >= 0) {
            seen.countDown();
          }
        }
        return new ChunkedReply(chunks);
      }
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("stream ended mid-line");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.UTF_8);
    }

    String text() {
      return String.join("", chunkTexts);
    }

    int chunks() {
      return (int) chunkTexts.stream().filter(c -> c.contains("data:")).count();
    }

    int events() {
      return text().split("data:", -1).length - 1;
    }
  }

  /**
   * A backend on a raw socket that answers the probe, then plays {@code script} for each streamed
   * answer: openai-dialect SSE or Ollama NDJSON, each event its own HTTP chunk.
   */
  static final class ScriptedBackend implements AutoCloseable {
    interface Script {
      void play(OutputStream out) throws IOException;
    }

    private final boolean ollama;
    private final ServerSocket server;
    volatile Script script;

    ScriptedBackend(boolean ollama) throws IOException {
      this.ollama = ollama;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(this::accept);
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    String model() {
      return ollama ? "ollama-model" : "openai-model";
    }

    byte[] token(String text) {
      String line =
          ollama
              ? "{\"model\":\"ollama-model\",\"created_at\":\"2024-01-01T00:00:00Z\","
                  + "\"message\":{\"role\":\"assistant\",\"content\":\""
                  + text
                  + "\"},\"done\":false}\n"
              : "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                  + "\"model\":\"openai-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                  + text
                  + "\"},\"finish_reason\":null}]}\n\n";
      return line.getBytes(StandardCharsets.UTF_8);
    }

    /** The finishing event(s) and the chunked body's end. */
    byte[] ending() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (ollama) {
        out.write(
            chunk(
                ("{\"model\":\"ollama-model\",\"created_at\":\"2024-01-01T00:00:00Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                        + "\"done_reason\":\"stop\",\"prompt_eval_count\":3,\"eval_count\":5}\n")
                    .getBytes(StandardCharsets.UTF_8)));
      } else {
        out.write(
            chunk(
                ("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"openai-model\",\"choices\":[{\"index\":0,\"delta\":{},"
                        + "\"finish_reason\":\"stop\"}]}\n\n")
                    .getBytes(StandardCharsets.UTF_8)));
        out.write(chunk("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return out.toByteArray();
    }

    byte[] chunk(byte[] data) {
      byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] all = new byte[head.length + data.length + 2];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(data, 0, all, head.length, data.length);
      all[all.length - 2] = '\r';
      all[all.length - 1] = '\n';
      return all;
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          Thread.ofVirtual().start(() -> serve(socket));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket socket) {
      try (socket) {
        InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        while (true) {
          String request = ChunkedReply.line(in);
          int length = 0;
          for (String h = ChunkedReply.line(in); !h.isEmpty(); h = ChunkedReply.line(in)) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(h.substring(15).strip());
            }
          }
          in.readNBytes(length);
          if (request.startsWith("GET")) {
            String list =
                ollama
                    ? "{\"models\":[{\"name\":\"ollama-model\",\"model\":\"ollama-model\"}]}"
                    : "{\"object\":\"list\",\"data\":[{\"id\":\"openai-model\",\"object\":\"model\"}]}";
            byte[] bytes = list.getBytes(StandardCharsets.UTF_8);
            out.write(
                ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                        + bytes.length
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            continue;
          }
          out.write(
              ("HTTP/1.1 200 OK\r\nContent-Type: "
                      + (ollama ? "application/x-ndjson" : "text/event-stream")
                      + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          script.play(out);
        }
      } catch (IOException | RuntimeException e) {
        // The connection ended.
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
