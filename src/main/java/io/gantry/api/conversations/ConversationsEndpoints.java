package io.gantry.api.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.api.NotFound;
import io.gantry.api.Owned;
import io.gantry.api.Page;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.store.Conversation;
import io.gantry.store.ConversationStore;
import io.gantry.store.ItemPage;
import io.helidon.http.Method;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The Conversations API: create, retrieve, update and delete conversations, and list, add, retrieve
 * and delete their items. Items take the shapes the Responses API takes as input and are stored
 * normalized (with ids), so a response can later build its history from them.
 */
public final class ConversationsEndpoints implements Surface {
  private static final List<String> CREATE_FIELDS = List.of("items", "metadata");
  private static final List<String> UPDATE_FIELDS = List.of("metadata");
  private static final List<String> ADD_ITEMS_FIELDS = List.of("items");

  private final ConversationStore store;

  public ConversationsEndpoints(ConversationStore store) {
    this.store = store;
  }

  @Override
  public void routes(Routes routes) {
    String one = "/v1/conversations/{conversationId}";
    routes
        .route(Method.POST, "/v1/conversations", "conversations", Access.KEY, this::create)
        .route(Method.GET, one, "conversations", Access.KEY, owned(this::retrieve))
        .route(Method.POST, one, "conversations", Access.KEY, owned(this::update))
        .route(Method.DELETE, one, "conversations", Access.KEY, owned(this::delete))
        .route(Method.GET, one + "/items", "conversations", Access.KEY, owned(this::listItems))
        .route(Method.POST, one + "/items", "conversations", Access.KEY, owned(this::createItems))
        .route(
            Method.GET,
            one + "/items/{itemId}",
            "conversations",
            Access.KEY,
            owned(this::retrieveItem))
        .route(
            Method.DELETE,
            one + "/items/{itemId}",
            "conversations",
            Access.KEY,
            owned(this::deleteItem));
  }

  /** The route's conversation must be the caller's tenant's (else 404). */
  private static io.gantry.edge.Endpoint owned(io.gantry.edge.Endpoint endpoint) {
    return Owned.byPath("conversationId", Owned.CONVERSATION, endpoint);
  }

  /** {@code POST /v1/conversations}: the body is optional. */
  public void create(Exchange exchange) throws IOException {
    ObjectNode body = exchange.body().length == 0 ? Json.object() : exchange.jsonBody();
    ConversationRequests.rejectUnknown(body, CREATE_FIELDS);
    // A file an item names must be the caller's, as in a request that names it directly.
    io.gantry.api.Owned.references(exchange, body);
    ObjectNode metadata = ConversationRequests.metadata(body.get("metadata"));
    List<String> items =
        ConversationRequests.items(body.get("items")).stream().map(Json::text).toList();
    String id = Ids.random("conv_", 48);
    exchange.created(id, "conversation");
    Conversation conversation =
        store.create(id, System.currentTimeMillis() / 1000, Json.text(metadata), items);
    exchange.sendJson(200, render(conversation));
  }

  /** {@code GET /v1/conversations/{conversationId}}. */
  public void retrieve(Exchange exchange) {
    exchange.sendJson(200, render(find(exchange.pathParam("conversationId"))));
  }

  /** {@code POST /v1/conversations/{conversationId}}: replaces the metadata. */
  public void update(Exchange exchange) throws IOException {
    String id = exchange.pathParam("conversationId");
    ObjectNode body = exchange.jsonBody();
    ConversationRequests.rejectUnknown(body, UPDATE_FIELDS);
    if (!body.has("metadata")) {
      throw ApiException.invalid("metadata", "Missing required parameter: 'metadata'.");
    }
    String metadata = Json.text(ConversationRequests.metadata(body.get("metadata")));
    if (!store.updateMetadata(id, metadata)) {
      throw conversationNotFound(id);
    }
    exchange.sendJson(200, render(find(id)));
  }

  /** {@code DELETE /v1/conversations/{conversationId}}: the conversation and its items. */
  public void delete(Exchange exchange) {
    String id = exchange.pathParam("conversationId");
    if (!store.delete(id)) {
      throw conversationNotFound(id);
    }
    exchange.sendJson(
        200,
        Json.object().put("id", id).put("object", "conversation.deleted").put("deleted", true));
  }

