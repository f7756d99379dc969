#!/usr/bin/python3
"""A PyTorch reference RealNVP on two moons, with a switch for each choice flowlib makes differently.

The model is the one chapter 5 trains: 6 affine coupling layers with alternating masks, each conditioner an MLP
2 -> 64 -> 64 -> (scale head 2, shift head 2) with ReLU, trained by maximum likelihood with Adam (lr 1e-3) on 256
fresh two-moons points every step for 2000 steps. In the density direction (data x -> base z) a coupling layer with
mask m (1 = kept) computes

    z = m*x + (1-m)*(x*exp(s) + t),   (s_raw, t) = NN(m*x),   log|det dz/dx| = sum_d (1-m_d)*s_d

with s = tanh(s_raw) (--logscale tanh) or s = exp(gamma)*tanh(s_raw), gamma a learnable per-coordinate parameter
that starts at log 1 = 0 (--logscale bound, flowlib's choice). --direction sampling instead parametrises the
sampling direction, x = m*z + (1-m)*(z*exp(s) + t), so z = (x - t)*exp(-s) and log|det dz/dx| = -sum s.

Layers are numbered as flowlib numbers them: layer i keeps coordinate j when (i + j) is even, and layer 0 is the
first layer of the sampling direction (base -> data). The density direction, which training differentiates, applies
layer 5 first and layer 0 last.

Every flowlib choice is a flag; the defaults are the plain PyTorch reference:

    --init torch|flowlib   hidden weights U(+-1/sqrt(fan_in)) (PyTorch) or He-normal N(0, 2/fan_in) (GoMLX's
                           default initializer, which flowlib uses); hidden biases are U(+-1/sqrt(fan_in)) in both
    --zero-last            the two output heads start at exactly zero (the flow starts as the identity)
    --logscale tanh|bound|none
    --adam-eps 1e-8        (GoMLX's default, which flowlib uses, is 1e-7)
    --clip 0               global-norm gradient clipping (flowlib's default: none)
    --warmup 0, --ema 0    chapter 5's recipe adds a linear warmup (--warmup 200: step k uses lr*min(1, k/200)) and
                           weight averaging (--ema 0.995: after step k, avg <- d*avg + (1-d)*theta with
                           d = min(0.995, (1+k)/(10+k)); held-out scores and the final model use the average), with
                           --lr 3e-3 and --mask-shift 1: flowlib's fit.Options WarmupSteps and EMA, formula for formula
    --standardize sample|population|none
    --flowlib              all of flowlib's choices at once: --init flowlib --zero-last --logscale bound
                           --adam-eps 1e-7 (an explicit flag overrides it)

Data. By default the script draws its own two-moons points (sigma 0.05) from numpy generators seeded with
(seed, purpose): a 2000-point "training sample" that fits the standardizer and on which the final training NLL is
measured (as flowlib's `flows train` does), a 5000-point held-out set, and a fresh batch every step. With --data it
instead reads the exact standardized stream flowlib used, and with --weights flowlib's exact initial weights (format
in README.md), so the two implementations can be compared on identical inputs. --write-data and --dump-weights
write the same formats from this script (bench/cross_check.sh uses them to swap one seed's weights and another's data).

Reported numbers:
    train NLL (flowlib)  the final model's mean NLL on the 2000-point training sample (what `flows train` prints as
                         "final training NLL"; with a fresh stream the model never trained on these points)
    batch NLL            the mean NLL of one step's batch, before that step's update (flowlib's History.TrainNLL)
    last-100 mean        the mean batch NLL over the last 100 steps, a smoother training figure
    held-out NLL         the mean NLL on the held-out set, every --every steps and at the end

Run with Debian's interpreter (python3-torch): /usr/bin/python3 bench/realnvp_torch.py --seed 1
"""

import argparse
import contextlib
import csv
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

DIM = 2
LOG_2PI = math.log(2 * math.pi)
# Population moments of two moons at sigma = 0.05 (shared FACTS): used by --standardize population.
POP_MEAN = (0.5, 0.25)
POP_STD = (0.8675, 0.4967)

# Purposes of the numpy generators seeded with (seed, purpose) in the native data mode.
PURPOSE_TRAIN, PURPOSE_HELDOUT, PURPOSE_STREAM = 0, 1, 2


# ---------------------------------------------------------------------------------------------------------------
# Data


