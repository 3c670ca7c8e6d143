"""Minimum norm versus rank one across 𝓜 = 0 (Chistikov, Englert & Lazić 2023, Theorem 8;
issue 6): a one-parameter family of the Example 37 shape, d = n = 3,

    x₁ = b e₁,   x₂,₃ = b e₁ ∓ √b e₂ + e₃,   v* = (4/5, 0, 3/5),   b = t², t rational,

which has 𝓜 < 0 for small b and 𝓜 > 0 for large b (the paper's example takes b ≥ 11).  For
each b: the certified minimum of ‖θ‖² over all interpolators, the certified rank-one
minimum, the §3.6 network (𝓜 > 0), and the limit of the exact gradient flow from a small
initialisation (λ, width 4, seed 0) — ‖θ(∞)‖² read where the loss is below 1e-30.  The sign
change of 𝓜 is located by exact bisection on t (the sign is decided exactly by duality).

>>> data = compute(ts=("3", "4"), lam="1e-4", bisect=4)
>>> lo, hi = data["crossing"]["b"]  # 91/9 solves the gap formula of Example 37 for K = {2}
>>> [p["M_sign"] for p in data["points"]], lo <= 91 / 9 <= hi, hi - lo < 0.5
([-1, 1], True, True)
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import mpmath

from ..integrate import solve
from ..plotting import MplFigure, save, style, subplots
from ..problem import Dataset, Init, Problem
from ..theory import norm_geometry as ng
from ..theory.interpolators import interpolate
from .protocol import Figure

__all__ = ["FIGURE", "compute", "family", "plot"]

TEACHER = (Fraction(4, 5), Fraction(0), Fraction(3, 5))
_M = r"$\mathcal{M}$"  # 𝓜 is not in the default font


def family(t) -> Dataset:
    """The family's data set at b = t² (t > 0 rational)."""
    t = Fraction(t)
    b = t * t
    return Dataset([[b, 0, 0], [b, -t, 1], [b, t, 1]], teacher=TEACHER)


def _crossing(lo: Fraction, hi: Fraction, steps: int) -> tuple[Fraction, Fraction]:
    """[lo, hi] ∋ the t where 𝓜 changes sign, narrowed by exact bisection."""
    s_lo = ng.dual_certificate(family(lo)).sign
    for _ in range(steps):
        mid = (lo + hi) / 2
        if ng.dual_certificate(family(mid)).sign == s_lo:
            lo = mid
        else:
            hi = mid
    return lo, hi


def _flow_limit(data: Dataset, lam: str) -> dict:
    tr = solve(
        Problem(data, Init.random(width=4, seed=0, d=3, lam=lam)),
        loss_below="1e-30",
        digits=20,
        t_end=10**6,
        max_steps=10**6,
    )
    st = tr.final_state
    return {
        "theta_sq": mpmath.nstr(tr.theta_sq(st), 15),
        "loss": mpmath.nstr(tr.final_loss, 3),
        "status": tr.status.value,
        "t_end": float(tr.t_end),
        "events": len(tr.events),
    }


def compute(ts=("1", "2", "5/2", "3", "13/4", "7/2", "4", "9/2", "5"), *, lam: str = "1e-10", bisect: int = 40) -> dict:
    """Every number of the figure, JSON-ready (decimal strings for the certified ends)."""
    points = []
    for t in ts:
        data = family(t)
        res = interpolate(data)
        mv = ng.compute_M(data, certify=False)
        out = res.to_dict(20)
        points.append(
            {
                "t": str(Fraction(t)),
                "b": float(Fraction(t) ** 2),
                "M": float(mv.value),
                "M_sign": res.M_sign,
                "min": out["min_theta_sq"],
                "rank_one": out["rank_one_min_theta_sq"],
                "rank": res.minimum.rank,
                "counterexample": out["counterexample_theta_sq"],
                "checks": out["checks"],
                "certified": out["certified"],
                "flow": _flow_limit(data, lam),
            }
        )
    signs = [p["M_sign"] for p in points]
    crossing = None
    for a, b in itertools.pairwise(points):
        if a["M_sign"] < 0 < b["M_sign"]:
            lo, hi = _crossing(Fraction(a["t"]), Fraction(b["t"]), bisect)
            crossing = {"t": [float(lo), float(hi)], "b": [float(lo * lo), float(hi * hi)]}
    return {"points": points, "crossing": crossing, "lambda": lam, "signs": signs}


