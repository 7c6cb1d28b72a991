package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS upstream with a self-signed certificate made by the JDK's keytool: trusted through
 * {@code tls.ca-file}, rejected by the system trust store, and rejected when it names another host
 * than the upstream URL.
 */
class UpstreamTlsTest {
  private static final String PASSWORD = "changeit";

  @TempDir static Path directory;
  private static SSLContext serverTls;
  private static Path caFile;
  private static SSLContext otherHostTls;
  private static Path otherHostCaFile;

  @BeforeAll
  static void createCertificates() throws Exception {
    serverTls = serverContext("upstream", "CN=127.0.0.1", "san=ip:127.0.0.1");
    caFile = directory.resolve("upstream-ca.pem");
    otherHostTls = serverContext("other", "CN=other.example", "san=dns:other.example");
    otherHostCaFile = directory.resolve("other-ca.pem");
  }

  /**
   * Creates a self-signed certificate with {@code subject} and {@code san}, writes it to {@code
   * ALIAS-ca.pem} and returns a server context that presents it.
   */
  private static SSLContext serverContext(String alias, String subject, String san)
      throws Exception {
    Path keystore = directory.resolve(alias + ".p12");
    keytool(
        "-genkeypair",
        "-alias",
        alias,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-dname",
        subject,
        "-ext",
        san,
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        alias,
        "-keystore",
        keystore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        directory.resolve(alias + "-ca.pem").toString());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool timed out");
    assertEquals(0, process.exitValue(), "keytool " + args[0] + ": " + output);
  }

  @Test
  void caFile_trustsSelfSignedUpstream() throws Exception {
    try (GitwardFixture fixture =
        GitwardFixture.builder()
            .upstreamTls(serverTls)
            .upstreamYaml("    tls:\n      ca-file: " + caFile + "\n")
            .start()) {
      assertTrue(fixture.upstream().baseUrl().startsWith("https://"));
      GitClient git = fixture.git(fixture.newFolder("work"), fixture.tokenT());

      git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertSuccess();
      git.at(git.workDir().resolve("clone"))
          .run("push", "origin", "HEAD:refs/heads/agent/tls")
          .assertSuccess();

      assertTrue(
          fixture
              .repositories()
              .refs(fixture.allowedRepository())
              .containsKey("refs/heads/agent/tls"));
    }
  }

  /**
   * Asks for the ref advertisement and clones through {@code fixture}, whose upstream certificate
   * must fail verification. Returns the response to the advertisement request, after checking that
   * the clone failed with the TLS message and that no request reached the upstream.
   */
  private static HttpResponse<String> fetchThroughUntrustedUpstream(GitwardFixture fixture)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(fixture.remote("owner/allowed.git/info/refs?service=git-upload-pack")))
            .header("Authorization", "Bearer " + fixture.tokenT())
            .build();

    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    GitResult clone =
        fixture
            .git(fixture.newFolder("work"), fixture.tokenT())
            .run("clone", fixture.remote("owner/allowed.git"), "clone")
            .assertFailure();

    assertTrue(clone.stderr().contains("TLS verification failed"), clone.stderr());
    assertEquals(List.of(), fixture.upstream().requests());
    return response;
  }

  @Test
  void systemTrustStore_rejectsSelfSignedUpstream() throws Exception {
    try (GitwardFixture fixture = GitwardFixture.builder().upstreamTls(serverTls).start()) {
      HttpResponse<String> response = fetchThroughUntrustedUpstream(fixture);

      assertEquals(502, response.statusCode());
      assertEquals(
          "gitward: TLS verification failed for upstream local (owner/allowed); the operator"
              + " must check upstreams.local.tls.ca-file\n",
          response.body());
    }
  }

  @Test
  void trustedCertificateForOtherHost_rejected() throws Exception {
    try (GitwardFixture fixture =
        GitwardFixture.builder()
            .upstreamTls(otherHostTls)
            .upstreamYaml("    tls:\n      ca-file: " + otherHostCaFile + "\n")
            .start()) {
      HttpResponse<String> response = fetchThroughUntrustedUpstream(fixture);

      assertEquals(502, response.statusCode(), response.body());
      assertTrue(response.body().contains("TLS verification failed"), response.body());
    }
  }
}
