package dev.gitward.config;

import java.net.URI;
import java.time.Duration;

/**
 * The proxy listener, under {@code proxy:}.
 *
 * @param listen the address git clients connect to
 * @param publicUrl the URL sandboxes use to reach the listener, printed in git configuration
 * @param requestParseTimeout the maximum time to receive a request's header block
 * @param drainTimeout how long in-flight requests may run after a shutdown signal
 * @param workerThreads the number of threads that serve blocking git transfers
 */
public record ProxySettings(
    HostPort listen,
    URI publicUrl,
    Duration requestParseTimeout,
    Duration drainTimeout,
    int workerThreads) {}
