package io.gantry.store;

import java.util.List;

/** One page of items, each as JSON object text, and whether more follow in the same order. */
public record ItemPage(List<String> itemsJson, boolean hasMore) {
  public ItemPage {
    itemsJson = List.copyOf(itemsJson);
  }
}