def moons(n, noise, rng):
    """n two-moons points as flowlib's datasets.Moons draws them: the first ceil(n/2) on the outer moon
    (cos t, sin t), the rest on the inner moon (1 - cos t, 1/2 - sin t), t ~ U[0, pi], plus N(0, noise^2 I), then
    shuffled. Same distribution as flowlib's, not the same numbers (different generator)."""
    n_outer = (n + 1) // 2
    t = math.pi * rng.random(n)
    c, s = np.cos(t), np.sin(t)
    inner = np.arange(n) >= n_outer
    c = np.where(inner, 1 - c, c)
    s = np.where(inner, 0.5 - s, s)
    x = np.stack([c, s], axis=1) + noise * rng.standard_normal((n, 2))
    return x[rng.permutation(n)]


class NativeData:
    """Two-moons points drawn here: training sample, held-out set and a fresh batch per step."""

    def __init__(self, seed, noise, n_train, n_heldout, batch, standardize):
        raw_train = moons(n_train, noise, np.random.default_rng([seed, PURPOSE_TRAIN]))
        raw_held = moons(n_heldout, noise, np.random.default_rng([seed, PURPOSE_HELDOUT]))
        if standardize == "sample":  # flowlib: sample mean and population-style std (divisor n) of the training sample
            self.mean, self.std = raw_train.mean(axis=0), raw_train.std(axis=0)
        elif standardize == "population":
            self.mean, self.std = np.array(POP_MEAN), np.array(POP_STD)
        else:
            self.mean, self.std = np.zeros(DIM), np.ones(DIM)
        self.train = self._std(raw_train)
        self.heldout = self._std(raw_held)
        self.batch, self.noise = batch, noise
        self.stream_rng = np.random.default_rng([seed, PURPOSE_STREAM])

    def _std(self, x):
        return torch.from_numpy(((x - self.mean) / self.std).astype(np.float32))

    def next_batch(self, step):
        return self._std(moons(self.batch, self.noise, self.stream_rng))


class FileData:
    """The exact standardized points flowlib used, read from a manifest written by the Go side (see README.md)."""

    def __init__(self, manifest_path):
        with open(manifest_path) as f:
            m = json.load(f)
        if m.get("format") != "flowlib-moons-data/1":
            sys.exit(f"{manifest_path}: format {m.get('format')!r}, want 'flowlib-moons-data/1'")
        if m["dim"] != DIM:
            sys.exit(f"{manifest_path}: dim {m['dim']}, want {DIM}")
        base = os.path.dirname(os.path.abspath(manifest_path))
        self.steps, self.batch = m["steps"], m["batch"]
        self.stream = self._read(base, m["stream"], self.steps * self.batch).reshape(self.steps, self.batch, DIM)
        self.heldout = torch.from_numpy(self._read(base, m["heldout"], m["heldout_n"]))
        self.train = torch.from_numpy(self._read(base, m["train"], m["train_n"])) if m.get("train") else None
        self.mean = np.array(m["standardizer"]["mean"]) if "standardizer" in m else None
        self.std = np.array(m["standardizer"]["std"]) if "standardizer" in m else None

    @staticmethod
    def _read(base, name, n):
        path = os.path.join(base, name)
        want = n * DIM * 4
        got = os.path.getsize(path)
        if got != want:
            sys.exit(f"{path}: {got} bytes, want {want} ({n} points x {DIM} float32)")
        return np.fromfile(path, dtype="<f4").reshape(n, DIM)

    def next_batch(self, step):  # step counts from 1, as in flowlib's fit
        return torch.from_numpy(np.ascontiguousarray(self.stream[step - 1]))


# ---------------------------------------------------------------------------------------------------------------
# Model


def alternating_mask(dim, i):
    """flowlib's bijectors.AlternatingMask: layer i keeps coordinate j when (i + j) is even."""
    return torch.tensor([1.0 if (i + j) % 2 == 0 else 0.0 for j in range(dim)])


