package io.gantry.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags the {@code ./gantry} launcher gives {@code serve}: read from the script itself,
 * since the image and the Kubernetes memory settings must follow whatever it says.
 */
record LauncherFlags(List<String> flags) {
  private static final Pattern ASSIGNMENT =
      Pattern.compile("^\\s*(always_opts|default_java_opts)=\"(.+)\"\\s*$", Pattern.MULTILINE);

  static LauncherFlags read() throws IOException {
    String script = Files.readString(Path.of("gantry"));
    String always = null;
    String defaults = null;
    Matcher m = ASSIGNMENT.matcher(script);
    while (m.find()) {
      if (m.group(1).equals("always_opts")) {
        always = m.group(2);
      } else {
        defaults = m.group(2);
      }
    }
    if (always == null || defaults == null) {
      throw new IllegalStateException(
          "the launcher no longer sets always_opts and default_java_opts for serve");
    }
    // In the launcher's order: always_opts first, so GANTRY_JAVA_OPTS may override them.
    List<String> all = new ArrayList<>(Arrays.asList(always.split("\\s+")));
    all.addAll(Arrays.asList(defaults.split("\\s+")));
    return new LauncherFlags(List.copyOf(all));
  }

  /**
   * The size a flag such as {@code -Xmx320m} or {@code -XX:MaxMetaspaceSize=128m} sets, in bytes.
   */
  long bytes(String prefix) {
    String value =
        flags.stream()
            .filter(f -> f.startsWith(prefix))
            .map(f -> f.substring(prefix.length()))
            .reduce((first, last) -> last)
            .orElseThrow(() -> new IllegalStateException("the launcher sets no " + prefix));
    long number = Long.parseLong(value.substring(0, value.length() - 1));
    return switch (Character.toLowerCase(value.charAt(value.length() - 1))) {
      case 'k' -> number << 10;
      case 'm' -> number << 20;
      case 'g' -> number << 30;
      default -> Long.parseLong(value);
    };
  }
}
