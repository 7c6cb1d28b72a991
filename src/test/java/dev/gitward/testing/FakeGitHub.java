package dev.gitward.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Collectors;

/**
 * The GitHub REST API as WireMock on 127.0.0.1: a GitHub App with a fresh RSA key, whose private
 * key is written in PKCS#1 PEM as GitHub issues it, and stubs for the installation lookup and the
 * token endpoint.
 */
public final class FakeGitHub implements AutoCloseable {
  public static final long APP_ID = 4242;
  public static final long INSTALLATION_ID = 777;
  public static final String TOKENS_PATH =
      "/app/installations/" + INSTALLATION_ID + "/access_tokens";

  private final WireMockServer server;
  private final KeyPair keys;
  private final Path privateKeyFile;

  private FakeGitHub(WireMockServer server, KeyPair keys, Path privateKeyFile) {
    this.server = server;
    this.keys = keys;
    this.privateKeyFile = privateKeyFile;
  }

  /** Starts the API and writes the app's private key into {@code directory}. */
  public static FakeGitHub start(Path directory) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair keys = generator.generateKeyPair();
      Path file = directory.resolve("github-app.pem");
      Files.writeString(file, pem("RSA PRIVATE KEY", pkcs1(keys.getPrivate().getEncoded())));
      WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
      server.start();
      return new FakeGitHub(server, keys, file);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public WireMockServer server() {
    return server;
  }

  /** Returns the API base URL, such as {@code http://127.0.0.1:40123}. */
  public String apiUrl() {
    return server.baseUrl();
  }

  public Path privateKeyFile() {
    return privateKeyFile;
  }

  public KeyPair keys() {
    return keys;
  }

  public RSAPublicKey publicKey() {
    return (RSAPublicKey) keys.getPublic();
  }

  /** Returns the YAML of a {@code credentials:} block, indented for an upstream entry. */
  public String credentialsYaml(boolean withInstallationId) {
    return "    credentials:\n      type: github-app\n      app-id: "
        + APP_ID
        + "\n      private-key-file: "
        + privateKeyFile
        + "\n"
        + (withInstallationId ? "      installation-id: " + INSTALLATION_ID + "\n" : "")
        + "      api-timeout: 1s\n";
  }

  /** Stubs the installation lookup of {@code owner/name} with {@link #INSTALLATION_ID}. */
  public void stubInstallation(String owner, String name) {
    server.stubFor(
        get(urlEqualTo("/repos/" + owner + "/" + name + "/installation"))
            .willReturn(okJson("{\"id\": " + INSTALLATION_ID + ", \"app_id\": " + APP_ID + "}")));
  }

  /**
   * Stubs token requests for {@code contents: <contents>} with {@code token}, granted exactly as
   * requested for the named repositories.
   */
  public void stubToken(String contents, String token, Instant expiresAt, String... repositories) {
    server.stubFor(
        tokenRequest(contents)
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json; charset=utf-8")
                    .withBody(tokenJson(token, expiresAt, contents, repositories))));
  }

  /** Returns a token request matcher for {@code contents: <contents>}. */
  public static MappingBuilder tokenRequest(String contents) {
    return post(urlEqualTo(TOKENS_PATH))
        .withRequestBody(matchingJsonPath("$.permissions.contents", equalTo(contents)));
  }

  /** Returns GitHub's response to a token request, granted for {@code repositories}. */
  public static String tokenJson(
      String token, Instant expiresAt, String contents, String... repositories) {
    String names =
        Arrays.stream(repositories)
            .map(name -> "{\"name\": \"" + name + "\", \"full_name\": \"owner/" + name + "\"}")
            .collect(Collectors.joining(", "));
    return "{\"token\": \""
        + token
        + "\", \"expires_at\": \""
        + expiresAt
        + "\", \"permissions\": {\"contents\": \""
        + contents
        + "\", \"metadata\": \"read\"}, \"repository_selection\": \"selected\","
        + " \"repositories\": ["
        + names
        + "]}";
  }

  /** Returns the PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo, as the JDK encodes it. */
  public static byte[] pkcs1(byte[] pkcs8) {
    // PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING pkcs1 }
    int offset = headerLength(pkcs8, 0);
    offset += 3; // INTEGER 0
    offset += 2 + (pkcs8[offset + 1] & 0xff); // AlgorithmIdentifier, short form
    int contentStart = offset + headerLength(pkcs8, offset);
    return Arrays.copyOfRange(pkcs8, contentStart, pkcs8.length);
  }

  private static int headerLength(byte[] der, int offset) {
    int first = der[offset + 1] & 0xff;
    return first < 0x80 ? 2 : 2 + (first & 0x7f);
  }

  public static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  @Override
  public void close() {
    server.stop();
  }
}
