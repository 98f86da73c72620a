package io.gantry.route;

import java.util.List;

/** No backend serves the requested model; carries a few models that do exist. */
public final class ModelNotFoundException extends RuntimeException {
  private final String model;
  private final List<String> available;

  public ModelNotFoundException(String model, List<String> available) {
    super("model '" + model + "' not found");
    this.model = model;
    this.available = List.copyOf(available);
  }

  public String model() {
    return model;
  }

  public List<String> available() {
    return available;
  }
}
