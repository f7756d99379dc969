#!/usr/bin/env bash
# Installs the XLA PJRT CPU plugin that GoMLX's "xla:cpu" backend loads, from a pinned PyPI wheel.
# GoMLX's own installer downloads the plugin from GitHub releases; this one needs only PyPI.
#
# Usage: kernel-setup/xla-cpu.sh [DIR]     (default DIR: $FLOWS_PJRT_DIR, else ~/.local/lib/go-xla)
#
# The wheel (a zip) is lammps-jax-pjrt-cpu 0.11.2: XLA's CPU PJRT plugin built from jaxlib 0.11.2's XLA
# (Apache-2.0), PJRT C API 0.115, which go-xla v0.4.1 (GoMLX v0.28.2) loads. Its version and the sha256 of
# the wheel and of the library are pinned; a mismatch fails. DIR/pjrt_c_api_cpu_plugin.so is what go-xla
# searches for (~/.local/lib/go-xla and /usr/local/lib/go-xla by default; any other DIR needs
# PJRT_PLUGIN_LIBRARY_PATH=DIR); DIR/pjrt_c_api_cpu_plugin.so.wheel records where it came from, and
# flowlib/backend prints it. Nothing is downloaded at run time. Safe to re-run: an installed plugin with the
# pinned hash is kept.
set -euo pipefail

WHEEL_PKG=lammps-jax-pjrt-cpu
WHEEL_VERSION=0.11.2
WHEEL_FILE=lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl
WHEEL_SHA256=1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1
LIB_IN_WHEEL=lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so
LIB_SHA256=ad1309ac822b1b24d51b7f9947c7c9fa9ef5d67f390584cbc3d1fa2428fed9c2

say() { printf 'xla-cpu: %s\n' "$*"; }
die() { printf 'xla-cpu: ERROR: %s\n' "$*" >&2; exit 1; }

DIR="${1:-${FLOWS_PJRT_DIR:-$HOME/.local/lib/go-xla}}"
LIB="$DIR/pjrt_c_api_cpu_plugin.so"
[[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] ||
  die "the pinned wheel is for Linux x86_64; on $(uname -s)-$(uname -m) use GoMLX's installer (go-xla/installer) instead"

if [[ -f "$LIB" ]] && echo "$LIB_SHA256  $LIB" | sha256sum -c --status -; then
  say "[skipped] $LIB is already the pinned plugin ($WHEEL_PKG $WHEEL_VERSION)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# pip downloads the wheel: a python3 that has it, else a throwaway venv (Debian's python3 has no pip, but
# python3-venv, which setup.sh installs for JupyterLab, brings one).
PY=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -m pip --version >/dev/null 2>&1; then PY="$p"; break; fi
done
if [[ -z "$PY" ]] && command -v python3 >/dev/null 2>&1 && python3 -m venv "$tmp/venv" >/dev/null 2>&1; then
  PY="$tmp/venv/bin/python"
fi
[[ -n "$PY" ]] || die "needs python3 with pip or venv to download the wheel from PyPI (Debian: apt-get install python3-venv)"
printf '%s==%s --hash=sha256:%s\n' "$WHEEL_PKG" "$WHEEL_VERSION" "$WHEEL_SHA256" >"$tmp/requirements.txt"
say "downloading $WHEEL_PKG $WHEEL_VERSION from PyPI (63 MB)"
PIP_CONSTRAINT="" PIP_FIND_LINKS="" "$PY" -m pip download -q --no-deps --only-binary=:all: --require-hashes \
  -r "$tmp/requirements.txt" -d "$tmp"
echo "$WHEEL_SHA256  $tmp/$WHEEL_FILE" | sha256sum -c --status - || die "$WHEEL_FILE: sha256 mismatch"
"$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' \
  "$tmp/$WHEEL_FILE" "$LIB_IN_WHEEL" "$tmp/x"
echo "$LIB_SHA256  $tmp/x/$LIB_IN_WHEEL" | sha256sum -c --status - || die "$LIB_IN_WHEEL: sha256 mismatch"
mkdir -p "$DIR"
install -m 0755 "$tmp/x/$LIB_IN_WHEEL" "$LIB.tmp"
mv -f "$LIB.tmp" "$LIB"
printf '%s %s (PyPI wheel sha256 %s)\n' "$WHEEL_PKG" "$WHEEL_VERSION" "${WHEEL_SHA256:0:12}" >"$LIB.wheel"
say "[done] installed $LIB ($WHEEL_PKG $WHEEL_VERSION, PJRT C API 0.115)"
case "$DIR" in
  "$HOME/.local/lib/go-xla" | /usr/local/lib/go-xla) ;;
  *) say "GoMLX does not search $DIR by itself: export PJRT_PLUGIN_LIBRARY_PATH=$DIR" ;;
esac
