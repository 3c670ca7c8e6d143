"""Gradient descent against the exact gradient flow on the same instance: how far float64 GD
with a finite step strays from the flow it discretises, over time.

GD runs on the float64 values of a SPEC (:func:`~reluflow.experiments.gd.run_gd`, the papers'
protocol: full batch, learning rate ``lr`` on the MSE-mean = 2L, so iteration k is flow time
t = 2·lr·k).  The reference is the exact flow of that same float64 instance (its binary values
read exactly, :func:`~reluflow.experiments.exact.exact_flow`), so the gap measured is GD's
alone: discretisation and float64 rounding.  At each logging time it reports both losses,
their relative gap and the relative distance of the parameters ‖θ_GD − θ_flow‖/‖θ_flow‖.

    >>> from reluflow.datasets import e1
    >>> out = compare(e1("1e-4"), [0.01], t_end=20, samples=20)
    >>> run = out["runs"][0]
    >>> run["lr"], run["t"][0], run["t"][-1], run["param_gap"][0] < 1e-15 < run["param_gap"][-1] < 0.5
    (0.01, 0.0, 20.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..problem import Problem, ProblemError
from . import metrics as M
from .exact import exact_flow
from .gd import GDConfig, run_gd

__all__ = ["MAX_ITERATIONS", "compare"]

MAX_ITERATIONS = 20_000_000  # GD iterations one comparison may ask for (the paper's cap)


def _float_instance(p: Problem) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
    lam = float(p.init.lam)
    if lam == 0.0 or not math.isfinite(lam):
        raise ProblemError("init.lambda", "is below float64's range (1e-308): gradient descent in float64 cannot start")
    X = np.array([[float(v) for v in row] for row in p.data.X])
    y = np.array([float(v) for v in p.data.y])
    z = np.array([[float(v) for v in row] for row in p.init.z])
    return X, y, lam, z, np.array([float(v) for v in p.init.s])


def compare(
    problem: Problem,
    lrs: Sequence[float],
    *,
    t_end: float,
    samples: int = 200,
    backend: str = "numpy",
    digits: int = 20,
) -> dict[str, Any]:
    """GD at each learning rate in ``lrs`` against the exact flow of ``problem`` up to flow time
    ``t_end``, at about ``samples`` geometrically spaced iterations each (JSON-ready)."""
    if not lrs:
        raise ProblemError("lr", "give at least one learning rate")
    for lr in lrs:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
            raise ProblemError("lr", f"must be a finite number > 0, got {lr!r}")
    if not math.isfinite(t_end) or t_end <= 0:
        raise ProblemError("t_end", f"must be a finite number > 0, got {t_end!r}")
    if 2 * max(lrs) > t_end:  # one GD step is flow time 2·lr
        raise ProblemError(
            "lr",
            f"one GD step at lr = {max(lrs)} (flow time {2 * max(lrs):g}) passes t_end = {t_end}; "
            "take a smaller lr or a longer --t-end",
        )
    iters = {lr: max(1, math.ceil(t_end / (2 * lr))) for lr in lrs}
    worst = max(iters.values())
    if worst > MAX_ITERATIONS:
        raise ProblemError(
            "lr", f"t_end = {t_end} at lr = {min(lrs)} takes {worst:.3g} GD iterations; at most {MAX_ITERATIONS:.0e}"
        )
    X, y, lam, z, s = _float_instance(problem)
    runs, times = [], set()
    for lr in lrs:
        seen: dict[int, tuple[np.ndarray, np.ndarray]] = {}

        def observe(k, members, a, W, seen=seen):
            seen[int(k)] = (a[0].copy(), W[0].copy())

        config = GDConfig(lr=lr, max_iter=iters[lr], loss_threshold=1e-300, n_log=samples, check_every=1000)
        gd = run_gd(X, y, [lam], z, s, config, observe=observe, backend=backend)
        ks = sorted(seen)
        runs.append({"lr": lr, "k": ks, "t": [2 * lr * k for k in ks], "stop": str(gd.stop[0]), "seen": seen})
        times.update(2 * lr * k for k in ks)
    grid = np.array(sorted(t for t in times if t <= t_end))
    flow = exact_flow(X, y, lam, z, s, t_end=t_end, digits=digits, times=grid, loss_below=None)
    at = {t: (np.array(a), np.array(W)) for t, a, W in zip(flow["t"], flow["a"], flow["W"])}
    for run in runs:
        seen = run.pop("seen")
        keep = [(k, t) for k, t in zip(run["k"], run["t"]) if t in at]
        run["k"], run["t"] = [k for k, _ in keep], [t for _, t in keep]
        run["gd_loss"], run["flow_loss"], run["loss_gap"], run["param_gap"] = [], [], [], []
        for k, t in keep:
            (ag, Wg), (af, Wf) = seen[k], at[t]
            lg, lf = 0.5 * M.mse(ag, Wg, X, y), 0.5 * M.mse(af, Wf, X, y)  # L = MSE-mean / 2
            run["gd_loss"].append(lg)
            run["flow_loss"].append(lf)
            run["loss_gap"].append(abs(lg - lf) / lf if lf > 0 else math.inf)
            size = math.sqrt(float(np.sum(af**2) + np.sum(Wf**2)))
            run["param_gap"].append(math.sqrt(float(np.sum((ag - af) ** 2) + np.sum((Wg - Wf) ** 2))) / size)
    return {
        "t_end": t_end,
        "flow": {k: flow[k] for k in ("status", "t_end", "steps", "events", "digits", "solve_seconds")},
        "runs": runs,
    }
