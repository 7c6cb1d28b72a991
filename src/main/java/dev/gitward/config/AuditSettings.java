package dev.gitward.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The audit log, under {@code audit:}.
 *
 * @param file the file audit events are appended to, or empty for standard output
 */
public record AuditSettings(Optional<Path> file) {}
