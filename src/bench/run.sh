#!/usr/bin/env bash
# Whole-process benchmark: git operations direct to a git http-backend upstream, through an
# nginx streaming reverse proxy, and through Gitward, interleaved in one run. Prints a Markdown
# report and writes it with the raw samples under the run directory. All servers bind to
# 127.0.0.1 and stop when the script exits. docs/benchmarks.md explains the scenarios.
#
# Exits non-zero when a scenario fails (a git command errors, a concurrent clone fails, wrk counts
# failed requests), but never because of a timing.
set -euo pipefail
export LC_ALL=C

PROJECT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BENCH_DIR=$PROJECT_DIR/src/bench

usage() {
  cat <<'EOF'
usage: src/bench/run.sh [--quick] [--samples N] [--only REGEX] [--work-dir DIR] [--out FILE] [--jfr]
                        [--floor] [--audit-stdout]

  --quick         small repositories, an 8 MiB push and few samples: checks that every scenario
                  works in about two minutes; its timings mean little
  --samples N     recorded samples per target for clones, ls-remote and fetch (default 7,
                  quick 3); the 300 MB clone and the push take max(2, N/2)
  --only REGEX    run only the scenarios whose name matches the extended regular expression,
                  such as 'push' or 'clone (small|medium)'
  --work-dir DIR  cache of generated repositories and run directories
                  (default target/bench-work)
  --out FILE      also write the Markdown report to FILE
  --jfr           record a JFR profile of Gitward into the run directory
  --floor         also measure two proxies built from Gitward's parts without its work:
                  Undertow's non-blocking ProxyHandler, and a worker thread per request with
                  the blocking Apache client (src/bench/tools/FloorProxy.java)
  --audit-stdout  write Gitward's audit log to its standard output (a file in the run directory)
                  instead of an audit file, which Gitward forces to disk after every batch
EOF
}

QUICK=0
SAMPLES=
WORK_DIR=$PROJECT_DIR/target/bench-work
OUT_FILE=
JFR=0
FLOOR=0
AUDIT_STDOUT=0
ONLY=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --samples) SAMPLES=${2:?--samples needs a number}; shift ;;
    --work-dir) WORK_DIR=${2:?--work-dir needs a directory}; shift ;;
    --out) OUT_FILE=${2:?--out needs a file}; shift ;;
    --only) ONLY=${2:?--only needs a regular expression}; shift ;;
    --jfr) JFR=1 ;;
    --floor) FLOOR=1 ;;
    --audit-stdout) AUDIT_STDOUT=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if [ "$QUICK" -eq 1 ]; then
  SAMPLES=${SAMPLES:-3}
  LS_REMOTE_CALLS=30
  PUSH_MIB=8
  WRK_SECONDS=2
  WRK_SAMPLES=1
  WARM_UP_SECONDS=3
  WARM_UP_CLONES=5
  WARM_UP_CALLS=20
else
  SAMPLES=${SAMPLES:-7}
  LS_REMOTE_CALLS=200
  PUSH_MIB=200
  WRK_SECONDS=10
  WRK_SAMPLES=3
  WARM_UP_SECONDS=30
  WARM_UP_CLONES=400
  WARM_UP_CALLS=1500
fi
if ! [[ $SAMPLES =~ ^[1-9][0-9]*$ ]]; then
  echo "bench: --samples $SAMPLES (expected: a positive integer)" >&2
  exit 2
fi
BIG_SAMPLES=$((SAMPLES / 2 > 2 ? SAMPLES / 2 : 2))
CONCURRENT_CLONES=20
WRK_CONNECTIONS=16

mkdir -p "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd)
REPO_ROOT=$WORK_DIR/repos
JAR=$PROJECT_DIR/target/gitward.jar
RUN_DIR=$WORK_DIR/runs/$(date -u +%Y%m%dT%H%M%SZ)
SAMPLES_FILE=$RUN_DIR/samples.tsv
MEMORY_FILE=$RUN_DIR/memory.tsv
GITWARD_JAVA_OPTS=
if [ "$JFR" -eq 1 ]; then
  GITWARD_JAVA_OPTS="-XX:StartFlightRecording=filename=$RUN_DIR/gitward.jfr,settings=profile"
fi

