package io.gantry.route;

import java.util.List;

/** No backend serves the requested model; carries a few models that do exist. */
public final class ModelNotFoundException extends RuntimeException
    implements io.gantry.core.ClientFacing {
  private static final int LISTED_MODELS = 5;

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

  @Override
  public io.gantry.core.ErrorReply reply() {
    String listing;
    if (available.isEmpty()) {
      listing = "No backend is serving any model right now; see /readyz.";
    } else {
      listing =
          "Available models: "
              + String.join(", ", available.subList(0, Math.min(LISTED_MODELS, available.size())))
              + (available.size() > LISTED_MODELS
                  ? " (and " + (available.size() - LISTED_MODELS) + " more at /v1/models)."
                  : ".");
    }
    return new io.gantry.core.ErrorReply(
        404,
        "invalid_request_error",
        "model_not_found",
        "model",
        "The model '" + model + "' does not exist or no backend serves it. " + listing,
        io.gantry.core.ErrorKind.MODEL_NOT_FOUND);
  }
}
