package dev.berth.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import org.w3c.dom.Document;

/**
 * The deployment files under deploy/ (compose, nginx, Kubernetes) agree with each other and with
 * Berth: names and ports line up, probes reach /healthz, every REGISTRY_* variable and every key of
 * the configuration file is one Berth's configuration model knows, Berth's image is the one the
 * build makes, and the worker runs {@code worker}.
 */
class DeploymentFilesTest {
  private static final Path DEPLOY = Path.of("deploy");
  private static final Pattern UPSTREAM = Pattern.compile("upstream\\s+(\\S+)\\s*\\{([^}]*)}");
  private static final Pattern SERVER = Pattern.compile("server\\s+([^:;\\s]+):(\\d+)\\s*;");

  @Test
  void nginxRoundRobinsOverEveryServingReplicaOnItsPortWithoutBodyLimits() throws IOException {
    Map<String, Map<String, Object>> services = composeServices();
    String nginx = Files.readString(DEPLOY.resolve("nginx.conf"));
    Matcher upstream = UPSTREAM.matcher(nginx);
    assertThat(upstream.find()).as("an upstream block").isTrue();
    Map<String, Integer> servers = new LinkedHashMap<>();
    Matcher server = SERVER.matcher(upstream.group(2));
    while (server.find()) {
      servers.put(server.group(1), Integer.parseInt(server.group(2)));
    }
    assertThat(nginx).contains("proxy_pass http://" + upstream.group(1) + ";");
    assertThat(servers.keySet()).containsExactlyInAnyOrderElementsOf(servingReplicas(services));
    assertThat(servers.values()).allMatch(port -> port == imagePort());
    assertThat(nginx).containsPattern("client_max_body_size\\s+0;").containsPattern("proxy_request_buffering\\s+off;");
    assertThat(servers).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void composeNamesOnlyItsOwnServicesAndBerthsImage() throws IOException {
    Map<String, Map<String, Object>> services = composeServices();
    for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
      assertThat(service.getValue()).as(service.getKey()).containsKey("image");
      Object dependsOn = service.getValue().getOrDefault("depends_on", List.of());
      List<String> needed = dependsOn instanceof Map<?, ?> map ? map.keySet().stream().map(Object::toString).toList() : strings(dependsOn);
      assertThat(services.keySet()).as("what %s depends on", service.getKey()).containsAll(needed);
    }
    List<String> berthServices = berthServices(services);
    assertThat(berthServices).hasSizeGreaterThanOrEqualTo(3);
    assertThat(berthServices).allSatisfy(name -> assertThat(services.get(name).get("image")).isEqualTo(builtImage()));
    for (Map<String, Object> container : kubernetesContainers()) {
      assertThat(container.get("image")).as("Kubernetes container %s", container.get("name")).isEqualTo(builtImage());
    }
  }

  @Test
  void theWorkerRunsWorkerAndOnlyTheReplicasTurnTheirSchedulerOff() throws IOException {
    Map<String, Map<String, Object>> services = composeServices();
    List<String> workers = berthServices(services).stream().filter(name -> !servingReplicas(services).contains(name)).toList();
    assertThat(workers).containsExactly("berth-worker");
    assertThat(strings(services.get("berth-worker").get("command"))).startsWith("worker", "--config");
    assertThat(composeEnvironment(services.get("berth-worker"))).doesNotContainKey("REGISTRY_SCHEDULER_ENABLED");
    for (String replica : servingReplicas(services)) {
      assertThat(composeEnvironment(services.get(replica))).containsEntry("REGISTRY_SCHEDULER_ENABLED", "false");
    }

    Map<String, Map<String, Object>> deployments = kubernetes("Deployment");
    assertThat(strings(container(deployments.get("berth-worker")).get("args"))).startsWith("worker", "--config");
    assertThat(kubernetesEnvironment(container(deployments.get("berth-worker")))).doesNotContain("REGISTRY_SCHEDULER_ENABLED");
    Map<String, Object> registry = container(deployments.get("berth"));
    assertThat(strings(registry.get("args"))).startsWith("serve", "--config");
    assertThat(kubernetesEnvironment(registry)).contains("REGISTRY_SCHEDULER_ENABLED");
  }

