package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import io.gantry.config.ConfigLoader;
import io.gantry.config.GantryConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in {@code deploy/kubernetes}, parsed into the API's model classes and
 * checked against Gantry itself: its config file and the pod's environment go through Gantry's own
 * {@link ConfigLoader} (which refuses a {@code GANTRY_*} variable that names no key), and the
 * probes, ports, grace period and memory are compared with what that config and the launcher say.
 */
class KubernetesManifestsTest {
  /**
   * What the operator puts in the Secret gantry-secrets, by key (README, "Image and Kubernetes").
   */
  private static final Map<String, String> SECRET =
      Map.of(
          "store-url", "postgresql://gantry:secret@postgres:5432/gantry",
          "redis-url", "redis://redis:6379/0",
          "admin-token", "an-admin-token");

  /**
   * Variables whose config keys the cluster change adds ({@code cluster.replica_id}); this tree
   * does not know them yet, so they are left out of the load below. Drop a name from here once
   * GantryConfig has its key: from then on the load checks it like every other.
   */
  /** Resident memory measured under the heaviest load we run, with the launcher's flags. */
  private static final Path MEASURED = Path.of("bench/results/load-2000.md");

  private static KubernetesManifests k8s;

  /** gantry.yaml as the pods load it: with the environment the Deployment gives them. */
  private static GantryConfig config;

  @BeforeAll
  static void load() throws IOException {
    k8s = KubernetesManifests.read();
    config = ConfigLoader.load(k8s.directory().resolve("gantry.yaml"), podEnvironment());
  }

