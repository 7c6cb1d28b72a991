# The benchmark scenarios and the interleaved timing loop. Sourced by run.sh, which sets
# RUN_DIR, SAMPLES_FILE, MEMORY_FILE, TOKEN, the three ports, GITWARD_PID and the sizes.

TARGETS=(direct nginx gitward)
SCENARIO_ERRORS=0
# Maximum time of one git command; a hung transfer fails its sample instead of the whole run.
GIT_TIMEOUT=${GIT_TIMEOUT:-900}

# Prints the clone URL of repository $2 (such as small) through target $1. The targets
# undertow and blocking exist only with --floor.
url_for() {
  case $1 in
    direct) echo "http://127.0.0.1:$UPSTREAM_PORT/git/owner/$2.git" ;;
    nginx) echo "http://127.0.0.1:$BASELINE_PORT/git/owner/$2.git" ;;
    gitward) echo "http://127.0.0.1:$GITWARD_PORT/local/owner/$2.git" ;;
    undertow) echo "http://127.0.0.1:$UNDERTOW_PORT/owner/$2.git" ;;
    blocking) echo "http://127.0.0.1:$BLOCKING_PORT/owner/$2.git" ;;
  esac
}

# Runs git with the task token. Direct and nginx requests carry the same header, which
# git http-backend ignores, so all three targets send identical requests.
git_with_token() {
  # Passed in the environment, not as -c, so the token is not on any process's command line.
  GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader \
    GIT_CONFIG_VALUE_0="Authorization: Bearer $TOKEN" timeout "$GIT_TIMEOUT" git "$@"
}

record() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$SAMPLES_FILE"
}

upstream_request_count() {
  wc -l <"$RUN_DIR/upstream/access.log"
}

