package dev.gitward.testing;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request that {@link GitHttpBackend} received, as it arrived.
 *
 * @param method the request method, such as {@code POST}
 * @param path the request path as sent, before percent-decoding, without the query
 * @param query the raw query string without {@code ?}, or an empty string when there is none
 * @param headers the request headers; lookups ignore the case of the name
 * @param bodyBytes the number of body bytes read from the wire, after chunked decoding but before
 *     any {@code Content-Encoding} is undone
 * @param status the status code of the response
 */
public record UpstreamRequest(
    String method,
    String path,
    String query,
    Map<String, List<String>> headers,
    long bodyBytes,
    int status) {
  public UpstreamRequest {
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    headers = Collections.unmodifiableMap(copy);
  }

  /** Returns the values of header {@code name} in the order received, or an empty list. */
  public List<String> headerValues(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /** Returns the first value of header {@code name}. */
  public Optional<String> header(String name) {
    return headerValues(name).stream().findFirst();
  }

  /** Returns the path and, when present, the query, such as {@code /a.git/info/refs?service=x}. */
  public String target() {
    return query.isEmpty() ? path : path + "?" + query;
  }
}
