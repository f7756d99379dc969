#!/bin/sh
# Runs the ablation: each variant for seeds 1-5, two runs at a time (one PyTorch thread each, niced), appending one
# JSON line per run to bench/results/ablation.jsonl. Then: /usr/bin/python3 bench/summarize.py
# Usage: sh bench/run_ablation.sh [variant ...]   (default: all variants below)
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
OUT=bench/results/ablation.jsonl
SEEDS="${SEEDS:-1 2 3 4 5}"
JOBS="${JOBS:-2}"
flags() {
	case "$1" in
	reference) echo "" ;;
	zero-last) echo "--zero-last" ;;
	he-init) echo "--init flowlib" ;;
	bound) echo "--logscale bound" ;;
	eps-1e-7) echo "--adam-eps 1e-7" ;;
	flowlib) echo "--flowlib" ;;
	flowlib-torch-init) echo "--flowlib --init torch" ;;
	flowlib-tanh) echo "--flowlib --logscale tanh" ;;
	flowlib-eps-1e-8) echo "--flowlib --adam-eps 1e-8" ;;
	flowlib-nonzero-last) echo "--flowlib --no-zero-last" ;;
	sampling) echo "--direction sampling" ;;
	unbounded) echo "--logscale none" ;;
	population-std) echo "--standardize population" ;;
	zero-last-torch-sampling) echo "--zero-last --direction sampling" ;;
	reference-cosine) echo "--cosine" ;;
	zero-last-cosine) echo "--zero-last --cosine" ;;
	flowlib-cosine) echo "--flowlib --cosine" ;;
	flowlib-torch-init-cosine) echo "--flowlib --init torch --cosine" ;;
	zero-last-clip1) echo "--zero-last --clip 1" ;;
	*) echo "unknown variant $1" >&2; exit 2 ;;
	esac
}
VARIANTS="${*:-reference flowlib zero-last he-init bound eps-1e-7 flowlib-torch-init flowlib-tanh}"
for v in $VARIANTS; do
	f=$(flags "$v")
	for s in $SEEDS; do
		echo "$PY bench/realnvp_torch.py --quiet --seed $s --tag $v --summary-json $OUT --csv bench/results/curve-$v-seed$s.csv $f"
	done
done | xargs -P "$JOBS" -I{} nice -n 10 sh -c '{} > /dev/null'
