package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.Gantry;
import io.gantry.api.StreamFlushTest.ScriptedBackend;
import io.gantry.api.StreamFlushTest.Surface;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chat relay checks later token events against the shape of earlier ones; a token event of the
 * same shape whose text is not a valid JSON string must still end the stream as malformed, and
 * never reach the client.
 */
class MalformedTokenTest {
  static ScriptedBackend openai;
  static Gantry gantry;

  @BeforeAll
  static void start() throws IOException {
    openai = new ScriptedBackend(false);
    gantry =
        Gantry.start(
            TestStack.config(
                List.of(TestStack.backend("scripted-openai", "openai", openai.url() + "/v1")),
                Map.of()));
  }

  @AfterAll
  static void stop() throws IOException {
    gantry.close();
    openai.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"bad\"quote", "dangling\\", "ctrl\u0001char", "bad\\xescape"})
  void aSameShapeTokenWithABrokenTextEndsTheStream(String badText) throws Exception {
    openai.script =
        out -> {
          ByteArrayOutputStream all = new ByteArrayOutputStream();
          for (int i = 0; i < 5; i++) {
            all.write(openai.chunk(openai.token("good" + i + " ")));
          }
          all.write(openai.chunk(openai.token(badText)));
          all.write(openai.chunk(openai.token("after ")));
          all.write(openai.ending());
          out.write(all.toByteArray());
          out.flush();
        };
    HttpResponse<byte[]> reply =
        RawHttp.post(gantry.baseUrl() + Surface.CHAT_RELAY.path, Surface.CHAT_RELAY.body());
    assertThat(reply.statusCode()).isEqualTo(200);
    String received = new String(reply.body(), StandardCharsets.UTF_8);
    assertThat(received).contains("good4 ").contains("\"code\":\"upstream_malformed\"");
    assertThat(received).doesNotContain(badText).doesNotContain("after ");
  }
}
