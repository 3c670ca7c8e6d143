"""Research-scale rows of ``bench/engine.py``: wall and CPU time, steps and peak memory.

Each problem runs in a child process (so its peak resident memory is its own), on the
compiled kernel and, with ``--python``, on the pure-Python reference:

* ``orthogonal``: x_k = e_k in R^20, Gaussian labels, m = 100, λ = 1e-30, 50 digits, to
  loss 1e-20 (or the default horizon past the last escape);
* ``generic``: Gaussian X (20 × 20), labels and directions, m = 100, λ = 1e-30, 30 digits,
  to loss 1e-20 or t = 3000 (sliding modes and many switches), at most GENERIC_STEPS steps
  (``--generic-steps``; 0: no bound, the whole run, about 6000 steps): the row says how far
  in t they reach;
* ``one step``: the Taylor jets of one order-61 step (50 digits) on the generic data at
  its initial state (no float64 tail on this path).

Run alone: ``python bench/engine_scale.py [--python] [--only orthogonal] [--generic-steps 0]``.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

GOALS = {"orthogonal": "< 40 s CPU, < 500 MB", "generic": "< 60 s to t = 3000", "one step": ""}
GENERIC_STEPS = 500  # the generic run stops here (status max_steps) and reports the time t it reached
# the generic run's phases (t windows): early alignment, the first cascade, the growth of the
# first neurons, the second cascade, the quiet growth, the chattering on point 3, the stiff end
PHASES = (0, 1, 5, 20, 97, 115, 330, 740, 3000)


def orthogonal(seed: int = 0, n: int = 20, m: int = 100, lam: str = "1e-30"):
    from reluflow import Dataset, Init, Problem

    rng = np.random.default_rng(seed)
    X = np.eye(n, dtype=int).tolist()
    y = [str(v) for v in rng.standard_normal(n).round(3)]
    z = [[str(v) for v in row] for row in (rng.standard_normal((m, n)) / 2).round(3)]
    return Problem(Dataset(X, y), Init(lam, z, [int(v) for v in rng.choice([-1, 1], m)]))


def generic(seed: int = 0, n: int = 20, d: int = 20, m: int = 100, lam: str = "1e-30"):
    from reluflow import Dataset, Init, Problem

    rng = np.random.default_rng(seed)
    X = [[str(v) for v in row] for row in rng.standard_normal((n, d)).round(3)]
    y = [str(v) for v in rng.standard_normal(n).round(3)]
    z = [[str(v) for v in row] for row in (rng.standard_normal((m, d)) / 2).round(3)]
    return Problem(Dataset(X, y), Init(lam, z, [int(v) for v in rng.choice([-1, 1], m)]))


def _solve(name: str, generic_steps: int = GENERIC_STEPS) -> dict[str, Any]:
    from reluflow import solve
    from reluflow.limits import MAX_STEPS

    clock: list[tuple[float, float]] = []  # (t, CPU s) at the end of every step
    if name == "orthogonal":
        tr = solve(orthogonal(), digits=50, loss_below="1e-20")
    else:  # bounded by default: 500 steps cover only the start of the alignment phase (see README)
        steps = generic_steps or MAX_STEPS

        def tick(t: float, _end: float) -> None:
            clock.append((t, time.process_time()))

        start = time.process_time()
        tr = solve(generic(), digits=30, loss_below="1e-20", t_end=3000, max_steps=steps, progress=tick)
    return {
        "steps": len(tr.segments),
        "events": len(tr.events),
        "status": tr.status.value,
        "t": float(tr.t_end),
        "loss": float(tr.final_loss),
        "phases": phase_table(clock, [float(e.t) for e in tr.events], start) if clock else [],
    }


def phase_table(
    clock: Sequence[tuple[float, float]], events: Sequence[float], start: float = 0.0, edges=PHASES
) -> list[dict]:
    """Where a run's time goes, per t window of ``edges``: its steps (``clock``: (t, CPU
    seconds) at the end of each step, ``start``: CPU seconds when the run began), switches
    (``events``: their times) and CPU seconds.

    >>> phase_table([(0.5, 1.5), (0.9, 2.0), (3.0, 5.0)], [0.2, 0.5, 4.0], start=0.5, edges=(0, 1, 5))
    [{'t': (0, 1), 'steps': 2, 'switches': 2, 'cpu_s': 1.5}, {'t': (1, 5), 'steps': 1, 'switches': 1, 'cpu_s': 3.0}]
    """
    out, before = [], start
    for lo, hi in itertools.pairwise(edges):
        inside = [c for t, c in clock if lo <= t < hi or (hi == edges[-1] and t == hi)]
        if inside:
            out.append(
                {
                    "t": (lo, hi),
                    "steps": len(inside),
                    "switches": sum(lo <= t < hi for t in events),
                    "cpu_s": round(inside[-1] - before, 3),
                }
            )
            before = inside[-1]
    return out


def _one_step(name: str) -> dict[str, Any]:
    """The first step of a 50-digit solve of ``generic()``, sized as solve sizes it; only the
    second jets call (at the chosen step) is timed."""
    from fractions import Fraction

    from reluflow.integrate.engine import GUARD_BITS, SAFETY, taylor_order
    from reluflow.integrate.fixed import FixedPoint, State
    from reluflow.integrate.taylor import jets, rho
    from reluflow.precision import context

    problem = generic()
    F, p = context(56).prec + GUARD_BITS, taylor_order(50)
    fx, st = FixedPoint.of(problem, F), State.initial(problem, F)
    H = max(1, int((1 << F) * Fraction(min(rho(jets(fx, st, p, 1 << F)) * SAFETY, 1e6))))
    wall, cpu = time.perf_counter(), time.process_time()
    jets(fx, st, p, H)
    return {
        "order": p,
        "pairs": int(st.active.sum()),
        "F": F,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: per address space, so a spawned child
    starts afresh; ``ru_maxrss`` survives exec on Linux and would report the parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # other systems


def _child(name: str, kernel_name: str, queue: mp.Queue, generic_steps: int) -> None:
    from reluflow.integrate import kernel

    try:
        with kernel.use(kernel_name):
            wall, cpu = time.perf_counter(), time.process_time()
            out = _one_step(name) if name == "one step" else _solve(name, generic_steps)
            out = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu} | out
        out["peak_rss_mb"] = peak_rss_mb()
        queue.put(out)
    except Exception as exc:  # a bench reports, it does not crash
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def _baseline(queue: mp.Queue) -> None:
    import reluflow.integrate.engine  # noqa: F401  (the imports a solve needs)

    queue.put({"peak_rss_mb": peak_rss_mb()})


def run(name: str, kernel_name: str, timeout: float, generic_steps: int = GENERIC_STEPS) -> dict[str, Any]:
    """One problem in a fresh (spawned) child: its peak resident memory is the solve's own
    plus the imports (``baseline_rss``)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(name, kernel_name, queue, generic_steps))
    proc.start()
    try:
        out = queue.get(timeout=timeout)
    except Exception:
        out = {"error": f"no result within {timeout:.0f} s"}
    proc.join(5)
    if proc.is_alive():
        proc.kill()
    return {"problem": name, "kernel": kernel_name} | out


