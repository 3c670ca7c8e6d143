"""The exact gradient flow of a float64 gradient-descent instance: the reference the GD
figures and ``reluflow compare`` overlay (the engine runs the rational data exactly)."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from ..integrate import solve
from ..problem import Dataset, Init, Problem

__all__ = ["exact_flow"]


def exact_flow(
    X: np.ndarray,
    y: np.ndarray,
    lam: float,
    z: np.ndarray,
    s: np.ndarray,
    *,
    t_end: float,
    digits: int = 10,
    times: np.ndarray | None = None,
    loss_below: str | None = "5e-10",
) -> dict:
    """The exact gradient flow of a float64 GD instance (:func:`reluflow.solve`), stopped
    at ``t_end`` or when L < ``loss_below`` (5e-10: 2L < 1e-9, the GD threshold; None: never), with (a, W) as float64
    at the flow ``times`` that lie inside the run, and W where the run ended.

    >>> X = np.array([[1.0, 0.2], [0.3, 1.0]]); y = np.maximum(X @ [0.8, 0.6], 0)
    >>> out = exact_flow(X, y, 0.25, np.array([[0.3, 0.1]]), np.array([1.0]), t_end=5, times=np.array([0.0, 5.0]))
    >>> out["status"], len(out["a"]), out["W"][0] == [[0.25 * 0.3, 0.25 * 0.1]]   # λz exactly at t = 0
    ('t_end', 2, True)
    """
    p = Problem(Dataset(X.tolist(), y.tolist()), Init(float(lam), z.tolist(), [int(v) for v in s]))
    t0 = time.perf_counter()
    tr = solve(p, digits=digits, t_end=Fraction(t_end).limit_denominator(10**6), loss_below=loss_below, max_steps=10**6)
    solved = time.perf_counter() - t0
    te = float(tr.t_end)
    times = np.asarray([] if times is None else times, dtype=float)
    inside = [float(t) for t in times if t <= te]
    a_out, W_out = [], []
    for t in inside:
        st = tr.evaluate(min(tr.ctx.mpf(t), tr.t_end))
        a_out.append([float(v) for v in st.a])
        W_out.append([[float(v) for v in row] for row in st.W])
    return {
        "status": tr.status.value,
        "t_end": te,
        "steps": len(tr.segments),
        "events": len(tr.events),
        "final_loss_2L": 2 * float(tr.final_loss),
        "solve_seconds": solved,
        "eval_seconds": time.perf_counter() - t0 - solved,
        "digits": digits,
        "t": inside,
        "a": a_out,
        "W": W_out,
        "W_end": [[float(v) for v in row] for row in tr.W],
    }
