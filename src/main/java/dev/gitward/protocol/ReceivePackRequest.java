package dev.gitward.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of a git-receive-pack POST body before the pack.
 *
 * @param shallows ids from {@code shallow} lines
 * @param commands the ref commands, at least one
 * @param capabilities the capabilities sent after the first command, such as {@code side-band-64k}
 *     or {@code agent=git/2.39.5}
 * @param pushOptions the push option lines, empty unless {@code push-options} was requested
 * @param head the exact bytes read from the body for all of the above, flushes included, to forward
 *     ahead of the rest of the body
 */
public record ReceivePackRequest(
    List<GitObjectId> shallows,
    List<RefCommand> commands,
    List<String> capabilities,
    List<String> pushOptions,
    byte[] head)
    implements ReceivePackBody {
  /**
   * Copies the lists and the head.
   *
   * @throws IllegalArgumentException if there are no commands
   */
  public ReceivePackRequest {
    shallows = List.copyOf(shallows);
    commands = List.copyOf(commands);
    capabilities = List.copyOf(capabilities);
    pushOptions = List.copyOf(pushOptions);
    head = head.clone();
    if (commands.isEmpty()) {
      throw new IllegalArgumentException("commands: [] (expected: at least one ref command)");
    }
  }

  /** Returns a copy of the head bytes. */
  @Override
  public byte[] head() {
    return head.clone();
  }

  /** Returns whether the client sent capability {@code name}, alone or as {@code name=value}. */
  public boolean hasCapability(String name) {
    return capabilities.stream().anyMatch(c -> c.equals(name) || c.startsWith(name + "="));
  }

  /** Returns the value of the first {@code key=value} capability with this key. */
  public Optional<String> capabilityValue(String key) {
    String prefix = key + "=";
    return capabilities.stream()
        .filter(c -> c.startsWith(prefix))
        .map(c -> c.substring(prefix.length()))
        .findFirst();
  }

  /** Returns whether the client requested {@code side-band-64k} for the response. */
  public boolean sideBand64k() {
    return capabilities.contains("side-band-64k");
  }

  /** Returns whether a pack follows the head, which is the case unless every command deletes. */
  public boolean packExpected() {
    return commands.stream().anyMatch(c -> c.kind() != RefCommand.Kind.DELETE);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ReceivePackRequest that
        && shallows.equals(that.shallows)
        && commands.equals(that.commands)
        && capabilities.equals(that.capabilities)
        && pushOptions.equals(that.pushOptions)
        && Arrays.equals(head, that.head);
  }

  @Override
  public int hashCode() {
    return Objects.hash(shallows, commands, capabilities, pushOptions, Arrays.hashCode(head));
  }

  @Override
  public String toString() {
    return "ReceivePackRequest[shallows="
        + shallows
        + ", commands="
        + commands
        + ", capabilities="
        + capabilities
        + ", pushOptions="
        + pushOptions
        + ", head="
        + head.length
        + " bytes]";
  }
}
