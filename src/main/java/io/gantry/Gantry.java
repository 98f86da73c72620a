package io.gantry;

import io.gantry.api.Admission;
import io.gantry.api.Owned;
import io.gantry.api.admin.AdminEndpoints;
import io.gantry.api.chat.ChatCompletionsEndpoint;
import io.gantry.api.conversations.ConversationsEndpoints;
import io.gantry.api.dashboard.DashboardEndpoints;
import io.gantry.api.embeddings.EmbeddingsEndpoint;
import io.gantry.api.files.FileBlobs;
import io.gantry.api.files.FilesEndpoints;
import io.gantry.api.files.InputFiles;
import io.gantry.api.gantry.CompatibilityMatrix;
import io.gantry.api.health.HealthEndpoints;
import io.gantry.api.metrics.MetricsEndpoint;
import io.gantry.api.models.ModelsEndpoints;
import io.gantry.api.responses.ResponsesEndpoints;
import io.gantry.config.BackendConfig;
import io.gantry.config.GantryConfig;
import io.gantry.edge.Access;
import io.gantry.edge.EdgeGuard;
import io.gantry.edge.Endpoint;
import io.gantry.edge.GatewayServer;
import io.gantry.govern.Governance;
import io.gantry.observe.AccessLog;
import io.gantry.observe.DashboardSampler;
import io.gantry.observe.GantryMetrics;
import io.gantry.observe.SessionTracker;
import io.gantry.observe.Tracing;
import io.gantry.route.BackendRegistry;
import io.gantry.route.ModelRouter;
import io.gantry.route.QueueObserver;
import io.gantry.route.RegisteredBackend;
import io.gantry.store.Database;
import io.gantry.store.JdbcBackgroundJobStore;
import io.gantry.store.JdbcConversationStore;
import io.gantry.store.JdbcFileStore;
import io.gantry.store.JdbcResponseStore;
import io.gantry.store.TimedResponseStore;
import io.gantry.upstream.Backend;
import io.gantry.upstream.Discovery;
import io.gantry.upstream.UpstreamObserver;
import io.gantry.upstream.ollama.OllamaBackend;
import io.gantry.upstream.openai.OpenAiBackend;
import io.helidon.http.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds every component from the configuration and wires them together: the one place. */
public final class Gantry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gantry.class);

  private final GantryConfig config;
  private final BackendRegistry registry;
  private final GatewayServer server;
  private final Database database;
  private final ResponsesEndpoints responses;
  private final SessionTracker sessions;
  private final Tracing tracing;
  private final DashboardSampler dashboard;
  private Governance governance;

  private Gantry(
      GantryConfig config,
      BackendRegistry registry,
      GatewayServer server,
      Database database,
      ResponsesEndpoints responses,
      SessionTracker sessions,
      DashboardSampler dashboard,
      Tracing tracing) {
    this.sessions = sessions;
    this.tracing = tracing;
    this.dashboard = dashboard;
    this.config = config;
    this.registry = registry;
    this.server = server;
    this.database = database;
    this.responses = responses;
  }

  /**
   * Starts a gateway. Discovery of local servers runs when the config enables it, or when it is
   * silent and names no backend.
   */
  public static Gantry start(GantryConfig config) {
    createDataDir(config.dataDir());
    boolean discovery =
        config.discovery().enabled() == null
            ? config.backends().isEmpty()
            : config.discovery().enabled();
    GantryMetrics metrics = new GantryMetrics(config.observe().metrics());
    SessionTracker sessions =
        new SessionTracker(
            metrics,
            Duration.ofSeconds(config.observe().sessionIdleSeconds()),
            config.observe().maxOpenSessions());
    // The registry is built from backends that need the observer; it is set right after.
    java.util.concurrent.atomic.AtomicReference<BackendRegistry> pools =
        new java.util.concurrent.atomic.AtomicReference<>();
    UpstreamObserver upstreamObserver =
        new UpstreamObserver() {
          @Override
          public void opened(String backend) {
            metrics.upstreamOpened(backend);
          }

          @Override
          public void closed(String backend) {
            metrics.upstreamClosed(backend);
          }

          @Override
          public void retried(String backend, String reason) {
            metrics.retried(backend, reason);
          }

          @Override
          public void attempted(String backend, boolean failed) {
            BackendRegistry r = pools.get();
            if (r != null) {
              r.attempted(backend, failed);
            }
          }
        };
    BackendRegistry registry =
        new BackendRegistry(
            backends(config, discovery, upstreamObserver),
            Duration.ofSeconds(config.discovery().probeIntervalSeconds()));
    pools.set(registry);
    registry.onCircuitOpened(metrics::circuitOpened);
    registry.listener((backend, up, nanos) -> {
      metrics.probed(backend, up, nanos);
      metrics.readiness("backends", registry.anyReady());
    });
    ModelRouter router =
        new ModelRouter(
            registry, config.aliases(), config.fallbacks(), config.routing().stickySessions());
    router.onFallback(metrics::fellBack);
    Admission admission = new Admission(router);
    router.onQueue(
        new QueueObserver() {
          @Override
          public void waiting(String backend, int delta) {
            metrics.queues().queueWaiting(backend, delta);
          }

          @Override
          public void waited(String backend, long nanos) {
            metrics.queues().queueWaited(backend, nanos);
          }

          @Override
          public void rejected(String backend, String reason) {
            metrics.queues().queueRejected(backend, reason);
          }
        });
    Tracing tracing =
        TracingSettings.tracing(config.observe(), System.getenv(), dialects(registry));
    Database database =
        Database.open(
            config.store().url() != null
                ? config.store().url()
                : Database.sqliteUrl(Path.of(config.dataDir())));
    Governance governance = Governance.open(database, config, metrics);
    refuseOpenNetworkBind(config, governance);
    JdbcFileStore fileStore = new JdbcFileStore(database);
    FileBlobs fileBlobs = FileBlobs.open(Path.of(config.dataDir()));
    FilesEndpoints files = new FilesEndpoints(fileStore, fileBlobs, config.files());
    InputFiles inputFiles = new InputFiles(fileStore, fileBlobs, config.files());
    JdbcConversationStore conversationStore = new JdbcConversationStore(database);
    ResponsesEndpoints responses =
        new ResponsesEndpoints(
            admission,
            new TimedResponseStore(new JdbcResponseStore(database), metrics::storeOperation),
            new JdbcBackgroundJobStore(database),
            Path.of(config.dataDir()),
            config.responses().rejectHostedTools(),
            config.background(),
            inputFiles,
            conversationStore,
            governance.tenancy());

    responses.onBackgroundJobFinished(metrics::backgroundJobFinished);
    responses.onBackgroundJobEnded(metrics::backgroundJobEnded);
    responses.onBackgroundJobRefused(metrics.protection()::backgroundRefused);
    MetricsEndpoint metricsEndpoint =
        new MetricsEndpoint(
            metrics,
            () -> {
              metrics.readiness("store", database.ping());
              registry
                  .backends()
                  .forEach(
                      b -> metrics.circuitState(b.backend().name(), b.circuit().state().label()));
              responses.backgroundJobStates().forEach(metrics::backgroundJobs);
            });
    DashboardSampler dashboard =
        new DashboardSampler(
            metrics.registry(),
            () -> registry.backends().stream().map(Gantry::dashboardRow).toList(),
            () -> responses.backgroundJobStates().forEach(metrics::backgroundJobs));
    DashboardEndpoints dashboardEndpoints = new DashboardEndpoints(dashboard);
    GatewayServer server =
        new GatewayServer(config.server(), new AccessLog(), metrics, sessions, tracing)
            .logContent(config.observe().logContent())
            .guard(
                new EdgeGuard(
                    governance,
                    config.server().loopback(),
                    config.server().allowUnauthenticated()));
    AdminEndpoints admin = new AdminEndpoints(governance);
    ModelsEndpoints models = new ModelsEndpoints(router);
    HealthEndpoints health = new HealthEndpoints(registry, discovery, database);
    ConversationsEndpoints conversations = new ConversationsEndpoints(conversationStore);
    server
        .route(
            Method.POST,
            "/v1/chat/completions",
            "chat",
            Access.MODEL,
            new ChatCompletionsEndpoint(admission))
        .route(
            Method.POST,
            "/v1/embeddings",
            "embeddings",
            Access.MODEL,
            new EmbeddingsEndpoint(admission))
        .route(Method.GET, "/v1/models", "models", Access.KEY, models::list)
        .route(Method.GET, "/v1/models/{model}", "models", Access.KEY, models::retrieve)
        .route(Method.POST, "/v1/responses", "responses", Access.MODEL, responses::create)
        .route(
            Method.POST,
            "/v1/responses/input_tokens",
            "responses",
            Access.KEY,
            responses::inputTokens)
        .route(
            Method.GET,
            "/v1/responses/{id}",
            "responses",
            Access.KEY,
            owned("id", Owned.RESPONSE, responses::retrieve))
        .route(
            Method.DELETE,
            "/v1/responses/{id}",
            "responses",
            Access.KEY,
            owned("id", Owned.RESPONSE, responses::delete))
        .route(
            Method.POST,
            "/v1/responses/{id}/cancel",
            "responses",
            Access.KEY,
            owned("id", Owned.RESPONSE, responses::cancel))
        .route(
            Method.GET,
            "/v1/responses/{id}/input_items",
            "responses",
            Access.KEY,
            owned("id", Owned.RESPONSE, responses::inputItems))
        .route(Method.POST, "/v1/conversations", "conversations", Access.KEY, conversations::create)
        .route(
            Method.GET,
            "/v1/conversations/{conversationId}",
            "conversations",
            Access.KEY,
            owned("conversationId", Owned.CONVERSATION, conversations::retrieve))
        .route(
            Method.POST,
            "/v1/conversations/{conversationId}",
            "conversations",
            Access.KEY,
            owned("conversationId", Owned.CONVERSATION, conversations::update))
        .route(
            Method.DELETE,
            "/v1/conversations/{conversationId}",
            "conversations",
            Access.KEY,
            owned("conversationId", Owned.CONVERSATION, conversations::delete))
        .route(
            Method.GET,
            "/v1/conversations/{conversationId}/items",
            "conversations",
            Access.KEY,
            owned("conversationId", Owned.CONVERSATION, conversations::listItems))
        .route(
            Method.POST,
            "/v1/conversations/{conversationId}/items",
            "conversations",
            Access.KEY,
            owned("conversationId", Owned.CONVERSATION, conversations::createItems))
        .route(
            Method.GET,
            "/v1/conversations/{conversationId}/items/{itemId}",
            "conversations",
            Access.KEY,
            owned("conversationId", Owned.CONVERSATION, conversations::retrieveItem))
        .route(
            Method.DELETE,
            "/v1/conversations/{conversationId}/items/{itemId}",
            "conversations",
            Access.KEY,
            owned("conversationId", Owned.CONVERSATION, conversations::deleteItem))
        .route(
            Method.POST,
            "/v1/files",
            "files",
            Access.KEY,
            FilesEndpoints.uploadBodyLimit(config.files()),
            FilesEndpoints.UPLOAD_LIMIT_NAME,
            files::upload)
        .route(Method.GET, "/v1/files", "files", Access.KEY, files::list)
        .route(
            Method.GET,
            "/v1/files/{id}",
            "files",
            Access.KEY,
            owned("id", Owned.FILE, files::retrieve))
        .route(
            Method.DELETE,
            "/v1/files/{id}",
            "files",
            Access.KEY,
            owned("id", Owned.FILE, files::delete))
        .route(
            Method.GET,
            "/v1/files/{id}/content",
            "files",
            Access.KEY,
            owned("id", Owned.FILE, files::content))
        .route(Method.POST, "/admin/keys", "admin", Access.ADMIN, admin::createKey)
        .route(Method.GET, "/admin/keys", "admin", Access.ADMIN, admin::listKeys)
        .route(Method.GET, "/admin/keys/{id}", "admin", Access.ADMIN, admin::retrieveKey)
        .route(Method.PATCH, "/admin/keys/{id}", "admin", Access.ADMIN, admin::updateKey)
        .route(Method.POST, "/admin/keys/{id}", "admin", Access.ADMIN, admin::updateKey)
        .route(Method.DELETE, "/admin/keys/{id}", "admin", Access.ADMIN, admin::revokeKey)
        .route(Method.POST, "/admin/keys/{id}/revoke", "admin", Access.ADMIN, admin::revokeKey)
        .route(Method.GET, "/admin/usage", "admin", Access.ADMIN, admin::usage)
        .route(Method.GET, "/admin/audit", "admin", Access.ADMIN, admin::audit)
        .route(
            Method.GET,
            "/v1/gantry/compatibility",
            "gantry",
            Access.KEY,
            new CompatibilityMatrix()::serve)
        .quietRoute(Method.GET, "/livez", Access.PUBLIC, health::live)
        .quietRoute(Method.GET, "/readyz", Access.PUBLIC, health::ready)
        .quietRoute(Method.GET, "/metrics", Access.OPERATOR, metricsEndpoint::scrape)
        // Quiet: the dashboard's own polling must not show up in the numbers it draws.
        .quietRoute(Method.GET, "/dashboard", Access.OPERATOR, dashboardEndpoints::page)
        .quietRoute(Method.GET, "/dashboard/", Access.OPERATOR, dashboardEndpoints::redirectToPage)
        .quietRoute(Method.GET, "/dashboard/data", Access.OPERATOR, dashboardEndpoints::data)
        .quietRoute(
            Method.GET, "/dashboard/assets/{file}", Access.OPERATOR, dashboardEndpoints::asset);

    registry.start();
    dashboard.start();
    responses.recoverBackgroundJobs();
    server.start();
    Gantry gantry =
        new Gantry(config, registry, server, database, responses, sessions, dashboard, tracing);
    gantry.governance = governance;
    LOG.info("Gantry listening on {}/v1", gantry.baseUrl());
    if (!registry.anyReady()) {
      LOG.warn(
          "{} Tried: {}",
          HealthEndpoints.SIMULATOR_HINT,
          registry.backends().stream()
              .map(b -> b.backend().name() + " at " + b.backend().url())
              .toList());
    }
    return gantry;
  }

  private static Endpoint owned(String param, Owned.Kind kind, Endpoint endpoint) {
    return Owned.byPath(param, kind, endpoint);
  }

  /**
   * Bound beyond loopback with no key, anyone who reaches the port may use every model: Gantry
   * refuses to start unless the operator opted in ({@code --allow-unauthenticated}).
   */
  private static void refuseOpenNetworkBind(GantryConfig config, Governance governance) {
    if (config.server().loopback()) {
      return;
    }
    if (governance.keys().everExisted()) {
      if (!governance.keys().required()) {
        LOG.warn(
            "Gantry is bound to {} and no API key is usable (all expired, revoked or disabled):"
                + " every /v1 request gets 401 until a key is created.",
            config.server().host());
      }
      return;
    }
    if (!config.server().allowUnauthenticated()) {
      governance.close();
      throw new io.gantry.config.ConfigException(
          "server.host is "
              + config.server().host()
              + ", which other machines can reach, and no API key exists, so anyone could use"
              + " every model. Create a key first (./gantry keys create --name NAME), bind to"
              + " 127.0.0.1, or start with --allow-unauthenticated (config"
              + " server.allow_unauthenticated, env GANTRY_SERVER_ALLOW_UNAUTHENTICATED) to serve"
              + " the network without authentication.");
    }
    LOG.warn(
        "!!! UNAUTHENTICATED: Gantry is bound to {} with no API key"
            + " (--allow-unauthenticated): anyone who can reach this port can use every model"
            + " and read every stored object. Create a key to turn authentication on. !!!",
        config.server().host());
  }

  private static DashboardSampler.BackendRow dashboardRow(RegisteredBackend b) {
    return new DashboardSampler.BackendRow(
        b.backend().name(),
        b.backend().dialect(),
        b.backend().url(),
        b.source(),
        b.health().ready(),
        b.models(),
        b.health().lastError(),
        b.health().checkedAt());
  }

  /** Each backend's name to its dialect, which traces report as the GenAI provider. */
  private static Map<String, String> dialects(BackendRegistry registry) {
    Map<String, String> out = new HashMap<>();
    for (RegisteredBackend entry : registry.backends()) {
      out.put(entry.backend().name(), entry.backend().dialect());
    }
    return out;
  }

  private static List<RegisteredBackend> backends(
      GantryConfig config, boolean discovery, UpstreamObserver observer) {
    List<RegisteredBackend> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (BackendConfig backend : config.backends()) {
      BackendConfig named = withName(normalizeUrl(backend), names);
      out.add(
          new RegisteredBackend(
              create(named, observer),
              "config",
              named.models(),
              named.weight(),
              named.circuit(),
              named.concurrency()));
    }
    if (discovery) {
      for (Discovery.Candidate candidate : Discovery.candidates()) {
        if (names.add(candidate.name())) {
          out.add(
              new RegisteredBackend(
                  create(candidate.toBackendConfig(), observer), "discovery", List.of()));
        }
      }
    }
    return out;
  }

  private static Backend create(BackendConfig config, UpstreamObserver observer) {
    return switch (config.dialect()) {
      case "ollama" -> new OllamaBackend(config, observer);
      default -> new OpenAiBackend(config, observer);
    };
  }

  /** An openai URL given as a bare server root gets the usual {@code /v1}. */
  private static BackendConfig normalizeUrl(BackendConfig backend) {
    String url = backend.url().replaceAll("/+$", "");
    if ("openai".equals(backend.dialect())) {
      String path = URI.create(url).getPath();
      if (path == null || path.isEmpty()) {
        url = url + "/v1";
      }
    }
    return backend.withUrl(url);
  }

  private static BackendConfig withName(BackendConfig backend, Set<String> taken) {
    String name = backend.name();
    if (name == null || name.isBlank()) {
      URI uri = URI.create(backend.url());
      String base = backend.dialect() + "-" + (uri.getPort() > 0 ? uri.getPort() : uri.getHost());
      name = base;
      for (int i = 2; taken.contains(name); i++) {
        name = base + "-" + i;
      }
    }
    taken.add(name);
    return backend.withName(name);
  }

  private static void createDataDir(String dataDir) {
    try {
      Files.createDirectories(Path.of(dataDir));
    } catch (java.io.IOException e) {
      throw new io.gantry.config.ConfigException(
          "Config key 'data_dir': cannot create " + dataDir + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.port();
  }

  /** The server root, e.g. {@code http://127.0.0.1:8800} (the API is under {@code /v1}). */
  public String baseUrl() {
    String host = server.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  public BackendRegistry registry() {
    return registry;
  }

  public int inFlight() {
    return server.inFlight();
  }

  /** Every route served, with who may call it (the attack suite walks it). */
  public io.gantry.edge.RouteTable routes() {
    return server.routes();
  }

  public GantryConfig config() {
    return config;
  }

  /** Lets in-flight requests finish (up to the configured grace), then stops. */
  @Override
  public void close() {
    server.drainAndStop(Duration.ofSeconds(config.server().shutdownGraceSeconds()));
    registry.close();
    responses.close();
    governance.close();
    sessions.close();
    dashboard.close();
    database.close();
    // Last: spans of requests and background jobs that ended during the drain still go out.
    tracing.close();
  }
}
