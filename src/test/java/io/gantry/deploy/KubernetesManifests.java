package io.gantry.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifests in {@code deploy/kubernetes}, each parsed into the Kubernetes API's model class,
 * and the kustomization that lists them.
 */
record KubernetesManifests(
    Path directory,
    JsonNode kustomization,
    Deployment deployment,
    Service service,
    PodDisruptionBudget disruptionBudget,
    HorizontalPodAutoscaler autoscaler) {

  static final Path DIRECTORY = Path.of("deploy/kubernetes");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static KubernetesManifests read() throws IOException {
    return new KubernetesManifests(
        DIRECTORY,
        YAML.readTree(DIRECTORY.resolve("kustomization.yaml").toFile()),
        parse("deployment.yaml", Deployment.class),
        parse("service.yaml", Service.class),
        parse("pdb.yaml", PodDisruptionBudget.class),
        parse("hpa.yaml", HorizontalPodAutoscaler.class));
  }

  private static <T> T parse(String file, Class<T> type) throws IOException {
    return YAML.readValue(DIRECTORY.resolve(file).toFile(), type);
  }

  /** Gantry's container in the Deployment's pod template. */
  Container gantry() {
    return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("gantry"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("deployment.yaml has no container named gantry"));
  }

  /** The files the kustomization names: its resources and the config map generator's files. */
  List<String> kustomizedFiles() {
    List<String> out = new ArrayList<>();
    kustomization.path("resources").forEach(r -> out.add(r.asText()));
    kustomization
        .path("configMapGenerator")
        .forEach(g -> g.path("files").forEach(f -> out.add(f.asText())));
    return out;
  }

  /**
   * The generated config map that holds Gantry's config file, by its name before kustomize's hash.
   */
  JsonNode configGenerator() {
    for (JsonNode g : kustomization.path("configMapGenerator")) {
      if (g.path("name").asText().equals("gantry-config")) {
        return g;
      }
    }
    throw new AssertionError("kustomization.yaml generates no config map named gantry-config");
  }
}
