package dev.gitward.proxy;

/** The two git smart-HTTP services. */
public enum GitService {
  /** Clone, fetch and ls-remote. */
  UPLOAD_PACK("git-upload-pack"),
  /** Push. */
  RECEIVE_PACK("git-receive-pack");

  private final String wireName;

  GitService(String wireName) {
    this.wireName = wireName;
  }

  /** Returns the name in URLs and content types, such as {@code git-upload-pack}. */
  public String wireName() {
    return wireName;
  }

  /** Returns the content type of the ref advertisement of this service. */
  public String advertisementType() {
    return "application/x-" + wireName + "-advertisement";
  }

  /** Returns the content type of an RPC request body of this service. */
  public String requestType() {
    return "application/x-" + wireName + "-request";
  }

  /** Returns the content type of an RPC response body of this service. */
  public String resultType() {
    return "application/x-" + wireName + "-result";
  }
}