  /** {@code GET /v1/conversations/{conversationId}/items}: paginated, newest first by default. */
  public void listItems(Exchange exchange) {
    String id = exchange.pathParam("conversationId");
    Page paging = Page.of(exchange, 20, 100, false);
    // include is accepted: what it adds (sources, logprobs, image URLs) is never stored here.
    find(id);
    ItemPage page = store.items(id, paging.after(), paging.limit(), paging.ascending());
    exchange.sendJson(200, list(page.itemsJson(), page.hasMore()));
  }

  /** {@code POST /v1/conversations/{conversationId}/items}: appends; answers the added items. */
  public void createItems(Exchange exchange) throws IOException {
    String id = exchange.pathParam("conversationId");
    ObjectNode body = exchange.jsonBody();
    ConversationRequests.rejectUnknown(body, ADD_ITEMS_FIELDS);
    io.gantry.api.Owned.references(exchange, body);
    if (!body.hasNonNull("items")) {
      throw ApiException.invalid("items", "Missing required parameter: 'items'.");
    }
    List<ObjectNode> items = ConversationRequests.items(body.get("items"));
    find(id);
    for (int i = 0; i < items.size(); i++) {
      String itemId = items.get(i).path("id").asText();
      if (store.item(id, itemId).isPresent()) {
        throw ConversationRequests.duplicate(i, itemId);
      }
    }
    List<String> texts = items.stream().map(Json::text).toList();
    try {
      store.appendItems(id, texts);
    } catch (NoSuchElementException deletedMeanwhile) {
      throw conversationNotFound(id);
    }
    exchange.sendJson(200, list(texts, false));
  }

  /** {@code GET /v1/conversations/{conversationId}/items/{itemId}}. */
  public void retrieveItem(Exchange exchange) {
    String id = exchange.pathParam("conversationId");
    String itemId = exchange.pathParam("itemId");
    find(id);
    String item = store.item(id, itemId).orElseThrow(() -> itemNotFound(id, itemId));
    exchange.sendJson(200, item(item));
  }

  /** {@code DELETE /v1/conversations/{conversationId}/items/{itemId}}: answers the conversation. */
  public void deleteItem(Exchange exchange) {
    String id = exchange.pathParam("conversationId");
    String itemId = exchange.pathParam("itemId");
    Conversation conversation = find(id);
    if (!store.deleteItem(id, itemId)) {
      throw itemNotFound(id, itemId);
    }
    exchange.sendJson(200, render(conversation));
  }

  private Conversation find(String id) {
    return store.find(id).orElseThrow(() -> conversationNotFound(id));
  }

  static ObjectNode render(Conversation conversation) {
    ObjectNode out = Json.object();
    out.put("id", conversation.id());
    out.put("object", "conversation");
    out.put("created_at", conversation.createdAt());
    out.set("metadata", parse(conversation.metadataJson()));
    return out;
  }

  /**
   * A list of items. The spec types {@code first_id} and {@code last_id} as strings; an empty list
   * has neither, so they are null then, as in the Responses API's item lists.
   */
  private static ObjectNode list(List<String> itemsJson, boolean hasMore) {
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (String item : itemsJson) {
      data.add(item(item));
    }
    out.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asText());
    out.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asText());
    out.put("has_more", hasMore);
    return out;
  }

  private static ApiException conversationNotFound(String id) {
    return NotFound.object("conversation", "conversation_not_found", null, id);
  }

  private static ApiException itemNotFound(String conversationId, String itemId) {
    return NotFound.of(
        "item_not_found",
        null,
        "No item found with id '" + itemId + "' in conversation '" + conversationId + "'.");
  }

  /**
   * A stored item as the spec's item resource. The spec requires {@code logprobs} on every {@code
   * output_text} part, which assistant messages given as input (and the item normalizer) leave out;
   * added here, so items stored by any path render valid.
   */
  private static JsonNode item(String json) {
    JsonNode item = parse(json);
    if ("message".equals(item.path("type").asText())) {
      for (JsonNode part : item.path("content")) {
        if (part instanceof ObjectNode p
            && "output_text".equals(p.path("type").asText())
            && !p.has("logprobs")) {
          p.putArray("logprobs");
        }
      }
    }
    return item;
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
