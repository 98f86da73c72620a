package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.api.gantry.CompatibilityMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Runs after the whole suite (the {@code compatibility-proofs} execution in the pom) and reads its
 * reports: every row of the compatibility matrix names a test that ran and passed. A test that was
 * skipped (say, promtool was missing) proves nothing, so its row fails here instead of being shown
 * as supported.
 */
class CompatibilityProofs {
  private record Outcome(boolean skipped, boolean failed) {}

  @Test
  void everyRowIsProvenByATestThatRanAndPassed() throws Exception {
    Path reports =
        Path.of(System.getProperty("gantry.surefire.reports", "target/surefire-reports"));
    assertThat(reports)
        .as("the suite's reports (run the whole suite with mvn verify)")
        .isDirectory();
    Map<String, List<Outcome>> outcomes = outcomes(reports);
    List<String> unproven = new ArrayList<>();
    for (JsonNode row : new CompatibilityMatrix().rows()) {
      String test = row.get("test").asText();
      // Some engines (jqwik) report the simple class name only.
      String simple = test.substring(test.lastIndexOf('.', test.indexOf('#')) + 1);
      List<Outcome> ran = outcomes.getOrDefault(test, outcomes.getOrDefault(simple, List.of()));
      String id = row.get("id").asText();
      if (ran.isEmpty()) {
        unproven.add(id + ": " + test + " did not run");
      } else if (ran.stream().anyMatch(Outcome::skipped)) {
        unproven.add(id + ": " + test + " was skipped");
      } else if (ran.stream().anyMatch(Outcome::failed)) {
        unproven.add(id + ": " + test + " failed");
      }
    }
    assertThat(unproven).isEmpty();
  }

  /** class#method to the outcome of each of its runs (a parameterized test runs several times). */
  private static Map<String, List<Outcome>> outcomes(Path reports) throws Exception {
    Map<String, List<Outcome>> out = new HashMap<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(reports)) {
      files = list.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).toList();
    }
    var builder = DocumentBuilderFactory.newInstance().newDocumentBuilder();
    for (Path file : files) {
      NodeList cases = builder.parse(file.toFile()).getElementsByTagName("testcase");
      for (int i = 0; i < cases.getLength(); i++) {
        Element c = (Element) cases.item(i);
        String name = c.getAttribute("name");
        int cut = name.indexOf('(');
        int bracket = name.indexOf('[');
        if (bracket >= 0 && (cut < 0 || bracket < cut)) {
          cut = bracket;
        }
        String method = cut < 0 ? name : name.substring(0, cut);
        Outcome outcome =
            new Outcome(
                c.getElementsByTagName("skipped").getLength() > 0,
                c.getElementsByTagName("failure").getLength() > 0
                    || c.getElementsByTagName("error").getLength() > 0);
        out.computeIfAbsent(c.getAttribute("classname") + "#" + method, k -> new ArrayList<>())
            .add(outcome);
      }
    }
    return out;
  }
}
