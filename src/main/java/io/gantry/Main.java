package io.gantry;

import io.gantry.config.BackendConfig;
import io.gantry.config.ConfigException;
import io.gantry.config.ConfigLoader;
import io.gantry.config.GantryConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: {@code serve}, {@code simulate}, {@code keys}, {@code help}. Nothing else lives
 * here.
 */
@Command(
    name = "gantry",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "An API gateway between LLM clients and local inference servers.",
    subcommands = {
      Main.Serve.class,
      Main.Simulate.class,
      KeysCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    int code = commandLine().execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The command line with its error handling: bad config or flags exit 2 with one clear line. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(Main::badArguments);
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      if (e instanceof ConfigException
          || e instanceof IllegalArgumentException
          || e instanceof io.gantry.store.StoreException) {
        commandLine.getErr().println("gantry: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli;
  }

  /** A bad flag or argument: one line saying what and where to look, not the whole usage text. */
  private static int badArguments(CommandLine.ParameterException e, String[] args) {
    CommandLine where = e.getCommandLine();
    String hint = "";
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched
        && !unmatched.getSuggestions().isEmpty()) {
      hint = " Did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
    }
    String command = where.getCommandSpec().qualifiedName(" ");
    String help =
        command.equals("gantry") ? "gantry help" : "gantry help " + where.getCommandName();
    where.getErr().println("gantry: " + e.getMessage() + "." + hint + " See '" + help + "'.");
    return 2;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Reads the version Maven wrote into the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"gantry " + (version == null ? "dev" : version)};
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the gateway.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--config", description = "YAML config file.")
    Path config;

    @Option(names = "--host", description = "Address to bind (default 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "Port to listen on (default 8800).")
    Integer port;

    @Option(names = "--data-dir", description = "Where Gantry keeps its state (default ./data).")
    String dataDir;

    @Option(
        names = "--backend",
        paramLabel = "DIALECT=URL",
        description =
            "Add a backend, e.g. openai=http://127.0.0.1:8000/v1 or"
                + " ollama=http://127.0.0.1:11434 (repeatable).")
    List<String> backends = new ArrayList<>();

    @Option(names = "--no-discovery", description = "Do not probe the default local ports.")
    boolean noDiscovery;

    @Option(
        names = "--allow-unauthenticated",
        description =
            "Serve a non-loopback address although no API key exists (anyone who reaches the"
                + " port may use it).")
    boolean allowUnauthenticated;

    @Override
    public Integer call() throws Exception {
      GantryConfig loaded = ConfigLoader.load(config, System.getenv());
      GantryConfig effective = applyFlags(loaded);
      Gantry gantry = Gantry.start(effective);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    gantry.close();
                    stopped.countDown();
                  },
                  "gantry-shutdown"));
      stopped.await();
      return 0;
    }

    private GantryConfig applyFlags(GantryConfig loaded) {
      GantryConfig out = loaded;
      if (host != null) {
        out = out.withServer(out.server().withHost(host));
      }
      if (port != null) {
        out = out.withServer(out.server().withPort(port));
      }
      if (dataDir != null) {
        out = out.withDataDir(dataDir);
      }
      if (!backends.isEmpty()) {
        List<BackendConfig> all = new ArrayList<>(out.backends());
        for (String spec : backends) {
          all.add(parseBackend(spec));
        }
        out = out.withBackends(all);
      }
      if (allowUnauthenticated) {
        out = out.withServer(out.server().withAllowUnauthenticated(true));
      }
      if (noDiscovery) {
        out = out.withDiscovery(out.discovery().withEnabled(false));
      }
      return ConfigLoader.revalidate(out);
    }

    static BackendConfig parseBackend(String spec) {
      int eq = spec.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "--backend '" + spec + "' must be DIALECT=URL, e.g. openai=http://127.0.0.1:8000/v1");
      }
      return new BackendConfig(
          null, spec.substring(0, eq).trim(), spec.substring(eq + 1).trim(), null, null, null);
    }
  }

  @Command(
      name = "simulate",
      mixinStandardHelpOptions = true,
      description = "Run the built-in simulated backend (no GPU needed).")
  static final class Simulate implements Callable<Integer> {
    @Option(names = "--dialect", required = true, description = "openai or ollama.")
    String dialect;

    @Option(names = "--host", description = "Address to bind (default 127.0.0.1).")
    String host = "127.0.0.1";

    @Option(
        names = "--port",
        description = "Port (default 8000 for openai, 11434 for ollama: where discovery looks).")
    Integer port;

    @Option(names = "--models", split = ",", description = "Model names to serve.")
    List<String> models;

    @Option(names = "--token-delay-ms", description = "Delay between streamed tokens.")
    long tokenDelayMs;

    @Option(names = "--seed", description = "Seed for the deterministic output.")
    long seed;

    @Override
    public Integer call() throws Exception {
      SimDialect simDialect = SimDialect.parse(dialect);
      SimulatorOptions options =
          SimulatorOptions.defaults(simDialect)
              .withHost(host)
              .withPort(port != null ? port : simDialect == SimDialect.OLLAMA ? 11434 : 8000)
              .withTokenDelayMs(tokenDelayMs)
              .withSeed(seed);
      if (models != null && !models.isEmpty()) {
        options = options.withModels(models);
      }
      Simulator simulator = Simulator.start(options);
      String api = simDialect == SimDialect.OLLAMA ? "" : "/v1";
      System.out.println(
          "Gantry simulator ("
              + simDialect.name().toLowerCase(java.util.Locale.ROOT)
              + ") serving "
              + options.models()
              + " at "
              + simulator.baseUrl()
              + api);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(() -> {
                simulator.close();
                stopped.countDown();
              }));
      stopped.await();
      return 0;
    }
  }
}
