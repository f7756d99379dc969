#!/bin/sh
# Is a bad seed bad because of its initial weights or because of its data stream? Writes the native data and
# initial weights of seeds A and B in the interchange format (under ${TMPDIR:-/tmp}/realnvp-cross), then trains with
# the weights of one seed on the data of the other, for the reference (PyTorch init) and with zero-initialised heads.
# Results: $OUT (default bench/results/cross.jsonl). Usage: sh bench/cross_check.sh [A B]   (default 1 4)
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
A="${1:-1}"; B="${2:-4}"
X="${TMPDIR:-/tmp}/realnvp-cross"
OUT="${OUT:-bench/results/cross.jsonl}"
for s in "$A" "$B"; do
	$PY bench/realnvp_torch.py --seed "$s" --write-data "$X/data$s" > /dev/null
	$PY bench/realnvp_torch.py --seed "$s" --steps 0 --dump-weights "$X/w$s.json" > /dev/null
	$PY bench/realnvp_torch.py --seed "$s" --steps 0 --zero-last --dump-weights "$X/w${s}z.json" > /dev/null
done
printf '%s\n' \
	"--tag cross-ref-w$B-d$A --weights $X/w$B.json --data $X/data$A/data.json" \
	"--tag cross-ref-w$A-d$B --weights $X/w$A.json --data $X/data$B/data.json" \
	"--tag cross-zl-w$B-d$A --zero-last --weights $X/w${B}z.json --data $X/data$A/data.json" \
	"--tag cross-zl-w$A-d$B --zero-last --weights $X/w${A}z.json --data $X/data$B/data.json" |
	xargs -P 2 -I{} nice -n 10 sh -c "$PY bench/realnvp_torch.py --quiet --summary-json $OUT {} > /dev/null"
