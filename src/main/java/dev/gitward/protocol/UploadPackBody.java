package dev.gitward.protocol;

/** The result of reading a protocol v2 upload-pack POST body: a command, or the probe. */
public sealed interface UploadPackBody permits UploadPackCommand, Probe {}
