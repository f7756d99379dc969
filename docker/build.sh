#!/usr/bin/env bash
# Builds the classroom image and smoke-tests it: what CI runs (test.sh's "image" step), and what a
# teacher can run before a class. From anywhere:
#
#   docker/build.sh [--pjrt none|cpu|cuda] [--tag NAME] [--no-cache] [--no-smoke] [--no-notebooks]
#   docker/build.sh --engine      print the engine it would use (installing podman if it can), or fail
#   docker/build.sh --base-only   only make sure the base image exists (pull it, or make it locally)
#
#   --pjrt        the Dockerfile's PJRT build argument (default none: the cpu plugin's download host,
#                 GitHub, is unreachable on CI's machines)
#   --tag         image name (default flows-classroom:go for none, :latest for cpu, :cuda for cuda)
#   --no-cache    rebuild every layer (default: reuse the engine's layer cache, which outlives CI runs;
#                 the base image is made once per machine and kept)
#   --no-smoke    build only
#   --no-notebooks  smoke-test the server but do not execute the notebooks
#
# Engine: docker when a daemon answers, else podman (apt-get installs podman when it is missing and
# this runs as root). With podman the engine settings come from a containers.conf this script writes
# to a temp folder (CONTAINERS_CONF), so the machine's own configuration is neither needed nor changed:
# runc, cgroupfs and a file events log work in the containers CI runs in; the ulimits avoid
# "setrlimit RLIMIT_NOFILE: Operation not permitted". podman builds with --format docker (OCI drops
# the Dockerfile's SHELL and HEALTHCHECK) and mounts the host's CA bundle, plus a pip.conf that points
# pip at it, into the build's RUN steps only (machines that re-sign TLS; harmless elsewhere; nothing of
# it stays in the image).
#
# Base image: golang:X-bookworm (X = the Dockerfile's GO_VERSION). When the engine does not have it and
# cannot pull it, it is made locally in the official image's layout: debootstrap --variant=minbase
# bookworm plus the official image's packages that matter here (ca-certificates curl wget gnupg
# netbase procps openssh-client git, gcc g++ libc6-dev make pkg-config), this machine's Go (must be
# version X) in /usr/local/go, GOPATH=/go (mode 1777), PATH and WORKDIR as upstream.
#
# Smoke test (every container and volume it makes is removed on exit, however it exits):
#   1. starts the image the way docker/README.md tells a student (docker run -p 127.0.0.1:PORT:8888
#      -v VOLUME:/home/jovyan/work, with compose.yaml's cap_drop ALL and no-new-privileges) on a fresh
#      named volume and a free port, and waits for Jupyter;
#   2. checks: /api/contents without the token is refused (403), with it 200; the Jupyter server runs
#      as uid 1000, not root; inside the container it listens on 0.0.0.0:8888; on the host the port
#      is published on 127.0.0.1 only (the host's other address refuses the connection); the student's
#      notebooks are in the volume, owned by and writable for uid 1000. The container is read from
#      the host through /proc of its main process (its root, network and PID namespaces), not with
#      `exec`, so the checks see what the server sees (and work inside a chroot too);
#   3. executes every notebook of the work folder with tools/nbrun in a second container started with
#      --network none (GOPROXY=off as in the image), and prints nbrun's report (per-notebook times).
# It prints the build time, the image size and each step's time. Exit 0 when all passed, 1 when
# something failed, 3 when no container engine is available (test.sh then skips the step).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PJRT=none TAG="" NO_CACHE=0 SMOKE=1 NOTEBOOKS=1 ENGINE_ONLY=0 BASE_ONLY=0
while (($#)); do
  case "$1" in
    --pjrt) PJRT="${2:?--pjrt needs none, cpu or cuda}"; shift 2 ;;
    --tag) TAG="${2:?--tag needs a name}"; shift 2 ;;
    --no-cache) NO_CACHE=1; shift ;;
    --no-smoke) SMOKE=0; shift ;;
    --no-notebooks) NOTEBOOKS=0; shift ;;
    --engine) ENGINE_ONLY=1; shift ;;
    --base-only) BASE_ONLY=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
case "$PJRT" in
  none) TAG="${TAG:-flows-classroom:go}" ;;
  cpu) TAG="${TAG:-flows-classroom:latest}" ;;
  cuda) TAG="${TAG:-flows-classroom:cuda}" ;;
  *) echo "build.sh: --pjrt $PJRT: want none, cpu or cuda" >&2; exit 2 ;;
