package io.gantry.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * One versioned schema change, from a script named {@code V<version>__<description>.sql}.
 *
 * @param checksum CRC32 of the script, recorded when applied so an edited script is noticed
 */
record Migration(int version, String description, String sql, long checksum) {

  private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

  Migration {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(sql, "sql");
  }

  /** Null when the file name is not a migration script's. */
  static Migration fromScript(String fileName, String sql) {
    Matcher m = NAME.matcher(fileName);
    if (!m.matches()) {
      return null;
    }
    CRC32 crc = new CRC32();
    crc.update(sql.getBytes(StandardCharsets.UTF_8));
    return new Migration(
        Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), sql, crc.getValue());
  }

  String name() {
    return "V" + version + "__" + description.replace(' ', '_');
  }

  List<String> statements() {
    return SqlStatements.split(sql);
  }
}
