package dev.gitward.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gitward.config.ConfigLoader;
import dev.gitward.config.CredentialSettings;
import dev.gitward.config.GitwardConfig;
import dev.gitward.config.UpstreamSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks that the Kubernetes manifests agree with Gitward's configuration: ports, probes, mounted
 * secrets and the sandbox's git settings. The ConfigMaps' gitward.yaml is loaded through the real
 * {@link ConfigLoader}.
 */
class KubernetesManifestTest {
  private static final Path SIDECAR = Path.of("deploy/kubernetes/sidecar");
  private static final Path SERVICE = Path.of("deploy/kubernetes/service");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern UID_OWNER = Pattern.compile("GITWARD_UID=(\\d+)");

  @Test
  void sidecarPod_matchesItsConfig() throws Exception {
    Manifests manifests = Manifests.read(SIDECAR);
    JsonNode pod = manifests.only("Pod");
    GitwardConfig config = manifests.gitwardConfig("gitward-sidecar");
    JsonNode spec = pod.path("spec");
    JsonNode gitward = container(spec, "gitward");

    checkGitwardContainer(spec, gitward, config, "gitward-sidecar");
    assertEquals(
        "127.0.0.1", config.proxy().listen().host(), "sidecar proxy must stay on loopback");
    assertTrue(config.admin().tokenFile().isEmpty(), "sidecar pods must not mint tokens");
    assertTrue(config.admin().tokenEnv().isEmpty(), "sidecar pods must not mint tokens");
    checkSandbox(spec, container(spec, "sandbox"), config);
  }

  @Test
  void sidecarEgressRules_allowOnlyGitwardUid() throws Exception {
    Manifests manifests = Manifests.read(SIDECAR);
    JsonNode spec = manifests.only("Pod").path("spec");
    String script =
        manifests.configMap("gitward-sidecar").path("data").path("egress-rules.sh").asText();

    Matcher uid = UID_OWNER.matcher(script);
    assertTrue(uid.find(), "egress-rules.sh sets no GITWARD_UID");
    JsonNode gitward = container(spec, "gitward");
    assertEquals(uid.group(1), gitward.path("securityContext").path("runAsUser").asText());
    assertTrue(
        Files.readString(Path.of("deploy/container/Dockerfile"))
            .contains("USER " + uid.group(1) + ":"));
    assertTrue(
        script.contains("--uid-owner \"$GITWARD_UID\" -p tcp --dport 443 -j ACCEPT"), script);
    assertTrue(script.strip().contains("-A OUTPUT -j REJECT"), "no final REJECT rule: " + script);
    assertTrue(script.contains("apply ip6tables"), "IPv6 egress is not restricted");

    JsonNode sandbox = container(spec, "sandbox");
    assertNotEquals(
        uid.group(1),
        sandbox.path("securityContext").path("runAsUser").asText(),
        "the sandbox must not run as Gitward's uid, which the rules let out");

    JsonNode init = find(spec.path("initContainers"), "egress-rules").orElseThrow();
    String mountPath = init.path("volumeMounts").get(0).path("mountPath").asText();
    assertEquals(List.of(mountPath + "/egress-rules.sh"), strings(init.path("args")));
    assertEquals(
        "egress-rules.sh",
        volume(spec, init.path("volumeMounts").get(0).path("name").asText())
            .path("configMap")
            .path("items")
            .get(0)
            .path("path")
            .asText());
    assertTrue(
        Files.readString(SIDECAR.resolve("netfilter/Dockerfile")).contains("iptables"),
        "the init container image does not install iptables");
  }

  @Test
  void sidecarNetworkPolicy_selectsSandboxPod() throws Exception {
    Manifests manifests = Manifests.read(SIDECAR);
    JsonNode pod = manifests.only("Pod");
    JsonNode policy = manifests.only("NetworkPolicy");
    assertSelects(policy.path("spec").path("podSelector"), pod.path("metadata").path("labels"));
    assertEquals(List.of("Egress"), strings(policy.path("spec").path("policyTypes")));
  }

