# Samples Gitward's memory during each scenario. Sourced by run.sh, which sets GITWARD_PID,
# RUN_DIR and MEMORY_FILE.
#
# VmHWM in /proc/PID/status is the peak RSS since the process started and cannot be reset, so
# the peak of one scenario comes from sampling VmRSS. Heap use comes from jstat, which reads the
# JVM's performance counters from shared memory without pausing the process, unlike jcmd. jcmd
# GC.heap_info runs once at the end of each scenario.

MEMORY_SAMPLE_SECONDS=0.2
# Upper bound on one sampler's life: it stops by itself after this many samples.
MEMORY_MAX_SAMPLES=36000

rss_sampler() {
  local pid=$1 out=$2 max=0 key value unit i
  for ((i = 0; i < MEMORY_MAX_SAMPLES; i++)); do
    [ -r "/proc/$pid/status" ] || break
    while read -r key value unit; do
      if [ "$key" = "VmRSS:" ]; then
        ((value > max)) && max=$value
        break
      fi
    done <"/proc/$pid/status"
    echo "$max" >"$out"
    sleep "$MEMORY_SAMPLE_SECONDS"
  done
}

start_memory_sampler() {
  local dir
  dir=$RUN_DIR/memory/$(echo "$1" | tr -c 'A-Za-z0-9\n' '-')
  mkdir -p "$dir"
  MEMORY_DIR=$dir
  rss_sampler "$GITWARD_PID" "$dir/rss-max-kib" &
  RSS_SAMPLER_PID=$!
  timeout 7200 jstat -gc "$GITWARD_PID" 250 >"$dir/jstat.txt" 2>&1 &
  JSTAT_PID=$!
  # jstat's own JVM needs a moment before its first row.
  sleep 1
}

# Stops the samplers of scenario $1 and appends its row to $MEMORY_FILE: peak RSS, VmHWM so
# far, maximum heap used (survivor, eden and old), maximum old generation, and heap used at the
# end per jcmd GC.heap_info, all in KiB.
stop_memory_sampler() {
  local scenario=$1 dir=$MEMORY_DIR hwm heap_max old_max heap_end
  kill "$RSS_SAMPLER_PID" "$JSTAT_PID" 2>/dev/null || true
  wait "$RSS_SAMPLER_PID" "$JSTAT_PID" 2>/dev/null || true
  hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$GITWARD_PID/status")
  # jstat -gc columns: S0C S1C S0U S1U EC EU OC OU ... with used sizes in KiB.
  read -r heap_max old_max < <(awk '$1 ~ /^[0-9.]+$/ {
      used = $3 + $4 + $6 + $8; if (used > h) h = used; if ($8 > o) o = $8 }
      END {printf "%d %d\n", h, o}' "$dir/jstat.txt")
  jcmd "$GITWARD_PID" GC.heap_info >"$dir/heap-info.txt" 2>&1 || true
  heap_end=$(grep -o 'used [0-9]*K' "$dir/heap-info.txt" | head -n 1 | tr -dc '0-9')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$(cat "$dir/rss-max-kib" 2>/dev/null || echo 0)" \
    "${hwm:-0}" "${heap_max:-0}" "${old_max:-0}" "${heap_end:-0}" >>"$MEMORY_FILE"
}
