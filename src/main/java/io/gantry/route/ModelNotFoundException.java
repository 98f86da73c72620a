package io.gantry.route;

import io.gantry.core.ClientFacing;
import io.gantry.core.ErrorKind;
import io.gantry.core.ErrorReply;
import io.gantry.route.ModelRouter.CatalogEntry;
import java.util.List;
import java.util.function.Predicate;

/** No backend serves the requested model; carries the models and aliases that do exist. */
public final class ModelNotFoundException extends RuntimeException implements ClientFacing {
  private static final int LISTED = 5;

  private final String model;
  private final List<CatalogEntry> available;

  public ModelNotFoundException(String model, List<CatalogEntry> available) {
    super("model '" + model + "' not found");
    this.model = model;
    this.available = List.copyOf(available);
  }

  public String model() {
    return model;
  }

  /** The same failure listing only the entries {@code visible} accepts (what a key may use). */
  public ModelNotFoundException onlyListing(Predicate<CatalogEntry> visible) {
    return new ModelNotFoundException(model, available.stream().filter(visible).toList());
  }

  @Override
  public ErrorReply reply() {
    List<String> models =
        available.stream().filter(e -> e.aliasOf() == null).map(CatalogEntry::id).toList();
    List<String> aliases =
        available.stream()
            .filter(e -> e.aliasOf() != null)
            .map(e -> e.id() + " (" + e.aliasOf() + ")")
            .toList();
    String listing =
        available.isEmpty()
            ? "No backend is serving any model right now; see /readyz."
            : (models.isEmpty() ? "" : "Available models: " + some(models))
                + (models.isEmpty() || aliases.isEmpty() ? "" : " ")
                + (aliases.isEmpty() ? "" : "Aliases: " + some(aliases));
    return new ErrorReply(
        404,
        "invalid_request_error",
        "model_not_found",
        "model",
        "The model '" + model + "' does not exist or no backend serves it. " + listing,
        ErrorKind.MODEL_NOT_FOUND);
  }

  private static String some(List<String> names) {
    return String.join(", ", names.subList(0, Math.min(LISTED, names.size())))
        + (names.size() > LISTED
            ? " (and " + (names.size() - LISTED) + " more at /v1/models)."
            : ".");
  }
}
