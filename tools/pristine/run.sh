#!/usr/bin/env bash
# Runs the whole test suite (.ci/run, CI=true, no stdin) on a pristine Debian 12, the way a fresh
# developer machine or a fresh CI runner would: nothing the project installs is there beforehand.
#
# Usage (as root, from anywhere):  tools/pristine/run.sh [--ref REF] [--keep]
#
#   --ref REF  the commit to test (default HEAD of this checkout). Only committed work is tested:
#              the root gets a fresh `git clone`, never this working tree.
#   --keep     keep the root folder afterwards (for debugging; it is printed). Default: deleted.
#
# What it does, every run from scratch (nothing is cached between runs):
#   1. debootstrap --variant=minbase bookworm into a temp folder (apt-get installs debootstrap if missing),
#      plus exactly what a developer installs before cloning: ca-certificates, git, curl (to clone and
#      download), gcc, g++, libc6-dev, make (a C toolchain: cgo, which the XLA backend needs), and Go,
#      copied from this machine's `go env GOROOT` to /usr/local/go (the go.dev/dl layout) with
#      /usr/local/go/bin on PATH, as go.dev/doc/install says. Nothing else: Python, Node, Jupyter,
#      Chromium, the shell linter, the Go tools and all caches are left to kernel-setup/setup.sh.
#   2. a fresh `git clone` of this repository at REF into /root/flows in the root.
#   3. runs `CI=true bash .ci/run </dev/null` as root (as CI does) in a chroot inside new mount, PID,
#      IPC and UTS namespaces, with /proc (new), /sys, /dev, /dev/pts (host's) and /dev/shm (a fresh
#      tmpfs) mounted, and the host's CA bundle bound read-only over /etc/ssl/certs/ca-certificates.crt.
#   4. prints the suite's result and the elapsed times, deletes the root, and exits with the suite's
#      exit code (or 2 when the root could not be made).
#
# Why a chroot in namespaces and not podman: it needs no container engine, registry or engine
# configuration (podman here needs runc, cgroupfs and ulimit settings, and its image import is one more
# thing that can fail); it uses the host's network as is (the suite reaches PyPI, npm, Debian and the Go
# proxy); and every mount lives in a private mount namespace, so the kernel drops all of them when the
# run ends, however it ends (even `kill -9`), and the PID namespace kills every process the suite left.
# The trap then only has to delete the folder, after checking nothing is still mounted under it.
#
# The suite's image step (docker/build.sh) then installs and runs podman inside the root, on the host's
# network namespace: do not run podman containers on the host at the same time (both would use podman's
# default bridge, cni-podman0, with separate address books).
#
# TLS: these machines re-sign TLS with their own CA. The bound bundle serves Go, git and curl; pip and
# npm use their own CA lists, so the host's CA-bundle variables (PIP_CERT, NODE_EXTRA_CA_CERTS,
# SSL_CERT_FILE, ...) are passed through when set, and nothing else from the host's environment.
set -euo pipefail

REF=HEAD KEEP=0
while (($#)); do
  case "$1" in
    --ref) REF="${2:?--ref needs a commit}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "pristine: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'pristine: %s\n' "$*"; }
die() { printf 'pristine: ERROR: %s\n' "$*" >&2; exit 2; }

[[ "$(id -u)" == 0 ]] || die "needs root (debootstrap, chroot, mounts)"
REPO="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
COMMIT="$(git -C "$REPO" rev-parse --verify "$REF^{commit}")" || die "no commit $REF in $REPO"
if [[ "$REF" == HEAD && -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]]; then
  say "WARNING: $REPO has uncommitted changes; they are NOT tested (the root gets a clone of $COMMIT)"
fi
GOROOT_HOST="$(go env GOROOT)" || die "no go on PATH: the root's Go is copied from this machine's"
GO_VERSION="$("$GOROOT_HOST/bin/go" env GOVERSION)"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[[ -f "$CA_BUNDLE" ]] || die "no $CA_BUNDLE on this machine"
MIRROR="${FLOWS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

T0=$SECONDS
ROOT="$(mktemp -d "${TMPDIR:-/var/tmp}/flows-pristine.XXXXXX")"
chmod 755 "$ROOT"

# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  # The mounts were made in a private mount namespace and vanish with it; never delete through a mount.
  if findmnt -rn -o TARGET | grep -qF "$ROOT"; then
    say "WARNING: something is still mounted under $ROOT; not deleting it:"
    findmnt -rn -o TARGET | grep -F "$ROOT" >&2 || true
  elif [[ $KEEP == 1 ]]; then
    say "kept the root: $ROOT"
  else
    say "deleting the root $ROOT"
    rm -rf --one-file-system "$ROOT"
    rm -f "$ROOT.debootstrap.log"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if ! command -v debootstrap >/dev/null 2>&1; then
  say "apt-get install debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

# ---------------------------------------------------------------------------------------------------
# 1. The root: minbase Debian 12 + what a developer installs before cloning, and Go.
DEV_PACKAGES=ca-certificates,git,curl,gcc,g++,libc6-dev,make
say "debootstrap --variant=minbase bookworm $ROOT (+ $DEV_PACKAGES)"
t=$SECONDS
debootstrap --variant=minbase --include="$DEV_PACKAGES" bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 || {
  tail -20 "$ROOT.debootstrap.log" >&2; rm -f "$ROOT.debootstrap.log"; die "debootstrap failed"; }
rm -f "$ROOT.debootstrap.log"
# The sources a Debian 12 installer writes: updates and security too (Debian ships Chromium through
# bookworm-security).
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
cp -a "$GOROOT_HOST" "$ROOT/usr/local/go"
T_ROOT=$((SECONDS - t))
say "root ready in ${T_ROOT} s: Debian $(cat "$ROOT/etc/debian_version"), $GO_VERSION, $(du -sh --one-file-system "$ROOT" | cut -f1)"

# 2. A fresh clone at the commit under test.
git clone -q --no-hardlinks "$REPO" "$ROOT/root/flows"
git -C "$ROOT/root/flows" checkout -q -B pristine-test "$COMMIT"
say "testing $COMMIT ($(git -C "$REPO" log -1 --format=%s "$COMMIT" | cut -c1-80))"

# ---------------------------------------------------------------------------------------------------
# 3. The suite, in a chroot inside private namespaces.
ENV=(HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb LANG=C.UTF-8 CI=true
  PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
for v in SSL_CERT_FILE SSL_CERT_DIR PIP_CERT REQUESTS_CA_BUNDLE CURL_CA_BUNDLE NODE_EXTRA_CA_CERTS NPM_CONFIG_CAFILE; do
  [[ -n "${!v:-}" ]] && ENV+=("$v=${!v}")
done
# pip and npm read their CA lists from config files on the host (/etc/pip.conf, /etc/npmrc), which
# the root does not have: point them at the bound bundle unless the host said otherwise.
[[ -n "${PIP_CERT:-}" ]] || ENV+=("PIP_CERT=$CA_BUNDLE")
[[ -n "${NODE_EXTRA_CA_CERTS:-}" ]] || ENV+=("NODE_EXTRA_CA_CERTS=$CA_BUNDLE")

# shellcheck disable=SC2016 # expanded by the inner shell
INNER='
set -euo pipefail
R="$1"; shift
# The root onto itself first, so that / inside the chroot is a mount point: podman (the image step) makes
# / rprivate, which fails with "remount /: invalid argument" on a plain folder.
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --bind /dev "$R/dev"
mount --bind /dev/pts "$R/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
mount --bind "$CA" "$R$CA"
mount -o remount,bind,ro "$R$CA"
exec chroot "$R" /usr/bin/env -i "$@" /bin/bash -c "cd /root/flows && exec bash .ci/run" </dev/null
'
say "running CI=true bash .ci/run in the root (log follows)"
echo "------------------------------------------------------------------------------------------"
t=$SECONDS
set +e
CA="$CA_BUNDLE" unshare --mount --propagation private --pid --fork --kill-child --ipc --uts \
  bash -c "$INNER" inner "$ROOT" "${ENV[@]}" </dev/null
RC=$?
set -e
T_SUITE=$((SECONDS - t))
echo "------------------------------------------------------------------------------------------"
if [[ $RC == 0 ]]; then RESULT=PASSED; else RESULT="FAILED (exit $RC)"; fi
say "suite $RESULT on pristine Debian $(cat "$ROOT/etc/debian_version") + $GO_VERSION, commit ${COMMIT:0:12}"
say "time: root ${T_ROOT} s, suite ${T_SUITE} s ($((T_SUITE / 60)) min $((T_SUITE % 60)) s), total $((SECONDS - T0)) s"
exit "$RC"
