# Starts and stops the three servers of a benchmark run, all bound to 127.0.0.1:
#   upstream  nginx + fcgiwrap + git http-backend, serving $REPO_ROOT under /git/
#   baseline  a second nginx that streams to the upstream (no request or response buffering)
#   gitward   target/gitward.jar serve, with -Xmx256m, in front of the upstream
# Sourced by run.sh, which sets RUN_DIR, REPO_ROOT, JAR and GITWARD_JAVA_OPTS.

STARTED_PIDS=()
STARTED_GROUPS=()

# Prints a TCP port on 127.0.0.1 that nothing listens on, below the kernel's ephemeral range. The
# clients of a run leave thousands of closed connections in TIME_WAIT on ephemeral ports, and a
# listener cannot bind a port that one of them holds. Another process may take the port before
# the caller binds it, and then the caller's start fails with an "address in use" error.
free_port() {
  local port tries low=32768
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  if ((low <= 11000)); then
    low=61000
  fi
  for ((tries = 0; tries < 50; tries++)); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench: no free port found on 127.0.0.1 after 50 tries" >&2
  return 1
}

# Waits up to $2 seconds until a TCP listener accepts on 127.0.0.1:$1.
await_port() {
  local port=$1 seconds=$2 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "bench: nothing listens on 127.0.0.1:$port after ${seconds}s" >&2
  return 1
}

# Writes the directives both nginx instances share: their own pid, logs and temp paths under $1,
# so nginx runs without touching /var or /etc, as root or not.
nginx_common_conf() {
  local dir=$1
  mkdir -p "$dir/tmp"
  # Workers of a root master would switch to "nobody" and lose access to the run directory.
  if [ "$(id -u)" -eq 0 ]; then
    echo "user root;"
  fi
  cat <<EOF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
EOF
}

nginx_http_common_conf() {
  local dir=$1
  cat <<EOF
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/client_body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  client_max_body_size 0;
EOF
}

start_nginx() {
  local dir=$1
  nginx -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
  nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g "daemon off;" \
    >"$dir/stdout.log" 2>&1 &
  STARTED_PIDS+=($!)
}

# Starts git http-backend behind fcgiwrap and nginx on $UPSTREAM_PORT.
start_upstream() {
  local dir=$RUN_DIR/upstream
  mkdir -p "$dir"
  UPSTREAM_PORT=$(free_port)
  # One fcgiwrap child serves one CGI request at a time, so 20 concurrent clones queue beyond
  # this. The queue is the same for all three targets. fcgiwrap's children outlive their parent,
  # so it runs in its own process group, which stop_servers ends as a whole.
  setsid fcgiwrap -c 8 -s "unix:$dir/fcgiwrap.sock" >"$dir/fcgiwrap.log" 2>&1 &
  STARTED_GROUPS+=($!)
  {
    nginx_common_conf "$dir"
    echo "http {"
    nginx_http_common_conf "$dir"
    cat <<EOF
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location ~ ^/git(/.*)\$ {
      fastcgi_pass unix:$dir/fcgiwrap.sock;
      fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT $REPO_ROOT;
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO \$1;
      fastcgi_param QUERY_STRING \$query_string;
      fastcgi_param REQUEST_METHOD \$request_method;
      fastcgi_param CONTENT_TYPE \$content_type;
      fastcgi_param CONTENT_LENGTH \$content_length;
      fastcgi_param REMOTE_ADDR \$remote_addr;
      fastcgi_param SERVER_PROTOCOL \$server_protocol;
      fastcgi_buffering off;
      fastcgi_read_timeout 600s;
      fastcgi_send_timeout 600s;
    }
  }
}
EOF
  } >"$dir/nginx.conf"
  wait_for_socket "$dir/fcgiwrap.sock"
  start_nginx "$dir"
  await_port "$UPSTREAM_PORT" 10
}

wait_for_socket() {
  local deadline=$((SECONDS + 10))
  while [ ! -S "$1" ] && ((SECONDS < deadline)); do
    sleep 0.1
  done
  [ -S "$1" ] || { echo "bench: fcgiwrap did not create $1 within 10s" >&2; return 1; }
}

