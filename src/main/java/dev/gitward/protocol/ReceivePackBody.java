package dev.gitward.protocol;

/** The result of reading a receive-pack POST body: a request, or the {@code 0000} probe. */
public sealed interface ReceivePackBody permits ReceivePackRequest, Probe {}