def _slope(xs, ys) -> float:
    """Least-squares slope of log y against log x."""
    lx, ly = [math.log(v) for v in xs], [math.log(v) for v in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / max(sum((a - mx) ** 2 for a in lx), 1e-300)


def plot(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """(a) ‖θ‖² of the flow's limit, the rank-one minimum and the true minimum against b;
    (b) the norm saved, 2‖v*‖ − min ‖θ‖², against 𝓜 > 0 (log–log)."""
    pts = data["points"]
    b = [p["b"] for p in pts]
    mid = lambda e: (float(e["lo"]) + float(e["hi"])) / 2
    with style():
        fig, (ax, bx) = subplots(1, 2, figsize=(11, 4), fig=fig)
        ax.plot(
            b,
            [float(p["flow"]["theta_sq"]) for p in pts],
            "o",
            ms=9,
            mfc="none",
            color="C0",
            label=f"gradient-flow limit, λ = {data['lambda']} (exact flow)",
        )
        ax.plot(b, [mid(p["rank_one"]) for p in pts], "s-", ms=4, color="C1", label="rank-one minimum (certified)")
        ax.plot(b, [mid(p["min"]) for p in pts], "^-", ms=5, color="C3", label="true minimum (certified)")
        cx = [(p["b"], float(p["counterexample"])) for p in pts if p["counterexample"]]
        if cx:
            ax.plot(*zip(*cx), "x", color="k", label=f"§3.6 network ({_M} > 0)")
        if data["crossing"]:
            lo, hi = data["crossing"]["b"]
            ax.axvspan(hi, max(b) * 1.02, color="C3", alpha=0.07, lw=0)
            ax.axvline((lo + hi) / 2, color="gray", ls="--", lw=0.8, label=f"{_M} = 0 at b ≈ {(lo + hi) / 2:.6f}")
        ax.set_xlabel("b (data: x₁ = b e₁, x₂,₃ = b e₁ ∓ √b e₂ + e₃; v* = (4/5, 0, 3/5))")
        ax.set_ylabel("‖θ‖²")
        ax.set_title(f"(a) rank-one limit vs true minimum: they part where {_M} > 0", fontsize=9)
        ax.legend(fontsize=7, loc="lower left")
        pos = [(p["M"], 2 - mid(p["min"])) for p in pts if p["M_sign"] > 0]
        if pos:
            ms, gaps = zip(*pos)
            slope = _slope(ms, gaps)
            bx.loglog(ms, gaps, "^-", color="C3", label=f"2‖v*‖ − min ‖θ‖² (certified; fitted slope {slope:.2f})")
            ref = [gaps[-1] * (m / ms[-1]) ** 2 for m in ms]
            bx.loglog(ms, ref, color="k", ls="--", lw=0.8, label="slope 2 (reference)")
        bx.set_xlabel(_M)
        bx.set_ylabel("norm saved by the true minimiser")
        bx.set_title(f"(b) the gap opens with {_M} (points with {_M} > 0)", fontsize=9)
        bx.legend(fontsize=7)
        fig.suptitle(f"Minimum norm vs rank one across {_M} = 0 — Chistikov et al. (2023), Theorem 8", fontsize=10)
        return save(fig, stem)


QUICK_PARAMETERS = {"ts": ("2", "3", "13/4", "7/2", "4", "5"), "lam": "1e-8"}  # about 45 s
FULL = {"ts": ("1", "2", "5/2", "3", "3.1", "3.2", "13/4", "3.3", "7/2", "15/4", "4", "9/2", "5", "6"), "lam": "1e-10"}


FIGURE = Figure(
    "interp_family", "single-neuron", compute, plot, lambda quick: dict(QUICK_PARAMETERS if quick else FULL)
)
