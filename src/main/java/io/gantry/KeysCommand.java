package io.gantry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.config.ConfigLoader;
import io.gantry.config.GantryConfig;
import io.gantry.core.Json;
import io.gantry.govern.ApiKeys;
import io.gantry.govern.GovernException;
import io.gantry.govern.Governance;
import io.gantry.govern.KeyFields;
import io.gantry.govern.KeyJson;
import io.gantry.store.Database;
import io.gantry.store.StoredKey;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gantry keys create|list|revoke|usage}: manages API keys in the store directly, with the
 * same config file and environment as {@code serve}. A running server sees a change within a few
 * seconds (its key cache).
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Create, list and revoke API keys; show usage.",
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Revoke.class,
      KeysCommand.Usage.class
    })
final class KeysCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The options every keys command shares. */
  static final class StoreOptions {
    @Option(names = "--config", description = "YAML config file (as for serve).")
    Path config;

    @Option(names = "--data-dir", description = "Where Gantry keeps its state (default ./data).")
    String dataDir;

    <T> T withGovernance(java.util.function.Function<Governance, T> work) {
      GantryConfig loaded = ConfigLoader.load(config, System.getenv());
      if (dataDir != null) {
        loaded = loaded.withDataDir(dataDir);
      }
      try {
        java.nio.file.Files.createDirectories(Path.of(loaded.dataDir()));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("cannot create " + loaded.dataDir(), e);
      }
      try (Database db =
              Database.open(
                  loaded.store().url() != null
                      ? loaded.store().url()
                      : Database.sqliteUrl(Path.of(loaded.dataDir())));
          Governance governance = Governance.open(db, loaded, null)) {
        return work.apply(governance);
      } catch (GovernException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key.")
  static final class Create implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", description = "A name for people.")
    String name;

    @Option(names = "--tenant", description = "Tenant (default: default).")
    String tenant;

    @Option(
        names = "--models",
        split = ",",
        description = "Allowed models: names or globs, comma-separated (default: all).")
    List<String> models;

    @Option(names = "--rpm", description = "Requests per minute.")
    Long rpm;

    @Option(names = "--tpm", description = "Tokens per minute.")
    Long tpm;

    @Option(names = "--budget-tokens", description = "Tokens per budget period.")
    Long budgetTokens;

    @Option(names = "--budget-period", description = "day or month (default month).")
    String budgetPeriod;

    @Option(
        names = "--expires-at",
        description = "Epoch seconds or ISO-8601, e.g. 2027-01-01T00:00:00Z.")
    String expiresAt;

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      if (name != null) {
        body.put("name", name);
      }
      if (tenant != null) {
        body.put("tenant", tenant);
      }
      if (models != null) {
        models.forEach(body.putArray("allowed_models")::add);
      }
      if (rpm != null) {
        body.put("rpm", rpm);
      }
      if (tpm != null) {
        body.put("tpm", tpm);
      }
      if (budgetTokens != null) {
        body.putObject("budget")
            .put("tokens", budgetTokens)
            .put("period", budgetPeriod == null ? "month" : budgetPeriod);
      }
      if (expiresAt != null) {
        body.put("expires_at", KeyFields.parseInstant(expiresAt));
      }
      ApiKeys.Created created = store.withGovernance(g -> g.keys().create(body, "cli", null));
      PrintWriter out = spec.commandLine().getOut();
      out.println("id:  " + created.key().id());
      out.println("key: " + created.secret());
      out.println("The key is shown this once only; store it now.");
      out.flush();
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys.")
  static final class ListKeys implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "One JSON object per key.")
    boolean json;

    @Override
    public Integer call() {
      List<StoredKey> keys = store.withGovernance(g -> g.keys().list());
      PrintWriter out = spec.commandLine().getOut();
      if (!json) {
        out.printf(
            "%-30s %-16s %-12s %-18s %-9s %s%n",
            "ID", "NAME", "TENANT", "PREFIX", "STATUS", "MODELS");
      }
      for (StoredKey k : keys) {
        if (json) {
          out.println(Json.text(KeyJson.of(k)));
        } else {
          out.printf(
              "%-30s %-16s %-12s %-18s %-9s %s%n",
              k.id(),
              k.name() == null ? "-" : k.name(),
              k.tenant(),
              k.prefix(),
              KeyJson.status(k),
              k.allowedModels() == null ? "*" : String.join(",", k.allowedModels()));
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key.")
  static final class Revoke implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The key's id.")
    String id;

    @Override
    public Integer call() {
      boolean found = store.withGovernance(g -> g.keys().revoke(id, "cli", null).isPresent());
      if (!found) {
        spec.commandLine().getErr().println("gantry: no key with id '" + id + "'");
        return 1;
      }
      spec.commandLine().getOut().println("revoked " + id);
      return 0;
    }
  }

  @Command(name = "usage", mixinStandardHelpOptions = true, description = "Show usage.")
  static final class Usage implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--key", description = "Only this key id.")
    String keyId;

    @Option(names = "--tenant", description = "Only this tenant.")
    String tenant;

    @Option(names = "--period", description = "day (default) or month.")
    String period;

    @Option(names = "--json", description = "Print the JSON /admin/usage answers.")
    boolean json;

    @Override
    public Integer call() {
      ObjectNode report = store.withGovernance(g -> g.usage().report(keyId, tenant, period));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.text(report));
      } else {
        out.printf(
            "%-12s %-30s %-12s %-24s %9s %12s %12s%n",
            "PERIOD", "KEY", "TENANT", "MODEL", "REQUESTS", "INPUT", "OUTPUT");
        report
            .path("data")
            .forEach(row ->
                out.printf(
                    "%-12s %-30s %-12s %-24s %9d %12d %12d%n",
                    row.path("period_start").asText(),
                    row.path("key_id").asText(),
                    row.path("tenant").asText(),
                    row.path("model").asText(),
                    row.path("requests").asLong(),
                    row.path("input_tokens").asLong(),
                    row.path("output_tokens").asLong()));
      }
      out.flush();
      return 0;
    }
  }
}
