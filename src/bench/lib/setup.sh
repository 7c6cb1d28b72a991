# Installs the tools, builds the jar and generates the cached benchmark repositories.
# Sourced by run.sh, which sets PROJECT_DIR, WORK_DIR, REPO_ROOT and JAR.

# Installs the Debian packages of the missing tools. Timing uses a loop in lib/scenarios.sh
# rather than hyperfine, because hyperfine runs all samples of one command before the next and
# so cannot interleave the three targets.
install_tools() {
  local packages=()
  command -v nginx >/dev/null 2>&1 || packages+=(nginx)
  command -v fcgiwrap >/dev/null 2>&1 || packages+=(fcgiwrap)
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  command -v curl >/dev/null 2>&1 || packages+=(curl)
  command -v setsid >/dev/null 2>&1 || packages+=(util-linux)
  [ -x /usr/lib/git-core/git-http-backend ] || packages+=(git)
  if [ "${#packages[@]}" -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: missing packages: ${packages[*]} (install them, or run as root)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  local package policy
  for package in "${packages[@]}"; do
    # Read whole before matching: grep -q stops at the first match, and under pipefail the
    # SIGPIPE that apt-cache then receives would fail the test.
    policy=$(apt-cache policy "$package")
    if ! grep -q 'Candidate: [0-9]' <<<"$policy"; then
      echo "bench: Debian package $package has no installation candidate" >&2
      return 1
    fi
  done
  # Debian starts nginx as a service on install unless policy-rc.d denies it. The benchmark
  # starts its own instances and never uses that one.
  apt-get install -y -q --no-install-recommends "${packages[@]}"
}

# Builds target/gitward.jar when it is missing or older than the sources.
build_jar() {
  if [ -f "$JAR" ] && [ -z "$(find "$PROJECT_DIR/src/main" "$PROJECT_DIR/pom.xml" \
    -newer "$JAR" -print -quit)" ]; then
    return 0
  fi
  echo "bench: building $JAR" >&2
  (cd "$PROJECT_DIR" && mvn -q -B package -DskipTests)
}

GENERATOR=$PROJECT_DIR/src/bench/tools/FastImportStream.java

# Creates bare repository $1 from the fast-import stream of the generator arguments $3...,
# unless $1 already holds a repository made from the same arguments and generator source.
# $2 is a commit to copy in first ("-" for none), for a stream whose first commit has a parent.
generate_repository() {
  local repo=$1 base=$2
  shift 2
  local spec
  spec="$* $(sha256sum "$GENERATOR" | cut -c1-16) base=$base"
  if [ -f "$repo/bench-spec" ] && [ "$(cat "$repo/bench-spec")" = "$spec" ]; then
    return 0
  fi
  echo "bench: generating $repo ($*)" >&2
  rm -rf "$repo"
  mkdir -p "$(dirname "$repo")"
  if [ "$base" = "-" ]; then
    git init -q --bare --initial-branch=main "$repo"
  else
    git clone -q --bare "$base" "$repo"
  fi
  java "$GENERATOR" "$@" | git -C "$repo" fast-import --quiet
  # A server's repository is packed with deltas and a bitmap index, as after git gc.
  git -C "$repo" repack -q -a -d -f -b
  git -C "$repo" config http.receivepack true
  echo "$spec" >"$repo/bench-spec"
}

# Generates the upstream repositories under $REPO_ROOT/owner and the client repository that
# pushes $PUSH_MIB MiB, all cached across runs.
generate_repositories() {
  local owner=$REPO_ROOT/owner
  generate_repository "$owner/small.git" - \
    history --commits 100 --files 20 --branches 3 --tags 5 --seed 1
  if [ "$QUICK" -eq 0 ]; then
    generate_repository "$owner/medium.git" - \
      history --commits 3000 --files 400 --binary-every 50 --binary-kib 384 \
      --branches 50 --tags 200 --seed 2
    generate_repository "$owner/blob300.git" - blob --mb 300 --path big.bin --seed 3
  fi
  generate_real_repository "$owner/gitward.git"
  # Each push sample starts from a fresh copy of the small repository, and the client's main
  # is one commit ahead of it, so the push is a fast-forward update that Gitward must prove.
  PUSH_BASE=$owner/small.git
  PUSH_CLIENT=$WORK_DIR/clients/push-${PUSH_MIB}mib.git
  generate_repository "$PUSH_CLIENT" "$PUSH_BASE" \
    blob --mb "$PUSH_MIB" --path payload.bin --seed 4 \
    --parent "$(git -C "$PUSH_BASE" rev-parse refs/heads/main)"
}

# Makes bare repository $1 a packed copy of this project's own history at the checkout's HEAD: a
# real repository, with the file sizes, deltas and history of real work. Sets REAL_REPO to its
# name, or to nothing when the checkout is not a full git clone, which skips its scenario.
generate_real_repository() {
  local repo=$1 head spec
  REAL_REPO=
  if ! head=$(git -C "$PROJECT_DIR" rev-parse --verify -q HEAD) \
    || [ "$(git -C "$PROJECT_DIR" rev-parse --is-shallow-repository)" = true ]; then
    echo "bench: $PROJECT_DIR is not a full git clone; skipping the real repository's clone" >&2
    return 0
  fi
  REAL_REPO=$(basename "$repo" .git)
  spec="real $head"
  if [ -f "$repo/bench-spec" ] && [ "$(cat "$repo/bench-spec")" = "$spec" ]; then
    return 0
  fi
  echo "bench: copying this project's history at $head into $repo" >&2
  rm -rf "$repo"
  git clone -q --bare --no-local --single-branch "$PROJECT_DIR" "$repo"
  git -C "$repo" repack -q -a -d -f -b
  echo "$spec" >"$repo/bench-spec"
}
