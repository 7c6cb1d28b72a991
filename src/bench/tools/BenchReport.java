import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints the Markdown report of one run of {@code src/bench/run.sh} from the files in its run
 * directory: {@code environment.tsv}, {@code samples.tsv} (scenario, target, metric, value) and
 * {@code memory.tsv} (one row per scenario, sizes in KiB).
 *
 * <p>Run as a single-file program: {@code java BenchReport.java RUN_DIR}. Each figure is the median
 * of a target's samples. A ratio divides one target's median by the direct median, and the added
 * time per request divides the difference of the medians by the upstream requests of one direct
 * sample, as counted in the upstream's access log.
 */
public final class BenchReport {
  private static final List<String> TARGETS = List.of("direct", "nginx", "gitward");

  /** The targets of {@code --floor}: Gitward's server and threading model without its work. */
  private static final List<String> FLOOR_TARGETS = List.of("undertow", "blocking");

  private static final Pattern CALLS = Pattern.compile(" x(\\d+)$");

  /** Samples by scenario, then target, then metric, in the order of the file. */
  private final Map<String, Map<String, Map<String, List<Double>>>> samples = new LinkedHashMap<>();

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: java BenchReport.java RUN_DIR");
      System.exit(2);
    }
    Path runDir = Path.of(args[0]);
    BenchReport report = new BenchReport();
    report.readSamples(runDir.resolve("samples.tsv"));
    StringBuilder out = new StringBuilder();
    appendEnvironment(out, runDir.resolve("environment.tsv"));
    report.appendTimings(out);
    report.appendFloor(out);
    report.appendWrk(out);
    appendMemory(out, runDir.resolve("memory.tsv"));
    System.out.print(out);
  }

  private void readSamples(Path file) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] fields = line.split("\t");
      if (fields.length != 4 || fields[3].isEmpty()) {
        continue;
      }
      samples
          .computeIfAbsent(fields[0], key -> new LinkedHashMap<>())
          .computeIfAbsent(fields[1], key -> new LinkedHashMap<>())
          .computeIfAbsent(fields[2], key -> new ArrayList<>())
          .add(Double.parseDouble(fields[3]));
    }
  }

  private static void appendEnvironment(StringBuilder out, Path file) throws IOException {
    out.append("| setting | value |\n|---|---|\n");
    for (String line : Files.readAllLines(file)) {
      String[] fields = line.split("\t", 2);
      if (fields.length == 2) {
        out.append("| ").append(fields[0]).append(" | ").append(fields[1]).append(" |\n");
      }
    }
    out.append('\n');
  }

  private void appendTimings(StringBuilder out) {
    out.append("Wall time in ms, median per target; ratios to direct; added ms per request")
        .append(" to the upstream; Gitward's CPU time (all its threads) per request.\n\n");
    out.append("| scenario | direct ms | nginx ms | Gitward ms | nginx / direct")
        .append(" | Gitward / direct | Gitward / nginx | requests | added ms/req nginx")
        .append(" | added ms/req Gitward | Gitward CPU ms/req | errors | target | met |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    samples.forEach(
        (scenario, byTarget) -> {
          if (!hasMetric(byTarget, "ms") && !hasMetric(byTarget, "error")) {
            return;
          }
          double direct = median(byTarget, "direct", "ms");
          double nginx = median(byTarget, "nginx", "ms");
          double gitward = median(byTarget, "gitward", "ms");
          double requests = median(byTarget, "direct", "requests");
          out.append("| ").append(scenario);
          out.append(" | ").append(format(direct, 1));
          out.append(" | ").append(format(nginx, 1));
          out.append(" | ").append(format(gitward, 1));
          out.append(" | ").append(format(nginx / direct, 3));
          out.append(" | ").append(format(gitward / direct, 3));
          out.append(" | ").append(format(gitward / nginx, 3));
          out.append(" | ").append(format(requests, 0));
          out.append(" | ").append(format((nginx - direct) / requests, 2));
          out.append(" | ").append(format((gitward - direct) / requests, 2));
          // A sum over all samples, because the process CPU time comes in 10 ms clock ticks,
          // coarser than one small clone.
          boolean measured = byTarget.getOrDefault("gitward", Map.of()).containsKey("cpu_ms");
          double cpu =
              measured
                  ? sum(byTarget, "gitward", "cpu_ms") / sum(byTarget, "gitward", "requests")
                  : Double.NaN;
          out.append(" | ").append(format(cpu, 2));
          out.append(" | ").append(errors(byTarget));
          Target target = Target.of(scenario);
          out.append(" | ").append(target.text());
          out.append(" | ").append(target.evaluate(scenario, direct, nginx, gitward));
          out.append(" |\n");
        });
    out.append('\n');
  }

  private void appendWrk(StringBuilder out) {
    samples.forEach(
        (scenario, byTarget) -> {
          if (!hasMetric(byTarget, "rps")) {
            return;
          }
          out.append("`")
              .append(scenario)
              .append("`: GET info/refs?service=git-upload-pack of")
              .append(" the small repository, medians over the wrk runs.\n\n");
          out.append("| target | requests/s | / direct | p50 ms | p90 ms | p99 ms | failed")
              .append(" | Gitward CPU ms per request |\n");
          out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
          double direct = median(byTarget, "direct", "rps");
          for (String target : presentTargets(byTarget)) {
            double rate = median(byTarget, target, "rps");
            out.append("| ").append(target);
            out.append(" | ").append(format(rate, 0));
            out.append(" | ").append(format(rate / direct, 3));
            out.append(" | ").append(format(median(byTarget, target, "p50_ms"), 2));
            out.append(" | ").append(format(median(byTarget, target, "p90_ms"), 2));
            out.append(" | ").append(format(median(byTarget, target, "p99_ms"), 2));
            out.append(" | ").append(format(sum(byTarget, target, "errors"), 0));
            out.append(" | ").append(format(median(byTarget, target, "cpu_ms_per_request"), 3));
            out.append(" |\n");
          }
          out.append('\n');
        });
  }

  /**
   * Appends the floor table of a {@code --floor} run: each scenario's median through the two floor
   * proxies next to Gitward's, as ratios to direct and added ms per request.
   */
  private void appendFloor(StringBuilder out) {
    boolean floor =
        samples.values().stream()
            .anyMatch(byTarget -> FLOOR_TARGETS.stream().anyMatch(byTarget::containsKey));
    if (!floor) {
      return;
    }
    out.append("Floor: the same scenarios through Undertow's non-blocking ProxyHandler")
        .append(" (undertow) and through a worker thread per request with the blocking Apache")
        .append(" client (blocking), both without Gitward's work. Medians in ms; ratios to")
        .append(" direct; added ms per request.\n\n");
    out.append("| scenario | direct ms | undertow ms | blocking ms | Gitward ms")
        .append(" | undertow / direct | blocking / direct | Gitward / direct")
        .append(" | added ms/req undertow | added ms/req blocking | added ms/req Gitward |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    samples.forEach(
        (scenario, byTarget) -> {
          if (!hasMetric(byTarget, "ms")) {
            return;
          }
          double direct = median(byTarget, "direct", "ms");
          double requests = median(byTarget, "direct", "requests");
          List<Double> medians = new ArrayList<>();
          for (String target : List.of("undertow", "blocking", "gitward")) {
            medians.add(median(byTarget, target, "ms"));
          }
          out.append("| ").append(scenario).append(" | ").append(format(direct, 1));
          for (double median : medians) {
            out.append(" | ").append(format(median, 1));
          }
          for (double median : medians) {
            out.append(" | ").append(format(median / direct, 3));
          }
          for (double median : medians) {
            out.append(" | ").append(format((median - direct) / requests, 2));
          }
          out.append(" |\n");
        });
    out.append('\n');
  }

  /** Returns the targets with samples in {@code byTarget}: the three, then the floor ones. */
  private static List<String> presentTargets(Map<String, Map<String, List<Double>>> byTarget) {
    List<String> present = new ArrayList<>(TARGETS);
    FLOOR_TARGETS.stream().filter(byTarget::containsKey).forEach(present::add);
    return present;
  }

  private static void appendMemory(StringBuilder out, Path file) throws IOException {
    out.append("Gitward's memory during each scenario (every target ran; only the Gitward")
        .append(" samples load it), in MiB, at -Xmx256m.\n\n");
    out.append("| scenario | peak RSS | VmHWM since start | max heap used | max old gen")
        .append(" | heap used at end |\n");
    out.append("|---|---:|---:|---:|---:|---:|\n");
    for (String line : Files.readAllLines(file)) {
      String[] fields = line.split("\t");
      if (fields.length != 6) {
        continue;
      }
      out.append("| ").append(fields[0]);
      for (int i = 1; i < fields.length; i++) {
        out.append(" | ").append(format(Double.parseDouble(fields[i]) / 1024, 0));
      }
      out.append(" |\n");
    }
    out.append('\n');
  }

  private static boolean hasMetric(Map<String, Map<String, List<Double>>> byTarget, String name) {
    return byTarget.values().stream().anyMatch(metrics -> metrics.containsKey(name));
  }

  private static double median(
      Map<String, Map<String, List<Double>>> byTarget, String target, String metric) {
    List<Double> values =
        new ArrayList<>(byTarget.getOrDefault(target, Map.of()).getOrDefault(metric, List.of()));
    if (values.isEmpty()) {
      return Double.NaN;
    }
    values.sort(null);
    int middle = values.size() / 2;
    return values.size() % 2 == 1
        ? values.get(middle)
        : (values.get(middle - 1) + values.get(middle)) / 2;
  }

  private static double sum(
      Map<String, Map<String, List<Double>>> byTarget, String target, String metric) {
    return byTarget.getOrDefault(target, Map.of()).getOrDefault(metric, List.of()).stream()
        .mapToDouble(Double::doubleValue)
        .sum();
  }

  private static String errors(Map<String, Map<String, List<Double>>> byTarget) {
    List<String> parts = new ArrayList<>();
    for (String target : presentTargets(byTarget)) {
      double count = sum(byTarget, target, "error");
      if (count > 0) {
        parts.add(target + " " + format(count, 0));
      }
    }
    return parts.isEmpty() ? "0" : String.join(", ", parts);
  }

  private static String format(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  /** Performance goal of a scenario, by the prefix of its name. */
  private enum Target {
    CLONE("Gitward <= 1.05x direct and <= nginx", 1.05, true, Double.NaN),
    LS_REMOTE("Gitward <= 1.05x direct and <= 1 ms added per call", 1.05, false, 1.0),
    PUSH("Gitward <= 1.15x direct", 1.15, false, Double.NaN),
    CONCURRENT("Gitward <= 1.05x direct, zero errors", 1.05, false, Double.NaN),
    NONE("none", Double.NaN, false, Double.NaN);

    private final String text;
    private final double maxRatio;
    private final boolean atMostNginx;
    private final double maxAddedMsPerCall;

    Target(String text, double maxRatio, boolean atMostNginx, double maxAddedMsPerCall) {
      this.text = text;
      this.maxRatio = maxRatio;
      this.atMostNginx = atMostNginx;
      this.maxAddedMsPerCall = maxAddedMsPerCall;
    }

    static Target of(String scenario) {
      if (scenario.startsWith("clone")) {
        return CLONE;
      }
      if (scenario.startsWith("ls-remote")) {
        return LS_REMOTE;
      }
      if (scenario.startsWith("push")) {
        return PUSH;
      }
      if (scenario.contains("concurrent")) {
        return CONCURRENT;
      }
      return NONE;
    }

    String text() {
      return text;
    }

    /** Returns "yes" or "no" with the failing parts; errors are reported in their own column. */
    String evaluate(String scenario, double direct, double nginx, double gitward) {
      if (this == NONE) {
        return "";
      }
      List<String> missed = new ArrayList<>();
      if (!(gitward / direct <= maxRatio)) {
        missed.add("ratio");
      }
      if (atMostNginx && !(gitward <= nginx)) {
        missed.add("slower than nginx");
      }
      Matcher calls = CALLS.matcher(scenario);
      if (!Double.isNaN(maxAddedMsPerCall) && calls.find()) {
        double perCall = (gitward - direct) / Integer.parseInt(calls.group(1));
        if (!(perCall <= maxAddedMsPerCall)) {
          missed.add(format(perCall, 2) + " ms per call");
        }
      }
      return missed.isEmpty() ? "yes" : "no: " + String.join(", ", missed);
    }
  }
}
