package io.gantry.edge;

import io.gantry.core.Usage;
import io.gantry.govern.GovernException;
import io.gantry.govern.Governance;
import io.gantry.govern.ModelAccess;
import io.gantry.govern.Principal;
import io.gantry.govern.limits.LimitDecision;
import io.gantry.govern.limits.LimitSubject;
import io.gantry.govern.limits.RateLimiter;
import io.gantry.observe.ErrorKind;
import io.gantry.store.StoredKey;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Governance at the edge. Before an endpoint runs: once a usable key exists, every {@code /v1/*}
 * request needs one ({@code Authorization: Bearer} or {@code api-key}); {@code /admin/*} needs the
 * admin token; {@code /metrics} and {@code /dashboard} need the admin token when keys exist and the
 * server is bound beyond loopback. When a surface knows its model: model access and rate limits.
 * When the request ends: the limiter is settled with the real usage and the usage stored.
 */
public final class EdgeGuard {
  private final Governance governance;
  private final boolean loopback;

  public EdgeGuard(Governance governance, boolean loopback) {
    this.governance = governance;
    this.loopback = loopback;
  }

  public Governance governance() {
    return governance;
  }

  void before(Exchange exchange) {
    String path = exchange.path();
    try {
      if (path.startsWith("/v1/")) {
        authenticate(exchange);
      } else if (path.equals("/admin") || path.startsWith("/admin/")) {
        requireAdmin(exchange);
      } else if ((path.equals("/metrics") || path.startsWith("/dashboard"))
          && !loopback
          && governance.keys().required()) {
        requireAdmin(exchange);
      }
    } catch (GovernException e) {
      throw toApi(e);
    }
  }

  private void authenticate(Exchange exchange) {
    if (!governance.keys().required()) {
      return;
    }
    String secret = credential(exchange);
    Optional<StoredKey> key = governance.keys().authenticate(secret);
    if (key.isEmpty()) {
      governance
          .audit()
          .authFailure(
              exchange.record().clientAddress(),
              exchange.path(),
              secret == null ? "missing_key" : "invalid_key");
      throw GovernException.invalidKey();
    }
    Principal principal = new Principal(key.get());
    exchange.principal(principal);
    exchange.record().principal(principal.keyId(), principal.tenant());
  }

  private void requireAdmin(Exchange exchange) {
    if (!governance.adminEnabled()) {
      throw new GovernException(
          403,
          "invalid_request_error",
          "admin_disabled",
          null,
          "The admin API is off: set admin.token in the config (env GANTRY_ADMIN_TOKEN) and send"
              + " it as 'Authorization: Bearer <token>'.");
    }
    if (!governance.isAdminToken(bearer(exchange))) {
      governance.audit().authFailure(exchange.record().clientAddress(), exchange.path(), "admin");
      throw new GovernException(
          401,
          "invalid_request_error",
          "invalid_admin_token",
          null,
          "This endpoint needs the admin token (admin.token) as 'Authorization: Bearer <token>';"
              + " API keys are not accepted here.");
    }
  }

  /** The key sent as {@code Authorization: Bearer <key>} or {@code api-key: <key>}. */
  private static String credential(Exchange exchange) {
    String bearer = bearer(exchange);
    if (bearer != null) {
      return bearer;
    }
    String apiKey = exchange.header("api-key");
    return apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
  }

  private static String bearer(Exchange exchange) {
    String auth = exchange.header("authorization");
    if (auth == null || auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = auth.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  /** Model access, then the rate limiter; see {@link Exchange#admitModel}. */
  void admitModel(Exchange exchange, String requested, String resolved, LongSupplier estimate) {
    Principal principal = exchange.principal();
    if (principal == null) {
      return;
    }
    if (!ModelAccess.allows(principal.key().allowedModels(), requested, resolved)) {
      throw toApi(GovernException.modelNotAllowed(requested));
    }
    RateLimiter limiter = governance.limiter();
    if (limiter == null || exchange.admission() != null) {
      return;
    }
    LimitSubject subject = governance.subject(principal);
    long tokens = Math.max(0, estimate.getAsLong());
    LimitDecision decision = limiter.admit(subject, tokens);
    decision.headers().forEach(exchange::responseHeader);
    if (!decision.allowed()) {
      boolean quota = "insufficient_quota".equals(decision.code());
      ApiException refused =
          new ApiException(
              decision.status(),
              quota ? "insufficient_quota" : decision.status() == 429 ? "requests" : "server_error",
              decision.code(),
              null,
              decision.message(),
              decision.status() == 429 ? ErrorKind.RATE_LIMITED : ErrorKind.INTERNAL);
      decision.headers().forEach(refused::withHeader);
      if (decision.retryAfterSeconds() > 0) {
        refused.withHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
      }
      throw refused;
    }
    exchange.admission(new Exchange.Admission(principal, subject, tokens));
  }

  boolean allowsModel(Exchange exchange, String... names) {
    Principal principal = exchange.principal();
    return principal == null || ModelAccess.allows(principal.key().allowedModels(), names);
  }

  boolean visible(Exchange exchange, String objectId) {
    return governance.tenancy().visible(objectId, exchange.principal());
  }

  void created(Exchange exchange, String objectId, String kind) {
    governance.tenancy().created(objectId, kind, exchange.principal());
  }

  /** When the request ended: real usage replaces the estimate, and is stored. */
  void after(Exchange exchange) {
    Exchange.Admission admission = exchange.admission();
    if (admission == null || exchange.settlementDeferred()) {
      return;
    }
    settle(
        admission,
        exchange.record().usage(),
        exchange.record().status(),
        exchange.record().model());
  }

  /** Settles an admitted request; a deferred (background) one calls this when its job ends. */
  void settle(Exchange.Admission admission, Usage usage, int status, String model) {
    long input = usage == null ? 0 : usage.inputTokens();
    long output = usage == null ? 0 : usage.outputTokens();
    // A failure before any answer used no tokens; a success without reported usage is charged
    // its estimate, so a backend that omits usage cannot be used to dodge TPM.
    if (usage == null && status > 0 && status < 400) {
      input = admission.estimate();
    }
    try {
      governance.limiter().settle(admission.subject(), admission.estimate(), input + output);
    } finally {
      governance.usage().record(admission.principal(), model, input, output);
    }
  }

  static ApiException toApi(GovernException e) {
    ErrorKind kind =
        switch (e.status()) {
          case 401, 403 -> ErrorKind.AUTH;
          case 429 -> ErrorKind.RATE_LIMITED;
          default -> ErrorKind.CLIENT_INVALID;
        };
    ApiException api =
        new ApiException(e.status(), e.type(), e.code(), e.param(), e.getMessage(), kind);
    e.headers().forEach(api::withHeader);
    return api;
  }
}
