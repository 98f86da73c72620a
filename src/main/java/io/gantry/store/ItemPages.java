package io.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a cursor-paged item query shared by the stores: the SQL takes the owner's id, then (with a
 * cursor) the owner's id and the cursor item's id again, then the row limit.
 */
final class ItemPages {
  private ItemPages() {}

  static ItemPage read(Connection c, String sql, String ownerId, String afterItemId, int limit)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      int p = 1;
      s.setString(p++, ownerId);
      if (afterItemId != null) {
        s.setString(p++, ownerId);
        s.setString(p++, afterItemId);
      }
      // One more than asked tells whether there are more without counting them all.
      s.setInt(p, limit + 1);
      List<String> items = new ArrayList<>(Math.min(limit + 1, 128));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          items.add(rs.getString(1));
        }
      }
      boolean hasMore = items.size() > limit;
      return new ItemPage(hasMore ? items.subList(0, limit) : items, hasMore);
    }
  }
}