esac

say() { printf 'build.sh: %s\n' "$*"; }
fail() { printf 'build.sh: FAILED: %s\n' "$*" >&2; exit 1; }
T0=$SECONDS
TIMES=()
timed() { TIMES+=("$1 $((SECONDS - $2)) s"); }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/flows-build.XXXXXX")"
CONTAINERS=() VOLUMES=()
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  local c v
  for c in "${CONTAINERS[@]}"; do "$ENGINE" rm -f "$c" >/dev/null 2>&1 || true; done
  for v in "${VOLUMES[@]}"; do "$ENGINE" volume rm -f "$v" >/dev/null 2>&1 || true; done
  if [[ -n "${BASE_ROOT:-}" && -d "$BASE_ROOT" ]]; then rm -rf --one-file-system "$BASE_ROOT"; fi
  rm -rf "$TMP"
  exit "$rc"
}
ENGINE=true
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

as_root_apt() { # package... : installs with apt-get when running as root, else fails
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 || return 1
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ---------------------------------------------------------------------------------------------------
# Engine
if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
  ENGINE=docker
else
  if ! command -v podman >/dev/null 2>&1; then
    say "no docker daemon and no podman: apt-get install podman runc"
    as_root_apt podman runc || { say "no container engine: no docker daemon answers, podman is not installed and cannot be (needs root and apt-get)"; exit 3; }
  fi
  ENGINE=podman
  cat >"$TMP/containers.conf" <<'EOF'
# Written by docker/build.sh for its own podman commands (CONTAINERS_CONF); the machine's files are unused.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  export CONTAINERS_CONF="$TMP/containers.conf"
fi
if [[ $ENGINE_ONLY == 1 ]]; then
  echo "$ENGINE"
  exit 0
fi
say "engine: $ENGINE ($("$ENGINE" --version | head -1))"

# ---------------------------------------------------------------------------------------------------
# Base image
GO_VERSION="$(sed -n 's/^ARG GO_VERSION=//p' docker/Dockerfile | head -1)"
[[ -n "$GO_VERSION" ]] || fail "no ARG GO_VERSION= in docker/Dockerfile"
BASE="golang:$GO_VERSION-bookworm"
image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }
image_mb() { "$ENGINE" image inspect --format '{{.Size}}' "$1" | awk '{ printf "%d MB", $1 / 1e6 }'; }

make_base() {
  local host_go
  host_go="$(go env GOVERSION 2>/dev/null || true)"
  [[ "$host_go" == "go$GO_VERSION" ]] ||
    fail "cannot pull $BASE and cannot make it: this machine's Go is '${host_go:-missing}', the Dockerfile wants go$GO_VERSION"
  command -v debootstrap >/dev/null 2>&1 || as_root_apt debootstrap || fail "debootstrap is missing (apt-get install debootstrap)"
  local t=$SECONDS pkgs=ca-certificates,curl,wget,gnupg,netbase,procps,openssh-client,git,gcc,g++,libc6-dev,make,pkg-config
  BASE_ROOT="$(mktemp -d "${TMPDIR:-/var/tmp}/flows-base.XXXXXX")"
  say "making $BASE locally: debootstrap --variant=minbase bookworm (+ $pkgs) and Go from $(go env GOROOT)"
  debootstrap --variant=minbase --include="$pkgs" bookworm "$BASE_ROOT" http://deb.debian.org/debian >"$TMP/debootstrap.log" 2>&1 ||
    { tail -20 "$TMP/debootstrap.log" >&2; fail "debootstrap failed"; }
  cat >"$BASE_ROOT/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  rm -rf "$BASE_ROOT"/var/lib/apt/lists/* "$BASE_ROOT"/var/cache/apt/archives/*.deb
  : >"$BASE_ROOT/etc/resolv.conf"
  cp -a "$(go env GOROOT)" "$BASE_ROOT/usr/local/go"
  mkdir -p "$BASE_ROOT/go/src" "$BASE_ROOT/go/bin"
  chmod -R 1777 "$BASE_ROOT/go"
  tar -C "$BASE_ROOT" -c . | "$ENGINE" import \
    --change "ENV GOLANG_VERSION=$GO_VERSION" \
    --change "ENV GOTOOLCHAIN=local" \
    --change "ENV GOPATH=/go" \
    --change "ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "WORKDIR /go" \
    --change 'CMD ["bash"]' \
    - "$BASE" >/dev/null 2>"$TMP/import.log" || { cat "$TMP/import.log" >&2; fail "importing $BASE failed"; }
  rm -rf --one-file-system "$BASE_ROOT"
  # The name FROM resolves to on either engine.
  "$ENGINE" tag "$BASE" "docker.io/library/$BASE" 2>/dev/null || true
  timed base "$t"
  say "made $BASE in $((SECONDS - t)) s ($(image_mb "$BASE"))"
}