  @Test
  void serviceDeployment_matchesItsConfig() throws Exception {
    Manifests manifests = Manifests.read(SERVICE);
    JsonNode deployment = manifests.only("Deployment");
    GitwardConfig config = manifests.gitwardConfig("gitward");
    JsonNode template = deployment.path("spec").path("template");
    JsonNode spec = template.path("spec");
    JsonNode gitward = container(spec, "gitward");

    assertTrue(deployment.path("spec").path("replicas").asInt() >= 2, "a service needs replicas");
    assertSelects(
        deployment.path("spec").path("selector"), template.path("metadata").path("labels"));
    checkGitwardContainer(spec, gitward, config, "gitward");

    Path adminToken = config.admin().tokenFile().orElseThrow();
    assertMountedSecretFile(spec, gitward, adminToken);

    JsonNode annotations = template.path("metadata").path("annotations");
    assertEquals("true", annotations.path("prometheus.io/scrape").asText());
    assertEquals(
        String.valueOf(config.admin().listen().port()),
        annotations.path("prometheus.io/port").asText());
    assertEquals("/metrics", annotations.path("prometheus.io/path").asText());

    long preStop =
        Long.parseLong(
            strings(gitward.path("lifecycle").path("preStop").path("exec").path("command")).get(1));
    long grace = spec.path("terminationGracePeriodSeconds").asLong();
    assertTrue(
        grace > preStop + config.proxy().drainTimeout().toSeconds(),
        "terminationGracePeriodSeconds " + grace + " does not cover preStop and the drain timeout");
  }

  @Test
  void serviceSecurityContext_isRestricted() throws Exception {
    JsonNode spec =
        Manifests.read(SERVICE).only("Deployment").path("spec").path("template").path("spec");
    JsonNode pod = spec.path("securityContext");
    assertTrue(pod.path("runAsNonRoot").asBoolean());
    assertEquals("RuntimeDefault", pod.path("seccompProfile").path("type").asText());
    JsonNode container = container(spec, "gitward").path("securityContext");
    assertTrue(container.path("readOnlyRootFilesystem").asBoolean());
    assertFalse(container.path("allowPrivilegeEscalation").asBoolean(true));
    assertEquals(List.of("ALL"), strings(container.path("capabilities").path("drop")));
    assertTrue(container(spec, "gitward").path("resources").path("limits").has("memory"));
    assertTrue(container(spec, "gitward").path("resources").path("requests").has("cpu"));
  }

  @Test
  void services_targetNamedContainerPorts() throws Exception {
    Manifests manifests = Manifests.read(SERVICE);
    JsonNode template = manifests.only("Deployment").path("spec").path("template");
    GitwardConfig config = manifests.gitwardConfig("gitward");
    Map<String, Integer> ports = containerPorts(container(template.path("spec"), "gitward"));
    List<JsonNode> services = manifests.all("Service");
    assertEquals(2, services.size());
    for (JsonNode service : services) {
      assertSelects(
          service.path("spec").path("selector"), template.path("metadata").path("labels"));
      for (JsonNode port : service.path("spec").path("ports")) {
        String target = port.path("targetPort").asText();
        assertTrue(ports.containsKey(target), "Service targets unknown port " + target);
        assertEquals(ports.get(target).intValue(), port.path("port").asInt());
      }
    }
    URI publicUrl = config.proxy().publicUrl();
    assertTrue(
        publicUrl.getHost().startsWith("gitward.gitward.svc"),
        "proxy.public-url does not name the proxy Service: " + publicUrl);
    assertEquals(config.proxy().listen().port(), publicUrl.getPort());
  }

  @Test
  void podDisruptionBudget_selectsDeploymentPods() throws Exception {
    Manifests manifests = Manifests.read(SERVICE);
    JsonNode labels =
        manifests.only("Deployment").path("spec").path("template").path("metadata").path("labels");
    JsonNode budget = manifests.only("PodDisruptionBudget");
    assertSelects(budget.path("spec").path("selector"), labels);
    assertEquals(1, budget.path("spec").path("maxUnavailable").asInt());
  }

  @Test
  void serviceNetworkPolicies_matchPortsAndLabels() throws Exception {
    Manifests manifests = Manifests.read(SERVICE);
    GitwardConfig config = manifests.gitwardConfig("gitward");
    JsonNode labels =
        manifests.only("Deployment").path("spec").path("template").path("metadata").path("labels");
    JsonNode gitwardPolicy = manifests.named("NetworkPolicy", "gitward");
    assertSelects(gitwardPolicy.path("spec").path("podSelector"), labels);
    List<Integer> ingressPorts = new ArrayList<>();
    gitwardPolicy
        .path("spec")
        .path("ingress")
        .forEach(
            rule ->
                rule.path("ports").forEach(port -> ingressPorts.add(port.path("port").asInt())));
    assertEquals(
        List.of(config.proxy().listen().port(), config.admin().listen().port()), ingressPorts);

    JsonNode sandboxPolicy = manifests.named("NetworkPolicy", "sandbox-egress");
    JsonNode toGitward = sandboxPolicy.path("spec").path("egress").get(0);
    assertSelects(toGitward.path("to").get(0).path("podSelector"), labels);
    assertEquals(
        config.proxy().listen().port(), toGitward.path("ports").get(0).path("port").asInt());
    assertEquals(
        manifests.only("Deployment").path("metadata").path("namespace").asText(),
        toGitward
            .path("to")
            .get(0)
            .path("namespaceSelector")
            .path("matchLabels")
            .path("kubernetes.io/metadata.name")
            .asText());
  }

