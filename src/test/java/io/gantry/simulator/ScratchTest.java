package io.gantry.simulator;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void print() throws Exception {
    try (Simulator ol = Simulator.start(SimulatorOptions.defaults(SimDialect.OLLAMA))) {
      SimTestClient o = new SimTestClient(ol);
      o.post("/api/chat", OllamaSimTest.chat("sim:fail=malformed-after:1", ""));
      try {
        o.http.send(
            o.request("/api/chat")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        OllamaSimTest.chat("sim:fail=cut-after:2", "")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        System.out.println(e);
      }
      for (String b :
          new String[] {
            "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":",
            OllamaSimTest.chat("sim:fail=503", ""),
            "{\"model\":",
            "{\"model\":"
          }) {
        long t0 = System.nanoTime();
        var r = o.post("/api/chat", b);
        System.out.println(
            r.statusCode() + " " + (System.nanoTime() - t0) / 1_000_000 + "ms " + r.body());
      }
    }
  }
}
