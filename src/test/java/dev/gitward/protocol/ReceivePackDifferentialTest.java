package dev.gitward.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gitward.testing.GitClient;
import dev.gitward.testing.GitResult;
import dev.gitward.testing.ScratchDirectories;
import dev.gitward.testing.TestRepositories;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds the same push bodies to {@link ReceivePackRequestParser} and to the real {@code git
 * receive-pack --stateless-rpc}, and compares the ref commands each of them reads.
 *
 * <p>The target repositories have a pre-receive hook that copies its standard input (one {@code
 * <old-id> <new-id> <ref-name>} line per command, in request order) and the push options to files
 * and then exits 1, so git applies nothing and every case starts from the same refs. git 2.39 runs
 * the hook only after it has read the whole command list and unpacked the pack without error, so a
 * hook run means that git accepted the command list. The invariant: whenever the hook runs, the
 * parser either rejects the body or returns exactly the hook's commands and push options, never a
 * different list. For the unmutated bodies of real pushes, both must accept and agree.
 *
 * <p>Gitward is deliberately stricter than git 2.39, so it rejects some bodies whose commands reach
 * git's hook. A run prints how often each rejection reason occurred.
 *
 * <ul>
 *   <li>Capabilities after a NUL on any command but the first. git reads them on every command, and
 *       with them the object format, while Gitward takes both from the first command only.
 *   <li>{@code shallow} lines between or after commands, and a {@code shallow} line with bytes
 *       after its id.
 *   <li>A second NUL, an LF or another non-printable byte in the capability list, and a {@code
 *       push-cert} capability.
 *   <li>A delim ({@code 0001}) or response-end ({@code 0002}) packet, which git treats like the
 *       flush that ends the command list.
 *   <li>Two commands for the same ref, which git passes to the hook and fails only when it updates
 *       the refs.
 *   <li>Ref names that fail git's {@code check-ref-format} rules (the empty name included), are not
 *       UTF-8, contain an LF or exceed 255 bytes. git checks ref names only after the hook.
 *   <li>Uppercase hex ids, which git reads and passes to the hook in lowercase, and a command whose
 *       two ids are both zero.
 *   <li>Push options that are not UTF-8, and any bytes after the command section of a delete-only
 *       push, which git never reads.
 * </ul>
 *
 * <p>A body that Gitward accepts but git rejects is not a failure here: the parser reads only the
 * head of the body, so a broken pack or a missing object is left for the upstream to reject.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReceivePackDifferentialTest {
  private static final int MUTATED_CASES = 300;
  private static final long SEED = 0x5eed_2039L;
  private static final Duration GIT_TIMEOUT = Duration.ofSeconds(15);
  private static final ProtocolLimits LIMITS = ProtocolLimits.defaults();

  private static final String HOOK =
      "#!/bin/sh\n"
          + "cat > \"${GITWARD_HOOK_COMMANDS:-/dev/null}\"\n"
          + "i=0\n"
          + "while [ \"$i\" -lt \"${GIT_PUSH_OPTION_COUNT:-0}\" ]; do\n"
          + "  eval \"printf '%s\\n' \\\"\\$GIT_PUSH_OPTION_$i\\\"\"\n"
          + "  i=$((i + 1))\n"
          + "done > \"${GITWARD_HOOK_OPTIONS:-/dev/null}\"\n"
          + "exit 1\n";

  /** A captured push body and the repository it was captured against. */
  private record Push(String name, Path repository, byte[] body) {}

  /** What git read from a body: the hook's commands and push options, or null if no hook ran. */
  private record GitOutcome(byte @Nullable [] commands, byte @Nullable [] options, GitResult run) {
    boolean hookRan() {
      return commands != null;
    }
  }

  private static Path directory;
  private static GitClient git;
  private static final List<Push> pushes = new ArrayList<>();
  private static final List<String> knownIds = new ArrayList<>();

  @BeforeAll
  static void capturePushes() throws IOException {
    directory = ScratchDirectories.create("gitward-differential");
    String date = "@" + TestRepositories.FIRST_COMMIT_EPOCH_SECONDS + " +0000";
    git =
        GitClient.in(directory)
            .withTimeout(GIT_TIMEOUT)
            .withEnv("GIT_AUTHOR_DATE", date)
            .withEnv("GIT_COMMITTER_DATE", date);
    Path wrapper = directory.resolve("capture-receive-pack.sh");
    Files.writeString(wrapper, "#!/bin/sh\ntee \"$GITWARD_CAPTURE\" | git receive-pack \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    captureSha1Pushes(wrapper);
    captureSha256Push(wrapper);
  }

  private static void captureSha1Pushes(Path wrapper) throws IOException {
    TestRepositories repositories = TestRepositories.in(directory.resolve("repositories"));
    Path repository = repositories.createBare("owner/sha1.git");
    String first = repositories.commitFiles(repository, "main", Map.of("a.txt", "a\n"), "A");
    repositories.commitFiles(repository, "main", Map.of("b.txt", "b\n"), "B");
    repositories.commitFiles(repository, "main", Map.of("c.txt", "c\n"), "C");
    repositories.updateRef(repository, "refs/heads/feature", first);
    repositories.updateRef(repository, "refs/tags/v1", first);
    prepareTarget(repository);
    knownIds.addAll(repositories.refs(repository).values());
    knownIds.addAll(
        List.of(
            git.at(repository)
                .run("rev-list", "--all")
                .assertSuccess()
                .stdout()
                .strip()
                .split("\n")));

    Path work = directory.resolve("work");
    git.run("clone", "--quiet", repository.toString(), work.toString()).assertSuccess();
    GitClient inWork = git.at(work);
    commit(inWork, "d.txt");
    capture(wrapper, inWork, "update", repository, "origin", "HEAD:refs/heads/main");
    capture(
        wrapper,
        inWork,
        "several commands",
        repository,
        "--atomic",
        "origin",
        "HEAD:refs/heads/agent/new",
        "HEAD:refs/heads/main",
        ":refs/heads/feature");
    capture(
        wrapper,
        inWork,
        "delete only",
        repository,
        "origin",
        ":refs/heads/feature",
        ":refs/tags/v1");
    capture(
        wrapper,
        inWork,
        "push options",
        repository,
        "--push-option=ci.skip",
        "--push-option=merge_request.title=a b",
        "origin",
        "HEAD:refs/heads/main");
    inWork.run("tag", "--annotate", "--message=v2", "v2").assertSuccess();
    capture(
        wrapper,
        inWork,
        "annotated tag and branch",
        repository,
        "origin",
        "refs/tags/v2:refs/tags/v2",
        "HEAD~1:refs/heads/agent/previous");

    Path shallow = directory.resolve("shallow");
    git.run("clone", "--quiet", "--depth=1", "file://" + repository, shallow.toString())
        .assertSuccess();
    GitClient inShallow = git.at(shallow);
    commit(inShallow, "e.txt");
    Push shallowPush =
        capture(
            wrapper,
            inShallow,
            "shallow",
            repository,
            "origin",
            "HEAD:refs/heads/agent/shallow",
            "HEAD:refs/heads/main");
    assertTrue(
        new String(shallowPush.body(), StandardCharsets.ISO_8859_1).contains("shallow "),
        "a push from a shallow clone sends shallow lines");
  }

  private static void captureSha256Push(Path wrapper) throws IOException {
    Path repository = directory.resolve("sha256.git");
    Path work = directory.resolve("work256");
    git.run("init", "--quiet", "--bare", "--object-format=sha256", repository.toString())
        .assertSuccess();
    git.run("init", "--quiet", "--object-format=sha256", work.toString()).assertSuccess();
    GitClient inWork = git.at(work);
    commit(inWork, "a.txt");
    inWork.run("push", "--quiet", repository.toString(), "HEAD:refs/heads/main").assertSuccess();
    prepareTarget(repository);
    commit(inWork, "b.txt");
    capture(
        wrapper,
        inWork,
        "sha256 with push option",
        repository,
        "--push-option=ci.skip",
        repository.toString(),
        "HEAD:refs/heads/main",
        "HEAD:refs/heads/agent/new");
  }

  private static void prepareTarget(Path repository) throws IOException {
    GitClient inRepository = git.at(repository);
    inRepository.run("config", "receive.advertisePushOptions", "true").assertSuccess();
    inRepository.run("config", "receive.shallowUpdate", "true").assertSuccess();
    Path hook = repository.resolve("hooks").resolve("pre-receive");
    Files.createDirectories(hook.getParent());
    Files.writeString(hook, HOOK);
    hook.toFile().setExecutable(true);
  }

  private static void commit(GitClient workTree, String file) throws IOException {
    Files.writeString(workTree.workDir().resolve(file), file + "\n");
    workTree.run("add", file).assertSuccess();
    workTree.run("commit", "--quiet", "--message", "Add " + file).assertSuccess();
  }

  /** Pushes through a wrapper that copies the body to a file. The hook rejects the push. */
  private static Push capture(
      Path wrapper, GitClient workTree, String name, Path repository, String... pushArgs)
      throws IOException {
    Path body = directory.resolve("push-" + pushes.size() + ".bin");
    List<String> args = new ArrayList<>(List.of("push", "--receive-pack=" + wrapper));
    args.addAll(List.of(pushArgs));
    GitResult result =
        workTree.withEnv("GITWARD_CAPTURE", body.toString()).run(args.toArray(String[]::new));
    assertTrue(result.stderr().contains("pre-receive hook declined"), result.stderr());
    Push push = new Push(name, repository, Files.readAllBytes(body));
    pushes.add(push);
    return push;
  }

  @Test
  void capturedPushes_parseLikeGit() throws IOException, ProtocolException {
    assertEquals(7, pushes.size());
    for (Push push : pushes) {
      GitOutcome outcome = runGit(push.repository(), push.body());
      assertTrue(outcome.hookRan(), push.name() + ": git did not run the hook\n" + outcome.run());
      ReceivePackRequest request = request(push);
      assertEquals(text(outcome.commands()), text(hookLines(request)), push.name());
      assertEquals(text(outcome.options()), text(optionLines(request)), push.name());
    }
    assertEquals(
        List.of("ci.skip", "merge_request.title=a b"), request("push options").pushOptions());
    assertEquals(3, request("several commands").commands().size());
    assertFalse(request("shallow").shallows().isEmpty(), "shallow ids of the shallow push");
  }

  @Test
  void mutatedPushes_neverParseToOtherCommands() throws IOException {
    ReceivePackMutator mutator = new ReceivePackMutator(new Random(SEED), knownIds);
    Random pick = new Random(SEED + 1);
    int hookRuns = 0;
    int agreed = 0;
    int stricter = 0;
    Map<String, Integer> rejections = new TreeMap<>();
    for (int i = 0; i < MUTATED_CASES; i++) {
      Push push = pushes.get(pick.nextInt(pushes.size()));
      ReceivePackMutator.Mutation mutation = mutator.mutate(push.body());
      GitOutcome outcome = runGit(push.repository(), mutation.body());
      if (!outcome.hookRan()) {
        continue;
      }
      hookRuns++;

      String context =
          "case " + i + " (" + push.name() + ": " + mutation.description() + ")\n" + outcome.run();
      ReceivePackBody parsed;
      try {
        parsed = ReceivePackRequestParser.parse(new ByteArrayInputStream(mutation.body()), LIMITS);
      } catch (ProtocolException e) {
        stricter++;
        String reason = e.getMessage().replaceAll(": .* \\(expected", " (expected");
        rejections.merge(reason, 1, Integer::sum);
        continue;
      }

      ReceivePackRequest request = assertInstanceOf(ReceivePackRequest.class, parsed, context);
      assertEquals(text(outcome.commands()), text(hookLines(request)), context);
      assertEquals(text(outcome.options()), text(optionLines(request)), context);
      agreed++;
    }

    // The counts show that the mutations reach both outcomes, so the invariant was exercised.
    String summary =
        hookRuns + " hook runs, " + agreed + " agreed, " + stricter + " rejected only by Gitward";
    assertTrue(agreed >= 20, summary);
    assertTrue(stricter >= 5, summary);
    System.out.println("ReceivePackDifferentialTest: " + summary);
    rejections.forEach((reason, count) -> System.out.println("  " + count + " x " + reason));
  }

  private static ReceivePackRequest request(String name) throws IOException, ProtocolException {
    return request(pushes.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow());
  }

  private static ReceivePackRequest request(Push push) throws IOException, ProtocolException {
    ReceivePackBody parsed =
        ReceivePackRequestParser.parse(new ByteArrayInputStream(push.body()), LIMITS);
    return assertInstanceOf(ReceivePackRequest.class, parsed, push.name());
  }

  /** Runs git receive-pack on {@code body} and reads what its hook recorded. */
  private static GitOutcome runGit(Path repository, byte[] body) throws IOException {
    Path commands = directory.resolve("hook-commands");
    Path options = directory.resolve("hook-options");
    Files.deleteIfExists(commands);
    Files.deleteIfExists(options);
    GitResult result =
        git.withEnv("GITWARD_HOOK_COMMANDS", commands.toString())
            .withEnv("GITWARD_HOOK_OPTIONS", options.toString())
            .runWithInput(
                new ByteArrayInputStream(body),
                "receive-pack",
                "--stateless-rpc",
                repository.toString());
    return new GitOutcome(readIfPresent(commands), readIfPresent(options), result);
  }

  private static byte @Nullable [] readIfPresent(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllBytes(file) : null;
  }

  /** Formats the commands as git writes them to a pre-receive hook. */
  private static byte[] hookLines(ReceivePackRequest request) {
    StringBuilder lines = new StringBuilder();
    for (RefCommand command : request.commands()) {
      lines.append(command.oldId()).append(' ').append(command.newId()).append(' ');
      lines.append(command.refName()).append('\n');
    }
    return lines.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Formats the push options as the hook writes them, one per line. */
  private static byte[] optionLines(ReceivePackRequest request) {
    StringBuilder lines = new StringBuilder();
    for (String option : request.pushOptions()) {
      lines.append(option).append('\n');
    }
    return lines.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Shows bytes as text with control and non-ASCII bytes escaped, for assertion messages. */
  private static String text(byte @Nullable [] value) {
    if (value == null) {
      fail("the hook recorded no file");
    }
    return ReceivePackMutator.describe(value);
  }
}
