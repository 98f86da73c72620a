package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.api.gantry.CompatibilityMatrix;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The compatibility matrix cannot drift: README table, endpoint and tests share one source. */
class CompatibilityMatrixTest {
  private final CompatibilityMatrix matrix = new CompatibilityMatrix();

  @Test
  void everyRowNamesATestThatExists() throws Exception {
    Set<String> ids = new HashSet<>();
    for (JsonNode row : matrix.rows()) {
      assertThat(ids.add(row.get("id").asText())).as("unique id %s", row.get("id")).isTrue();
      assertThat(row.get("status").asText()).isIn("supported", "partial", "unsupported");
      String[] test = row.get("test").asText().split("#");
      Class<?> type = Class.forName(test[0]);
      boolean found =
          Arrays.stream(type.getDeclaredMethods()).map(Method::getName).anyMatch(test[1]::equals);
      assertThat(found).as("%s exists", row.get("test").asText()).isTrue();
    }
  }

  @Test
  void readmeTableIsTheRenderedMatrix() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String start = "<!-- compatibility:start -->\n";
    String end = "<!-- compatibility:end -->";
    assertThat(readme).contains(start).contains(end);
    String table = readme.substring(readme.indexOf(start) + start.length(), readme.indexOf(end));
    assertThat(table)
        .as("README table is stale: replace it with CompatibilityMatrix.markdown()")
        .isEqualTo(matrix.markdown());
  }

  @Test
  void endpointServesTheSameRows() throws Exception {
    JsonNode served =
        Json.MAPPER.readTree(
            RawHttp.get(TestStack.shared().gatewayUrl() + "/v1/gantry/compatibility").body());
    assertThat(served.get("data")).isEqualTo(matrix.rows());
  }
}
