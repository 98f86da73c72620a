package io.gantry.edge;

import io.gantry.core.ErrorKind;
import io.gantry.core.Usage;
import io.gantry.govern.GovernException;
import io.gantry.govern.Governance;
import io.gantry.govern.Principal;
import io.gantry.govern.limits.LimitDecision;
import io.gantry.govern.limits.LimitSubject;
import io.gantry.govern.limits.RateLimiter;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Governance at the edge, enforcing what each route declares ({@link Access}) after the route
 * matched. Authentication is on once any API key has existed, and on any non-loopback bind unless
 * {@code server.allow_unauthenticated}; it stays on when the last key expires or is revoked, so the
 * gateway never opens up by itself. Key routes need a key ({@code Authorization: Bearer} or {@code
 * api-key}) and count against its request limits; model routes are admitted by their surface with
 * the model and a token estimate; admin routes need the admin token; operator views ({@code
 * /metrics}, {@code /dashboard}) need the admin token on a non-loopback bind once authentication is
 * on. When the request ends, the limiter is settled with the real usage and the usage stored.
 */
public final class EdgeGuard {
  private final Governance governance;
  private final boolean loopback;
  private final boolean allowUnauthenticated;

  public EdgeGuard(Governance governance, boolean loopback, boolean allowUnauthenticated) {
    this.governance = governance;
    this.loopback = loopback;
    this.allowUnauthenticated = allowUnauthenticated;
  }

  public Governance governance() {
    return governance;
  }

  /** Whether callers must authenticate now (see the class comment). */
  public boolean authenticationRequired() {
    return governance.keys().everExisted() || !loopback && !allowUnauthenticated;
  }

  /** Lets the request in as {@code access} allows, or refuses it (401, 403, 429). */
  void admit(Exchange exchange, Access access) {
    try {
      switch (access) {
        case PUBLIC -> {}
        case KEY -> {
          authenticate(exchange);
          admitRequest(exchange);
        }
        case MODEL -> authenticate(exchange);
        case ADMIN -> requireAdmin(exchange);
        case OPERATOR -> {
          if (!loopback && authenticationRequired()) {
            requireAdmin(exchange);
          }
        }
      }
    } catch (GovernException e) {
      throw toApi(e);
    }
  }

  private void authenticate(Exchange exchange) {
    if (!authenticationRequired()) {
      return;
    }
    String secret = credential(exchange);
    Optional<Principal> found = governance.keys().principal(secret);
    if (found.isEmpty()) {
      governance
          .audit()
          .authFailure(
              exchange.record().clientAddress(),
              exchange.path(),
              secret == null ? "missing_key" : "invalid_key");
      throw GovernException.invalidKey();
    }
    Principal principal = found.get();
    exchange.principal(principal);
    exchange.record().principal(principal.keyId(), principal.tenant());
  }

  /** A request that calls no model counts one request against the key's (and tenant's) limits. */
  private void admitRequest(Exchange exchange) {
    Principal principal = exchange.principal();
    RateLimiter limiter = governance.limiter();
    if (principal == null || limiter == null) {
      return;
    }
    LimitSubject subject = governance.subject(principal);
    LimitDecision decision = limiter.admit(subject, 0);
    decision.headers().forEach(exchange::responseHeader);
    if (!decision.allowed()) {
      throw refused(decision);
    }
    exchange.reservation(new Exchange.Reservation(principal, subject, 0));
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
    if (!governance.isAdminToken(bearer(exchange.header("authorization")))) {
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
    return credential(exchange::header);
  }

  private static String credential(java.util.function.UnaryOperator<String> header) {
    String bearer = bearer(header.apply("authorization"));
    if (bearer != null) {
      return bearer;
    }
    String apiKey = header.apply("api-key");
    return apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
  }

  /**
   * Whether a WebSocket upgrade with these headers may open: its key is valid (or none is needed).
   * Each message is then let in like a request of its own; a refused upgrade is answered as an HTTP
   * request, so its 401 is the usual one.
   */
  boolean mayOpenSocket(java.util.function.UnaryOperator<String> header) {
    return !authenticationRequired() || governance.keys().principal(credential(header)).isPresent();
  }

  private static String bearer(String auth) {
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
    if (!principal.mayUse(requested, resolved)) {
      throw toApi(GovernException.modelNotAllowed(requested));
    }
    RateLimiter limiter = governance.limiter();
    if (limiter == null || exchange.reservation() != null) {
      return;
    }
    LimitSubject subject = governance.subject(principal);
    long tokens = Math.max(0, estimate.getAsLong());
    LimitDecision decision = limiter.admit(subject, tokens);
    decision.headers().forEach(exchange::responseHeader);
    if (!decision.allowed()) {
      throw refused(decision);
    }
    exchange.reservation(new Exchange.Reservation(principal, subject, tokens));
  }

  private static ApiException refused(LimitDecision decision) {
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
    return refused;
  }

  boolean allowsModel(Exchange exchange, String... names) {
    Principal principal = exchange.principal();
    return principal == null || principal.mayUse(names);
  }

  boolean visible(Exchange exchange, String objectId) {
    return governance.tenancy().visible(objectId, exchange.principal());
  }

  void created(Exchange exchange, String objectId, String kind) {
    governance.tenancy().created(objectId, kind, exchange.principal());
  }

  /** When the request ended: real usage replaces the estimate, and is stored. */
  void after(Exchange exchange) {
    Exchange.Reservation admission = exchange.reservation();
    if (admission == null) {
      return; // refused, or a model call that failed before it was admitted (no tokens, no count)
    }
    if (exchange.settlementDeferred()) {
      return;
    }
    if (admission.estimate() == 0 && !callsModel(exchange)) {
      return; // a request without a model: counted on admission, nothing to settle or record
    }
    settle(
        admission,
        exchange.record().usage(),
        exchange.record().status(),
        exchange.record().model());
  }

  private static boolean callsModel(Exchange exchange) {
    return exchange.route() != null && exchange.route().callsModel();
  }

  /** Settles an admitted request; a deferred (background) one calls this when its job ends. */
  void settle(Exchange.Reservation admission, Usage usage, int status, String model) {
    long input = usage == null ? 0 : usage.inputTokens();
    long output = usage == null ? 0 : usage.outputTokens();
    // A failure before any answer used no tokens; a success without reported input is charged
    // its estimate, so a backend that omits usage cannot be used to dodge TPM.
    if (input == 0 && status > 0 && status < 400) {
      input = admission.estimate();
    }
    try {
      governance.limiter().settle(admission.subject(), admission.estimate(), input + output);
    } finally {
      governance.usage().record(admission.principal(), model, input, output);
    }
  }

  static ApiException toApi(GovernException e) {
    return ApiException.of(e.reply());
  }
}
