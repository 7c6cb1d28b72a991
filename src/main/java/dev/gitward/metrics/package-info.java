/**
 * Gitward's Micrometer meters in a Prometheus registry. Every tag value comes from an enum, a fixed
 * set of codes or the configured upstream names, never from repository names or other request
 * input.
 */
@NullMarked
package dev.gitward.metrics;

import org.jspecify.annotations.NullMarked;