if image_exists "$BASE" || image_exists "docker.io/library/$BASE"; then
  say "base image $BASE: present ($(image_mb "$BASE" 2>/dev/null || image_mb "docker.io/library/$BASE"))"
else
  t=$SECONDS
  if timeout 120 "$ENGINE" pull -q "docker.io/library/$BASE" >/dev/null 2>&1; then
    timed base-pull "$t"
    say "pulled $BASE in $((SECONDS - t)) s"
  else
    say "cannot pull $BASE (no registry reachable): making it locally"
    make_base
  fi
fi

[[ $BASE_ONLY == 0 ]] || exit 0

# ---------------------------------------------------------------------------------------------------
# Build
BUILD=("$ENGINE" build -f docker/Dockerfile --build-arg "PJRT=$PJRT" -t "$TAG")
[[ $NO_CACHE == 0 ]] || BUILD+=(--no-cache)
if [[ $ENGINE == podman ]]; then
  CA=/etc/ssl/certs/ca-certificates.crt
  printf '[global]\ncert = %s\n' "$CA" >"$TMP/pip.conf"
  BUILD+=(--format docker --pull=never --ignorefile docker/Dockerfile.dockerignore)
  [[ -f "$CA" ]] && BUILD+=(-v "$CA:$CA:ro" -v "$TMP/pip.conf:/etc/pip.conf:ro")
fi
say "${BUILD[*]} ."
t=$SECONDS
set +e
"${BUILD[@]}" . 2>&1 | tee "$TMP/build.log" | grep --line-buffered -E 'STEP [0-9]|^COMMIT|^--> Using cache|setup: \[done\]|^flows:|#[0-9]+ (DONE|CACHED)|rror'
rc=${PIPESTATUS[0]}
set -e
if [[ $rc != 0 ]]; then
  tail -40 "$TMP/build.log" >&2
  fail "the image build failed (exit $rc, after $((SECONDS - t)) s)"
fi
BUILD_S=$((SECONDS - t))
timed build "$t"
CACHED=$(grep -c -E '^--> Using cache|CACHED' "$TMP/build.log" || true)
say "built $TAG in $BUILD_S s ($CACHED cached steps); image size $(image_mb "$TAG")"

if [[ $SMOKE == 0 ]]; then
  say "done in $((SECONDS - T0)) s: ${TIMES[*]}"
  exit 0
fi

