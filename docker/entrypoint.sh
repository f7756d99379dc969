#!/usr/bin/env bash
# Entrypoint of the classroom image: lays out the student's work folder, then starts JupyterLab (no
# arguments) or runs the given command in it (JupyterHub starts the image with `jupyterhub-singleuser`).
#
# Usage: entrypoint.sh                      prepare the work folder, start JupyterLab with a token
#        entrypoint.sh prepare              prepare the work folder only
#        entrypoint.sh warm                 prepare, then compile flowlib from the work folder, so Go's build
#                                           cache holds it for the paths notebooks use (the image build runs this)
#        entrypoint.sh reset [NOTEBOOK...]  put fresh copies of the notebooks (default: all) in notebooks/,
#                                           moving the student's versions to backups/<date-time>/ first
#        entrypoint.sh COMMAND [ARG...]     prepare the work folder, then exec COMMAND
#
# The work folder ($FLOWS_WORK, on a volume) after `prepare`:
#   notebooks/   the student's notebooks: copied from the image once, never overwritten afterwards
#                (a notebook added by a newer image appears; an edited one is kept)
#   originals/   fresh read-only copies of the image's notebooks, replaced at every start
#   backups/     what `reset` moved away
#   go.mod, go.sum, flowlib -> $FLOWS_HOME/flowlib
#                the library, refreshed at every start: a notebook's first cell points its module at
#                ${GONB_DIR}/.., which is this folder. The image warmed Go's build cache for these exact
#                paths, so a first cell compiles in about a second.
#
# Environment:
#   FLOWS_HOME     the repository inside the image (default /opt/flows)
#   FLOWS_WORK     the work folder (default $HOME/work)
#   JUPYTER_TOKEN  the token JupyterLab requires; a random one is made and printed when unset. An empty
#                  token is refused: this server never runs without one.
#   FLOWS_PORT     port inside the container (default 8888); FLOWS_URL_PORT the one printed (default the same)
#   FLOWS_JUPYTER  the jupyter command (default: jupyter on PATH)
#   FLOWS_DRY_RUN  1: do the folder work, then print the command instead of running it (tests use this)
#   FLOWS_SOLUTIONS  1 (default): the students get every notebook, the solutions notebooks
#                  (*.solutions.ipynb) too; 0: they get the chapters only, for a class that works the
#                  exercises first (a solutions notebook already in the work folder is left there)
set -euo pipefail

FLOWS_HOME="${FLOWS_HOME:-/opt/flows}"
FLOWS_WORK="${FLOWS_WORK:-$HOME/work}"
FLOWS_PORT="${FLOWS_PORT:-8888}"
FLOWS_URL_PORT="${FLOWS_URL_PORT:-$FLOWS_PORT}"
FLOWS_DRY_RUN="${FLOWS_DRY_RUN:-0}"
FLOWS_SOLUTIONS="${FLOWS_SOLUTIONS:-1}"

say() { printf 'flows: %s\n' "$*"; }
die() { printf 'flows: ERROR: %s\n' "$*" >&2; exit 1; }

SRC_NOTEBOOKS="$FLOWS_HOME/notebooks"
[[ "$FLOWS_SOLUTIONS" == 0 || "$FLOWS_SOLUTIONS" == 1 ]] ||
  die "FLOWS_SOLUTIONS=$FLOWS_SOLUTIONS: want 1 (hand out the solutions notebooks too) or 0 (chapters only)"

# The image's notebooks the students get, by file name.
image_notebooks() {
  local f
  for f in "$SRC_NOTEBOOKS"/*.ipynb; do
    [[ "$FLOWS_SOLUTIONS" == 0 && "$f" == *.solutions.ipynb ]] && continue
    [[ -f "$f" ]] && printf '%s\n' "${f##*/}"
  done
  return 0
}

prepare() {
  [[ -d "$SRC_NOTEBOOKS" ]] || die "no notebooks in $SRC_NOTEBOOKS (is FLOWS_HOME=$FLOWS_HOME right?)"
  [[ -f "$FLOWS_HOME/go.mod" ]] || die "no go.mod in FLOWS_HOME=$FLOWS_HOME"
  mkdir -p "$FLOWS_WORK/notebooks"

  # The student's copies: only what is missing, so edits survive restarts and image updates.
  local nb copied=0 kept=0
  while IFS= read -r nb; do
    if [[ -e "$FLOWS_WORK/notebooks/$nb" ]]; then
      kept=$((kept + 1))
    else
      cp "$SRC_NOTEBOOKS/$nb" "$FLOWS_WORK/notebooks/$nb"
      chmod u+w "$FLOWS_WORK/notebooks/$nb"
      copied=$((copied + 1))
    fi
  done < <(image_notebooks)

  # Fresh originals, replaced whole: they always match the image.
  local orig="$FLOWS_WORK/originals"
  if [[ -e "$orig" ]]; then
    chmod -R u+w "$orig"
    rm -rf "$orig"
  fi
  mkdir -p "$orig"
  while IFS= read -r nb; do
    cp "$SRC_NOTEBOOKS/$nb" "$orig/$nb"
    chmod a-w "$orig/$nb"
  done < <(image_notebooks)
  cat >"$orig/README.md" <<'EOF'
# Original notebooks

Fresh, read-only copies of the course notebooks, replaced every time the environment starts.
Your own copies are in `../notebooks/`; nothing here is ever written there.

To start a notebook over: in JupyterLab, right-click it here, *Copy*, go to `notebooks/`, *Paste*
(or, in a terminal: `/opt/flows/docker/entrypoint.sh reset NAME.ipynb`, which first moves your
version to `../backups/`).
EOF
  chmod a-w "$orig/README.md"

  # The library: go.mod/go.sum copied, flowlib linked, so a new image brings a new library.
  cp "$FLOWS_HOME/go.mod" "$FLOWS_HOME/go.sum" "$FLOWS_WORK/"
  chmod u+w "$FLOWS_WORK/go.mod" "$FLOWS_WORK/go.sum"
  if [[ -d "$FLOWS_WORK/flowlib" && ! -L "$FLOWS_WORK/flowlib" ]]; then
    say "WARNING: $FLOWS_WORK/flowlib is a real folder, not the image's library: keeping it (notebooks use it)"
  else
    ln -sfn "$FLOWS_HOME/flowlib" "$FLOWS_WORK/flowlib"
  fi
  say "work folder $FLOWS_WORK: $copied notebook(s) copied, $kept kept as you left them, originals/ refreshed"
}

