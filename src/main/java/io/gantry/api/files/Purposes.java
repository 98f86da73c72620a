package io.gantry.api.files;

import java.util.List;

/** The purposes a client may upload a file for, as the spec's {@code CreateFileRequest} lists. */
final class Purposes {
  static final List<String> UPLOADABLE =
      List.of("assistants", "batch", "fine-tune", "vision", "user_data", "evals");

  private Purposes() {}

  static boolean uploadable(String purpose) {
    return UPLOADABLE.contains(purpose);
  }
}
