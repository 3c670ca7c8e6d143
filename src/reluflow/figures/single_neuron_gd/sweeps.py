"""Figures 1, 7 and 8: final metrics against λ over d or m (Tables 1–12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...experiments.gd import GDConfig
from ...experiments.protocol import QUICK_EXPONENTS, SweepConfig, run_sweep
from ...plotting import MplFigure, cm, save, style, subplots
from ._common import FLOAT_FLOOR_DEG, SPIRIT, Progress, _arr, _f


def compute_sweeps(
    *,
    axis: str = "d",
    schemes=("centred", "uncentred"),
    ds=(4, 16),
    ms=(200,),
    lambda_exponents=QUICK_EXPONENTS,
    trials: int = 2,
    seed: int = 0,
    max_iter: int = 50_000,
    backend: str = "numpy",
    progress: Progress = None,
) -> dict:
    """The λ sweeps of Tables 1–6 (``axis="d"``) or 7–12 (``axis="m"``) for both schemes:
    every run's record (metrics, stop reason, iterations, seeds)."""
    records = []
    for scheme in schemes:
        cfg = SweepConfig(
            scheme,
            tuple(ds),
            tuple(ms),
            tuple(lambda_exponents),
            trials,
            seed,
            GDConfig(max_iter=max_iter, backend=backend),
        )
        records += run_sweep(cfg, progress)
    return {
        "axis": axis,
        "schemes": list(schemes),
        "ds": list(ds),
        "ms": list(ms),
        "lambda_exponents": list(lambda_exponents),
        "trials": trials,
        "max_iter": max_iter,
        "records": [{k: _f(v) for k, v in r.items()} for r in records],
    }


def _medians(data: dict, scheme: str, metric: str, key: str, value: int):
    lams, med = [], []
    for k in data["lambda_exponents"]:
        vals = _arr(
            [r[metric] for r in data["records"] if r["scheme"] == scheme and r["lambda_exp4"] == k and r[key] == value]
        )
        vals = vals[np.isfinite(vals)]
        if len(vals):
            lams.append(4.0**k)
            med.append(float(np.median(vals)))
    return np.array(lams), np.array(med)


def _cap_text(data: dict) -> str:
    return f"median of {data['trials']} trials, cap {data['max_iter']:.0e} iterations"


def plot_fig1(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Final maximum angle (degrees) against λ, log–log, one panel per scheme, one line per d;
    thin dashed: the floor-free chord angle; dotted: the float64 clamp-arccos floor."""
    with style():
        fig, axes = subplots(1, 2, figsize=(11, 4.2), sharey=True, fig=fig)
        colors = cm.viridis(np.linspace(0, 0.85, len(data["ds"])))
        for ax, scheme in zip(axes, data["schemes"]):
            for d, c in zip(data["ds"], colors):
                lam, med = _medians(data, scheme, "max_angle", "d", d)
                ok = med > 0
                ax.loglog(lam[ok], med[ok], "o-", color=c, label=f"d = {d}")
                lam, med = _medians(data, scheme, "max_chord_angle", "d", d)
                ok = med > 0
                ax.loglog(lam[ok], med[ok], "--", color=c, lw=0.8)
            ax.axhline(FLOAT_FLOOR_DEG, color="gray", ls=":", lw=1)
            ax.set_xlabel(r"initialisation scale $\lambda$")
            ax.set_title(f"{scheme} data", fontsize=10)
        axes[0].set_ylabel("final maximum angle in $J_+$ (degrees)")
        axes[0].plot([], [], "k--", lw=0.8, label="chord angle (no float floor)")
        axes[0].plot([], [], color="gray", ls=":", label="float64 clamp-arccos floor")
        handles, labels = axes[0].get_legend_handles_labels()  # below the panels, clear of the data
        fig.legend(
            handles, labels, fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(labels), 6)
        )
        fig.suptitle(
            f"Fig. 1: maximum angle against λ, m = {data['ms'][0]} ({_cap_text(data)}) — {SPIRIT}", fontsize=10
        )
        return save(fig, stem)


def _grid(data: dict, stem, key: str, values: list[int], label: str, title: str, fig: MplFigure | None) -> MplFigure:
    with style():
        fig, axes = subplots(3, 2, figsize=(10, 10.5), sharex=True, fig=fig)
        colors = cm.viridis(np.linspace(0, 0.85, len(values)))
        rows = (
            ("max_angle", "maximum angle (°)", True),
            ("average_angle", "average angle (°)", True),
            ("nuclear_norm", r"nuclear norm $\|W\|_*$ (limit 1)", True),
        )
        for i, (metric, ylabel, logy) in enumerate(rows):
            for j, scheme in enumerate(data["schemes"]):
                ax = axes[i, j]
                for v, c in zip(values, colors):
                    lam, med = _medians(data, scheme, metric, key, v)
                    ok = med > 0 if logy else np.isfinite(med)
                    ax.plot(lam[ok], med[ok], "o-", color=c, label=f"{label} = {v}")
                ax.set_xscale("log")
                ax.set_yscale("log")
                if metric == "nuclear_norm":
                    ax.axhline(1.0, color="gray", ls=":", lw=1)
                ax.set_title(f"Table {2 * i + j + (1 if key == 'd' else 7)}: {scheme}", fontsize=9)
                if j == 0:
                    ax.set_ylabel(ylabel)
                if i == 2:
                    ax.set_xlabel(r"$\lambda$")
        axes[0, 0].legend(fontsize=7.5)
        fig.suptitle(f"{title} ({_cap_text(data)}) — {SPIRIT}", fontsize=10)
        return save(fig, stem)


def plot_fig7(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """3 × 2 grid: rows maximum angle, average angle, nuclear norm; columns schemes; lines per d."""
    return _grid(data, stem, "d", data["ds"], "d", f"Fig. 7: Tables 1–6 against λ, m = {data['ms'][0]}", fig)


def plot_fig8(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """The Fig. 7 grid over the width m at one d (Tables 7–12)."""
    return _grid(data, stem, "m", data["ms"], "m", f"Fig. 8: Tables 7–12 against λ, d = {data['ds'][0]}", fig)
