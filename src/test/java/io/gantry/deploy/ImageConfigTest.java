package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The container image (the {@code image} profile's Jib configuration in pom.xml) runs Gantry as the
 * launcher does, and is the one deploy/kubernetes names. Building the image needs its base image
 * from a registry, so the suite cannot build it; this keeps what the pom says in step with the
 * launcher, where the flags are decided, and with the manifests.
 */
class ImageConfigTest {
  private static final String JIB_PLUGIN =
      "/project/profiles/profile[id='image']/build/plugins/plugin[artifactId='jib-maven-plugin']";

  @Test
  void theImageRunsTheJvmWithTheLaunchersServeFlags() throws Exception {
    String imageFlags = jib("environment/JDK_JAVA_OPTIONS").getFirst();
    assertThat(Arrays.asList(imageFlags.split("\\s+")))
        .as("JDK_JAVA_OPTIONS in the image profile of pom.xml, against ./gantry")
        .isEqualTo(LauncherFlags.read().flags());
  }

  @Test
  void theImageServesOnEveryInterfaceOnTheDefaultPortAsANonRootUser() throws Exception {
    assertThat(jib("args/arg")).containsExactly("serve", "--host", "0.0.0.0");
    assertThat(jib("ports/port")).containsExactly(String.valueOf(ServerConfig.DEFAULT_PORT));
    assertThat(jib("user")).containsExactly("1000:1000");
  }

  @Test
  void kubernetesDeploysTheImageThisBuildTags() throws Exception {
    String version = pom("/project/version").getFirst();
    assertThat(pom(JIB_PLUGIN + "/configuration/to/image"))
        .containsExactly("gantry:${project.version}");
    KubernetesManifests k8s = KubernetesManifests.read();
    assertThat(k8s.gantry().getImage()).isEqualTo("gantry");
    assertThat(k8s.kustomization().path("images"))
        .anySatisfy(image -> {
          assertThat(image.path("name").asText()).isEqualTo("gantry");
          assertThat(image.path("newTag").asText()).isEqualTo(version);
        });
  }

  private static List<String> jib(String path) throws Exception {
    return pom(JIB_PLUGIN + "/configuration/container/" + path);
  }

  /** The text of each element of pom.xml at {@code path}. */
  private static List<String> pom(String path) throws Exception {
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Path.of("pom.xml").toFile());
    NodeList nodes =
        (NodeList)
            XPathFactory.newInstance().newXPath().evaluate(path, pom, XPathConstants.NODESET);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().strip());
    }
    assertThat(out).as("pom.xml has " + path).isNotEmpty();
    return out;
  }
}
