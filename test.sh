#!/usr/bin/env bash
# Runs every test, stopping at the first failure:
#   1. setup          kernel-setup/setup.sh --with-test-tools --with-xla-cpu (installs what is missing)
#   2. vet            gofmt -l (must list nothing), go vet ./...
#   3. unit-go        go test ./... on the pure-Go backend (GOMLX_BACKEND=go:parallelism=-1)
#   4. unit-xla       go test ./flowlib/... on XLA CPU (GOMLX_BACKEND=xla:cpu)
#   5. negative       nbrun on fixtures that must FAIL: a cell that panics at run time (nbconvert
#                     itself reports success on it) and a notebook over its wall-time budget
#   6. notebooks-go   nbrun notebooks/*.ipynb on pure Go (declared checks, no errors, budgets)
#   7. book           tools/book: the static site (the book) from the notebooks step 6 executed, into $OUT/book
#   8. book-browser   tools/book/booktest.js: every page of the book from file:// in Chromium: no console
#                     error, no request outside the site's folder, images, frame sliders, formulas, links
#   9. notebooks-xla  the same as 6 on XLA CPU, with the same declared checks
#  10. browser        tools/browsertest: every notebook in JupyterLab in a real Chromium: Run All
#                     (timed, one "RUN-ALL" line each), figures, frame sliders, live controls, the
#                     training view, no error output, no request off 127.0.0.1
#  11. image          docker/build.sh: builds the classroom image (PJRT=none) with docker or podman and
#                     smoke-tests it (token, uid, loopback port, every notebook offline); skipped when
#                     no container engine is available or can be installed
#
# Usage: ./test.sh [--no-setup] [--no-notebooks] [--no-browser] [--no-image]
# Outputs (executed notebooks, reports, screenshots) go to $FLOWS_TEST_OUT, default a temp dir.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=kernel-setup/lib.sh
source kernel-setup/lib.sh

SETUP=1 NOTEBOOKS=1 BROWSER=1 IMAGE=1
for arg in "$@"; do
  case "$arg" in
    --no-setup) SETUP=0 ;;
    --no-notebooks) NOTEBOOKS=0 ;;
    --no-browser) BROWSER=0 ;;
    --no-image) IMAGE=0 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

OUT="${FLOWS_TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/flows-test.XXXXXX")}"
mkdir -p "$OUT"
PASSED=0 SKIPPED=0
T0=$SECONDS
TIMES=()

step() { # name command...
  local name="$1" t=$SECONDS
  shift
  echo
  echo "=== test.sh: $name: $*"
  if "$@"; then
    PASSED=$((PASSED + 1))
    TIMES+=("$name $((SECONDS - t))s")
    echo "=== test.sh: $name passed ($((SECONDS - t)) s)"
  else
    local rc=$?
    echo
    echo "=== test.sh: FAILED at step \"$name\" (exit $rc, after $((SECONDS - t)) s). Outputs: $OUT"
    echo "test.sh: $PASSED passed, 1 failed"
    exit 1
  fi
}
skip() { SKIPPED=$((SKIPPED + 1)); echo; echo "=== test.sh: $1 skipped ($2)"; }

if [[ $SETUP == 1 ]]; then
  step setup bash ./kernel-setup/setup.sh --with-test-tools --with-xla-cpu
else
  skip setup --no-setup
fi
# setup.sh may have just installed tools: make them findable here as well.
flows_find_go
GOBIN_DIR="$(flows_gobin)" GOROOT_BIN="$(go env GOROOT)/bin"
export PATH="$GOBIN_DIR:$GOROOT_BIN:$PATH" GOTOOLCHAIN=local
JUPYTER="$(flows_jupyter)"
export FLOWS_JUPYTER="$JUPYTER"

gofmt_clean() { # lists unformatted Go files and fails if there are any
  local out
  out="$(gofmt -l flowlib tools docker)"
  [[ -z "$out" ]] || { echo "gofmt would change:"; echo "$out"; return 1; }
}
step gofmt gofmt_clean
step vet go vet ./...
# Both backends, named explicitly: with the XLA plugin installed, flowlib would pick XLA by itself.
GO_BACKEND=go:parallelism=-1 XLA_BACKEND=xla:cpu
step unit-go env GOMLX_BACKEND=$GO_BACKEND go test ./...
step unit-xla env GOMLX_BACKEND=$XLA_BACKEND go test ./flowlib/...

# Build the runner once; `go run` per step would relink it each time.
go build -o "$OUT/nbrun" ./tools/nbrun
step negative "$OUT/nbrun" -expect-fail -out "$OUT/negative" \
  tools/nbrun/testdata/panic.ipynb tools/nbrun/testdata/over_budget.ipynb

if [[ $NOTEBOOKS == 1 ]]; then
  shopt -s nullglob
  NBS=(notebooks/*.ipynb)
  shopt -u nullglob
  if ((${#NBS[@]} == 0)); then
    echo "test.sh: no notebooks in notebooks/" >&2
    echo "test.sh: $PASSED passed, 1 failed"
    exit 1
  fi
  step notebooks-go "$OUT/nbrun" -backend "$GO_BACKEND" -out "$OUT/notebooks-go" -json "$OUT/nbrun-go.json" \
    -report "$OUT/nbrun-go.md" "${NBS[@]}"
  # The book is made from the notebooks just executed: no second execution.
  step book go run ./tools/book -in "$OUT/notebooks-go" -out "$OUT/book"
  if [[ $BROWSER == 1 ]]; then
    step book-browser "$(flows_node)" tools/book/booktest.js --site "$OUT/book" --out "$OUT/book-browser"
  else
    skip book-browser --no-browser
  fi
  step notebooks-xla "$OUT/nbrun" -backend "$XLA_BACKEND" -out "$OUT/notebooks-xla" -json "$OUT/nbrun-xla.json" \
    -report "$OUT/nbrun-xla.md" "${NBS[@]}"
else
  skip notebooks --no-notebooks
fi

if [[ $BROWSER == 1 ]]; then
  # The front end is what this step tests: the kernel runs on pure Go, the faster backend for the notebooks.
  step browser env GOMLX_BACKEND="$GO_BACKEND" "$(flows_node)" tools/browsertest/browsertest.js --out "$OUT/browser"
else
  skip browser --no-browser
fi

if [[ $IMAGE == 0 ]]; then
  skip image --no-image
elif ENGINE_MSG="$(bash docker/build.sh --engine 2>&1)"; then
  step image bash docker/build.sh
else
  skip image "$ENGINE_MSG"
fi

echo
echo "test.sh: step times: ${TIMES[*]}; total $((SECONDS - T0)) s; outputs in $OUT"
if ((SKIPPED > 0)); then
  echo "test.sh: $PASSED passed, 0 failed, $SKIPPED skipped"
else
  echo "test.sh: $PASSED passed, 0 failed"
fi
