package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GitRouteTest {
  @Test
  void parse_advertisementOfUploadPack() throws Exception {
    GitRoute route =
        GitRoute.parse("GET", "/github.com/acme/widgets.git/info/refs", "service=git-upload-pack");
    assertEquals("github.com", route.upstream());
    assertEquals("acme/widgets.git", route.repositoryPath());
    assertEquals(GitService.UPLOAD_PACK, route.service());
    assertTrue(route.advertisement());
    assertEquals("/info/refs?service=git-upload-pack", route.upstreamSuffix());
  }

  @Test
  void parse_receivePackPostOfNestedGroup() throws Exception {
    GitRoute route = GitRoute.parse("POST", "/gitlab.com/group/sub/project/git-receive-pack", null);
    assertEquals("group/sub/project", route.repositoryPath());
    assertEquals(GitService.RECEIVE_PACK, route.service());
    assertFalse(route.advertisement());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/github.com/acme/wid%67ets/info/refs",
        "/github.com/acme/widgets;x/info/refs",
        "/github.com/acme\\widgets/info/refs",
        "/github.com//acme/widgets/info/refs",
        "/github.com/acme/../secret/info/refs",
        "/github.com/./acme/widgets/info/refs",
        "/github.com/acme/widgets/info/refs/",
        "github.com/acme/widgets/info/refs",
        "http://evil/github.com/acme/widgets/info/refs",
        "/github.com/acme/wid gets/info/refs",
        "/github.com/acme/widgets\u00e9/info/refs"
      })
  void parse_rejectsUnsafePaths(String path) {
    ProxyRejection rejection =
        assertThrows(
            ProxyRejection.class, () -> GitRoute.parse("GET", path, "service=git-upload-pack"));
    assertEquals(400, rejection.status(), rejection.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "service=git-upload-pack&service=git-receive-pack",
        "service=git-upload-pack&x=1",
        "service=git-upload-pac",
        "service=git-upload-pack&access_token=abc",
        "SERVICE=git-upload-pack"
      })
  void parse_rejectsQueriesOtherThanOneService(String query) {
    ProxyRejection rejection =
        assertThrows(
            ProxyRejection.class,
            () -> GitRoute.parse("GET", "/github.com/acme/widgets/info/refs", query));
    assertEquals(400, rejection.status());
    assertTrue(
        rejection.getMessage().contains("expected: exactly service=git-upload-pack"),
        rejection.getMessage());
  }

  @Test
  void parse_rejectsMissingQueryOnAdvertisement() {
    ProxyRejection rejection =
        assertThrows(
            ProxyRejection.class,
            () -> GitRoute.parse("GET", "/github.com/acme/widgets/info/refs", null));
    assertEquals(400, rejection.status());
  }

  @Test
  void parse_rejectsQueryOnPost() {
    ProxyRejection rejection =
        assertThrows(
            ProxyRejection.class,
            () -> GitRoute.parse("POST", "/github.com/acme/widgets/git-upload-pack", "token=x"));
    assertEquals(400, rejection.status());
    assertTrue(rejection.getMessage().contains("a token never travels in the URL"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/github.com/acme/widgets/HEAD",
        "/github.com/acme/widgets/objects/info/packs",
        "/github.com/acme/widgets.git/info/lfs/objects/batch",
        "/github.com/repos/acme/widgets",
        "/github.com/acme/widgets/git-upload-archive"
      })
  void parse_rejectsEndpointsOtherThanSmartHttp(String path) {
    ProxyRejection rejection =
        assertThrows(ProxyRejection.class, () -> GitRoute.parse("GET", path, null));
    assertEquals(404, rejection.status(), rejection.getMessage());
  }

  @Test
  void parse_rejectsWrongMethods() {
    assertEquals(
        405,
        assertThrows(
                ProxyRejection.class,
                () ->
                    GitRoute.parse(
                        "POST", "/github.com/acme/widgets/info/refs", "service=git-upload-pack"))
            .status());
    assertEquals(
        405,
        assertThrows(
                ProxyRejection.class,
                () -> GitRoute.parse("GET", "/github.com/acme/widgets/git-receive-pack", null))
            .status());
  }

  @Test
  void parse_rejectsMissingRepository() {
    assertEquals(
        400,
        assertThrows(
                ProxyRejection.class,
                () -> GitRoute.parse("POST", "/github.com/git-upload-pack", null))
            .status());
  }
}
