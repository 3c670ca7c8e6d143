"""Benchmark ``reluflow.sweep``: throughput for 1 vs N worker processes, and the run store's
overhead per run against the solve itself.

The grid: the README's two-point data (x = e_1, e_2 in R⁴, y = (1, −0.5)), width 4,
λ ∈ {1e-20, 1e-30, 1e-40, 1e-50} × seed ∈ {1, 2, 3, 4} = 16 runs at 30 digits, each to the
default horizon (past the last escape; 80–180 steps, 0.1–0.3 s).  Printed:

* the plain solves, one after another in this process (no store): the baseline;
* the start-up of the default "spawn" process pool (``run`` over N trivial runs, t_end = 1e-3);
* ``run`` with a fresh store and that pool of 1 and of ``--workers`` processes (start-up
  included): wall time, runs/s, speed-up over 1 worker, and the bytes of ``runs/`` compared
  between the two (must be identical);
* the same sweep again (everything in the store: the cost of resuming);
* per run, best of ``--repeat``: key (canonical JSON + SHA-256), ``Store.put`` (dense JSON,
  hashes, three atomic fsynced writes), ``Store.get`` (read and verify record and trajectory
  hash), ``Store.load`` (``Trajectory.from_json``), each as a fraction of that run's solve.

    python bench/sweep.py                    # about half a minute on 2 cores
    python bench/sweep.py --workers 4 --json bench/sweep.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from reluflow.sweep import Store, expand, run, spec_hash

BASE = {"data": {"X": [[1, 0, 0, 0], [0, 1, 0, 0]], "y": [1, "-0.5"]}, "init": {"width": 4}, "solve": {"digits": 30}}
GRID = {"lambda": ["1e-20", "1e-30", "1e-40", "1e-50"], "seed": [1, 2, 3, 4]}


def _files(store: Store) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((store.root / "runs").iterdir())}


def _best(fn, repeat: int) -> tuple[object, float]:
    out, best = None, math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="the N of 1 vs N (default: CPUs)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many for the per-run store timings")
    ap.add_argument("--json", type=Path, default=None, help="write the numbers here")
    args = ap.parse_args()
    specs = expand(BASE, GRID)
    tmp = Path(tempfile.mkdtemp(prefix="reluflow-bench-sweep-"))
    out: dict = {"runs": len(specs), "workers": args.workers, "cpus": os.cpu_count()}
    try:
        # baseline: the solves alone, serially, in this process
        t0 = time.perf_counter()
        solves = []
        for s in specs:
            tr, t = _best(s.solve, 1)
            solves.append((s, tr, t))
        serial = time.perf_counter() - t0
        steps = [len(tr.segments) for _, tr, _ in solves]
        out["serial_solve_s"] = serial
        print(
            f"{len(specs)} runs, {min(steps)}–{max(steps)} steps each; serial solves in this process: "
            f"{serial:.2f} s ({len(specs) / serial:.2f} runs/s)"
        )

        # sweeps: fresh store, 1 and N processes (pool start-up included)
        sweeps = {}
        for n in sorted({1, args.workers}):
            trivial = expand(
                BASE | {"solve": {"digits": 30, "t_end": "1e-3"}}, {"lambda": ["1e-20"], "seed": list(range(n))}
            )
            res = run(trivial, Store(tmp / f"startup{n}"), workers=n, progress=False)
            out[f"startup_{n}_s"] = res.seconds
            print(f"pool start-up, {n} worker{'s' if n > 1 else ' '}: {res.seconds:.2f} s ({n} trivial runs)")
            store = Store(tmp / f"w{n}")
            res = run(specs, store, workers=n, progress=False)
            assert res.ok and res.computed == len(specs), res.failed
            sweeps[n] = (store, res.seconds)
            out[f"sweep_{n}_s"] = res.seconds
            print(
                f"sweep, {n} worker{'s' if n > 1 else ' '}: {res.seconds:6.2f} s  {len(specs) / res.seconds:5.2f} "
                f"runs/s  ({res.seconds / serial:.2f}× the serial solves)"
            )
        one, n_s = sweeps[1][1], sweeps[args.workers][1]
        out["speedup"] = one / n_s
        same = _files(sweeps[1][0]) == _files(sweeps[args.workers][0])
        out["identical_bytes"] = same
        print(f"speed-up {args.workers} vs 1 worker: {one / n_s:.2f}×; runs/ byte-identical: {same}")
        res = run(specs, sweeps[1][0], workers=1, progress=False)
        assert res.cached == len(specs)
        out["resume_all_cached_s"] = res.seconds
        print(f"rerun with everything stored: {res.seconds:.3f} s ({1e3 * res.seconds / len(specs):.1f} ms per run)")

        # the store's overhead per run, against that run's solve
        rows = []
        store = Store(tmp / "overhead")
        for s, tr, t_solve in solves:
            _, t_key = _best(lambda s=s: spec_hash(s), args.repeat)
            _, t_put = _best(lambda s=s, tr=tr: store.put(s, tr), args.repeat)
            _, t_get = _best(lambda s=s: store.get(s), args.repeat)
            _, t_load = _best(lambda s=s: store.load(s), args.repeat)
            size = store.trajectory_path(s).stat().st_size
            rows.append(
                {
                    "lambda": s.lam_text,
                    "seed": s.seed,
                    "steps": len(tr.segments),
                    "solve_s": t_solve,
                    "key_s": t_key,
                    "put_s": t_put,
                    "get_s": t_get,
                    "load_s": t_load,
                    "bytes": size,
                }
            )
        out["per_run"] = rows
        tot = {k: sum(r[k] for r in rows) for k in ("solve_s", "key_s", "put_s", "get_s", "load_s")}
        ratio = (tot["key_s"] + tot["put_s"] + tot["get_s"]) / tot["solve_s"]
        out["store_overhead_ratio"] = ratio
        out["load_ratio"] = tot["load_s"] / tot["solve_s"]
        med = statistics.median
        print(
            f"per run (median): solve {1e3 * med(r['solve_s'] for r in rows):.1f} ms, key "
            f"{1e3 * med(r['key_s'] for r in rows):.2f} ms, put {1e3 * med(r['put_s'] for r in rows):.1f} ms, "
            f"get {1e3 * med(r['get_s'] for r in rows):.2f} ms, load {1e3 * med(r['load_s'] for r in rows):.1f} ms, "
            f"trajectory {med(r['bytes'] for r in rows) / 1e3:.0f} kB"
        )
        print(
            f"store overhead (key + put + get) / solve, summed over runs: {ratio:.3f}; "
            f"load / solve: {tot['load_s'] / tot['solve_s']:.3f}"
        )
        print(f"{'λ':>6} {'seed':>4} {'steps':>5} {'solve ms':>9} {'put/solve':>9} {'get/solve':>9} {'load/solve':>10}")
        for r in rows:
            print(
                f"{r['lambda']:>6} {r['seed']:>4} {r['steps']:>5} {1e3 * r['solve_s']:9.1f} "
                f"{r['put_s'] / r['solve_s']:9.3f} {r['get_s'] / r['solve_s']:9.3f} {r['load_s'] / r['solve_s']:10.3f}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
