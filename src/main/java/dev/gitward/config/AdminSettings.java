package dev.gitward.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The admin listener, under {@code admin:}.
 *
 * @param listen the address of the admin API, loopback by default
 * @param tokenFile the file that holds the admin bearer secret
 * @param tokenEnv the environment variable that holds the admin bearer secret
 */
public record AdminSettings(HostPort listen, Optional<Path> tokenFile, Optional<String> tokenEnv) {}
