"""Throughput of reluflow's vectorised float64 GD engine against its peers, on the paper's
protocol step (full-batch GD on the MSE-mean, lr 0.01, σ'(0) = 0, balanced initialisation).

What it measures (one run prints everything side by side): for every (d, m) of ``SIZES``
(n = d, centred data, trial 0 of seed 0 of :func:`reluflow.experiments.protocol.make_trial`)
and a batch of B = 1 (λ = 4⁻⁷) or B = 16 (λ = 4², 4¹, …, 4⁻¹³, the paper's sweep) scales,
N iterations from the balanced initialisation w_j = λ z_j, a_j = s_j‖w_j‖ with

* reluflow ``run_gd`` on the NumPy backend, on the torch backend on the CPU and, when CUDA is
  available, on the torch backend on the GPU: the whole batch in one call;
* peer "autograd": a straightforward PyTorch loop in the style of the paper's official
  script: one network per λ (two bias-free ``nn.Linear`` layers, ``F.relu``), float64,
  ``F.mse_loss`` (mean), ``loss.backward()``, ``torch.optim.SGD(lr=0.01).step()``; the λ of
  the batch one after another; on the CPU and, when CUDA is available, on the GPU;
* peer "numpy loop": a plain NumPy loop per λ with hand-written gradients (no batching).

Reported: network-iterations per second (B·N / wall time; the time of a peer is the sum
over the λ of the batch, network construction included), best of ``--repeat`` when a run
takes under 3 s (else one run), after an untimed warm-up, the methods of a cell
interleaved round by round; the ratios reluflow / peer of those throughputs (> 1: reluflow
is faster); and the largest relative difference, over the batch, ‖(a, W) − (a, W)_ref‖ / ‖(a, W)_ref‖ of every method's final weights from
reluflow NumPy's after the same N iterations (expected ≲ 1e-12: rounding only).

Fairness notes: the peers only step (no stopping test, no logging); reluflow also evaluates
the loss and its stopping tests every iteration, with ``loss_threshold = 1e-300`` (so that no
member stops before N and every method does the same N updates), ``n_log = 2`` (the
protocol's 1000 logging points over 2·10⁷ iterations are amortised; with N ≤ 1000 each
iteration would be one) and the default ``check_every = 1000``.

Run from the repository root::

    python bench/gd.py                 # 1–1.5 min on 2 idle cores
    python bench/gd.py --quick         # about 20 s
    python bench/gd.py --json bench/gd.json --repeat 5
    python bench/gd.py --torch-threads 1   # torch's CPU rows on one thread

On a machine where another process keeps a core busy, torch's OpenMP pool (one thread per
core by default) can lose whole scheduler slices per operation: small cells then run at
~100 iterations/s instead of ~10⁴; ``--torch-threads 1`` shows what torch does without that.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

import reluflow
from reluflow.experiments.gd import GDConfig, init_params, run_gd
from reluflow.experiments.protocol import FULL_EXPONENTS, make_trial

LR = 0.01
SIZES = ((16, 25), (16, 200), (256, 200), (1024, 200))
B1_EXPONENT = -7  # λ = 4⁻⁷ (the single runs of Figs. 3–6)
# iterations per (d, m) for B = 1 and B = 16: the peers' cost grows with B, reluflow's less
ITERS = {(16, 25): (2000, 200), (16, 200): (1000, 200), (256, 200): (200, 20), (1024, 200): (100, 10)}
ITERS_QUICK = {(16, 25): (1000, 100), (16, 200): (500, 100), (256, 200): (100, 10), (1024, 200): (30, 4)}
CHEAP_S = 3.0  # repeat a run (best of --repeat) only when it took less than this (seconds)
REL_TARGET = 1e-12


# ---------------------------------------------------------------------------------------
# the problem of one cell


@dataclass(frozen=True, eq=False)
class Cell:
    d: int
    m: int
    B: int
    iters: int
    X: np.ndarray  # (n, d)
    y: np.ndarray  # (n,)
    z: np.ndarray  # (m, d)
    s: np.ndarray  # (m,)
    lams: np.ndarray  # (B,)

    def initial(self) -> tuple[np.ndarray, np.ndarray]:
        """a0 (B, m), W0 (B, m, d): the balanced initialisation of every member."""
        a0, W0 = init_params(self.lams, self.z, self.s)
        return np.broadcast_to(a0, (self.B, self.m)).copy(), np.broadcast_to(W0, (self.B, self.m, self.d)).copy()


def make_cell(d: int, m: int, B: int, iters: int) -> Cell:
    t = make_trial("centred", d, m, 0, seed=0)
    exps = [B1_EXPONENT] if B == 1 else list(FULL_EXPONENTS[:B])
    return Cell(d, m, B, iters, t.data.X, t.data.y, t.z, t.s, np.array([4.0**k for k in exps]))


# ---------------------------------------------------------------------------------------
# the methods: each returns the final a (B, m), W (B, m, d) as NumPy arrays


def reluflow_method(backend: str, device: str | None) -> Callable[[Cell, int], tuple[np.ndarray, np.ndarray]]:
    def run(cell: Cell, iters: int) -> tuple[np.ndarray, np.ndarray]:
        cfg = GDConfig(lr=LR, max_iter=iters, loss_threshold=1e-300, n_log=2, backend=backend, device=device)
        res = run_gd(cell.X, cell.y, cell.lams, cell.z, cell.s, cfg)
        if not (np.all(res.stop == "cap") and np.all(res.iterations == iters)):
            raise RuntimeError(
                f"reluflow {backend}: a member stopped early: {res.stop.tolist()} {res.iterations.tolist()}"
            )
        return res.a, res.W

    return run


def numpy_loop(cell: Cell, iters: int) -> tuple[np.ndarray, np.ndarray]:
    """One λ after another, hand-written gradients of the MSE-mean, no batching."""
    X, y = cell.X, cell.y
    n = len(y)
    Xt = X.T
    a0, W0 = cell.initial()
    out_a, out_W = np.empty_like(a0), np.empty_like(W0)
    for b in range(cell.B):
        a, W = a0[b].copy(), W0[b].copy()
        for _ in range(iters):
            U = W @ Xt  # (m, n) pre-activations
            H = np.maximum(U, 0.0)
            c = (a @ H - y) * (2.0 / n)  # d MSE / d h(x_i)
            grad_a = H @ c
            grad_W = ((U > 0) * c * a[:, None]) @ X  # σ'(0) = 0
            a = a - LR * grad_a
            W = W - LR * grad_W
        out_a[b], out_W[b] = a, W
    return out_a, out_W


def autograd_method(device: str) -> Callable[[Cell, int], tuple[np.ndarray, np.ndarray]]:
    import torch
    import torch.nn.functional as F

    class Net(torch.nn.Module):
        def __init__(self, d: int, m: int):
            super().__init__()
            self.fc1 = torch.nn.Linear(d, m, bias=False)
            self.fc2 = torch.nn.Linear(m, 1, bias=False)

        def forward(self, x: Any) -> Any:
            return self.fc2(F.relu(self.fc1(x))).squeeze(-1)

    def run(cell: Cell, iters: int) -> tuple[np.ndarray, np.ndarray]:
        a0, W0 = cell.initial()
        X = torch.tensor(cell.X, dtype=torch.float64, device=device)
        y = torch.tensor(cell.y, dtype=torch.float64, device=device)
        out_a, out_W = np.empty_like(a0), np.empty_like(W0)
        for b in range(cell.B):  # one network per λ, as the official script
            net = Net(cell.d, cell.m).to(device=device, dtype=torch.float64)
            with torch.no_grad():
                net.fc1.weight.copy_(torch.from_numpy(W0[b]))
                net.fc2.weight.copy_(torch.from_numpy(a0[b])[None, :])
            opt = torch.optim.SGD(net.parameters(), lr=LR)
            for _ in range(iters):
                opt.zero_grad()
                loss = F.mse_loss(net(X), y)
                loss.backward()
                opt.step()
            out_W[b] = net.fc1.weight.detach().cpu().numpy()
            out_a[b] = net.fc2.weight.detach().cpu().numpy()[0]
        return out_a, out_W

    return run


@dataclass(frozen=True)
class Method:
    name: str
    kind: str  # "reluflow" | "peer"
    device: str
    run: Callable[[Cell, int], tuple[np.ndarray, np.ndarray]] = field(repr=False)


def methods(cuda: bool, have_torch: bool) -> list[Method]:
    out = [Method("reluflow numpy", "reluflow", "cpu", reluflow_method("numpy", None))]
    if have_torch:
        out.append(Method("reluflow torch", "reluflow", "cpu", reluflow_method("torch", "cpu")))
        if cuda:
            out.append(Method("reluflow torch", "reluflow", "cuda", reluflow_method("torch", "cuda")))
        out.append(Method("autograd", "peer", "cpu", autograd_method("cpu")))
        if cuda:
            out.append(Method("autograd", "peer", "cuda", autograd_method("cuda")))
    out.append(Method("numpy loop", "peer", "cpu", numpy_loop))
    return out


# ---------------------------------------------------------------------------------------
# measuring


@dataclass
class Result:
    method: str
    device: str
    d: int
    m: int
    B: int
    iters: int
    time_s: float
    runs: int
    net_it_per_s: float
    rel_diff: float = math.nan  # max over the batch, against reluflow numpy


def label(name: str, device: str) -> str:
    return f"{name} ({device})"


def measure_cell(
    ms: list[Method], cell: Cell, repeat: int, sync: Callable[[], None], log: Callable[[str], None]
) -> list[Result]:
    """Every method on ``cell``: an untimed warm-up each, then up to ``repeat`` rounds
    that run the methods one after another (interleaved, so that a burst of load elsewhere
    hits them alike), a method dropping out of later rounds once a run took ≥ CHEAP_S;
    best time per method, and its agreement with the first method (reluflow numpy)."""
    first = Cell(cell.d, cell.m, 1, cell.iters, cell.X, cell.y, cell.z, cell.s, cell.lams[:1])
    for meth in ms:
        meth.run(first, 2)  # warm-up: imports, thread pools, CUDA context and kernels
        sync()
    best = [math.inf] * len(ms)
    runs = [0] * len(ms)
    outs: list[Any] = [None] * len(ms)
    for rnd in range(max(1, repeat)):
        for i, meth in enumerate(ms):
            if rnd > 0 and best[i] >= CHEAP_S:
                continue
            log(f"d={cell.d} m={cell.m} B={cell.B} N={cell.iters}: {label(meth.name, meth.device)}, run {rnd + 1} ...")
            t0 = time.perf_counter()
            outs[i] = meth.run(cell, cell.iters)
            sync()
            best[i] = min(best[i], time.perf_counter() - t0)
            runs[i] += 1
    return [
        Result(
            meth.name,
            meth.device,
            cell.d,
            cell.m,
            cell.B,
            cell.iters,
            best[i],
            runs[i],
            cell.B * cell.iters / best[i],
            rel_diff(outs[i], outs[0]),
        )
        for i, meth in enumerate(ms)
    ]


def rel_diff(out: tuple, ref: tuple) -> float:
    """max over members of ‖(a, W) − ref‖ / ‖ref‖."""
    a, W = out
    ar, Wr = ref
    B = a.shape[0]
    x = np.concatenate([a.reshape(B, -1), W.reshape(B, -1)], axis=1)
    r = np.concatenate([ar.reshape(B, -1), Wr.reshape(B, -1)], axis=1)
    return float(np.max(np.linalg.norm(x - r, axis=1) / np.linalg.norm(r, axis=1)))


# ---------------------------------------------------------------------------------------
# output


def print_tables(results: list[Result], ms: list[Method]) -> None:
    cols = [label(m.name, m.device) for m in ms]
    cells = sorted({(r.d, r.m, r.B, r.iters) for r in results}, key=lambda c: (c[0], c[1], c[2]))
    by = {(r.d, r.m, r.B, label(r.method, r.device)): r for r in results}
    w = max(16, *(len(c) + 2 for c in cols))

    print()
    print("throughput: network-iterations per second (B·N / best wall time; timed runs in brackets)")
    head = f"{'d':>5}{'m':>5}{'B':>4}{'N':>6}" + "".join(f"{c:>{w}}" for c in cols)
    print(head)
    print("-" * len(head))
    for d, m, B, N in cells:
        row = f"{d:>5}{m:>5}{B:>4}{N:>6}"
        for c in cols:
            r = by.get((d, m, B, c))
            row += f"{(f'{r.net_it_per_s:,.0f} ({r.runs})' if r else '-'):>{w}}"
        print(row)

    rf = [m for m in ms if m.kind == "reluflow"]
    peers = [m for m in ms if m.kind == "peer"]
    pairs = [(a, p) for a in rf for p in peers if a.device == p.device or p.device == "cpu"]
    names = [f"{_short(a)}/{_short(p)}" for a, p in pairs]
    w2 = max(12, *(len(n) + 2 for n in names))
    print()
    print("ratio reluflow / peer of the throughputs (> 1: reluflow faster)")
    head = f"{'d':>5}{'m':>5}{'B':>4}" + "".join(f"{n:>{w2}}" for n in names)
    print(head)
    print("-" * len(head))
    for d, m, B, _ in cells:
        row = f"{d:>5}{m:>5}{B:>4}"
        for a, p in pairs:
            ra, rp = by.get((d, m, B, label(a.name, a.device))), by.get((d, m, B, label(p.name, p.device)))
            row += f"{(f'{ra.net_it_per_s / rp.net_it_per_s:.2f}' if ra and rp else '-'):>{w2}}"
        print(row)

    print()
    print(
        f"agreement after N iterations: max over the batch of ‖(a, W) − ref‖ / ‖ref‖, "
        f"ref = reluflow numpy (* above {REL_TARGET:g})"
    )
    others = [c for c in cols if c != label("reluflow numpy", "cpu")]
    head = f"{'d':>5}{'m':>5}{'B':>4}{'N':>6}" + "".join(f"{c:>{w}}" for c in others)
    print(head)
    print("-" * len(head))
    worst = 0.0
    for d, m, B, N in cells:
        row = f"{d:>5}{m:>5}{B:>4}{N:>6}"
        for c in others:
            r = by.get((d, m, B, c))
            if r is None:
                row += f"{'-':>{w}}"
                continue
            worst = max(worst, r.rel_diff)
            row += f"{r.rel_diff:>{w - 1}.1e}{'*' if not r.rel_diff <= REL_TARGET else ' '}"
        print(row)
    print(f"largest relative difference: {worst:.1e}")


def _short(m: Method) -> str:
    base = {"reluflow numpy": "np", "reluflow torch": "torch", "autograd": "autograd", "numpy loop": "loop"}[m.name]
    return base + ("-cuda" if m.device == "cuda" else "")


# ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer iterations, best of 2 (about 20 s)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many timed runs, for runs under 3 s")
    ap.add_argument(
        "--torch-threads",
        type=int,
        metavar="K",
        help="torch.set_num_threads(K) (default: torch's own choice, one per core)",
    )
    ap.add_argument("--json", metavar="OUT", help="write the results as JSON")
    return ap.parse_args(argv)


def environment(have_torch: bool, cuda: bool) -> dict[str, Any]:
    env: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "reluflow": reluflow.__version__,
        "reluflow_path": reluflow.__file__,
        "numpy": np.__version__,
    }
    if have_torch:
        import torch

        env.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
        if cuda:
            env["cuda_device"] = torch.cuda.get_device_name()
    return env


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    try:
        import torch

        have_torch, cuda = True, bool(torch.cuda.is_available())
        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
        sync = torch.cuda.synchronize if cuda else (lambda: None)
    except ImportError:
        have_torch, cuda, sync = False, False, (lambda: None)
    ms = methods(cuda, have_torch)
    iters = ITERS_QUICK if args.quick else ITERS
    repeat = min(2, args.repeat) if args.quick else args.repeat
    env = environment(have_torch, cuda)
    t_start = time.perf_counter()

    results: list[Result] = []
    for d, m in SIZES:
        for B, N in zip((1, 16), iters[(d, m)]):
            cell = make_cell(d, m, B, N)
            results += measure_cell(ms, cell, repeat, sync, log)

    print(
        f"reluflow {reluflow.__version__} from {reluflow.__file__}; numpy {np.__version__}"
        + (f", torch {env['torch']} ({env['torch_threads']} threads)" if have_torch else ", torch not installed")
        + f"; {os.cpu_count()} CPUs"
        + (f"; CUDA: {env['cuda_device']}" if cuda else "; no CUDA")
    )
    print(
        f"protocol step: full-batch GD on the MSE-mean, lr {LR}, σ'(0) = 0, balanced init, float64; "
        f"centred data, n = d; B = 1: λ = 4^{B1_EXPONENT}, B = 16: λ = 4^2 … 4^-13"
    )
    print_tables(results, ms)
    skipped = []
    if not have_torch:
        skipped.append("torch rows (PyTorch not installed)")
    elif not cuda:
        skipped.append("CUDA rows (no CUDA device)")
    for s in skipped:
        print(f"skipped: {s}")
    print(f"total {time.perf_counter() - t_start:.0f} s")
    if args.json:
        out = {
            "benchmark": "gd",
            "lr": LR,
            "sizes": SIZES,
            "iterations": {f"{d},{m}": v for (d, m), v in iters.items()},
            "results": [asdict(r) for r in results],
            "skipped": skipped,
            "environment": env,
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2)
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