# reset [NOTEBOOK...]: fresh copies over the student's, after moving theirs to backups/.
reset_notebooks() {
  local stamp dest nb n=0
  stamp="$(date +%Y%m%d-%H%M%S)"
  dest="$FLOWS_WORK/backups/$stamp"
  local names=("$@")
  if [[ ${#names[@]} == 0 ]]; then
    mapfile -t names < <(image_notebooks)
  fi
  for nb in "${names[@]}"; do
    nb="${nb##*/}"
    [[ -f "$SRC_NOTEBOOKS/$nb" ]] || die "no notebook $nb in the image (have: $(image_notebooks | tr '\n' ' '))"
    if [[ -e "$FLOWS_WORK/notebooks/$nb" ]] && ! cmp -s "$SRC_NOTEBOOKS/$nb" "$FLOWS_WORK/notebooks/$nb"; then
      mkdir -p "$dest"
      mv "$FLOWS_WORK/notebooks/$nb" "$dest/$nb"
    fi
    cp "$SRC_NOTEBOOKS/$nb" "$FLOWS_WORK/notebooks/$nb"
    chmod u+w "$FLOWS_WORK/notebooks/$nb"
    n=$((n + 1))
  done
  if [[ -d "$dest" ]]; then
    say "reset $n notebook(s); your previous versions are in $dest"
  else
    say "reset $n notebook(s)"
  fi
}

# The packages notebook cells compile, built from the work folder: Go's build cache keys a package on its
# folder, so a cache warmed from $FLOWS_HOME would not serve the notebooks, which import flowlib through
# $FLOWS_WORK. The gonbui packages are the ones kernel-setup/setup.sh warms too.
warm() {
  prepare
  local pkgs
  mapfile -t pkgs < <(cd "$FLOWS_HOME" && go list -e -f '{{if .GoFiles}}{{.ImportPath}}{{end}}' ./flowlib/...)
  [[ ${#pkgs[@]} -gt 0 ]] || die "go list found no flowlib packages in $FLOWS_HOME"
  local t=$SECONDS
  (cd "$FLOWS_WORK" && go build "${pkgs[@]}" github.com/janpfeifer/gonb/gonbui \
    github.com/janpfeifer/gonb/gonbui/widgets github.com/janpfeifer/gonb/gonbui/dom)
  say "build cache warmed for ${#pkgs[@]} flowlib package(s) in $FLOWS_WORK ($((SECONDS - t)) s)"
}

random_token() {
  if [[ -r /dev/urandom ]]; then
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
  else
    python3 -c 'import secrets; print(secrets.token_hex(24))'
  fi
}

# run CMD...: exec it, or print it in dry-run mode.
run() {
  if [[ "$FLOWS_DRY_RUN" == 1 ]]; then
    printf 'flows: dry run: would exec:'
    printf ' %q' "$@"
    printf '\n'
    exit 0
  fi
  exec "$@"
}

check_token() {
  if [[ -v JUPYTER_TOKEN && -z "$JUPYTER_TOKEN" ]]; then
    die "JUPYTER_TOKEN is set but empty: this server always requires a token (unset it to get a random one)"
  fi
  return 0
}

start_lab() {
  [[ -v JUPYTER_TOKEN ]] || JUPYTER_TOKEN="$(random_token)"
  # Passed through the environment, not argv, so it does not show in `ps`.
  export JUPYTER_TOKEN
  say "JupyterLab is starting. Open this address in your browser (it includes the token):"
  say ""
  say "    http://127.0.0.1:$FLOWS_URL_PORT/lab?token=$JUPYTER_TOKEN"
  say ""
  say "Your notebooks are in notebooks/ (kept across restarts); fresh copies are in originals/."
  # 0.0.0.0 inside the container only: compose.yaml publishes the port on the host's 127.0.0.1.
  run "${FLOWS_JUPYTER:-jupyter}" lab --no-browser --ip=0.0.0.0 --port="$FLOWS_PORT" \
    --ServerApp.root_dir="$FLOWS_WORK" --ServerApp.default_url=/lab/tree/notebooks
}

case "${1:-}" in
  "") check_token; prepare; start_lab ;;
  prepare) prepare ;;
  warm) warm ;;
  reset) shift; prepare >/dev/null; reset_notebooks "$@" ;;
  -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' ;;
  *) prepare; run "$@" ;;
esac
