package dev.gitward.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskCredentialTest {
  private static final String TOKEN = "eyJ.canary-token.sig";

  private static String basic(String pair) {
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void extract_bearer() throws Exception {
    assertEquals(TOKEN, TaskCredential.extract(List.of("Bearer " + TOKEN), 8192));
    assertEquals(TOKEN, TaskCredential.extract(List.of("bearer   " + TOKEN), 8192));
  }

  @Test
  void extract_basicPasswordWithAnyUsername() throws Exception {
    assertEquals(TOKEN, TaskCredential.extract(List.of(basic("x-access-token:" + TOKEN)), 8192));
    assertEquals(TOKEN, TaskCredential.extract(List.of(basic(":" + TOKEN)), 8192));
  }

  @Test
  void extract_missingIsChallenge() {
    ProxyRejection rejection =
        assertThrows(ProxyRejection.class, () -> TaskCredential.extract(List.of(), 8192));
    assertEquals(401, rejection.status());
    assertTrue(rejection.challenge());
  }

  @Test
  void extract_twoHeadersIsBadRequest() {
    ProxyRejection rejection =
        assertThrows(
            ProxyRejection.class,
            () -> TaskCredential.extract(List.of("Bearer " + TOKEN, "Bearer " + TOKEN), 8192));
    assertEquals(400, rejection.status());
    assertFalse(rejection.getMessage().contains(TOKEN));
  }

  @Test
  void extract_rejectsMalformedWithoutQuotingTheCredential() {
    for (String header :
        List.of(
            "Digest " + TOKEN,
            basic(TOKEN),
            "Basic %%%" + TOKEN,
            "Bearer",
            "Bearer    ",
            basic("user:"))) {
      ProxyRejection rejection =
          assertThrows(
              ProxyRejection.class, () -> TaskCredential.extract(List.of(header), 8192), header);
      assertEquals(401, rejection.status(), header);
      assertFalse(rejection.getMessage().contains(TOKEN), rejection.getMessage());
    }
  }

  @Test
  void extract_rejectsOversizedHeader() {
    String huge = "Bearer " + "a".repeat(20_000);
    ProxyRejection rejection =
        assertThrows(ProxyRejection.class, () -> TaskCredential.extract(List.of(huge), 8192));
    assertEquals(401, rejection.status());
    assertTrue(rejection.getMessage().contains("at most 8192 bytes"), rejection.getMessage());
  }
}
