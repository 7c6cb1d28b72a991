package dev.gitward.admin;

import dev.gitward.config.GitwardConfig;
import dev.gitward.config.UpstreamSettings;
import dev.gitward.policy.Grant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The git configuration lines that route a sandbox's git traffic through Gitward: one {@code
 * insteadOf} per upstream the token names, and an {@code extraHeader} scoped to Gitward's URL so
 * that the token is sent to Gitward only.
 */
public final class SandboxGitConfig {
  private SandboxGitConfig() {}

  /** Returns {@code git config --global ...} command lines for {@code token}. */
  public static List<String> lines(GitwardConfig config, List<Grant> grants, String token) {
    String base = withSlash(config.proxy().publicUrl().toString());
    Set<String> upstreams = new LinkedHashSet<>();
    grants.forEach(grant -> upstreams.add(grant.repository().upstream()));
    List<String> lines = new ArrayList<>();
    for (String name : upstreams) {
      UpstreamSettings upstream = config.upstreams().get(name);
      if (upstream != null) {
        lines.add(
            "git config --global url."
                + quote(base + name + "/")
                + ".insteadOf "
                + quote(withSlash(upstream.url().toString())));
      }
    }
    lines.add(
        "git config --global http."
            + quote(base)
            + ".extraHeader "
            + quote("Authorization: Bearer " + token));
    return lines;
  }

  /**
   * Returns a {@code git config --global} line that installs a credential helper for Gitward's URL
   * that returns {@code token}, an alternative to the {@code extraHeader} line for clients that
   * send credentials only after a 401 challenge.
   */
  public static String credentialHelperLine(GitwardConfig config, String token) {
    String base = withSlash(config.proxy().publicUrl().toString());
    String helper = "!f() { echo username=gitward; echo password=" + token + "; }; f";
    return "git config --global credential." + quote(base) + ".helper " + quote(helper);
  }

  private static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
