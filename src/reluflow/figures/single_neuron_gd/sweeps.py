"""Figures 1, 7 and 8: final metrics against λ over d or m (Tables 1–12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...experiments.gd import GDConfig
from ...experiments.protocol import QUICK_EXPONENTS, SweepConfig, run_cells
from ...plotting import MplFigure, cm, save, style, subplots
from ._common import FLOAT_FLOOR_DEG, SPIRIT, Progress, _arr, _f


def compute_sweeps(
    *,
    schemes=("centred", "uncentred"),
    ds=(4, 8),
    m: int = 200,
    d: int = 8,
    ms=(25, 50, 200),
    lambda_exponents=QUICK_EXPONENTS,
    trials: int = 5,
    seed: int = 0,
    max_iter: int = 50_000,
    backend: str = "numpy",
    workers: int | None = 1,
    progress: Progress = None,
) -> dict:
    """The λ sweeps of Tables 1–12 for both schemes: over ``ds`` at width ``m`` (Tables 1–6)
    and over ``ms`` at dimension ``d`` (Tables 7–12), every cell run once (the paper's
    m = 200, d = 1024 cell belongs to both), the cells in ``workers`` processes
    (:func:`~reluflow.experiments.protocol.run_cells`): every run's record (metrics, stop
    reason, iterations, seeds)."""
    cells = list(dict.fromkeys([(int(x), int(m)) for x in ds] + [(int(d), int(w)) for w in ms]))
    jobs = [
        (
            SweepConfig(
                scheme, (x,), (w,), tuple(lambda_exponents), trials, seed, GDConfig(max_iter=max_iter, backend=backend)
            ),
            x,
            w,
        )
        for scheme in schemes
        for x, w in cells
    ]
    records = [r for cell in run_cells(jobs, progress, workers) for r in cell]
    return {
        "schemes": list(schemes),
        "ds": list(ds),
        "m": m,
        "d": d,
        "ms": list(ms),
        "lambda_exponents": list(lambda_exponents),
        "trials": trials,
        "max_iter": max_iter,
        "records": [{k: _f(v) for k, v in r.items()} for r in records],
    }


def axis_cells(data: dict, axis: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(ds, ms) of one axis of :func:`compute_sweeps`: over d at its width ("d", Tables
    1–6) or over m at its dimension ("m", Tables 7–12)."""
    if axis == "d":
        return tuple(data["ds"]), (data["m"],)
    return (data["d"],), tuple(data["ms"])


def axis_records(data: dict, axis: str) -> list[dict]:
    """The records of one axis of :func:`compute_sweeps` (its :func:`axis_cells`)."""
    ds, ms = axis_cells(data, axis)
    return [r for r in data["records"] if r["d"] in ds and r["m"] in ms]


def _medians(data: dict, scheme: str, metric: str, key: str, value: int):
    lams, med = [], []
    records = axis_records(data, key)
    for k in data["lambda_exponents"]:
        vals = _arr([r[metric] for r in records if r["scheme"] == scheme and r["lambda_exp4"] == k and r[key] == value])
        vals = vals[np.isfinite(vals)]
        if len(vals):
            lams.append(4.0**k)
            med.append(float(np.median(vals)))
    return np.array(lams), np.array(med)


def _cap_text(data: dict, axis: str) -> str:
    records = axis_records(data, axis)
    capped = sum(r["stop"] == "cap" for r in records)
    return (
        f"median of {data['trials']} trials; {capped} of {len(records)} runs stopped at the cap {data['max_iter']:.0e}"
    )


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
            f"Fig. 1: maximum angle against λ, m = {data['m']} ({_cap_text(data, 'd')}) — {SPIRIT}", fontsize=10
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
        fig.suptitle(f"{title}\n({_cap_text(data, key)}) — {SPIRIT}", fontsize=10)
        return save(fig, stem)


def plot_fig7(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """3 × 2 grid: rows maximum angle, average angle, nuclear norm; columns schemes; lines per d."""
    return _grid(data, stem, "d", data["ds"], "d", f"Fig. 7: Tables 1–6 against λ, m = {data['m']}", fig)


def plot_fig8(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """The Fig. 7 grid over the width m at one d (Tables 7–12)."""
    return _grid(data, stem, "m", data["ms"], "m", f"Fig. 8: Tables 7–12 against λ, d = {data['d']}", fig)
