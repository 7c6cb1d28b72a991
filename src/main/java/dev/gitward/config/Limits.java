package dev.gitward.config;

/**
 * Limits on untrusted input, under {@code limits:} in the config file. Sizes are in bytes.
 *
 * @param headerBlock maximum size of a request's header block
 * @param headerCount maximum number of request headers
 * @param commandSection maximum size of a push's command and push-option sections
 * @param commands maximum number of ref commands in one push
 * @param refName maximum length of a ref name
 * @param pktLine maximum length of one pkt-line, its four length digits included
 * @param pushBody maximum size of a receive-pack request body
 * @param uploadPackRequest maximum inflated size of an upload-pack request body
 */
public record Limits(
    int headerBlock,
    int headerCount,
    int commandSection,
    int commands,
    int refName,
    int pktLine,
    long pushBody,
    long uploadPackRequest) {
  /** The defaults that apply to every key the config file leaves out. */
  public static Limits defaults() {
    return new Limits(16 * 1024, 100, 1024 * 1024, 1000, 255, 65520, 2L << 30, 64L << 20);
  }
}
