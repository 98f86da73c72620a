package io.gantry.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes credentials out of URLs before they are shown anywhere (readiness, the dashboard, logs,
 * error messages, spans): the user info of {@code http://user:pass@host} and the values of
 * credential query parameters ({@code api_key}, {@code key}, {@code token}, ...). Works on any
 * text, so a message that quotes a URL is cleaned as well.
 */
public final class Urls {
  public static final String REDACTED = "REDACTED";

  // scheme://userinfo@ : the user info runs up to the first '@' before any '/', '?' or '#'.
  private static final Pattern USER_INFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*@");
  private static final Pattern SECRET_PARAM =
      Pattern.compile(
          "([?&](?:api[_-]?key|key|token|access[_-]?token|password|secret)=)[^&#\\s]*",
          Pattern.CASE_INSENSITIVE);

  private Urls() {}

  /** {@code text} with every URL's credentials replaced by {@value #REDACTED}; null stays null. */
  public static String redact(String text) {
    if (text == null || text.indexOf("://") < 0 && text.indexOf('=') < 0) {
      return text;
    }
    String out =
        USER_INFO
            .matcher(text)
            .replaceAll(
                m -> Matcher.quoteReplacement(m.group(1) + REDACTED + ":" + REDACTED + "@"));
    return SECRET_PARAM
        .matcher(out)
        .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
  }
}