  @Test
  void serviceSandboxPod_usesPublicUrl() throws Exception {
    Manifests manifests = Manifests.read(SERVICE);
    GitwardConfig config = manifests.gitwardConfig("gitward");
    JsonNode pod = manifests.only("Pod");
    assertEquals(
        manifests
            .named("NetworkPolicy", "sandbox-egress")
            .path("metadata")
            .path("namespace")
            .asText(),
        pod.path("metadata").path("namespace").asText());
    checkSandbox(pod.path("spec"), container(pod.path("spec"), "sandbox"), config);
  }

  /** Checks the container's ports, probes, config mount and mounted key and credential files. */
  private static void checkGitwardContainer(
      JsonNode podSpec, JsonNode gitward, GitwardConfig config, String configMapName) {
    Map<String, Integer> ports = containerPorts(gitward);
    assertEquals(config.proxy().listen().port(), ports.get("proxy"));
    assertEquals(config.admin().listen().port(), ports.get("admin"));
    assertEquals("0.0.0.0", config.admin().listen().host(), "kubelet probes cannot reach loopback");

    assertProbe(gitward.path("livenessProbe"), "/healthz", ports);
    assertProbe(gitward.path("readinessProbe"), "/readyz", ports);
    if (gitward.has("startupProbe")) {
      assertProbe(gitward.path("startupProbe"), "/healthz", ports);
    }

    JsonNode configMount = mount(gitward, "/etc/gitward/gitward.yaml").orElseThrow();
    assertEquals("gitward.yaml", configMount.path("subPath").asText());
    JsonNode configVolume = volume(podSpec, configMount.path("name").asText());
    assertEquals(configMapName, configVolume.path("configMap").path("name").asText());

    for (Path key : config.tokens().keyFiles()) {
      assertMountedSecretFile(podSpec, gitward, key);
    }
    for (UpstreamSettings upstream : config.upstreams().values()) {
      if (upstream.credentials() instanceof CredentialSettings.Static fixed) {
        assertMountedSecretFile(podSpec, gitward, fixed.tokenFile().orElseThrow());
      }
    }

    JsonNode tmp = mount(gitward, "/tmp").orElseThrow();
    assertTrue(volume(podSpec, tmp.path("name").asText()).has("emptyDir"));
    JsonNode security = gitward.path("securityContext");
    boolean readOnly =
        security.path("readOnlyRootFilesystem").asBoolean()
            || podSpec.path("securityContext").path("readOnlyRootFilesystem").asBoolean();
    assertTrue(readOnly, "the Gitward container must have a read-only root filesystem");
    assertEquals(
        "10001",
        security
            .path("runAsUser")
            .asText(podSpec.path("securityContext").path("runAsUser").asText()));
  }

  /** Checks the sandbox's git settings against the proxy's public URL and the token mount. */
  private static void checkSandbox(JsonNode podSpec, JsonNode sandbox, GitwardConfig config) {
    Map<String, String> git = gitConfig(sandbox);
    String base = config.proxy().publicUrl().toString().replaceAll("/$", "");
    UpstreamSettings github = config.upstream("github.com").orElseThrow();
    assertEquals(
        github.url().toString().replaceAll("/$", "") + "/",
        git.get("url." + base + "/github.com/.insteadOf"),
        "no insteadOf that routes the upstream through " + base + ": " + git);

    String helper = git.get("credential." + base + ".helper");
    assertTrue(helper != null, "no credential helper scoped to " + base + ": " + git);
    Matcher file = Pattern.compile("cat (\\S+)\\)").matcher(helper);
    assertTrue(file.find(), "the helper does not read a token file: " + helper);
    Path tokenFile = Path.of(file.group(1));
    JsonNode tokenMount = mount(sandbox, tokenFile.getParent().toString()).orElseThrow();
    JsonNode secret = volume(podSpec, tokenMount.path("name").asText()).path("secret");
    assertEquals(
        tokenFile.getFileName().toString(), secret.path("items").get(0).path("path").asText());

    JsonNode security = sandbox.path("securityContext");
    assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
    assertEquals(List.of("ALL"), strings(security.path("capabilities").path("drop")));
    assertFalse(security.path("capabilities").has("add"), "the sandbox must not gain capabilities");
    for (JsonNode mount : sandbox.path("volumeMounts")) {
      JsonNode volume = volume(podSpec, mount.path("name").asText());
      String secretName = volume.path("secret").path("secretName").asText("");
      assertFalse(secretName.startsWith("gitward-"), "the sandbox mounts Gitward's " + secretName);
    }
  }