class AffineCoupling(nn.Module):
    """One RealNVP coupling layer; see the module docstring for the formulas."""

    def __init__(self, mask, hidden, logscale, direction):
        super().__init__()
        self.register_buffer("mask", mask)
        widths = [DIM] + list(hidden)
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        # Two heads, as flowlib builds them (output = scale head, output_1 = shift head). One Linear(H, 2D) split in
        # two is the same function with the same PyTorch default initialisation.
        self.scale = nn.Linear(widths[-1], DIM)
        self.shift = nn.Linear(widths[-1], DIM)
        self.logscale, self.direction = logscale, direction
        # gamma = log of the learnable bound on |s|; exists (and trains) only with --logscale bound.
        self.log_scale_bound = nn.Parameter(torch.zeros(1, DIM)) if logscale == "bound" else None

    def scale_shift(self, x):
        h = x * self.mask
        for layer in self.hidden:
            h = torch.relu(layer(h))
        raw = self.scale(h)
        if self.logscale == "tanh":
            s = torch.tanh(raw)
        elif self.logscale == "bound":
            s = torch.exp(self.log_scale_bound) * torch.tanh(raw)
        else:
            s = raw
        free = 1 - self.mask
        return s * free, self.shift(h) * free

    def inverse(self, x):
        """Data -> base: returns (z, log|det dz/dx|) per example."""
        s, t = self.scale_shift(x)
        if self.direction == "density":
            return x * torch.exp(s) + t, s.sum(dim=1)
        return (x - t) * torch.exp(-s), -s.sum(dim=1)


class RealNVP(nn.Module):
    def __init__(self, layers, hidden, logscale, direction, mask_shift=0):
        super().__init__()
        self.mask_shift = mask_shift
        self.layers = nn.ModuleList(
            AffineCoupling(alternating_mask(DIM, i + mask_shift), hidden, logscale, direction) for i in range(layers)
        )

    def log_prob(self, x):
        z, log_det = x, torch.zeros(x.shape[0])
        for layer in reversed(self.layers):  # density direction: last layer first, as flowlib's Chain.Inverse
            z, ld = layer.inverse(z)
            log_det = log_det + ld
        return -0.5 * (z**2).sum(dim=1) - 0.5 * DIM * LOG_2PI + log_det

    def nll(self, x):
        return -self.log_prob(x).mean()


def initialise(model, init, zero_last, gen):
    """Re-initialise the weights from generator gen. PyTorch's nn.Linear default is kaiming_uniform(a=sqrt 5), i.e.
    W ~ U(+-1/sqrt(fan_in)), and b ~ U(+-1/sqrt(fan_in)); flowlib draws hidden W from He-normal N(0, 2/fan_in) and
    hidden b from U(+-1/sqrt(fan_in)) (nn.HiddenDense)."""
    with torch.no_grad():
        for layer in model.layers:
            for lin in list(layer.hidden) + [layer.scale, layer.shift]:
                fan_in = lin.in_features
                bound = 1 / math.sqrt(fan_in)
                lin.weight.uniform_(-bound, bound, generator=gen)
                lin.bias.uniform_(-bound, bound, generator=gen)
                if init == "flowlib" and lin not in (layer.scale, layer.shift):
                    lin.weight.normal_(0, math.sqrt(2 / fan_in), generator=gen)
            if zero_last:
                for lin in (layer.scale, layer.shift):
                    lin.weight.zero_()
                    lin.bias.zero_()


# ---------------------------------------------------------------------------------------------------------------
# Weights interchange (format "flowlib-realnvp-weights/1", see README.md). Matrices are stored as flowlib/GoMLX
# stores them: W[in][out], used as x @ W + b. nn.Linear keeps weight[out][in], hence the transposes.


def _lin_from(lin, d, where):
    w = torch.tensor(d["W"], dtype=torch.float32)
    b = torch.tensor(d["b"], dtype=torch.float32).reshape(-1)
    if tuple(w.shape) != (lin.in_features, lin.out_features) or b.shape[0] != lin.out_features:
        sys.exit(f"weights: {where}: W {tuple(w.shape)}, b {tuple(b.shape)}; want W "
                 f"({lin.in_features}, {lin.out_features}), b ({lin.out_features},)")
    with torch.no_grad():
        lin.weight.copy_(w.T)
        lin.bias.copy_(b)


