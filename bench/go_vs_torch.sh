#!/bin/sh
# flowlib against PyTorch on the same initial weights and the same data (issue #14). Expects the folders that
# `flows train -seeds ... -export-dir DIR` writes (DIR/seed-N/{weights.json,data.json,curve.csv,...}); for each seed
# runs, one at a time (niced, one thread each):
#   mirror:    realnvp_torch.py --flowlib with flowlib's initial weights and data (same start, same batches)
#   reference: the plain PyTorch reference (its own seeded init, random heads, s = tanh, eps 1e-8) on flowlib's data
# and writes OUT/{go,torch-mirror,torch-reference}-seedN.csv and summary.jsonl, then draws the
# overlay (bench/overlay) there. OUT defaults to bench/results/go-vs-torch.
# Usage: sh bench/go_vs_torch.sh DIR [SEEDS]   (default seeds "1 2 3 4 5")
# The recipe is passed to both PyTorch runs, with flowlib's defaults since issue #14: MASK_SHIFT (default 1), LR
# (3e-3), WARMUP (200), EMA (0.995); set them to what DIR was trained with. results/go-vs-torch holds the run with
# the defaults before issue #14 (MASK_SHIFT=0 LR=1e-3 WARMUP=0 EMA=0); results/go-vs-torch-recipe the run with
# today's, from `flows train -seeds 1,2,3,4,5 -export-dir DIR`.
# shellcheck disable=SC2086 # $RECIPE splits into its flags on purpose
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
DIR="$1"; SEEDS="${2:-1 2 3 4 5}"
RECIPE="--mask-shift ${MASK_SHIFT:-1} --lr ${LR:-3e-3} --warmup ${WARMUP:-200} --ema ${EMA:-0.995}"
OUT="${OUT:-bench/results/go-vs-torch}"
mkdir -p "$OUT"
pairs=""
for s in $SEEDS; do
	d="$DIR/seed-$s"
	cp "$d/curve.csv" "$OUT/go-seed$s.csv"
	nice -n 5 $PY bench/realnvp_torch.py --quiet --seed "$s" --flowlib $RECIPE --weights "$d/weights-final.json" --data "$d/data.json" \
		--steps 0 | grep -v '^SUMMARY'   # the trained weights' check block: the layout, tested on a non-identity flow
	nice -n 5 $PY bench/realnvp_torch.py --quiet --seed "$s" --flowlib $RECIPE --weights "$d/weights.json" --data "$d/data.json" \
		--tag "torch-mirror" --summary-json "$OUT/summary.jsonl" --csv "$OUT/torch-mirror-seed$s.csv"
	nice -n 5 $PY bench/realnvp_torch.py --quiet --seed "$s" $RECIPE --data "$d/data.json" \
		--tag "torch-reference" --summary-json "$OUT/summary.jsonl" --csv "$OUT/torch-reference-seed$s.csv"
	pairs="$pairs $s=$OUT/go-seed$s.csv,$OUT/torch-mirror-seed$s.csv,$OUT/torch-reference-seed$s.csv"
done
go run ./bench/overlay -out "$OUT/overlay" $pairs
