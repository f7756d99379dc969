#!/usr/bin/python3
"""Times chapter 5's RealNVP in PyTorch, to compare with flowlib's Go benchmarks in the same run.

The three numbers flowlib's benchmarks report (go test -run NONE -bench 'TrainStep|Sample100k|LogProbGrid'
./flowlib/fit ./flowlib/flows), for the model of realnvp_torch.py (6 affine couplings, MLP 2->64->64->2+2, ReLU):

    train step   one Adam step on a batch of 256 (forward, backward, update), median of --steps steps
    sample 100k  100 000 points pushed base -> data (the sampling direction), median of --repeats runs
    grid 200^2   log p at 40 000 points (the density direction), median of --repeats runs

Usage: /usr/bin/python3 bench/speed_torch.py [--threads N] [--steps 300] [--repeats 5]
"""
import argparse
import statistics
import time

import torch

from realnvp_torch import DIM, RealNVP


def forward(model, z):
    """Base -> data: undoes each layer's density map z = m*x + (1-m)*(x*exp(s) + t), first layer first."""
    x = z
    for layer in model.layers:
        s, t = layer.scale_shift(x)  # depends only on the kept coordinates, which x and z share
        x = (x - t) * torch.exp(-s)
    return x


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (the machine's cores by default: 2)")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = RealNVP(6, [64, 64], "bound", "density")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = torch.randn(256, DIM)
    times = []
    for i in range(a.steps + 20):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = model.nll(batch)
        loss.backward()
        opt.step()
        if i >= 20:  # warm-up
            times.append(time.perf_counter() - t0)
    print(f"torch {torch.__version__}, {a.threads} threads")
    print(f"train step   {1000 * statistics.median(times):.2f} ms (median of {a.steps})")
    with torch.no_grad():
        z = torch.randn(100_000, DIM)
        grid = torch.randn(40_000, DIM)
        for name, f in (("sample 100k", lambda: forward(model, z)), ("grid 200^2 ", lambda: model.log_prob(grid))):
            runs = []
            for _ in range(a.repeats):
                t0 = time.perf_counter()
                f()
                runs.append(time.perf_counter() - t0)
            print(f"{name}  {statistics.median(runs):.3f} s (median of {a.repeats})")


if __name__ == "__main__":
    main()
