"""Exact-flow figure for the single-neuron paper (Chistikov, Englert & Lazić 2023) on the
fixture SN1: (a) the loss for several λ against the reduced phase-2 model shifted by the D3
escape time, (b) the final bundle angle against λ, computed in arbitrary precision far
below float64's clamp-arccos floor (≈ 8.5e-7°), with the D5 slope 1.

Compute (JSON-ready dict) and plot are separate; ``make`` runs both.

>>> data = compute(lambdas=("1e-4",), angle_lambdas=("1e-2", "1e-4"), samples=20)
>>> data["angle"]["slope"] > 0.9
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

from ..datasets import sn1
from ..integrate import solve
from ..plotting import MplFigure, cm, save, style, subplots
from ..summary import angle_gap
from ..theory import single_neuron as theory
from .protocol import QUICK, Figure

__all__ = ["FIGURE", "compute", "parameters", "plot"]

FLOAT_FLOOR_DEG = math.degrees(math.acos(1 - 2.0**-53))  # smallest non-zero clamp-arccos angle


def _run(p, power: float):
    """The prediction, and the flow at p's λ standing for t = ∞ for effects of size λ^power."""
    pr = theory.predict(p, dps=30)
    return pr, solve(p, max_steps=10**6, **pr.limit_options(power))


def compute(
    lambdas=("1e-5", "1e-10", "1e-20", "1e-30"),
    angle_lambdas=("1e-2", "1e-3", "1e-5", "1e-8", "1e-12", "1e-20", "1e-30"),
    *,
    samples: int = 300,
) -> dict:
    """Loss curves (engine and reduced model) and final bundle angles of SN1."""
    curves = []
    for lam in lambdas:
        pr, tr = _run(sn1(lam), 0.5)
        hi = min(float(tr.t_end) * (1 - 1e-12), float(pr.t_escape) + 25)  # float rounding never passes t_end
        ts = [hi * k / samples for k in range(samples + 1)]
        loss = [float(tr.loss(t)) for t in ts]
        lo_red = float(pr.t_escape - pr._reduced().shift)  # the reference run starts there
        pred = [float(pr.reduced_loss_at(t)) if t > lo_red else None for t in ts]
        curves.append(
            {
                "lambda": lam,
                "t": ts,
                "loss": loss,
                "reduced": pred,
                "t_escape": float(pr.t_escape),
                "T1": float(pr.T1),
                "T2": float(pr.T2),
            }
        )
    angles = []
    for lam in angle_lambdas:
        pr, tr = _run(sn1(lam), 1.0)
        ctx, st = tr.ctx, tr.final_state
        J = pr.J_plus
        gap = max(angle_gap(ctx, st.W[a], st.W[b]) for a in J for b in J if a < b)
        angles.append(float(ctx.degrees(2 * ctx.asin(ctx.sqrt(2 * gap) / 2))))
    xs = [math.log(Fraction(v).numerator) - math.log(Fraction(v).denominator) for v in angle_lambdas]
    ys = [math.log(a) for a in angles]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return {"curves": curves, "angle": {"lambda": list(angle_lambdas), "degrees": angles, "slope": slope}}


def plot(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Two panels: loss against t with the reduced model (dashed); final angle against λ."""
    with style():
        fig, (ax, bx) = subplots(1, 2, figsize=(11, 4), fig=fig)
        colors = cm.viridis([i / max(1, len(data["curves"]) - 1) * 0.85 for i in range(len(data["curves"]))])
        for c, col in zip(data["curves"], colors):
            ax.semilogy(c["t"], c["loss"], color=col, lw=1.6, label=f"λ = {c['lambda']} (exact flow)")
            pts = [(t, v) for t, v in zip(c["t"], c["reduced"]) if v is not None and v > 0]
            ax.semilogy([t for t, _ in pts], [v for _, v in pts], color="k", ls="--", lw=0.8)
            ax.axvline(c["T2"], color=col, ls=":", lw=0.8)
        ax.plot([], [], color="k", ls="--", lw=0.8, label="reduced model shifted by D3 (D4)")
        ax.plot([], [], color="gray", ls=":", lw=0.8, label="predicted T2")
        ax.set_xlabel("t (flow time; GD iteration k ↔ t = 0.02k)")
        ax.set_ylabel("L(θ(t))")
        ax.set_title("(a) loss: plateau, escape at T2, exponential fit", fontsize=9)
        ax.legend(fontsize=7, loc="lower left")
        a = data["angle"]
        lams = [float(Fraction(v)) for v in a["lambda"]]
        bx.loglog(lams, a["degrees"], "o-", color="C3", label=f"exact flow, chord angle (slope {a['slope']:.3f})")
        ref = [a["degrees"][0] * (lam / lams[0]) for lam in lams]
        bx.loglog(lams, ref, color="k", ls="--", lw=0.8, label="slope 1 (D5)")
        bx.axhline(FLOAT_FLOOR_DEG, color="gray", ls=":", lw=1, label="float64 clamp-arccos floor ≈ 8.5e-7°")
        bx.set_xlabel("λ")
        bx.set_ylabel("final maximum angle in J₊ (degrees)")
        bx.set_title("(b) final angle against λ, below the float floor", fontsize=9)
        bx.legend(fontsize=7)
        fig.suptitle(
            f"SN1 (d = n = 3, m = 6), exact gradient flow: loss at λ = {', '.join(c['lambda'] for c in data['curves'])}, "
            f"angles at {len(lams)} λ — in the spirit of Chistikov et al. (2023)",
            fontsize=10,
        )
        return save(fig, stem)


def parameters(quick: bool = QUICK) -> dict:
    """The quick version: fewer λ (seconds); the full one: four loss curves, seven angles."""
    if quick:
        return {"lambdas": ["1e-5", "1e-20"], "angle_lambdas": ["1e-2", "1e-4", "1e-8"], "samples": 120}
    return {
        "lambdas": ["1e-5", "1e-10", "1e-20", "1e-30"],
        "angle_lambdas": ["1e-2", "1e-3", "1e-5", "1e-8", "1e-12", "1e-20", "1e-30"],
        "samples": 300,
    }


FIGURE = Figure("sn_exact", "single-neuron", compute, plot, parameters)
