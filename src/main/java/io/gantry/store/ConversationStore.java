package io.gantry.store;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Durable storage of Conversations API objects and their items. Items are JSON object text, kept
 * exactly as given, in the order they were added; an item's {@code "id"} is what lookups, deletes
 * and page cursors refer to. The store does not make ids unique: when two items of a conversation
 * share one, lookups and cursors use the older, and a delete removes both.
 */
public interface ConversationStore {

  /** Stores a new conversation with its first items (in order), in one transaction. */
  Conversation create(
      String id, long createdAt, String metadataJson, List<String> initialItemsJson);

  Optional<Conversation> find(String id);

  /** Replaces the metadata; false if the conversation does not exist. */
  boolean updateMetadata(String id, String metadataJson);

  /** Removes the conversation and all its items; true if the conversation existed. */
  boolean delete(String id);

  /**
   * Appends items after the conversation's last, in order, in one transaction: concurrent appends
   * to one conversation never interleave.
   *
   * @throws NoSuchElementException when the conversation does not exist (nothing is written)
   */
  void appendItems(String conversationId, List<String> itemsJson);

  /** Every item, oldest first (to build a model's history); empty for an unknown conversation. */
  List<String> allItems(String conversationId);

  /**
   * A page of the conversation's items, paginated by item id.
   *
   * @param afterItemId exclusive cursor, or null to start at the oldest (ascending) or newest
   *     (descending) item; an id that is not among the conversation's items gives an empty page
   * @param limit at least 1
   * @param ascending true for oldest first, false for newest first
   */
  ItemPage items(String conversationId, String afterItemId, int limit, boolean ascending);

  /** The item with this id in this conversation. */
  Optional<String> item(String conversationId, String itemId);

  /** Removes the item (every item with this id) from the conversation; true if there was one. */
  boolean deleteItem(String conversationId, String itemId);
}