  @Test
  void kubernetesProbesAndServiceReachHealthzOnTheContainerPort() throws IOException {
    Map<String, Object> registry = container(kubernetes("Deployment").get("berth"));
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Map<String, Object> port : maps(registry.get("ports"))) {
      ports.put(String.valueOf(port.get("name")), (Integer) port.get("containerPort"));
    }
    int listening = port(configMapConfig().get("http"));
    assertThat(ports.values()).containsExactly(listening);
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      Map<String, Object> httpGet = map(map(registry.get(probe)).get("httpGet"));
      assertThat(httpGet.get("path")).as(probe).isEqualTo("/healthz");
      assertThat(resolve(httpGet.get("port"), ports)).as(probe + " port").isEqualTo(listening);
    }

    Map<String, Object> service = kubernetes("Service").get("berth");
    Map<String, Object> spec = map(service.get("spec"));
    Map<String, Object> podLabels = map(map(map(map(kubernetes("Deployment").get("berth").get("spec")).get("template")).get("metadata")).get("labels"));
    assertThat(podLabels).containsAllEntriesOf(map(spec.get("selector")));
    assertThat(maps(spec.get("ports"))).allSatisfy(port -> assertThat(resolve(port.get("targetPort"), ports)).isEqualTo(listening));
  }

  @Test
  void everyConfigurationKeyAndVariableIsOneBerthKnows() throws IOException {
    List<String> variables = new ArrayList<>();
    for (Map<String, Object> service : composeServices().values()) {
      composeEnvironment(service).keySet().stream().filter(k -> k.startsWith("REGISTRY_")).forEach(variables::add);
    }
    for (Map<String, Object> container : kubernetesContainers()) {
      kubernetesEnvironment(container).stream().filter(k -> k.startsWith("REGISTRY_")).forEach(variables::add);
    }
    assertThat(variables).isNotEmpty().allSatisfy(variable -> assertThat(
        ConfigLoader.ConfigKeys.isKnown(List.of(variable.substring("REGISTRY_".length()).toLowerCase(Locale.ROOT).split("_"))))
        .as("%s names a key of Berth's configuration", variable).isTrue());

    List<List<String>> keys = new ArrayList<>();
    leafKeys(configMapConfig(), new ArrayList<>(), keys);
    leafKeys(new Yaml().load(Files.readString(DEPLOY.resolve("image/root/etc/berth/config.yml"))), new ArrayList<>(), keys);
    assertThat(keys).isNotEmpty().allSatisfy(key -> assertThat(ConfigLoader.ConfigKeys.isKnown(key))
        .as("%s is a key of Berth's configuration", String.join(".", key)).isTrue());
  }

  // -- compose

  private static Map<String, Map<String, Object>> composeServices() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(DEPLOY.resolve("compose.yaml")));
    Map<String, Map<String, Object>> services = new LinkedHashMap<>();
    map(compose.get("services")).forEach((name, service) -> services.put(name, map(service)));
    return services;
  }

  private static List<String> berthServices(Map<String, Map<String, Object>> services) {
    return services.entrySet().stream().filter(e -> builtImage().equals(e.getValue().get("image"))).map(Map.Entry::getKey).toList();
  }

  /** Berth services running the image's default command, serve. */
  private static List<String> servingReplicas(Map<String, Map<String, Object>> services) {
    return berthServices(services).stream().filter(name -> !services.get(name).containsKey("command")).toList();
  }

  private static Map<String, String> composeEnvironment(Map<String, Object> service) {
    Map<String, String> environment = new LinkedHashMap<>();
    map(service.getOrDefault("environment", Map.of())).forEach((k, v) -> environment.put(k, String.valueOf(v)));
    return environment;
  }

  // -- Kubernetes

  private static List<Map<String, Object>> kubernetesDocuments() throws IOException {
    List<Map<String, Object>> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (Reader reader = Files.newBufferedReader(file)) {
          new Yaml().loadAll(reader).forEach(document -> documents.add(map(document)));
        }
      }
    }
    return documents;
  }

  private static Map<String, Map<String, Object>> kubernetes(String kind) throws IOException {
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    for (Map<String, Object> document : kubernetesDocuments()) {
      if (kind.equals(document.get("kind"))) {
        byName.put(String.valueOf(map(document.get("metadata")).get("name")), document);
      }
    }
    return byName;
  }

  private static List<Map<String, Object>> kubernetesContainers() throws IOException {
    return kubernetes("Deployment").values().stream().map(DeploymentFilesTest::container).toList();
  }

  private static Map<String, Object> container(Map<String, Object> deployment) {
    List<Map<String, Object>> containers = maps(map(map(map(deployment.get("spec")).get("template")).get("spec")).get("containers"));
    assertThat(containers).hasSize(1);
    return containers.getFirst();
  }

  private static List<String> kubernetesEnvironment(Map<String, Object> container) {
    return maps(container.getOrDefault("env", List.of())).stream().map(e -> String.valueOf(e.get("name"))).toList();
  }

  private static Map<String, Object> configMapConfig() throws IOException {
    Map<String, Object> configMap = kubernetes("ConfigMap").get("berth-config");
    return new Yaml().load(String.valueOf(map(configMap.get("data")).get("config.yml")));
  }

  private static int resolve(Object port, Map<String, Integer> named) {
    return port instanceof Integer number ? number : named.get(String.valueOf(port));
  }

  // -- Berth's side

  /** The image the build's Jib profile writes, as pom.xml names it. */
  private static String builtImage() {
    try {
      Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
      var xpath = XPathFactory.newInstance().newXPath();
      String version = xpath.evaluate("/project/version", pom);
      String image = xpath.evaluate("/project/profiles/profile[id='image']//plugin[artifactId='jib-maven-plugin']/configuration/to/image", pom);
      assertThat(image).isNotBlank();
      return image.replace("${project.version}", version);
    } catch (Exception e) {
      throw new AssertionError("reading pom.xml", e);
    }
  }

  /** The port of http.addr in the image's own configuration file: what the container listens on. */
  private static int imagePort() {
    try {
      Map<String, Object> config = new Yaml().load(Files.readString(DEPLOY.resolve("image/root/etc/berth/config.yml")));
      return port(config.get("http"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static int port(Object http) {
    String addr = String.valueOf(map(http).get("addr"));
    return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
  }

  private static void leafKeys(Map<String, Object> section, List<String> prefix, List<List<String>> keys) {
    section.forEach((name, value) -> {
      List<String> path = new ArrayList<>(prefix);
      path.add(name);
      if (value instanceof Map<?, ?>) {
        leafKeys(map(value), path, keys);
      } else {
        keys.add(path);
      }
    });
  }

  // -- YAML's untyped trees

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  private static List<Map<String, Object>> maps(Object node) {
    assertThat(node).isInstanceOf(List.class);
    return ((List<?>) node).stream().map(DeploymentFilesTest::map).toList();
  }

  private static List<String> strings(Object node) {
    assertThat(node).isInstanceOf(List.class);
    return ((List<?>) node).stream().map(String::valueOf).toList();
  }
}