# Prints the targets in the order of round $1: direct nginx gitward, then nginx gitward direct,
# and so on, so that no target always runs right after the same one.
targets_of_round() {
  local round=$1 i
  for ((i = 0; i < ${#TARGETS[@]}; i++)); do
    printf '%s ' "${TARGETS[(round + i) % ${#TARGETS[@]}]}"
  done
}

# Measures scenario $1 with $2 samples per target, interleaved, after one unrecorded warm-up
# round. For each target it calls PREFIX_prepare (if defined), PREFIX_run and PREFIX_cleanup
# (if defined), where $3 is PREFIX, and records the run's wall time and the requests it sent
# upstream. A failed run is recorded as an error and the scenario goes on.
# Prints the user and system CPU time of process $1 in clock ticks.
process_ticks() {
  awk '{print $14 + $15}' "/proc/$1/stat"
}

measure() {
  local scenario=$1 samples=$2 prefix=$3 round target start end before status ticks
  echo "bench: $scenario ($samples samples per target)" >&2
  start_memory_sampler "$scenario"
  for ((round = -1; round < samples; round++)); do
    for target in $(targets_of_round $((round < 0 ? 0 : round))); do
      if declare -F "${prefix}_prepare" >/dev/null; then
        "${prefix}_prepare" "$target"
      fi
      before=$(upstream_request_count)
      ticks=$(process_ticks "$GITWARD_PID")
      start=$EPOCHREALTIME
      status=0
      "${prefix}_run" "$target" >"$RUN_DIR/last-run.log" 2>&1 || status=$?
      end=$EPOCHREALTIME
      if declare -F "${prefix}_cleanup" >/dev/null; then
        "${prefix}_cleanup" "$target"
      fi
      if ((status != 0)); then
        echo "bench: $scenario via $target failed with exit code $status:" >&2
        tail -n 20 "$RUN_DIR/last-run.log" >&2
        record "$scenario" "$target" error 1
        SCENARIO_ERRORS=$((SCENARIO_ERRORS + 1))
        continue
      fi
      if ((round >= 0)); then
        record "$scenario" "$target" ms "$(elapsed_ms "$start" "$end")"
        record "$scenario" "$target" requests $(($(upstream_request_count) - before))
        if [ "$target" = gitward ]; then
          record "$scenario" gitward cpu_ms \
            $((($(process_ticks "$GITWARD_PID") - ticks) * 1000 / $(getconf CLK_TCK)))
        fi
      fi
    done
  done
  stop_memory_sampler "$scenario"
}

# Prints the milliseconds between two $EPOCHREALTIME values, with three decimals.
elapsed_ms() {
  local start=${1/./} end=${2/./}
  local micros=$((10#$end - 10#$start))
  printf '%d.%03d' $((micros / 1000)) $((micros % 1000))
}

scratch() {
  echo "$RUN_DIR/scratch/$1"
}

# Clone of $CLONE_REPO with protocol $CLONE_PROTOCOL into a bare repository, so that the
# client's checkout does not dilute the transfer time.
clone_run() {
  git_with_token -c protocol.version="$CLONE_PROTOCOL" clone -q --bare \
    "$(url_for "$1" "$CLONE_REPO")" "$(scratch "clone-$1")"
}

clone_cleanup() {
  rm -rf "$(scratch "clone-$1")"
}

measure_clone() {
  CLONE_REPO=$1 CLONE_PROTOCOL=$2
  measure "clone $1 v$2" "$3" clone
}

ls_remote_loop_run() {
  local url i
  url=$(url_for "$1" small)
  for ((i = 0; i < LS_REMOTE_CALLS; i++)); do
    git_with_token ls-remote "$url" >/dev/null || return 1
  done
}

noop_fetch_prepare() {
  if [ ! -d "$(scratch "fetch-$1")" ]; then
    git_with_token clone -q --mirror "$(url_for "$1" "$FETCH_REPO")" "$(scratch "fetch-$1")"
  fi
}

noop_fetch_run() {
  git_with_token -C "$(scratch "fetch-$1")" fetch -q origin
}

# Resets the upstream's push repository to a fresh copy of the base, so that every sample
# pushes the same fast-forward and the upstream stores the pack again.
push_prepare() {
  rm -rf "$REPO_ROOT/owner/push.git"
  cp -a "$PUSH_BASE" "$REPO_ROOT/owner/push.git"
}

push_run() {
  git_with_token -C "$PUSH_CLIENT" push -q "$(url_for "$1" push)" refs/heads/main:refs/heads/main
}

concurrent_clones_run() {
  local url pids=() i failures=0
  url=$(url_for "$1" small)
  for ((i = 0; i < CONCURRENT_CLONES; i++)); do
    git_with_token clone -q --bare "$url" "$(scratch "concurrent-$1-$i")" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[i]}"; then
      echo "clone $i of $CONCURRENT_CLONES failed"
      failures=$((failures + 1))
    fi
  done
  ((failures == 0))
}

concurrent_clones_cleanup() {
  rm -rf "$(scratch "concurrent-$1")"-*
}

# Runs wrk with $1 connections against the ref advertisement of the small repository and
# records request rate, latency percentiles and errors. One connection shows the latency that
# each proxy adds to one request; more show throughput. wrk stops by itself after $WRK_SECONDS.
# Writes a wrk script that sends the task token from the environment, so that the token is not
# on wrk's command line, and prints its path.
wrk_script() {
  local script=$RUN_DIR/token.lua
  if [ ! -f "$script" ]; then
    echo 'wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")' >"$script"
  fi
  echo "$script"
}

measure_wrk() {
  local connections=$1 threads=$(($1 > 1 ? 2 : 1)) round target output ticks
  local scenario="info/refs wrk c$connections"
  echo "bench: $scenario ($WRK_SAMPLES samples of ${WRK_SECONDS}s per target)" >&2
  start_memory_sampler "$scenario"
  for ((round = 0; round < WRK_SAMPLES; round++)); do
    for target in $(targets_of_round "$round"); do
      ticks=$(process_ticks "$GITWARD_PID")
      if ! output=$(timeout $((WRK_SECONDS + 30)) wrk -t "$threads" -c "$connections" \
        -d "${WRK_SECONDS}s" --latency -s "$(wrk_script)" \
        "$(url_for "$target" small)/info/refs?service=git-upload-pack" 2>&1); then
        echo "bench: wrk via $target failed: $output" >&2
        record "$scenario" "$target" error 1
        SCENARIO_ERRORS=$((SCENARIO_ERRORS + 1))
        continue
      fi
      echo "$output" >>"$RUN_DIR/wrk.log"
      record_wrk_output "$scenario" "$target" "$output"
      if [ "$target" = gitward ]; then
        # All of Gitward's threads: workers, I/O, audit writer, JIT compiler and GC.
        record "$scenario" gitward cpu_ms_per_request "$(awk -v ticks=$(($(process_ticks \
          "$GITWARD_PID") - ticks)) -v hz="$(getconf CLK_TCK)" '/ requests in / {
            printf "%.3f", ticks * 1000 / hz / $1 }' <<<"$output")"
      fi
    done
  done
  stop_memory_sampler "$scenario"
}

record_wrk_output() {
  local scenario=$1 target=$2 output=$3 errors percentile
  record "$scenario" "$target" rps "$(awk '/^Requests\/sec:/ {print $2}' <<<"$output")"
  for percentile in 50 90 99; do
    record "$scenario" "$target" "p${percentile}_ms" \
      "$(awk -v p="$percentile%" '$1 == p {print $2}' <<<"$output" | to_ms)"
  done
  # wrk prints these lines only when there were such errors.
  errors=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {
      for (i = 3; i <= NF; i++) { gsub(",", "", $i); if ($i ~ /^[0-9]+$/) n += $i } }
      END {print n + 0}' <<<"$output")
  record "$scenario" "$target" errors "$errors"
  if ((errors > 0)); then
    echo "bench: wrk via $target saw $errors failed requests" >&2
    SCENARIO_ERRORS=$((SCENARIO_ERRORS + 1))
  fi
}

# Converts a wrk duration such as 812.00us, 3.21ms or 1.02s to milliseconds.
to_ms() {
  awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000;
    printf "%.3f\n", v }'
}

# Warms up all three targets before any sample: Gitward's JIT compiler, nginx and the page
# cache. A proxy in service runs warm, so cold-start time is not part of any scenario.
warm_up() {
  local target i
  echo "bench: warming up (${WARM_UP_SECONDS}s of wrk on GET info/refs, the same on POST" \
    "ls-refs, ${WARM_UP_CLONES} clones and ${WARM_UP_CALLS} ls-remote calls per target)" >&2
  cat >"$RUN_DIR/ls-refs.lua" <<'EOF'
wrk.method = "POST"
wrk.body = "0014command=ls-refs\n0000"
wrk.headers["Content-Type"] = "application/x-git-upload-pack-request"
wrk.headers["Git-Protocol"] = "version=2"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
EOF
  for target in "${TARGETS[@]}"; do
    timeout $((WARM_UP_SECONDS + 30)) wrk -t 2 -c 4 -d "${WARM_UP_SECONDS}s" \
      -s "$(wrk_script)" \
      "$(url_for "$target" small)/info/refs?service=git-upload-pack" >/dev/null
    timeout $((WARM_UP_SECONDS + 30)) wrk -t 2 -c 4 -d "${WARM_UP_SECONDS}s" \
      -s "$RUN_DIR/ls-refs.lua" \
      "$(url_for "$target" small)/git-upload-pack" >/dev/null
    for ((i = 0; i < WARM_UP_CLONES; i++)); do
      clone_cleanup "$target"
      CLONE_REPO=small CLONE_PROTOCOL=$((i % 2 * 2)) clone_run "$target"
    done
    clone_cleanup "$target"
    # One new connection per call, which the wrk runs above never make.
    LS_REMOTE_CALLS=$WARM_UP_CALLS ls_remote_loop_run "$target"
  done
}
