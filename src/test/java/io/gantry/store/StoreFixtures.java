package io.gantry.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Responses and items as the Responses surface would store them. */
final class StoreFixtures {
  private StoreFixtures() {}

  static String item(String id, String text) {
    return """
    {"id":"%s","type":"message","role":"user","content":[{"type":"input_text","text":"%s"}]}\
    """
        .formatted(id, text);
  }

  static List<String> items(String prefix, int count) {
    List<String> items = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      items.add(item(prefix + i, "item " + i));
    }
    return items;
  }

  /** A response whose JSON records how many items it has, to check items match their response. */
  static StoredResponse response(String id, int inputs, int outputs) {
    String json =
        """
        {"id":"%s","object":"response","status":"completed","inputs":%d,"outputs":%d}\
        """
            .formatted(id, inputs, outputs);
    return new StoredResponse(
        id,
        null,
        "sim-model",
        "completed",
        1_760_000_000L,
        json,
        items(id + "_in_", inputs),
        items(id + "_out_", outputs));
  }

  /** The first column of the query's first row, e.g. a {@code COUNT(*)}. */
  static long count(Database db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
