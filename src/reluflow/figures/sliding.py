"""Sliding-mode figure (issue 15): one generic instance where a pair slides.

(a) the pre-activation ⟨w_j, x_k⟩ of the first sliding pair: the exact flow (the minimum-norm
Clarke selection) lies exactly on the surface while float64 gradient descent with σ'(0) = 0
chatters around it, with an amplitude that shrinks with the step; (b) the loss of the exact
flow and of GD at the three steps; (c) GD's largest relative loss error against the step,
with its Richardson extrapolation 2L(η/2) − L(η): O(η), then far smaller.

Compute (JSON-ready dict) and plot are separate; ``make`` runs both.

>>> p = slider()
>>> data = compute(p, t_end=4, etas=(4e-3, 2e-3, 1e-3), samples=30)
>>> data["pair"], data["slide_t"] < 1, data["exact_u_on_surface"]
([0, 1], True, 0.0)
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ..integrate import Trajectory, solve
from ..plotting import MplFigure, cm, save, style, subplots
from ..problem import Dataset, Init, Problem
from .protocol import Figure

__all__ = ["FIGURE", "compute", "descend", "generic", "plot", "slider", "summary"]


def slider(lam: str = "1e-3") -> Problem:
    """Two correlated points, one neuron: once point 2 leaves, both sides push u_12 into 0."""
    return Problem(Dataset([[1, 0], [1, 1]], [1, -10]), Init(lam, [[1, "0.2"]], [1]))


def generic(seed: int = 5, n: int = 4, m: int = 5, lam: str = "1e-3") -> Problem:
    """Random Gaussian data, labels and directions (3 decimals, read exactly)."""
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, n)).round(3), rng.standard_normal(n).round(3)
    z, s = rng.standard_normal((m, n)).round(3), rng.choice((-1, 1), m)
    return Problem(
        Dataset([[str(v) for v in r] for r in X], [str(v) for v in y]),
        Init(lam, [[str(v) for v in r] for r in z], [int(v) for v in s]),
    )


def descend(p: Problem, eta: float, times, pair: tuple[int, int] | None = None) -> dict:
    """Float64 full-batch gradient descent with σ'(0) = 0 on L = 1/(2n) Σ r² (step η on L, so
    iteration k is flow time ηk): the loss at ``times`` and, for ``pair`` = (j, k), u_jk at
    every iteration up to the last time."""
    X = np.array(p.data.X, dtype=float)
    y = np.array(p.data.y, dtype=float)
    W = float(p.init.lam) * np.array(p.init.z, dtype=float)
    a = np.array(p.init.s, dtype=float) * np.linalg.norm(W, axis=1)
    n, k, loss, path = len(y), 0, [], []
    for target in np.rint(np.asarray(times, dtype=float) / eta).astype(int):
        while k < target:
            U = W @ X.T
            if pair is not None:
                path.append(U[pair])
            act = U > 0
            r = y - (a[:, None] * np.where(act, U, 0)).sum(0)
            a, W = a + eta * (np.where(act, U, 0) * r).sum(1) / n, W + eta * a[:, None] * ((act * r) @ X) / n
            k += 1
        r = y - (a[:, None] * np.maximum(W @ X.T, 0)).sum(0)
        loss.append(0.5 * float(np.mean(r**2)))
    return {"loss": loss, "u": path}


def _first_slide(tr: Trajectory) -> tuple[tuple[int, int], float]:
    for e in tr.events:
        if e.direction == "slide":
            return (e.neuron, e.point), float(e.t)
    raise ValueError("the instance does not slide; pick another")


def compute(
    p: Problem | None = None, *, t_end: float = 24, etas=(8e-3, 4e-3, 2e-3), digits: int = 20, samples: int = 200
) -> dict:
    """The exact flow and GD at the steps ``etas`` (each half the previous) on ``p``."""
    p = generic() if p is None else p
    tr = solve(p, t_end=t_end, digits=digits)
    (j, k), t_slide = _first_slide(tr)
    times = np.linspace(t_end / samples, t_end, samples)
    exact = [float(tr.loss(t)) for t in times]
    runs = []
    for eta in etas:
        gd = descend(p, eta, times, (j, k))
        runs.append({"eta": eta, "loss": gd["loss"], "u": [float(v) for v in gd["u"]]})
    ex = np.array(exact)
    errs = [float(np.max(np.abs(np.array(r["loss"]) - ex) / ex)) for r in runs]
    rich = [
        float(np.max(np.abs(2 * np.array(b["loss"]) - np.array(a["loss"]) - ex) / ex))
        for a, b in itertools.pairwise(runs)
    ]
    lo, hi = max(0.0, t_slide - 0.05), min(float(t_end), t_slide + 0.6)  # panel (a)'s window
    u_times = sorted([lo + (hi - lo) * i / samples for i in range(samples + 1)] + [t_slide])
    u_exact = [float(tr.evaluate(t).U[j][k]) for t in u_times]
    after = [
        u for t, u in zip(u_times, u_exact) if t > t_slide and tr.evaluate(t).sliding and tr.evaluate(t).sliding[j][k]
    ]
    return {
        "pair": [j, k],
        "slide_t": t_slide,
        "t": [float(t) for t in times],
        "exact": exact,
        "gd": runs,
        "u_t": u_times,
        "u_exact": u_exact,
        "exact_u_on_surface": max((abs(u) for u in after), default=0.0),
        "errors": errs,
        "richardson": rich,
        "events": [(e.neuron, e.point, e.direction, float(e.t)) for e in tr.events],
        "status": tr.status.value,
    }


def plot(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Three panels: the sliding pair's pre-activation, the losses, the error against η."""
    j, k = data["pair"]
    with style():
        fig, (ax, bx, cx) = subplots(1, 3, figsize=(15, 4.2), fig=fig)
        colors = cm.plasma(np.linspace(0.15, 0.75, len(data["gd"])))
        t0 = data["slide_t"]
        lo, hi = max(0.0, t0 - 0.05), min(data["t"][-1], t0 + 0.6)
        span = 0.0
        for r, col in zip(data["gd"], colors):
            ts = np.arange(len(r["u"])) * r["eta"]
            ax.plot(ts, r["u"], color=col, lw=0.6, marker=".", ms=2.5, alpha=0.9, label=f"GD, η = {r['eta']:g}")
            tail = [abs(u) for t, u in zip(ts, r["u"]) if t0 + 0.05 < t < hi]
            span = max([span] + tail)
            bx.semilogy(data["t"], r["loss"], color=col, lw=2.4, alpha=0.5, label=f"GD, η = {r['eta']:g}")
        ax.plot(data["u_t"], data["u_exact"], color="k", lw=1.6, label="exact flow (slides: u = 0 exactly)")
        ax.axhline(0, color="gray", lw=0.6)
        ax.axvline(t0, color="gray", ls=":", lw=0.8)
        ax.set_ylim(-2.5 * (span or 1), 2.5 * (span or 1))
        ax.set_xlim(lo, hi)
        ax.set_xlabel("t")
        ax.set_ylabel(f"u = ⟨w_{j}, x_{k}⟩")
        ax.set_title(f"(a) pair ({j}, {k}) slides from t = {t0:.3f}: GD chatters around u = 0", fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
        bx.semilogy(data["t"], data["exact"], color="k", lw=1.0, ls="--", label="exact flow")
        for ev in data["events"]:
            if ev[2] in ("slide", "slide-on", "slide-off"):
                bx.axvline(ev[3], color="C2" if ev[2] == "slide" else "C1", lw=0.5, alpha=0.6)
        bx.plot([], [], color="C2", lw=0.5, label="slide (green) / leave (orange)")
        bx.set_xlabel("t (GD iteration k ↔ t = ηk)")
        bx.set_ylabel("L(θ(t))")
        bx.set_title("(b) loss: GD against the exact flow", fontsize=9)
        bx.legend(fontsize=7)
        etas = [r["eta"] for r in data["gd"]]
        cx.loglog(etas, data["errors"], "o-", color="C0", label="GD: max relative loss error")
        cx.loglog(etas[1:], data["richardson"], "s-", color="C3", label="Richardson 2L(η/2) − L(η)")
        ref = [data["errors"][-1] * e / etas[-1] for e in etas]
        cx.loglog(etas, ref, color="k", ls="--", lw=0.8, label="slope 1")
        cx.set_xlabel("η")
        cx.set_ylabel("max over t of |L_GD − L| / L")
        cx.set_title("(c) GD → exact flow as η → 0", fontsize=9)
        cx.legend(fontsize=7)
        fig.suptitle(
            "A sliding mode on generic data (n = d = 4, m = 5, λ = 1e-3): the minimum-norm Clarke "
            "selection is the limit of gradient descent",
            fontsize=10,
            y=1.03,
        )
        return save(fig, stem)


def summary(data: dict) -> str:
    """One line: the sliding pair, GD's loss errors per step and their Richardson extrapolation."""
    return (
        f"pair {tuple(data['pair'])} slides from t = {data['slide_t']:.6g}; GD max relative loss error "
        + ", ".join(f"{e:.2e} (η = {r['eta']:g})" for e, r in zip(data["errors"], data["gd"]))
        + "; Richardson "
        + ", ".join(f"{v:.2e}" for v in data["richardson"])
    )


FIGURE = Figure(
    "sliding",
    "general",
    compute,
    plot,
    lambda quick: {"t_end": 12 if quick else 24, "etas": [8e-3, 4e-3, 2e-3], "samples": 120 if quick else 200},
    summary=summary,
)
