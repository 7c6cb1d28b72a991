package dev.gitward.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;

/** Maps an upstream's error responses and I/O failures to the rejections the client sees. */
final class UpstreamFailure {
  private UpstreamFailure() {}

  /** Returns the rejection for a non-2xx upstream status, or null to pass the response on. */
  static ProxyRejection forStatus(int status, String upstream, String repository) {
    if (status >= 300 && status < 400) {
      return new ProxyRejection(
          502,
          "upstream "
              + upstream
              + " redirected the request for "
              + repository
              + " (HTTP "
              + status
              + "); Gitward never follows redirects, so check"
              + " upstreams."
              + upstream
              + ".url");
    }
    if (status == 401 || status == 403) {
      return new ProxyRejection(
          502,
          "upstream "
              + upstream
              + " refused Gitward's credential"
              + " for "
              + repository
              + " (HTTP "
              + status
              + "); the operator must check the"
              + " credentials of upstreams."
              + upstream);
    }
    if (status == 404) {
      return new ProxyRejection(
          404, "repository " + repository + " not found on upstream " + upstream);
    }
    if (status == 504) {
      return new ProxyRejection(
          504, "upstream " + upstream + " timed out for " + repository + " (HTTP 504)");
    }
    return new ProxyRejection(
        502, "upstream " + upstream + " failed for " + repository + " (HTTP " + status + ")");
  }

  /** Returns the rejection for an I/O failure before any response byte reached the client. */
  static ProxyRejection forException(IOException error, String upstream, String repository) {
    if (error instanceof ConnectTimeoutException || error instanceof SocketTimeoutException) {
      return new ProxyRejection(504, "upstream " + upstream + " timed out for " + repository);
    }
    if (isTlsFailure(error)) {
      return new ProxyRejection(
          502,
          "TLS verification failed for upstream "
              + upstream
              + " ("
              + repository
              + "); the operator must check upstreams."
              + upstream
              + ".tls.ca-file");
    }
    if (error instanceof HttpHostConnectException
        || error instanceof ConnectException
        || error instanceof UnknownHostException) {
      return new ProxyRejection(502, "upstream " + upstream + " is unreachable for " + repository);
    }
    return new ProxyRejection(
        502,
        "upstream "
            + upstream
            + " failed for "
            + repository
            + " ("
            + error.getClass().getSimpleName()
            + ")");
  }

  /**
   * Returns whether {@code error} or one of its causes is a TLS failure. The event-loop client
   * reports a failed handshake as an I/O failure caused by one.
   */
  private static boolean isTlsFailure(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException) {
        return true;
      }
    }
    return false;
  }
}
