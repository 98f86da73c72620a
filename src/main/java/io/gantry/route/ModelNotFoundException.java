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

  /** The same failure listing only the models {@code visible} accepts (a key's allowed models). */
  public ModelNotFoundException onlyListing(java.util.function.Predicate<String> visible) {
    return new ModelNotFoundException(model, available.stream().filter(visible).toList());
  }
}