# shellcheck source=lib/setup.sh
source "$BENCH_DIR/lib/setup.sh"
# shellcheck source=lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=lib/memory.sh
source "$BENCH_DIR/lib/memory.sh"
# shellcheck source=lib/scenarios.sh
source "$BENCH_DIR/lib/scenarios.sh"

# Git must not read the user's or the system's configuration, which could change transfers.
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=$WORK_DIR/gitconfig
export GIT_TERMINAL_PROMPT=0
: >"$GIT_CONFIG_GLOBAL"

install_tools
build_jar
generate_repositories

mkdir -p "$RUN_DIR/scratch"
: >"$SAMPLES_FILE"
: >"$MEMORY_FILE"
trap stop_servers EXIT
start_upstream
start_baseline
start_gitward
if [ "$FLOOR" -eq 1 ]; then
  start_floor_proxies
  TARGETS+=(undertow blocking)
fi

write_environment() {
  echo "mode	$([ "$QUICK" -eq 1 ] && echo quick || echo full)"
  echo "date	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus	$(nproc)"
  echo "cpu	$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
  echo "memory	$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "java	$(java -version 2>&1 | head -n 1)"
  echo "git	$(git --version)"
  echo "nginx	$(nginx -v 2>&1)"
  echo "wrk	$(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
  echo "samples	$SAMPLES (300 MB clone and push: $BIG_SAMPLES)"
  echo "ls-remote calls	$LS_REMOTE_CALLS"
  echo "push	$PUSH_MIB MiB"
  echo "wrk runs	$WRK_SAMPLES x ${WRK_SECONDS}s per target, 1 and $WRK_CONNECTIONS connections"
  echo "Gitward audit log	$([ "$AUDIT_STDOUT" -eq 1 ] && echo "standard output, not forced to disk" || echo "a file; pushes, denials and failures forced to disk with their batch, allowed fetches within 1s")"
}
write_environment >"$RUN_DIR/environment.tsv"
echo "load average at start	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RUN_DIR/environment.tsv"

# Returns whether scenario $1 was selected with --only.
selected() {
  [ -z "$ONLY" ] || [[ $1 =~ $ONLY ]]
}

warm_up
for protocol in 0 2; do
  selected "clone small v$protocol" && measure_clone small "$protocol" "$SAMPLES"
done
if [ "$QUICK" -eq 0 ]; then
  for protocol in 0 2; do
    selected "clone medium v$protocol" && measure_clone medium "$protocol" "$SAMPLES"
  done
  selected "clone blob300 v2" && measure_clone blob300 2 "$BIG_SAMPLES"
fi
if [ -n "$REAL_REPO" ]; then
  selected "clone $REAL_REPO v2" && measure_clone "$REAL_REPO" 2 "$SAMPLES"
fi
scenario="ls-remote x$LS_REMOTE_CALLS"
selected "$scenario" && measure "$scenario" "$SAMPLES" ls_remote_loop
FETCH_REPO=$([ "$QUICK" -eq 1 ] && echo small || echo medium)
scenario="no-op fetch $FETCH_REPO"
selected "$scenario" && measure "$scenario" "$SAMPLES" noop_fetch
scenario="push $PUSH_MIB MiB"
selected "$scenario" && measure "$scenario" "$BIG_SAMPLES" push
scenario="$CONCURRENT_CLONES concurrent clones small"
selected "$scenario" && measure "$scenario" "$SAMPLES" concurrent_clones
selected "info/refs wrk c1" && measure_wrk 1
selected "info/refs wrk c$WRK_CONNECTIONS" && measure_wrk "$WRK_CONNECTIONS"

echo "load average at end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RUN_DIR/environment.tsv"
stop_servers
trap - EXIT

java "$BENCH_DIR/tools/BenchReport.java" "$RUN_DIR" >"$RUN_DIR/results.md"
cat "$RUN_DIR/results.md"
if [ -n "$OUT_FILE" ]; then
  cp "$RUN_DIR/results.md" "$OUT_FILE"
fi
echo "bench: results in $RUN_DIR" >&2

if ((SCENARIO_ERRORS > 0)); then
  echo "bench: $SCENARIO_ERRORS scenario runs failed" >&2
  exit 1
fi
