package dev.gitward.admin;

/** A request that the admin API rejects with {@code status} and an {@link ApiError} body. */
final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** Returns a 400 for a message of the form {@code field: value (expected: ...)}. */
  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  int status() {
    return status;
  }

  ApiError error() {
    return ApiError.fromMessage(getMessage());
  }
}
