package io.gantry;

import io.gantry.api.Admission;
import io.gantry.api.admin.AdminEndpoints;
import io.gantry.api.chat.ChatCompletionsEndpoint;
import io.gantry.api.conversations.ConversationsEndpoints;
import io.gantry.api.dashboard.DashboardEndpoints;
import io.gantry.api.embeddings.EmbeddingsEndpoint;
import io.gantry.api.files.FilesEndpoints;
import io.gantry.api.gantry.CompatibilityMatrix;
import io.gantry.api.health.HealthEndpoints;
import io.gantry.api.inputs.InputFiles;
import io.gantry.api.metrics.MetricsEndpoint;
import io.gantry.api.models.ModelsEndpoints;
import io.gantry.api.responses.ResponsesEndpoints;
import io.gantry.cluster.LocalSignals;
import io.gantry.cluster.PostgresSignals;
import io.gantry.cluster.Replica;
import io.gantry.config.GantryConfig;
import io.gantry.edge.EdgeGuard;
import io.gantry.edge.GatewayServer;
import io.gantry.edge.Surface;
import io.gantry.govern.Governance;
import io.gantry.govern.limits.LimiterClock;
import io.gantry.observe.AccessLog;
import io.gantry.observe.DashboardSampler;
import io.gantry.observe.GantryMetrics;
import io.gantry.observe.SessionTracker;
import io.gantry.observe.Tracing;
import io.gantry.route.BackendRegistry;
import io.gantry.route.ConfiguredBackends;
import io.gantry.route.ModelRouter;
import io.gantry.route.RegisteredBackend;
import io.gantry.store.Database;
import io.gantry.store.FileBlobs;
import io.gantry.store.JdbcBackgroundJobStore;
import io.gantry.store.JdbcConversationStore;
import io.gantry.store.JdbcFileStore;
import io.gantry.store.JdbcResponseStore;
import io.gantry.store.RetentionSweeper;
import io.gantry.store.SharedSecrets;
import io.gantry.store.SingleProcessLock;
import io.gantry.store.TimedResponseStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private SingleProcessLock storeLock;
  private Replica replica;
  private RetentionSweeper retention;

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
    return start(config, LimiterClock.SYSTEM);
  }

  /**
   * The same, with the in-memory rate limiter on {@code limiterClock}: a test moves its time by
   * hand instead of waiting for buckets to refill.
   */
  public static Gantry start(GantryConfig config, LimiterClock limiterClock) {
    createDataDir(config.dataDir());
    String storeUrl =
        config.store().url() != null
            ? config.store().url()
            : Database.sqliteUrl(Path.of(config.dataDir()));
    SingleProcessLock storeLock = SingleProcessLock.forStore(storeUrl);
    try {
      Gantry gantry = start(config, limiterClock, storeUrl);
      gantry.storeLock = storeLock;
      return gantry;
    } catch (RuntimeException | Error e) {
      if (storeLock != null) {
        storeLock.close();
      }
      throw e;
    }
  }

  private static Gantry start(GantryConfig config, LimiterClock limiterClock, String storeUrl) {
    GantryMetrics metrics = new GantryMetrics(config.observe().metrics());
    SessionTracker sessions =
        new SessionTracker(
            metrics,
            Duration.ofSeconds(config.observe().sessionIdleSeconds()),
            config.observe().maxOpenSessions());

    // Backends, their pools and the router.
    UpstreamMetrics upstreamMetrics = new UpstreamMetrics(metrics);
    BackendRegistry registry =
        new BackendRegistry(
            ConfiguredBackends.build(config, upstreamMetrics),
            Duration.ofSeconds(config.discovery().probeIntervalSeconds()));
    upstreamMetrics.onAttempt(registry::attempted);
    registry.onCircuitOpened(metrics::circuitOpened);
    registry.listener((backend, up, nanos) -> {
      metrics.probed(backend, up, nanos);
      metrics.readiness("backends", registry.anyReady());
    });
    ModelRouter router =
        new ModelRouter(
            registry, config.aliases(), config.fallbacks(), config.routing().stickySessions());
    router.onFallback(metrics::fellBack);
    router.onQueue(new QueueMetrics(metrics.queues()));
    Admission admission = new Admission(router);
    Tracing tracing =
        TracingSettings.tracing(config.observe(), System.getenv(), dialects(registry));

    // The store and governance.
    Database database = Database.open(storeUrl);
    boolean sharedStore = database.kind().equals("postgresql");
    Replica replica =
        new Replica(
            config.cluster().replicaId(),
            config.cluster().leaseSeconds() * 1000L,
            sharedStore ? new PostgresSignals(database) : new LocalSignals(),
            sharedStore ? new SharedSecrets(database) : null);
    Governance governance = Governance.open(database, config, metrics, limiterClock);
    refuseOpenNetworkBind(config, governance);

    // The surfaces; each registers its own routes.
    JdbcFileStore fileStore = new JdbcFileStore(database);
    FileBlobs fileBlobs = FileBlobs.open(Path.of(config.dataDir()));
    RetentionSweeper retention =
        new RetentionSweeper(database, fileBlobs, config.store().retention(), Clock.systemUTC())
            .listener(new RetentionMetrics(metrics.retention()));
    JdbcConversationStore conversationStore = new JdbcConversationStore(database);
    ResponsesEndpoints responses =
        new ResponsesEndpoints(
            admission,
            new TimedResponseStore(new JdbcResponseStore(database), metrics::storeOperation),
            new JdbcBackgroundJobStore(database),
            Path.of(config.dataDir()),
            config.responses().rejectHostedTools(),
            config.background(),
            new InputFiles(fileStore, fileBlobs, config.files()),
            conversationStore,
            governance.tenancy(),
            replica);
    responses.onBackgroundJobFinished(metrics::backgroundJobFinished);
    responses.onBackgroundJobEnded(metrics::backgroundJobEnded);
    responses.onBackgroundJobRefused(metrics.protection()::backgroundRefused);
    responses.onBackgroundQueueWait(metrics::backgroundQueueWait);
    Runnable refreshGauges =
        () -> {
          metrics.readiness("store", database.ping());
          registry
              .backends()
              .forEach(b -> metrics.circuitState(b.backend().name(), b.circuit().state().label()));
          responses.backgroundJobStates().forEach(metrics::backgroundJobs);
          metrics.backgroundQueue(responses.backgroundQueueByModel());
        };
    DashboardSampler dashboard =
        new DashboardSampler(
            metrics.registry(),
            () -> registry.backends().stream().map(Gantry::dashboardRow).toList(),
            () -> responses.backgroundJobStates().forEach(metrics::backgroundJobs));
    // The edge.
    GatewayServer server =
        new GatewayServer(config.server(), new AccessLog(), metrics, sessions, tracing)
            .logContent(config.observe().logContent())
            .guard(
                new EdgeGuard(
                    governance,
                    config.server().loopback(),
                    config.server().allowUnauthenticated()));
    List<Surface> surfaces =
        List.of(
            new ChatCompletionsEndpoint(admission),
            new EmbeddingsEndpoint(admission),
            new ModelsEndpoints(router),
            responses,
            new ConversationsEndpoints(conversationStore),
            new FilesEndpoints(fileStore, fileBlobs, config.files()),
            new AdminEndpoints(governance),
            new CompatibilityMatrix(),
            new HealthEndpoints(
                registry, ConfiguredBackends.discovers(config), database, server::draining),
            new MetricsEndpoint(metrics, refreshGauges),
            new DashboardEndpoints(dashboard));

    surfaces.forEach(surface -> surface.routes(server));

    registry.start();
    dashboard.start();
    responses.startBackgroundJobs(!sharedStore);
    retention.start();
    server.start();
    Gantry gantry =
        new Gantry(config, registry, server, database, responses, sessions, dashboard, tracing);
    gantry.governance = governance;
    gantry.replica = replica;
    gantry.retention = retention;
    LOG.info("Gantry listening on {}", gantry.listening());
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

  /**
   * Where the server really listens, for the start-up line: the bound address, and on a wildcard
   * address (every interface) also the URL a client on this machine uses.
   */
  String listening() {
    String host = server.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      String bound = (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
      return bound + " (every interface); on this machine " + baseUrl() + "/v1";
    }
    return baseUrl() + "/v1";
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
    // Drain: no new requests (503, /readyz 503), no new background jobs taken; in-flight streams
    // and running jobs get the grace; jobs still running then go back to the shared queue.
    responses.stopClaimingBackgroundJobs();
    long deadline =
        System.nanoTime() + Duration.ofSeconds(config.server().shutdownGraceSeconds()).toNanos();
    server.drainAndStop(Duration.ofSeconds(config.server().shutdownGraceSeconds()));
    responses.awaitBackgroundJobs(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    responses.close();
    registry.close();
    governance.close();
    sessions.close();
    dashboard.close();
    retention.close();
    if (replica != null) {
      replica.signals().close();
    }
    database.close();
    if (storeLock != null) {
      storeLock.close();
    }
    // Last: spans of requests and background jobs that ended during the drain still go out.
    tracing.close();
  }
}
