#!/usr/bin/python3
"""Summarize bench/results/ablation.jsonl (written by run_ablation.sh) as a Markdown table.

Per variant: training NLL (flowlib's definition: the final model on the 2000-point training sample) and held-out NLL
(5000 points) for each seed, their means and spreads (max - min), the last-100-step mean batch NLL, and whether the
issue-#14 target holds (for 5 seeds or more): training NLL <= 1.24 for every seed, held-out mean <= 1.21, held-out spread <= 0.04.
"""
import json
import sys
from collections import OrderedDict

import argparse

ap = argparse.ArgumentParser()
ap.add_argument("path", nargs="?", default="bench/results/ablation.jsonl")
ap.add_argument("--seeds", default="1-5", help="seed range to tabulate, e.g. 1-5 or 1-10 ('all' = every seed)")
args = ap.parse_args()
path = args.path
if args.seeds == "all":
    keep = lambda s: True
else:
    lo, hi = (int(v) for v in args.seeds.split("-"))
    keep = lambda s: lo <= s <= hi
runs = OrderedDict()
for line in open(path):
    r = json.loads(line)
    if not keep(r["seed"]):
        continue
    runs.setdefault(r["tag"], {})[r["seed"]] = r  # a later run of the same (tag, seed) replaces an earlier one

print("| variant | train NLL per seed | held-out per seed | train mean | held-out mean | held-out spread | "
      "last-100 batch mean | seeds with train NLL > 1.24 | target |")
print("|---|---|---|---|---|---|---|---|---|")
for tag, by_seed in runs.items():
    seeds = sorted(by_seed)
    tr = [by_seed[s]["train_nll"] for s in seeds]
    he = [by_seed[s]["heldout_nll"] for s in seeds]
    l100 = [by_seed[s]["last100"] for s in seeds]
    mean = lambda v: sum(v) / len(v)
    ok = max(tr) <= 1.24 and mean(he) <= 1.21 and max(he) - min(he) <= 0.04 and len(seeds) >= 5  # the target is stated for 5 seeds
    print(f"| {tag} (seeds {','.join(map(str, seeds))}) | {' '.join(f'{v:.3f}' for v in tr)} | "
          f"{' '.join(f'{v:.3f}' for v in he)} | {mean(tr):.3f} | {mean(he):.3f} | {max(he) - min(he):.3f} | "
          f"{mean(l100):.3f} | {sum(v > 1.24 for v in tr)}/{len(tr)} | {'yes' if ok else 'no'} |")
