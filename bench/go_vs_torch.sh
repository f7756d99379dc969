#!/bin/sh
# flowlib against PyTorch on the same initial weights and the same data (issue #14). Expects the folders that
# `flows train -seeds ... -export-dir DIR` writes (DIR/seed-N/{weights.json,data.json,curve.csv,...}); for each seed
# runs, one at a time (niced, one thread each):
#   mirror:    realnvp_torch.py --flowlib with flowlib's initial weights and data (same start, same batches)
#   reference: the plain PyTorch reference (its own seeded init, random heads, s = tanh, eps 1e-8) on flowlib's data
# and writes bench/results/go-vs-torch/{go,torch-mirror,torch-reference}-seedN.csv and summary.jsonl, then draws the
# overlay (bench/overlay). Usage: sh bench/go_vs_torch.sh DIR [SEEDS]   (default seeds "1 2 3 4 5")
# MASK_SHIFT (default 1, flowlib's order since issue #14) is passed to both; results/go-vs-torch was made with
# MASK_SHIFT=0 from `flows train -seeds 1,2,3,4,5 -lr 1e-3 -warmup 0 -ema 0 -mask-shift 0 -export-dir DIR` (the
# defaults before the fix; realnvp_torch.py has no warmup or weight averaging).
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
DIR="$1"; SEEDS="${2:-1 2 3 4 5}"
OUT=bench/results/go-vs-torch
mkdir -p "$OUT"
pairs=""
for s in $SEEDS; do
	d="$DIR/seed-$s"
	cp "$d/curve.csv" "$OUT/go-seed$s.csv"
	nice -n 5 $PY bench/realnvp_torch.py --quiet --seed "$s" --flowlib --mask-shift "${MASK_SHIFT:-1}" --weights "$d/weights-final.json" --data "$d/data.json" \
		--steps 0 | grep -v '^SUMMARY'   # the trained weights' check block: the layout, tested on a non-identity flow
	nice -n 5 $PY bench/realnvp_torch.py --quiet --seed "$s" --flowlib --mask-shift "${MASK_SHIFT:-1}" --weights "$d/weights.json" --data "$d/data.json" \
		--tag "torch-mirror" --summary-json "$OUT/summary.jsonl" --csv "$OUT/torch-mirror-seed$s.csv"
	nice -n 5 $PY bench/realnvp_torch.py --quiet --seed "$s" --mask-shift "${MASK_SHIFT:-1}" --data "$d/data.json" \
		--tag "torch-reference" --summary-json "$OUT/summary.jsonl" --csv "$OUT/torch-reference-seed$s.csv"
	pairs="$pairs $s=$OUT/go-seed$s.csv,$OUT/torch-mirror-seed$s.csv,$OUT/torch-reference-seed$s.csv"
done
go run ./bench/overlay -out "$OUT/overlay" $pairs
