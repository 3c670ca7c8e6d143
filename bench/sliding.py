"""Generic (sliding) data: the exact flow's cost on random Gaussian inputs and labels.

The next performance target (issue 15 → 17): n = d = 20, m = 100, λ = 1e-30, 30 digits, to
loss 1e-20.  Prints time, steps, events by kind, the final loss and status, and the peak
resident memory of this process; ``--max-steps`` bounds a run that would take too long
(its status then says so, and the per-step time extrapolates).

    python bench/sliding.py                        # n = d = 5, m = 8 (seconds)
    python bench/sliding.py --n 20 --m 100 --max-steps 200
"""

from __future__ import annotations

import argparse
import collections
import resource
import time

import numpy as np

from reluflow import Dataset, Init, Problem, solve


def problem(n: int, d: int, m: int, seed: int, lam: str) -> Problem:
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    return Problem(Dataset(X.tolist(), y.tolist()), Init.random(width=m, seed=seed, d=d, lam=lam))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--d", type=int, default=None, help="input dimension (default n)")
    ap.add_argument("--m", type=int, default=8)
    ap.add_argument("--lam", default="1e-30")
    ap.add_argument("--digits", type=int, default=30)
    ap.add_argument("--loss-below", default="1e-20")
    ap.add_argument("--t-end", type=float, default=3000.0)
    ap.add_argument("--max-steps", type=int, default=100_000)
    ap.add_argument("--seeds", type=int, default=1)
    args = ap.parse_args(argv)
    d = args.d or args.n
    print(
        f"generic data n={args.n} d={d} m={args.m} λ={args.lam} digits={args.digits} "
        f"to loss {args.loss_below} or t = {args.t_end:g} (max {args.max_steps} steps)"
    )
    for seed in range(args.seeds):
        p = problem(args.n, d, args.m, seed, args.lam)
        t0 = time.perf_counter()
        tr = solve(p, digits=args.digits, loss_below=args.loss_below, t_end=args.t_end, max_steps=args.max_steps)
        wall = time.perf_counter() - t0
        kinds = dict(collections.Counter(e.direction for e in tr.events))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"seed {seed}: {tr.status.value} at t = {float(tr.t_end):.5g}, loss {float(tr.final_loss):.3e}, "
            f"{len(tr.segments)} steps ({wall / max(len(tr.segments), 1) * 1e3:.1f} ms/step), "
            f"{len(tr.events)} events {kinds}, {wall:.1f} s, peak RSS {rss:.0f} MB"
        )


if __name__ == "__main__":
    main()