  @Test
  void theKustomizationNamesEveryFileInTheDirectory() throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(k8s.directory())) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(name -> !name.equals("kustomization.yaml"))
              .toList();
    }
    assertThat(k8s.kustomizedFiles()).containsExactlyInAnyOrderElementsOf(files);
  }

  @Test
  void theSecretsReachTheKeysTheyAreMeantFor() {
    for (EnvVar env : k8s.gantry().getEnv()) {
      assertThat(env.getName()).as("Gantry reads only GANTRY_* variables").startsWith("GANTRY_");
      if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
        assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("gantry-secrets");
      }
    }
    assertThat(config.store().url()).isEqualTo(SECRET.get("store-url"));
    assertThat(config.limits().redisUrl()).isEqualTo(SECRET.get("redis-url"));
    assertThat(config.admin().token()).isEqualTo(SECRET.get("admin-token"));
  }

  @Test
  void serveReadsTheGeneratedConfigMapWhereItIsMounted() {
    JsonNode generator = k8s.configGenerator();
    String file = generator.path("files").get(0).asText();
    Volume volume =
        podSpec().getVolumes().stream()
            .filter(v -> v.getConfigMap() != null)
            .filter(v -> v.getConfigMap().getName().equals(generator.path("name").asText()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume holds the generated config map"));
    VolumeMount mount = mountOf(volume.getName());
    assertThat(k8s.gantry().getArgs())
        .containsExactly("serve", "--config", mount.getMountPath() + "/" + file);
  }

  @Test
  void probesAskTheHealthRoutesOnTheConfiguredPort() {
    Container gantry = k8s.gantry();
    assertThat(httpGet(gantry.getReadinessProbe()).getPath()).isEqualTo("/readyz");
    assertThat(httpGet(gantry.getLivenessProbe()).getPath()).isEqualTo("/livez");
    assertThat(httpGet(gantry.getStartupProbe()).getPath()).isEqualTo("/livez");
    for (Probe probe :
        List.of(gantry.getReadinessProbe(), gantry.getLivenessProbe(), gantry.getStartupProbe())) {
      assertThat(containerPort(httpGet(probe).getPort())).isEqualTo(config.server().port());
    }
    assertThat(config.server().host())
        .as("reachable from the kubelet and the Service")
        .isEqualTo("0.0.0.0");
  }

  @Test
  void theServiceSendsToThatPortAndSelectsThePods() {
    var spec = k8s.service().getSpec();
    assertThat(spec.getPorts()).hasSize(1);
    assertThat(containerPort(spec.getPorts().getFirst().getTargetPort()))
        .isEqualTo(config.server().port());
    Map<String, String> podLabels =
        k8s.deployment().getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(spec.getSelector());
    assertThat(podLabels)
        .containsAllEntriesOf(k8s.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(podLabels)
        .containsAllEntriesOf(k8s.disruptionBudget().getSpec().getSelector().getMatchLabels());
  }

  @Test
  void theGracePeriodCoversThePreStopPauseAndTheDrain() {
    long preStop = sleepSeconds(k8s.gantry().getLifecycle().getPreStop());
    assertThat(preStop).as("preStop pause").isPositive();
    // Kubernetes counts the preStop hook inside the grace period; SIGTERM comes after it.
    assertThat(podSpec().getTerminationGracePeriodSeconds())
        .isGreaterThan(preStop + config.server().shutdownGraceSeconds());
  }

  @Test
  void theDisruptionBudgetLetsOneReplicaGoAndKeepsTheRest() {
    int replicas = k8s.deployment().getSpec().getReplicas();
    assertThat(replicas).isEqualTo(3);
    int mayGo = disruptionsAllowed(k8s.disruptionBudget().getSpec(), replicas);
    assertThat(mayGo).as("a node drain can proceed").isGreaterThanOrEqualTo(1);
    assertThat(mayGo).as("and never takes every replica").isLessThan(replicas);
  }

  @Test
  void theAutoscalerScalesThisDeploymentOnCpuFromItsRequest() {
    var spec = k8s.autoscaler().getSpec();
    assertThat(spec.getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
    assertThat(spec.getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(spec.getScaleTargetRef().getName())
        .isEqualTo(k8s.deployment().getMetadata().getName());
    assertThat(spec.getMinReplicas()).isEqualTo(k8s.deployment().getSpec().getReplicas());
    assertThat(spec.getMaxReplicas()).isGreaterThan(spec.getMinReplicas());
    assertThat(spec.getMetrics())
        .extracting(MetricSpec::getType, m -> m.getResource().getName())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Resource", "cpu"));
    // Utilization is a share of the request: without one the autoscaler cannot compute it.
    assertThat(k8s.gantry().getResources().getRequests()).containsKey("cpu");
  }

  @Test
  void memoryCoversTheMeasuredPeakAndWhatTheLaunchersFlagsAllow() throws IOException {
    var resources = k8s.gantry().getResources();
    long request = bytes(resources.getRequests().get("memory"));
    long limit = bytes(resources.getLimits().get("memory"));
    assertThat(request)
        .as("request ≥ measured peak resident")
        .isGreaterThanOrEqualTo(measuredPeakBytes());
    LauncherFlags flags = LauncherFlags.read();
    long capped =
        flags.bytes("-Xmx")
            + flags.bytes("-XX:MaxMetaspaceSize=")
            + flags.bytes("-XX:ReservedCodeCacheSize=");
    // Beyond the capped areas: thread stacks, GC structures and direct buffers (128 MiB).
    assertThat(limit)
        .as("limit ≥ heap + metaspace + code cache + 128 MiB")
        .isGreaterThanOrEqualTo(capped + (128L << 20));
    assertThat(limit).isGreaterThanOrEqualTo(request);
  }

  @Test
  void thePodRunsAsTheImagesUserWithOnlyItsVolumesWritable() {
    var pod = podSpec().getSecurityContext();
    assertThat(pod.getRunAsNonRoot()).isTrue();
    assertThat(pod.getRunAsUser() + ":" + pod.getRunAsGroup()).isEqualTo("1000:1000");
    assertThat(k8s.gantry().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    // With a read-only root, whatever Gantry and the JVM write must be on a writable volume.
    for (String written : List.of(config.dataDir(), "/tmp")) {
      assertThat(k8s.gantry().getVolumeMounts())
          .as(written + " is on a writable volume")
          .anyMatch(
              m -> !Boolean.TRUE.equals(m.getReadOnly()) && isUnder(written, m.getMountPath()));
    }
  }

  @Test
  void everyFieldIsOneKubernetesKnows() {
    // The model keeps a field it does not know (a misspelt "readinesProbe") instead of failing.
    List<String> unknown = new ArrayList<>();
    for (Object manifest :
        List.of(k8s.deployment(), k8s.service(), k8s.disruptionBudget(), k8s.autoscaler())) {
      collectUnknownFields(manifest, manifest.getClass().getSimpleName(), unknown);
    }
    assertThat(unknown).isEmpty();
  }

  @Test
  void kustomizeRendersTheConfigMapUnderAHashedNameThatThePodsMount() throws Exception {
    // kustomize itself, where kubectl is installed (it is not a build dependency).
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed: kustomize not run");
    Process kubectl =
        new ProcessBuilder("kubectl", "kustomize", k8s.directory().toString())
            .redirectErrorStream(true)
            .start();
    String rendered = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kubectl.waitFor()).as(rendered).isZero();
    Map<String, JsonNode> byKind = new HashMap<>();
    try (MappingIterator<JsonNode> docs =
        KubernetesManifests.YAML.readerFor(JsonNode.class).readValues(rendered)) {
      docs.forEachRemaining(doc -> byKind.put(doc.path("kind").asText(), doc));
    }
    assertThat(byKind)
        .containsOnlyKeys(
            "ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler");
    ConfigMap configMap =
        KubernetesManifests.YAML.treeToValue(byKind.get("ConfigMap"), ConfigMap.class);
    Deployment deployment =
        KubernetesManifests.YAML.treeToValue(byKind.get("Deployment"), Deployment.class);
    // The hash in the name changes with the file, so a changed config rolls the pods.
    assertThat(configMap.getMetadata().getName()).startsWith("gantry-config-");
    assertThat(configMap.getData().get("gantry.yaml"))
        .isEqualTo(Files.readString(k8s.directory().resolve("gantry.yaml")));
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(v ->
            v.getConfigMap() != null
                && v.getConfigMap().getName().equals(configMap.getMetadata().getName()));
  }

  /** The Deployment's environment, with the Secret's values and a pod name. */
  private static Map<String, String> podEnvironment() {
    Map<String, String> env = new HashMap<>();
    for (EnvVar var : k8s.gantry().getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      } else if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        String key = var.getValueFrom().getSecretKeyRef().getKey();
        assertThat(SECRET).as("the Secret's documented keys").containsKey(key);
        env.put(var.getName(), SECRET.get(key));
      } else if (var.getValueFrom() != null
          && var.getValueFrom().getFieldRef() != null
          && var.getValueFrom().getFieldRef().getFieldPath().equals("metadata.name")) {
        env.put(var.getName(), "gantry-7d9f8c6b5-x2k4p"); // a pod's name, as Kubernetes gives it
      } else {
        throw new AssertionError(var.getName() + " has a source this test does not know");
      }
    }
    return env;
  }

  private static PodSpec podSpec() {
    return k8s.deployment().getSpec().getTemplate().getSpec();
  }

  private static VolumeMount mountOf(String volume) {
    return k8s.gantry().getVolumeMounts().stream()
        .filter(m -> m.getName().equals(volume))
        .findFirst()
        .orElseThrow(() -> new AssertionError("volume " + volume + " is not mounted"));
  }

  private static HTTPGetAction httpGet(Probe probe) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet()).as("an HTTP probe").isNotNull();
    return probe.getHttpGet();
  }

  /** A port given by number or by the name of one of Gantry's container ports. */
  private static int containerPort(IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return k8s.gantry().getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()))
        .getContainerPort();
  }

  /** The pause of a preStop hook: {@code sleep N} run in the container, or the sleep action. */
  private static long sleepSeconds(LifecycleHandler hook) {
    if (hook.getSleep() != null) {
      return hook.getSleep().getSeconds();
    }
    List<String> command = hook.getExec().getCommand();
    assertThat(command).hasSize(2).first().isEqualTo("sleep");
    return Long.parseLong(command.get(1));
  }

  /** How many of {@code replicas} ready pods the budget lets go at once (Kubernetes rounds up). */
  private static int disruptionsAllowed(PodDisruptionBudgetSpec spec, int replicas) {
    if (spec.getMaxUnavailable() != null) {
      return count(spec.getMaxUnavailable(), replicas);
    }
    return replicas - count(spec.getMinAvailable(), replicas);
  }

  private static int count(IntOrString value, int replicas) {
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    int percent = Integer.parseInt(value.getStrVal().replace("%", ""));
    return (replicas * percent + 99) / 100;
  }

  private static long bytes(Quantity quantity) {
    return Quantity.getAmountInBytes(quantity).longValueExact();
  }

  /** The peak resident memory bench/load.sh measured with 2,000 streams, in bytes. */
  private static long measuredPeakBytes() throws IOException {
    String report = Files.readString(MEASURED);
    assertThat(report)
        .as(MEASURED + " measured the launcher's flags")
        .contains("launcher defaults");
    Matcher peak = Pattern.compile("peak \\(VmHWM\\) (\\d+) MB").matcher(report);
    assertThat(peak.find()).as(MEASURED + " states the peak resident memory").isTrue();
    return Long.parseLong(peak.group(1)) << 20; // the bench's MB are MiB (kB / 1024)
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(java.io.File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  private static boolean isUnder(String path, String mountPath) {
    return path.equals(mountPath) || path.startsWith(mountPath + "/");
  }

  private static void collectUnknownFields(Object node, String path, List<String> unknown) {
    switch (node) {
      case null -> {}
      case Collection<?> items -> {
        int i = 0;
        for (Object item : items) {
          collectUnknownFields(item, path + "[" + i++ + "]", unknown);
        }
      }
      case Map<?, ?> map -> map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown));
      default -> {
        if (!node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
          return;
        }
        for (Method getter : node.getClass().getMethods()) {
          if (getter.getParameterCount() != 0
              || Modifier.isStatic(getter.getModifiers())
              || !getter.getName().startsWith("get")
              || getter.getDeclaringClass() == Object.class) {
            continue;
          }
          Object value;
          try {
            value = getter.invoke(node);
          } catch (ReflectiveOperationException e) {
            throw new AssertionError(path + "." + getter.getName(), e);
          }
          if (getter.getName().equals("getAdditionalProperties")) {
            if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
              unknown.add(path + ": " + extra.keySet());
            }
          } else {
            collectUnknownFields(value, path + "." + getter.getName().substring(3), unknown);
          }
        }
      }
    }
  }
}
