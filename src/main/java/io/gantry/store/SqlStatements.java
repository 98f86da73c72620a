package io.gantry.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a migration script into statements, because JDBC drivers do not agree on running several
 * at once. Understands {@code --} comments and quoted strings and identifiers, which is all our
 * portable scripts use; there are no procedural blocks (no {@code $$} bodies) in them.
 */
final class SqlStatements {
  private SqlStatements() {}

  static List<String> split(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < script.length(); i++) {
      char c = script.charAt(i);
      if (quote != 0) {
        current.append(c);
        if (c == quote) {
          quote = 0; // a doubled quote closes and reopens, which comes out the same
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        current.append(c);
      } else if (c == '-' && i + 1 < script.length() && script.charAt(i + 1) == '-') {
        int end = script.indexOf('\n', i);
        i = end < 0 ? script.length() : end;
        current.append('\n');
      } else if (c == ';') {
        add(statements, current);
      } else {
        current.append(c);
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unterminated quote in SQL script");
    }
    add(statements, current);
    return statements;
  }

  private static void add(List<String> statements, StringBuilder current) {
    String statement = current.toString().strip();
    if (!statement.isEmpty()) {
      statements.add(statement);
    }
    current.setLength(0);
  }
}