# Starts the baseline: nginx as a streaming reverse proxy on $BASELINE_PORT.
start_baseline() {
  local dir=$RUN_DIR/baseline
  mkdir -p "$dir"
  BASELINE_PORT=$(free_port)
  {
    nginx_common_conf "$dir"
    echo "http {"
    nginx_http_common_conf "$dir"
    cat <<EOF
  upstream git_upstream {
    server 127.0.0.1:$UPSTREAM_PORT;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$BASELINE_PORT;
    location / {
      proxy_pass http://git_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_request_buffering off;
      proxy_buffering off;
      chunked_transfer_encoding on;
      proxy_read_timeout 600s;
      proxy_send_timeout 600s;
    }
  }
}
EOF
  } >"$dir/nginx.conf"
  start_nginx "$dir"
  await_port "$BASELINE_PORT" 10
}

# Starts the two floor proxies of --floor in front of the upstream: Undertow's non-blocking
# ProxyHandler on $UNDERTOW_PORT and the blocking worker-thread proxy on $BLOCKING_PORT.
start_floor_proxies() {
  local dir=$RUN_DIR/floor mode port
  mkdir -p "$dir"
  UNDERTOW_PORT=$(free_port)
  BLOCKING_PORT=$(free_port)
  for mode in undertow blocking; do
    port=$([ "$mode" = undertow ] && echo "$UNDERTOW_PORT" || echo "$BLOCKING_PORT")
    java -Xmx256m -cp "$JAR" "$PROJECT_DIR/src/bench/tools/FloorProxy.java" "$mode" "$port" \
      "http://127.0.0.1:$UPSTREAM_PORT/git" >"$dir/$mode.log" 2>&1 &
    STARTED_PIDS+=($!)
  done
  await_port "$UNDERTOW_PORT" 60 || { cat "$dir/undertow.log" >&2; return 1; }
  await_port "$BLOCKING_PORT" 60 || { cat "$dir/blocking.log" >&2; return 1; }
}

# Starts Gitward on $GITWARD_PORT and mints $TOKEN for the benchmark repositories.
start_gitward() {
  local dir=$RUN_DIR/gitward
  mkdir -p "$dir"
  GITWARD_PORT=$(free_port)
  local admin_port
  admin_port=$(free_port)
  java -jar "$JAR" keygen --out "$dir/signing.jwk" >/dev/null
  cat >"$dir/gitward.yaml" <<EOF
proxy:
  listen: 127.0.0.1:$GITWARD_PORT
  public-url: http://127.0.0.1:$GITWARD_PORT
admin:
  listen: 127.0.0.1:$admin_port
tokens:
  keys:
    - file: $dir/signing.jwk
  max-ttl: 12h
audit:
  file: "$([ "${AUDIT_STDOUT:-0}" -eq 1 ] && echo - || echo "$dir/audit.log")"
upstreams:
  local:
    url: http://127.0.0.1:$UPSTREAM_PORT/git
    credentials:
      type: none
    timeouts:
      connect: 5s
      read-idle: 300s
EOF
  TOKEN=$(java -jar "$JAR" mint --config "$dir/gitward.yaml" --task bench --ttl 12h \
    --fetch local/owner/small --fetch local/owner/medium --fetch local/owner/blob300 \
    --fetch local/owner/push --fetch local/owner/gitward --push 'local/owner/push=refs/heads/**' --format token)
  export BENCH_TOKEN=$TOKEN
  # shellcheck disable=SC2086 # GITWARD_JAVA_OPTS is a list of JVM options.
  java -Xmx256m -XX:+ExitOnOutOfMemoryError $GITWARD_JAVA_OPTS \
    -jar "$JAR" serve --config "$dir/gitward.yaml" >"$dir/gitward.log" 2>&1 &
  GITWARD_PID=$!
  STARTED_PIDS+=("$GITWARD_PID")
  await_port "$GITWARD_PORT" 60 || { cat "$dir/gitward.log" >&2; return 1; }
}

# Stops every process this script started, by process id, newest first, then fcgiwrap's group.
stop_servers() {
  local i pid
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${STARTED_PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_GROUPS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
  STARTED_GROUPS=()
}