# ---------------------------------------------------------------------------------------------------
# Smoke test: the server as a student starts it
free_port() {
  local p
  for p in 8888 $(seq 18888 18988); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
PORT="$(free_port)" || fail "no free port"
TOKEN="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
NAME="flows-smoke-$$"
VOL="flows-smoke-work-$$"
CONTAINERS+=("$NAME") VOLUMES+=("$VOL")
t=$SECONDS
"$ENGINE" run -d --name "$NAME" -p "127.0.0.1:$PORT:8888" -v "$VOL:/home/jovyan/work" \
  --cap-drop ALL --security-opt no-new-privileges -e JUPYTER_TOKEN="$TOKEN" "$TAG" >/dev/null
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$URL/api" 2>/dev/null && break
  [[ "$("$ENGINE" inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" == true ]] || break
  sleep 1
done
curl -fsS -o /dev/null "$URL/api" 2>/dev/null || { "$ENGINE" logs "$NAME" 2>&1 | tail -30 >&2; fail "Jupyter did not answer on $URL/api"; }
say "server up on $URL in $((SECONDS - t)) s"
timed start "$t"

FAILS=0
check() { # description command... : runs a check, records a failure
  local what="$1"
  shift
  if "$@"; then say "ok:   $what"; else say "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
no_token() { [[ "$(code "$URL/api/contents/notebooks")" == 403 ]]; }
with_token() { [[ "$(code -H "Authorization: token $TOKEN" "$URL/api/contents/notebooks")" == 200 ]]; }
# The container is read from this side, through /proc of its main process (tini): its mount namespace
# is /proc/PID/root, its network namespace /proc/PID/net. Not `exec`: an exec'd process can see another
# view of the container than the container itself (runc inside a chroot does), and these checks must
# see what the server sees.
container_pid() { "$ENGINE" inspect -f '{{.State.Pid}}' "$NAME"; }
# The uids of the Jupyter server processes: the processes in the container's PID namespace whose
# command line runs jupyter-lab.
server_uid() {
  local pid ns d
  pid="$(container_pid)" && ns="$(readlink "/proc/$pid/ns/pid")" || return 1
  for d in /proc/[0-9]*; do
    [[ "$(readlink "$d/ns/pid" 2>/dev/null)" == "$ns" ]] || continue
    if tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -q 'jupyter-lab\|jupyter lab'; then
      awk '/^Uid:/ { print $2 }' "$d/status"
    fi
  done | sort -u
}
uid_1000() { local u; u="$(server_uid)"; echo "      server uid: ${u:-none}"; [[ "$u" == 1000 ]]; }
# /proc/net/tcp of the container's network namespace: local address 00000000:22B8 (0.0.0.0:8888) in
# state 0A (LISTEN).
# shellcheck disable=SC2016 # awk's fields
listens_all() { awk '$2 == "00000000:22B8" && $4 == "0A" { f = 1 } END { exit !f }' "/proc/$(container_pid)/net/tcp"; }
loopback_only() {
  local ip
  ip="$(hostname -I 2>/dev/null | awk '{ print $1 }')"
  [[ -n "$ip" ]] || { echo "      (no non-loopback address to try)"; return 0; }
  echo "      published: $("$ENGINE" port "$NAME" 8888 | tr '\n' ' '); $ip:$PORT must refuse"
  ! curl -s -m 5 -o /dev/null "http://$ip:$PORT/api"
}
# The work folder as the server sees it: owned by uid 1000 with the owner's write bit, on a mount
# that is not read-only (/proc/PID/mountinfo), so uid 1000 can write there.
volume_owned() {
  local pid nbs mode opts
  pid="$(container_pid)"
  nbs="/proc/$pid/root/home/jovyan/work/notebooks"
  mode="$(stat -c '%u %A' "$nbs")"
  opts="$(awk '$5 == "/home/jovyan/work" { print $6 }' "/proc/$pid/mountinfo")"
  echo "      notebooks/: owner and mode $mode, $(find "$nbs" -maxdepth 1 -name '*.ipynb' | wc -l) notebooks; work mount: ${opts:-none}"
  [[ "$mode" == "1000 drwx"* && ",$opts," == *,rw,* ]] && compgen -G "$nbs/*.ipynb" >/dev/null
}
check "a request without the token is refused (403)" no_token
check "the same request with the token succeeds (200)" with_token
check "the Jupyter server runs as uid 1000, not root" uid_1000
check "inside the container it listens on 0.0.0.0:8888" listens_all
check "on the host the port is bound to 127.0.0.1 only" loopback_only
check "the fresh volume holds the notebooks, owned by and writable for uid 1000" volume_owned
"$ENGINE" rm -f "$NAME" >/dev/null

# ---------------------------------------------------------------------------------------------------
# Every notebook, offline, in the student's work folder
if [[ $NOTEBOOKS == 1 ]]; then
  NB="flows-smoke-nb-$$"
  CONTAINERS+=("$NB")
  mkdir -m 1777 "$TMP/out"
  t=$SECONDS
  say "executing the notebooks with tools/nbrun in a container with --network none"
  # shellcheck disable=SC2016 # expanded in the container
  if "$ENGINE" run --name "$NB" --network none -v "$TMP/out:/out" "$TAG" bash -c '
      set -euo pipefail
      cd /opt/flows
      go build -o /tmp/nbrun ./tools/nbrun
      /tmp/nbrun -out /out/notebooks -json /out/nbrun.json -report /out/nbrun.md "$FLOWS_WORK"/notebooks/*.ipynb'; then
    say "ok:   every notebook passed offline ($((SECONDS - t)) s)"
  else
    say "FAIL: notebooks offline (see above)"
    FAILS=$((FAILS + 1))
  fi
  timed notebooks "$t"
  [[ -f "$TMP/out/nbrun.md" ]] && cat "$TMP/out/nbrun.md"
fi

say "image $TAG: $(image_mb "$TAG"); build $BUILD_S s; steps: ${TIMES[*]}; total $((SECONDS - T0)) s"
((FAILS == 0)) || fail "$FAILS smoke check(s) failed"
say "all smoke checks passed"
