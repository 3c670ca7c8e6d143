"""Figure (a): E1’s loss against T = t/ln(1/λ) for several λ, with the staircase (R6) and the heteroclinic curves (R7)."""

from __future__ import annotations

import math
import time
from fractions import Fraction
from pathlib import Path

from ...datasets import e1
from ...integrate import solve
from ...plotting import MplFigure, save, style, subplots
from ...theory.orthogonal import predict
from ._common import FLOOR_LOSS, SPIRIT, _at, _colors, _lam_tex, _times


def compute_loss(
    lambdas=("1e-4", "1e-16", "1e-30", "1e-100"), *, samples: int = 300, digits: int = 25, T_max_factor: float = 1.3
) -> dict:
    """E1's loss L(t) against T = t/ln(1/λ) for each λ (engine, run to T_max =
    ``T_max_factor`` · T_slow or a loss of 1e-20), the heteroclinic prediction L(t) of R7
    on the same times and on to T_max, and the λ → 0 staircase of R6."""
    runs = []
    pr = None
    for lam in lambdas:
        t0 = time.perf_counter()
        p = e1(lam)
        pr = predict(p)
        scale = p.log_inv_lambda
        T_slow = float(max(pr.plus.T, pr.minus.T))
        T_max = T_max_factor * T_slow
        tr = solve(p, digits=digits, t_end=Fraction(math.ceil(T_max * scale * 1000), 1000), loss_below="1e-20")
        ts = _times(tr, samples)
        loss = [float(tr.loss_of(_at(tr, t))) for t in ts]
        te = float(tr.t_end)
        tail = (T_max * scale * i / samples for i in range(samples + 1))
        pts = sorted(set(ts) | {t for t in tail if t > te})  # the prediction goes on to T_max
        pred = [float(pr.loss(t)) for t in pts]
        runs.append(
            {
                "lambda": lam,
                "log10_inv_lambda": scale / math.log(10),
                "status": tr.status.value,
                "dps": tr.dps,
                "T": [t / scale for t in ts],
                "loss": loss,
                "pred_T": [t / scale for t in pts],
                "pred_loss": pred,
                "events_T": [float(e.t) / scale for e in tr.events],
                "seconds": time.perf_counter() - t0,
            }
        )
    return {
        "figure": "loss",
        "dataset": "E1",
        "lambdas": list(lambdas),
        "runs": runs,
        "L0": float(pr.L0),
        "L_mid": float(pr.L_mid),
        "fast": pr.fast,
        "T_fast": float(min(pr.plus.T, pr.minus.T)),
        "T_slow": float(max(pr.plus.T, pr.minus.T)),
        "T_max": T_max_factor * float(max(pr.plus.T, pr.minus.T)),
    }


def _staircase(d: dict, bottom: float):
    """The λ → 0 step limit of R6 as a polyline (0 drawn at ``bottom``)."""
    T = [0, d["T_fast"], d["T_fast"], d["T_slow"], d["T_slow"], d["T_max"]]
    L = [d["L0"], d["L0"], d["L_mid"], d["L_mid"], bottom, bottom]
    return T, L


def plot_loss(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Two panels: L on a linear scale (the staircase) and on a log scale (clipped at
    1e-22); engine solid, heteroclinic prediction dashed in the same colour, R6 limit black."""
    with style():
        fig, axes = subplots(1, 2, figsize=(11.5, 4.3), fig=fig)
        colors = _colors(len(data["runs"]))
        for ax, log in zip(axes, (False, True)):
            bottom = FLOOR_LOSS if log else 0.0
            T, L = _staircase(data, bottom)
            ax.plot(T, L, color="black", lw=2.4, alpha=0.35, label=r"$\lambda \to 0$ limit (R6)", zorder=1)
            for run, c in zip(data["runs"], colors):
                clip = (lambda v: max(v, FLOOR_LOSS)) if log else (lambda v: v)
                ax.plot(
                    run["T"],
                    [clip(v) for v in run["loss"]],
                    color=c,
                    lw=3.0,
                    alpha=0.55,
                    label=_lam_tex(run["lambda"]),
                    zorder=2,
                )
                ax.plot(run["pred_T"], [clip(v) for v in run["pred_loss"]], color=c, lw=1.1, ls=(0, (3, 2)), zorder=3)
            ax.set_xlim(0, data["T_max"])
            ax.set_xlabel(r"rescaled time  $T = t\,/\,\ln(1/\lambda)$")
            if log:
                ax.set_yscale("log")
                ax.set_ylim(FLOOR_LOSS, 3 * data["L0"])
                ax.set_title("log scale (clipped at 1e-22)", fontsize=10)
            else:
                ax.set_ylim(-0.03 * data["L0"], 1.08 * data["L0"])
                ax.set_ylabel(r"loss  $L(\theta(t))$")
                ax.set_title("linear scale", fontsize=10)
        axes[0].plot([], [], color="gray", ls=(0, (3, 2)), lw=1.1, label="heteroclinic prediction (R7)")
        axes[0].legend(loc="lower left", fontsize=8.5)
        for T, name in ((data["T_fast"], r"$T_{\rm fast}$"), (data["T_slow"], r"$T_{\rm slow}$")):
            axes[0].annotate(name, (T, 1.08 * data["L0"]), xytext=(3, -12), textcoords="offset points", fontsize=9)
        fig.suptitle(f"E1: loss against rescaled time, engine (wide) and theory (dashed) — {SPIRIT}", fontsize=10.5)
        return save(fig, stem)
