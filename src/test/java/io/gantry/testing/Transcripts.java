package io.gantry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The recorded llama.cpp server exchanges under {@code src/test/resources/llama-server/}. */
public final class Transcripts {
  private Transcripts() {}

  /** The response body of a transcript: everything after the header block. */
  public static byte[] body(String name) {
    byte[] all = read(name + ".txt");
    for (int i = 0; i + 3 < all.length; i++) {
      if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n') {
        return java.util.Arrays.copyOfRange(all, i + 4, all.length);
      }
      if (all[i] == '\n' && all[i + 1] == '\n') {
        return java.util.Arrays.copyOfRange(all, i + 2, all.length);
      }
    }
    throw new IllegalStateException("no header block in " + name);
  }

  public static String bodyText(String name) {
    return new String(body(name), StandardCharsets.UTF_8);
  }

  public static byte[] request(String name) {
    return read(name + ".request");
  }

  private static byte[] read(String file) {
    try (InputStream in = Transcripts.class.getResourceAsStream("/llama-server/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no transcript " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
