package dev.gitward.config;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * The proxy listener, under {@code proxy:}.
 *
 * @param listen the address git clients connect to
 * @param publicUrl the URL sandboxes use to reach the listener, printed in git configuration
 * @param requestParseTimeout the maximum time to receive a request's header block
 * @param drainTimeout how long in-flight requests may run after a shutdown signal
 * @param workerThreads the number of threads that serve blocking git transfers
 * @param clientReadIdleTimeout the maximum silence while Gitward waits for bytes of a client's
 *     request body
 * @param allowedHosts the host names, lower case and without a port, that a request's {@code Host}
 *     header may name; by default the host of {@code publicUrl} and of {@code listen}
 */
public record ProxySettings(
    HostPort listen,
    URI publicUrl,
    Duration requestParseTimeout,
    Duration drainTimeout,
    int workerThreads,
    Duration clientReadIdleTimeout,
    Set<String> allowedHosts) {
  public ProxySettings {
    allowedHosts = Set.copyOf(allowedHosts);
  }
}
