package io.gantry.config;

/**
 * The admin API ({@code /admin/*}).
 *
 * @param token the admin credential, sent as {@code Authorization: Bearer <token>}; null turns the
 *     admin API off (it answers 403). Never an ordinary API key. Env {@code GANTRY_ADMIN_TOKEN}.
 */
public record AdminConfig(String token) {
  public AdminConfig {
    token = token == null || token.isBlank() ? null : token.strip();
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "AdminConfig[token=" + (token == null ? "unset" : "***") + "]";
  }
}