def load_weights(model, path, logscale):
    with open(path) as f:
        w = json.load(f)
    if w.get("format") != "flowlib-realnvp-weights/1":
        sys.exit(f"{path}: format {w.get('format')!r}, want 'flowlib-realnvp-weights/1'")
    if len(w["layers"]) != len(model.layers):
        sys.exit(f"{path}: {len(w['layers'])} layers, the model has {len(model.layers)} (set --layers)")
    for i, (layer, d) in enumerate(zip(model.layers, w["layers"])):
        mask = [1.0 if k else 0.0 for k in d["mask"]]
        if mask != layer.mask.tolist():
            sys.exit(f"{path}: layer {i} mask {d['mask']}, want {layer.mask.tolist()} "
                     f"(AlternatingMask(2, {i} + {model.mask_shift}); set --mask-shift)")
        if len(d["hidden"]) != len(layer.hidden):
            sys.exit(f"{path}: layer {i} has {len(d['hidden'])} hidden layers, the model {len(layer.hidden)}")
        for j, (lin, dj) in enumerate(zip(layer.hidden, d["hidden"])):
            _lin_from(lin, dj, f"layer {i} hidden {j}")
        _lin_from(layer.scale, d["scale"], f"layer {i} scale")
        _lin_from(layer.shift, d["shift"], f"layer {i} shift")
        gamma = torch.tensor(d.get("log_scale_bound", [0.0] * DIM), dtype=torch.float32).reshape(1, DIM)
        if logscale == "bound":
            with torch.no_grad():
                layer.log_scale_bound.copy_(gamma)
        elif bool((gamma != 0).any()):
            sys.exit(f"{path}: layer {i} has log_scale_bound {gamma.tolist()} but --logscale is {logscale}")
    check = w.get("check")
    if check:
        x = torch.tensor(check["x"], dtype=torch.float32)
        want = torch.tensor(check["log_prob"], dtype=torch.float64)
        with torch.no_grad():
            got = model.log_prob(x).double()
        err = (got - want).abs().max().item()
        print(f"weights check: max |log p - flowlib's| = {err:.2e} over {len(want)} points")
        if err > 1e-4:
            sys.exit("weights check failed (tolerance 1e-4): the file's layout or the flags do not match the model")
    return w


