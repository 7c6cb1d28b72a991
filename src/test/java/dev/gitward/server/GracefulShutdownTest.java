package dev.gitward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.GitwardFixture;
import dev.gitward.testing.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link GitwardServer#close()}, the SIGTERM path: running pushes finish, new requests get 503. */
class GracefulShutdownTest {
  @Test
  void close_runningPushFinishesNewRequestGets503() throws Exception {
    try (GitwardFixture fixture =
        GitwardFixture.builder().proxyYaml("  drain-timeout: 20s\n").start()) {
      Path marker = fixture.directory().resolve("hook-started");
      fixture
          .repositories()
          .addPreReceiveHook(
              fixture.allowedRepository(), "#!/bin/sh\ntouch '" + marker + "'\nsleep 3\n");
      GitClient git = fixture.git(fixture.newFolder("work"), fixture.tokenT());
      git.run("clone", fixture.remote("owner/allowed.git"), "clone").assertSuccess();
      GitClient inClone = git.at(git.workDir().resolve("clone"));
      CompletableFuture<GitResult> push =
          CompletableFuture.supplyAsync(
              () -> inClone.run("push", "origin", "HEAD:refs/heads/agent/slow"));
      waitFor(marker);
      int port = fixture.server().proxyAddress().getPort();

      CompletableFuture<Void> close = CompletableFuture.runAsync(fixture.server()::close);
      Thread.sleep(300);
      try (RawHttp http = RawHttp.connect(port, Duration.ofSeconds(5))) {
        http.send(
            "GET /local/owner/allowed.git/info/refs?service=git-upload-pack HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n\r\n");
        RawHttp.Response response = http.readResponse();
        assertEquals(503, response.status());
        assertTrue(response.body().contains("shutting down"), response.body());
        assertTrue(http.closedByServer(), "connection closed");
      }

      push.get(30, TimeUnit.SECONDS).assertSuccess();
      close.get(30, TimeUnit.SECONDS);
      assertTrue(
          fixture
              .repositories()
              .refs(fixture.allowedRepository())
              .containsKey("refs/heads/agent/slow"));
    }
  }

  private static void waitFor(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!Files.exists(file)) {
      assertTrue(System.nanoTime() < deadline, "pre-receive hook did not start: " + file);
      Thread.sleep(50);
    }
  }
}