def baseline_rss() -> float:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_baseline, args=(queue,))
    proc.start()
    out = queue.get(timeout=120)
    proc.join()
    return out["peak_rss_mb"]


def rows(
    names: Sequence[str], kernels: Sequence[str], timeout: float, generic_steps: int = GENERIC_STEPS
) -> list[dict[str, Any]]:
    out = []
    for name in names:
        for k in kernels:
            print(f"scale: {name} on the {k} kernel ...", file=sys.stderr, flush=True)
            out.append(run(name, k, timeout, generic_steps))
    return out


def print_rows(table: list[dict[str, Any]], base_mb: float) -> None:
    print()
    print(f"research scale (each in a fresh process; resident memory after imports alone: {base_mb:.0f} MB)")
    head = (
        f"{'problem':<12}{'kernel':>8}{'wall s':>9}{'CPU s':>9}{'ratio':>7}{'steps':>7}{'events':>8}"
        f"{'status':>12}{'t':>10}{'loss':>10}{'peak MB':>9}  goal"
    )
    print(head)
    print("-" * len(head))
    ref = {r["problem"]: r.get("cpu_s") for r in table if r["kernel"] == "gmp"}
    for r in table:
        if "error" in r:
            print(f"{r['problem']:<12}{r['kernel']:>8}  {r['error']}")
            continue
        ratio = r["cpu_s"] / ref[r["problem"]] if ref.get(r["problem"]) else float("nan")
        print(
            f"{r['problem']:<12}{r['kernel']:>8}{r['wall_s']:>9.2f}{r['cpu_s']:>9.2f}{ratio:>7.2f}"
            f"{r.get('steps', '-'):>7}{r.get('events', '-'):>8}{r.get('status', '-'):>12}"
            f"{r.get('t', float('nan')):>10.4g}{r.get('loss', float('nan')):>10.2e}{r['peak_rss_mb']:>9.0f}  "
            f"{GOALS[r['problem']]}"
        )
    print("ratio = CPU time / CPU time of the compiled kernel on the same problem")
    for r in table:
        if r.get("phases"):
            print(f"\nwhere the {r['problem']} run's time goes ({r['kernel']} kernel; CPU s per t window)")
            print(f"{'t window':>16}{'steps':>7}{'switches':>10}{'CPU s':>9}{'ms/step':>9}")
            for ph in r["phases"]:
                lo, hi = ph["t"]
                window = f"[{lo}, {hi})"
                per_step = 1000 * ph["cpu_s"] / ph["steps"]
                print(f"{window:>16}{ph['steps']:>7}{ph['switches']:>10}{ph['cpu_s']:>9.1f}{per_step:>9.1f}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", choices=list(GOALS), default=list(GOALS))
    ap.add_argument("--python", action="store_true", help="also run the pure-Python reference (slow)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per problem")
    ap.add_argument(
        "--generic-steps",
        type=int,
        default=GENERIC_STEPS,
        help=f"step bound of the generic row (default {GENERIC_STEPS}; 0: the whole run to t = 3000, ~20 min)",
    )
    args = ap.parse_args(argv)
    if args.generic_steps < 0:
        ap.error("--generic-steps: expected 0 (no bound) or a positive step count")
    from reluflow.integrate import kernel

    kernels = (["gmp"] if kernel.available() else []) + (["python"] if args.python or not kernel.available() else [])
    table = rows(args.only, kernels, args.timeout, args.generic_steps)
    print_rows(table, baseline_rss())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