  private static void assertProbe(JsonNode probe, String path, Map<String, Integer> ports) {
    JsonNode get = probe.path("httpGet");
    assertEquals(path, get.path("path").asText());
    String port = get.path("port").asText();
    assertTrue(
        port.equals("admin") || ports.get("admin").toString().equals(port),
        "probe " + path + " is not on the admin port: " + port);
  }

  /** Asserts that {@code file} is a Secret item mounted into {@code container} at that path. */
  private static void assertMountedSecretFile(JsonNode podSpec, JsonNode container, Path file) {
    JsonNode mount =
        mount(container, file.getParent().toString())
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no volume mounted at " + file.getParent() + " for " + file));
    JsonNode secret = volume(podSpec, mount.path("name").asText()).path("secret");
    assertTrue(secret.has("secretName"), file + " is not mounted from a Secret");
    List<String> paths = new ArrayList<>();
    secret.path("items").forEach(item -> paths.add(item.path("path").asText()));
    assertTrue(paths.contains(file.getFileName().toString()), file + " is not among " + paths);
  }

  private static Map<String, String> gitConfig(JsonNode container) {
    Map<String, String> env = new HashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    Map<String, String> git = new HashMap<>();
    int count = Integer.parseInt(env.getOrDefault("GIT_CONFIG_COUNT", "0"));
    for (int i = 0; i < count; i++) {
      git.put(env.get("GIT_CONFIG_KEY_" + i), env.get("GIT_CONFIG_VALUE_" + i));
    }
    assertEquals("0", env.get("GIT_TERMINAL_PROMPT"), "git would wait for a password prompt");
    return git;
  }

  private static void assertSelects(JsonNode selector, JsonNode labels) {
    JsonNode match = selector.has("matchLabels") ? selector.path("matchLabels") : selector;
    assertTrue(match.size() > 0, "empty selector");
    match
        .fields()
        .forEachRemaining(
            entry ->
                assertEquals(
                    entry.getValue().asText(),
                    labels.path(entry.getKey()).asText(),
                    "selector " + entry.getKey() + " does not match the pod labels " + labels));
  }

  private static Map<String, Integer> containerPorts(JsonNode container) {
    Map<String, Integer> ports = new HashMap<>();
    container
        .path("ports")
        .forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    return ports;
  }

  private static JsonNode container(JsonNode podSpec, String name) {
    return find(podSpec.path("containers"), name)
        .orElseThrow(() -> new AssertionError("no container " + name));
  }

  private static JsonNode volume(JsonNode podSpec, String name) {
    return find(podSpec.path("volumes"), name)
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static Optional<JsonNode> mount(JsonNode container, String mountPath) {
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("mountPath").asText().equals(mountPath)) {
        return Optional.of(mount);
      }
    }
    return Optional.empty();
  }

  private static Optional<JsonNode> find(JsonNode list, String name) {
    for (JsonNode item : list) {
      if (item.path("name").asText().equals(name)) {
        return Optional.of(item);
      }
    }
    return Optional.empty();
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  /** Every YAML document of the {@code .yaml} files in one directory. */
  private record Manifests(List<JsonNode> documents) {
    static Manifests read(Path directory) throws IOException {
      List<JsonNode> documents = new ArrayList<>();
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
          try (MappingIterator<JsonNode> parsed =
              YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class)) {
            while (parsed.hasNext()) {
              JsonNode document = parsed.next();
              assertTrue(document.has("apiVersion"), file + ": a document without apiVersion");
              assertTrue(document.has("kind"), file + ": a document without kind");
              documents.add(document);
            }
          }
        }
      }
      return new Manifests(documents);
    }

    List<JsonNode> all(String kind) {
      return documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    JsonNode only(String kind) {
      List<JsonNode> found = all(kind);
      assertEquals(1, found.size(), "expected exactly one " + kind);
      return found.get(0);
    }

    JsonNode named(String kind, String name) {
      return all(kind).stream()
          .filter(d -> d.path("metadata").path("name").asText().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    JsonNode configMap(String name) {
      return named("ConfigMap", name);
    }

    /** Loads the ConfigMap's gitward.yaml through the real config loader. */
    GitwardConfig gitwardConfig(String configMapName) throws Exception {
      String text = configMap(configMapName).path("data").path("gitward.yaml").asText();
      return new ConfigLoader(Map.of()).parse(text, "ConfigMap " + configMapName);
    }
  }
}
