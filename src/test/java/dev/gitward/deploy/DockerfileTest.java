package dev.gitward.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gitward.config.ConfigLoader;
import dev.gitward.config.GitwardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the container image definition. No Docker engine runs in the test environment,
 * so these tests read the Dockerfile instead of building it.
 */
class DockerfileTest {
  private static final Path DOCKERFILE = Path.of("deploy/container/Dockerfile");
  private static final Path IMAGE_CONFIG = Path.of("deploy/container/gitward.yaml");
  private static final String JAR = "/opt/gitward/gitward.jar";
  private static final String CONFIG = "/etc/gitward/gitward.yaml";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Dockerfile dockerfile;

  @BeforeAll
  static void readDockerfile() throws Exception {
    dockerfile = Dockerfile.read(DOCKERFILE);
  }

  @Test
  void buildStage_packagesTheShadedJar() {
    assertTrue(dockerfile.stages().size() >= 2, "expected a build and a runtime stage");
    Dockerfile.Stage build = dockerfile.stages().get(0);
    assertTrue(build.baseImage().startsWith("maven:"), build.baseImage());
    assertTrue(
        build.baseImage().contains("17"), "build image without JDK 17: " + build.baseImage());
    assertTrue(
        build.all("RUN").stream()
            .anyMatch(run -> run.arguments().equals("mvn -B -DskipTests package")),
        "build stage does not run mvn -B -DskipTests package");
  }

  @Test
  void runtimeStage_copiesJarFromBuildStage() throws Exception {
    String buildName = dockerfile.stages().get(0).name().orElseThrow();
    List<String> copies =
        dockerfile.finalStage().all("COPY").stream()
            .map(Dockerfile.Instruction::arguments)
            .toList();
    assertTrue(
        copies.contains("--from=" + buildName + " /src/target/gitward.jar " + JAR),
        "no COPY of target/gitward.jar into " + JAR + ": " + copies);

    String pom = Files.readString(Path.of("pom.xml"));
    assertTrue(
        pom.contains("<finalName>gitward</finalName>"), "the POM no longer builds gitward.jar");
  }

  @Test
  void runtimeStage_usesJre17() {
    String base = dockerfile.finalStage().baseImage();
    assertTrue(base.startsWith("eclipse-temurin:17-jre"), base);
  }

  @Test
  void runtimeUser_isFixedNonRootUid() {
    String user = dockerfile.finalStage().last("USER").orElseThrow().arguments();
    Matcher numeric = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(user);
    assertTrue(
        numeric.matches(),
        "USER is not a numeric uid:gid, so runAsNonRoot cannot check it: " + user);
    assertNotEquals("0", numeric.group(1));
    assertNotEquals("0", numeric.group(2));

    String created =
        dockerfile.finalStage().all("RUN").stream()
            .map(Dockerfile.Instruction::arguments)
            .filter(run -> run.contains("useradd"))
            .findFirst()
            .orElseThrow();
    assertTrue(created.contains("--uid " + numeric.group(1)), created);
    assertTrue(created.contains("--gid " + numeric.group(2)), created);
  }

  @Test
  void exposedPorts_matchLoaderDefaultsAndImageConfig() throws Exception {
    Set<Integer> exposed =
        dockerfile.finalStage().all("EXPOSE").stream()
            .flatMap(expose -> Arrays.stream(expose.arguments().split("\\s+")))
            .map(port -> Integer.parseInt(port.replace("/tcp", "")))
            .collect(Collectors.toCollection(TreeSet::new));

    GitwardConfig defaults = new ConfigLoader(Map.of()).parse(minimalConfig(), "minimal");
    assertEquals(
        Set.of(defaults.proxy().listen().port(), defaults.admin().listen().port()), exposed);

    GitwardConfig image =
        new ConfigLoader(Map.of("GITHUB_TOKEN", "placeholder")).load(IMAGE_CONFIG);
    assertEquals(Set.of(image.proxy().listen().port(), image.admin().listen().port()), exposed);
    assertEquals("0.0.0.0", image.proxy().listen().host());
    assertEquals("0.0.0.0", image.admin().listen().host());
  }

  @Test
  void healthCheck_requestsHealthzOnAdminPort() throws Exception {
    String check = dockerfile.finalStage().last("HEALTHCHECK").orElseThrow().arguments();
    GitwardConfig image =
        new ConfigLoader(Map.of("GITHUB_TOKEN", "placeholder")).load(IMAGE_CONFIG);
    assertTrue(check.contains("GET /healthz "), check);
    assertTrue(
        check.contains("/dev/tcp/127.0.0.1/" + image.admin().listen().port()),
        "health check does not connect to the admin port: " + check);
  }

  @Test
  void entrypoint_servesWithImageConfig() throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.addAll(execForm("ENTRYPOINT"));
    command.addAll(execForm("CMD"));
    assertEquals("java", command.get(0));
    assertTrue(command.contains("-Djava.io.tmpdir=/tmp"), command.toString());
    int jar = command.indexOf("-jar");
    assertEquals(
        List.of("-jar", JAR, "serve", "--config", CONFIG), command.subList(jar, command.size()));

    List<String> copies =
        dockerfile.finalStage().all("COPY").stream()
            .map(Dockerfile.Instruction::arguments)
            .toList();
    assertTrue(copies.contains(IMAGE_CONFIG + " " + CONFIG), copies.toString());
  }

  @Test
  void tmpVolume_isDeclaredForSpillFiles() throws Exception {
    String volume = dockerfile.finalStage().last("VOLUME").orElseThrow().arguments();
    assertEquals(List.of("/tmp"), JSON.readValue(volume, List.class));
  }

  @Test
  void dockerignore_admitsEveryCopiedSource() throws Exception {
    List<String> rules =
        Files.readAllLines(Path.of(".dockerignore")).stream()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();
    assertEquals("*", rules.get(0), "the context should start from nothing");
    Set<String> admitted =
        rules.stream()
            .filter(rule -> rule.startsWith("!"))
            .map(rule -> rule.substring(1).replaceAll("/$", ""))
            .collect(Collectors.toSet());
    for (Dockerfile.Stage stage : dockerfile.stages()) {
      for (Dockerfile.Instruction copy : stage.all("COPY")) {
        if (copy.arguments().startsWith("--from=")) {
          continue;
        }
        String source = copy.arguments().split("\\s+")[0];
        assertTrue(admitted.contains(source), ".dockerignore excludes " + source);
      }
    }
    assertFalse(admitted.contains("config"), "config/ may contain local keys and tokens");
  }

  private static List<String> execForm(String keyword) throws Exception {
    String arguments = dockerfile.finalStage().last(keyword).orElseThrow().arguments();
    JsonNode array = JSON.readTree(arguments);
    assertTrue(array.isArray(), keyword + " is not in exec form: " + arguments);
    List<String> words = new java.util.ArrayList<>();
    array.forEach(word -> words.add(word.asText()));
    return words;
  }

  static String minimalConfig() {
    return """
        tokens:
          keys:
            - file: keys/signing.jwk
        upstreams:
          local:
            url: http://127.0.0.1:9000
            credentials:
              type: none
        """;
  }
}