def write_data(data, steps, folder):
    """Writes native data in the "flowlib-moons-data/1" format (a reference for the Go side, and for mixing runs).
    It draws the whole stream, so call it on a fresh NativeData."""
    os.makedirs(folder, exist_ok=True)
    stream = np.stack([data.next_batch(k + 1).numpy() for k in range(steps)]).astype("<f4")
    stream.tofile(os.path.join(folder, "stream.f32"))
    data.heldout.numpy().astype("<f4").tofile(os.path.join(folder, "heldout.f32"))
    data.train.numpy().astype("<f4").tofile(os.path.join(folder, "train.f32"))
    manifest = {"format": "flowlib-moons-data/1", "dim": DIM, "steps": steps, "batch": data.batch,
                "stream": "stream.f32", "heldout": "heldout.f32", "heldout_n": len(data.heldout),
                "train": "train.f32", "train_n": len(data.train),
                "standardizer": {"mean": data.mean.tolist(), "std": data.std.tolist()}, "noise": data.noise}
    with open(os.path.join(folder, "data.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def dump_weights(model, path, check_x=None):
    def lin(l):
        return {"W": l.weight.detach().T.tolist(), "b": l.bias.detach().tolist()}

    out = {"format": "flowlib-realnvp-weights/1", "dim": DIM, "activation": "relu", "layers": []}
    for layer in model.layers:
        d = {"mask": [bool(v) for v in layer.mask.tolist()], "hidden": [lin(l) for l in layer.hidden],
             "scale": lin(layer.scale), "shift": lin(layer.shift)}
        if layer.log_scale_bound is not None:
            d["log_scale_bound"] = layer.log_scale_bound.detach().reshape(-1).tolist()
        out["layers"].append(d)
    if check_x is not None:
        with torch.no_grad():
            out["check"] = {"x": check_x.tolist(), "log_prob": model.log_prob(check_x).double().tolist()}
    with open(path, "w") as f:
        json.dump(out, f)


# ---------------------------------------------------------------------------------------------------------------
# Training


def mean_nll(model, x, chunk=5000):
    with torch.no_grad():
        return -sum(model.log_prob(x[i:i + chunk]).double().sum().item() for i in range(0, len(x), chunk)) / len(x)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=1, help="seeds the initial weights and the native data")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--cosine", action="store_true", help="cosine decay lr*(1+cos(pi*(step-1)/steps))/2, as flowlib")
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--hidden", default="64,64", help="hidden widths, comma-separated")
    p.add_argument("--flowlib", action="store_true", help="all flowlib choices (see the module docstring)")
    p.add_argument("--init", choices=["torch", "flowlib"], default=None, help="hidden-weight init (default torch)")
    p.add_argument("--zero-last", action=argparse.BooleanOptionalAction, default=None,
                   help="zero-initialise both output heads (default off)")
    p.add_argument("--logscale", choices=["tanh", "bound", "none"], default=None,
                   help="s = tanh(raw) | exp(gamma)*tanh(raw), gamma learnable from 0 | raw (default tanh)")
    p.add_argument("--adam-eps", type=float, default=None, help="Adam epsilon (default 1e-8; flowlib 1e-7)")
    p.add_argument("--direction", choices=["density", "sampling"], default="density",
                   help="which direction the network parametrises (flowlib: density)")
    p.add_argument("--mask-shift", type=int, choices=[0, 1], default=0,
                   help="layer i uses AlternatingMask(2, i + shift) (flowlib's Spec.MaskShift)")
    p.add_argument("--clip", type=float, default=0.0, help="clip the gradient's global L2 norm (0 = off)")
    p.add_argument("--warmup", type=int, default=0, help="linear warmup over this many steps (flowlib's WarmupSteps)")
    p.add_argument("--ema", type=float, default=0.0, help="weight-averaging decay in [0, 1) (flowlib's EMA; 0 = off)")
    p.add_argument("--standardize", choices=["sample", "population", "none"], default="sample")
    p.add_argument("--noise", type=float, default=0.05)
    p.add_argument("--n-train", type=int, default=2000, help="training sample (fits the standardizer)")
    p.add_argument("--n-heldout", type=int, default=5000)
    p.add_argument("--weights", help="initial weights from flowlib (JSON, format in README.md)")
    p.add_argument("--data", help="data manifest from flowlib (JSON, format in README.md)")
    p.add_argument("--dump-weights", help="write the initial weights in the interchange format and go on")
    p.add_argument("--write-data", metavar="DIR", help="write the native data (DIR/data.json + .f32 files) and exit")
    p.add_argument("--every", type=int, default=100, help="print and score the held-out set every this many steps")
    p.add_argument("--csv", help="write the curve: step,batch_nll,heldout_nll (held-out blank between evals)")
    p.add_argument("--summary-json", help="append a one-line JSON summary of the run to this file")
    p.add_argument("--tag", default="", help="label copied into the summary")
    p.add_argument("--quiet", action="store_true", help="print only the summary line")
    a = p.parse_args(argv)
    fl = a.flowlib
    a.init = a.init or ("flowlib" if fl else "torch")
    a.zero_last = a.zero_last if a.zero_last is not None else fl
    a.logscale = a.logscale or ("bound" if fl else "tanh")
    a.adam_eps = a.adam_eps if a.adam_eps is not None else (1e-7 if fl else 1e-8)
    a.hidden = [int(v) for v in a.hidden.split(",") if v.strip()]
    if a.warmup < 0:
        p.error(f"--warmup {a.warmup}: want >= 0 (0 = no warmup)")
    if not 0 <= a.ema < 1:
        p.error(f"--ema {a.ema}: want a decay in [0, 1) (0 = no averaging)")
    return a


class Average:
    """flowlib's fit.Options.EMA: after step k, avg <- d*avg + (1-d)*theta, d = min(decay, (1+k)/(10+k)), starting
    from the initial weights. scored() puts the average in the model for a block; keep() leaves it there."""

    def __init__(self, model, decay):
        self.model, self.decay = model, decay
        self.avg = [p.detach().clone() for p in model.parameters()] if decay > 0 else None

    @torch.no_grad()
    def update(self, step):
        if self.avg is None:
            return
        d = min(self.decay, (1 + step) / (10 + step))
        for a, p in zip(self.avg, self.model.parameters()):
            a.mul_(d).add_(p, alpha=1 - d)

    @torch.no_grad()
    def keep(self):
        for a, p in zip(self.avg or [], self.model.parameters()):
            p.copy_(a)

    @contextlib.contextmanager
    def scored(self):
        saved = [p.detach().clone() for p in self.model.parameters()]
        self.keep()
        try:
            yield
        finally:
            with torch.no_grad():
                for s, p in zip(saved, self.model.parameters()):
                    p.copy_(s)


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    if a.data:
        data = FileData(a.data)
        if a.steps > data.steps or a.batch != data.batch:
            sys.exit(f"--data holds {data.steps} steps of {data.batch} points; asked for {a.steps} of {a.batch}")
        if data.train is None:
            print("note: the data manifest has no training sample; 'train NLL (flowlib)' is left out")
    else:
        data = NativeData(a.seed, a.noise, a.n_train, a.n_heldout, a.batch, a.standardize)
        if a.write_data:
            write_data(data, a.steps, a.write_data)
            print(f"wrote {a.write_data}/data.json")
            return

    model = RealNVP(a.layers, a.hidden, a.logscale, a.direction, a.mask_shift)
    gen = torch.Generator().manual_seed(a.seed)
    initialise(model, a.init, a.zero_last, gen)
    if a.weights:
        load_weights(model, a.weights, a.logscale)
    if a.dump_weights:
        dump_weights(model, a.dump_weights, data.heldout[:8])
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, eps=a.adam_eps)
    average = Average(model, a.ema)
    n_params = sum(p.numel() for p in model.parameters())

    say = (lambda *x, **k: None) if a.quiet else print
    say(f"RealNVP: {a.layers} layers, hidden {a.hidden}, {n_params} parameters; init={a.init} "
        f"zero_last={a.zero_last} logscale={a.logscale} direction={a.direction} adam_eps={a.adam_eps:g} "
        f"clip={a.clip:g} cosine={a.cosine} lr={a.lr:g} warmup={a.warmup} ema={a.ema:g} data={'file ' + a.data if a.data else 'native, ' + a.standardize}"
        f"{' weights=' + a.weights if a.weights else ''}")
    held0 = mean_nll(model, data.heldout)
    say(f"{'step':>6} {'batch NLL':>10} {'held-out':>10}")
    say(f"{0:6d} {'':>10} {held0:10.4f}")
    curve = [(0, float("nan"), held0)]
    batch_nll = []
    start = time.perf_counter()
    for step in range(1, a.steps + 1):
        lr = a.lr * (min(1.0, step / a.warmup) if a.warmup > 0 else 1.0)
        lr *= 0.5 * (1 + math.cos(math.pi * (step - 1) / a.steps)) if a.cosine else 1.0
        for g in opt.param_groups:
            g["lr"] = lr
        x = data.next_batch(step)
        loss = model.nll(x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        average.update(step)
        batch_nll.append(loss.item())
        held = float("nan")
        if step % a.every == 0 or step == a.steps:
            with average.scored():
                held = mean_nll(model, data.heldout)
            say(f"{step:6d} {batch_nll[-1]:10.4f} {held:10.4f}")
        curve.append((step, batch_nll[-1], held))
    secs = time.perf_counter() - start
    average.keep()

    train_nll = mean_nll(model, data.train) if data.train is not None else float("nan")
    last100 = float(np.mean(batch_nll[-100:])) if batch_nll else float("nan")
    held = curve[-1][2]
    say(f"\ntrain NLL (flowlib: final model on the {len(data.train) if data.train is not None else 0}-point "
        f"training sample) {train_nll:.4f}")
    say(f"last-100 mean batch NLL {last100:.4f}; last batch NLL {batch_nll[-1] if batch_nll else float('nan'):.4f}")
    say(f"held-out NLL {held:.4f} on {len(data.heldout)} points; {1000 * secs / max(a.steps, 1):.2f} ms/step")
    summary = {"tag": a.tag, "seed": a.seed, "init": a.init, "zero_last": a.zero_last, "logscale": a.logscale,
               "direction": a.direction, "mask_shift": a.mask_shift, "adam_eps": a.adam_eps, "clip": a.clip, "cosine": a.cosine,
               "lr": a.lr, "warmup": a.warmup, "ema": a.ema,
               "standardize": a.standardize, "weights": a.weights, "data": a.data, "steps": a.steps, "train_nll": train_nll, "last100": last100,
               "heldout_nll": held, "ms_per_step": 1000 * secs / max(a.steps, 1)}
    print("SUMMARY " + json.dumps(summary))
    if a.summary_json:
        with open(a.summary_json, "a") as f:
            f.write(json.dumps(summary) + "\n")
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["step", "batch_nll", "heldout_nll"])
            for s, b, h in curve:
                w.writerow([s, "" if math.isnan(b) else f"{b:.6f}", "" if math.isnan(h) else f"{h:.6f}"])


if __name__ == "__main__":
    main()
