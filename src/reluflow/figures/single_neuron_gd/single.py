"""Figures 3–6: one uncentred run (ν* − ν, alignment, loss and angle, norms), GD and the exact flow."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ...experiments import metrics as M
from ...experiments.exact import exact_flow
from ...experiments.gd import GDConfig, Snapshots, log_iterations, run_gd
from ...experiments.protocol import make_trial
from ...plotting import MplFigure, cm, save, style, subplots
from ._common import GD_ALPHA, GD_LW, SPIRIT, STEP, Progress, _arr, _f, _sample, _say


def _series(trial, a_list, W_list) -> dict:
    """The Figs. 3–6 quantities for a list of states of ``trial``'s network."""
    D = trial.data
    plus = M.active_plus(D.X, trial.z, trial.s)
    _, U = M.eigenbasis(D.X, D.teacher)
    gamma = M.alignment_target(D.X, D.y)
    out = {
        k: []
        for k in (
            "nu_gap",
            "v_norm",
            "v_error",
            "angle_gamma",
            "angle_vstar",
            "chord_gamma",
            "chord_vstar",
            "train",
            "test",
            "max_angle",
            "max_chord",
            "nuclear",
            "theta_sq",
        )
    }
    for a, W in zip(a_list, W_list):
        a, W = np.asarray(a, dtype=float), np.asarray(W, dtype=float)
        if not np.all(np.isfinite(W)):
            for key in out:
                out[key].append(None)
            continue
        v = M.combined_neuron(a, W, plus)
        nv = float(np.linalg.norm(v))
        out["nu_gap"].append(_f(M.nu_gap(v, U, D.teacher)))
        out["v_norm"].append(nv)
        out["v_error"].append(float(np.linalg.norm(D.teacher - v)))
        out["angle_gamma"].append(M.angle(v, gamma) if nv > 0 else None)
        out["angle_vstar"].append(M.angle(v, D.teacher) if nv > 0 else None)
        out["chord_gamma"].append(M.chord_angle(v, gamma, degrees=True) if nv > 0 else None)
        out["chord_vstar"].append(M.chord_angle(v, D.teacher, degrees=True) if nv > 0 else None)
        out["train"].append(M.mse(a, W, D.X, D.y))
        out["test"].append(M.mse(a, W, trial.X_test, trial.y_test))
        out["max_angle"].append(M.max_angle(W, plus))
        out["max_chord"].append(_f(M.max_chord_angle(W, plus)))
        out["nuclear"].append(M.nuclear_norm(W))
        out["theta_sq"].append(M.theta_sq(a, W))
    return out


def compute_single(
    *,
    scheme: str = "uncentred",
    d: int = 16,
    m: int = 25,
    lambda_exp: int = -7,
    seed: int = 0,
    max_iter: int = 100_000,
    backend: str = "numpy",
    exact_t_end: float = 2000.0,
    exact_digits: int = 10,
    exact_points: int = 250,
    progress: Progress = None,
    **_: Any,
) -> dict:
    """One GD run (Figs. 3–6: uncentred, d = 16, m = 25, λ = 4⁻⁷) with its quantities at
    every logging iteration, and the exact flow of the same instance at t = 0.02k."""
    t0 = time.perf_counter()
    trial = make_trial(scheme, d, m, 0, seed)
    lam = 4.0**lambda_exp
    logs = log_iterations(max_iter)
    snaps = Snapshots(1, logs)
    res = run_gd(
        trial.data.X, trial.data.y, [lam], trial.z, trial.s, GDConfig(max_iter=max_iter, backend=backend), observe=snaps
    )
    _say(
        progress,
        f"GD {scheme} d={d} m={m} λ=4^{lambda_exp}: {res.stop[0]} after {res.iterations[0]} iterations, "
        f"{res.seconds:.1f} s",
    )
    gd = _series(trial, snaps.a[:, 0], snaps.W[:, 0])
    ks = _sample(logs, min(int(exact_t_end / STEP), int(res.iterations[0])), exact_points)
    ex = exact_flow(
        trial.data.X, trial.data.y, lam, trial.z, trial.s, t_end=exact_t_end, digits=exact_digits, times=ks * STEP
    )
    _say(
        progress,
        f"exact flow: {ex['status']} at t = {ex['t_end']:.4g}, {ex['steps']} steps, {ex['events']} events, "
        f"solve {ex['solve_seconds']:.1f} s, eval {ex['eval_seconds']:.1f} s",
    )
    eta, _ = M.eigenbasis(trial.data.X, trial.data.teacher)
    return {
        "scheme": scheme,
        "d": d,
        "m": m,
        "lambda_exp4": lambda_exp,
        "max_iter": max_iter,
        "eta": _f(eta),
        "r_plus": int(M.active_plus(trial.data.X, trial.z, trial.s).sum()),
        "stop": str(res.stop[0]),
        "iterations": int(res.iterations[0]),
        "final_loss": _f(res.loss[0]),
        "log_iter": _f(logs),
        "gd": gd,
        "gd_seconds": res.seconds,
        "exact": {
            "k": _f(ks[: len(ex["t"])]),
            "status": ex["status"],
            "t_end": ex["t_end"],
            "steps": ex["steps"],
            "events": ex["events"],
            "digits": exact_digits,
            "solve_seconds": ex["solve_seconds"],
            "eval_seconds": ex["eval_seconds"],
            **_series(trial, ex["a"], ex["W"]),
        },
        "seconds": time.perf_counter() - t0,
    }


def _single_title(data: dict, number: int, what: str) -> str:
    ex = data["exact"]
    return (
        f"Fig. {number}: {what}; {data['scheme']}, d = {data['d']}, m = {data['m']}, λ = 4^{data['lambda_exp4']}\n"
        f"GD {data['stop']} at {data['iterations']} it. (wide) vs exact flow to t = {ex['t_end']:.0f} "
        f"(dashed) — {SPIRIT}"
    )


def _xy(k, v, positive=True):
    k, v = _arr(list(k)), _arr(list(v))
    ok = np.isfinite(v) & (k > 0) & ((v > 0) if positive else True)
    return k[ok], v[ok]


def plot_fig3(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """arsinh((ν*_k − ν_k)/1e-5) against the iteration, one curve per eigenvalue (largest
    first): GD (left) and the exact flow (right)."""
    with style():
        fig, axes = subplots(1, 2, figsize=(12, 4.3), sharey=True, fig=fig)
        d = data["d"]
        colors = cm.viridis(np.linspace(0, 0.9, d))
        for ax, src, k_all in ((axes[0], data["gd"], data["log_iter"]), (axes[1], data["exact"], data["exact"]["k"])):
            k_all = _arr(list(k_all))
            gaps = np.array(
                [[np.nan] * d if g is None else [np.nan if x is None else x for x in g] for g in src["nu_gap"]]
            )
            for i in range(d):
                ok = np.isfinite(gaps[:, i]) & (k_all > 0)
                ax.plot(
                    k_all[ok],
                    np.arcsinh(gaps[ok, i] / 1e-5),
                    color=colors[i],
                    lw=1.2,
                    label=f"k = {i + 1}" if i in (0, d - 1) else None,
                )
            ax.set_xscale("log")
            ax.axhline(0, color="k", lw=0.5)
            ax.set_xlabel("iteration k (exact: t/0.02)")
        axes[0].set_ylabel(r"arsinh$((\nu^*_k - \nu_k)/10^{-5})$")
        axes[0].set_title("GD, float64", fontsize=9)
        axes[1].set_title(f"exact gradient flow ({data['exact']['status']})", fontsize=9)
        axes[0].legend(fontsize=7.5, title="eigenvalue order", title_fontsize=7.5)
        fig.suptitle(_single_title(data, 3, "eigen-coordinates of v* − v"), fontsize=9, y=1.04)
        return save(fig, stem)


def plot_fig4(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """‖v‖, ‖v* − v‖, ∠(v, γ) and ∠(v, v*) (degrees), log–log; GD solid (clamp-arccos), exact
    dashed (chord angles)."""
    with style():
        fig, axes = subplots(1, 2, figsize=(12, 4.3), fig=fig)
        g, e, k, ke = data["gd"], data["exact"], data["log_iter"], data["exact"]["k"]
        for key, ekey, c, label, ax in (
            ("v_norm", "v_norm", "C0", r"$\|v\|$", axes[0]),
            ("v_error", "v_error", "C1", r"$\|v^* - v\|$", axes[0]),
            ("angle_gamma", "chord_gamma", "C2", r"$\angle(v, \gamma_{[n]})$", axes[1]),
            ("angle_vstar", "chord_vstar", "C3", r"$\angle(v, v^*)$", axes[1]),
        ):
            ax.loglog(*_xy(k, g[key]), color=c, lw=GD_LW, alpha=GD_ALPHA, label=label)
            ax.loglog(*_xy(ke, e[ekey]), color=c, ls="--", lw=1.1)
        axes[0].set_title("norms", fontsize=9)
        axes[1].set_title("angles (degrees)", fontsize=9)
        axes[0].plot([], [], "k--", lw=1.1, label="exact flow")
        for ax in axes:
            ax.set_xlabel("iteration k (exact: t/0.02)")
            ax.legend(fontsize=7.5)
        fig.suptitle(_single_title(data, 4, "alignment, then approach to v*"), fontsize=9, y=1.04)
        return save(fig, stem)


def _matched(data: dict, key: str) -> tuple[np.ndarray, np.ndarray]:
    """|GD − exact|/|exact| of ``key`` at the iterations where the exact flow was evaluated."""
    k_gd = _arr(data["log_iter"])
    k_ex = np.rint(_arr(data["exact"]["k"]))
    idx = np.minimum(np.searchsorted(k_gd, k_ex), len(k_gd) - 1)
    ok = (k_gd[idx] == k_ex) & (k_ex > 0)
    idx, k_ex = idx[ok], k_ex[ok]
    g, e = _arr(data["gd"][key])[idx], _arr(data["exact"][key])[ok]
    rel = np.abs(g - e) / np.abs(e)
    good = np.isfinite(rel) & (rel > 0)
    return k_ex[good], rel[good]


def plot_fig5(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Training loss 2L and maximum angle in J_+ (degrees), log and linear x, log y (GD
    clamp-arccos wide, GD chord dotted, exact flow dashed); third panel: what the finite
    step and float64 change, |GD − exact|/|exact| of the loss, ‖v‖ and ‖W‖_*."""
    with style():
        fig, axes = subplots(1, 3, figsize=(16, 4.3), fig=fig)
        g, e, k, ke = data["gd"], data["exact"], data["log_iter"], data["exact"]["k"]
        for ax, logx in zip(axes[:2], (True, False)):
            ax.plot(*_xy(k, g["train"]), color="C0", lw=GD_LW, alpha=GD_ALPHA, label="training loss 2L")
            ax.plot(*_xy(ke, e["train"]), color="C0", ls="--", lw=1.1)
            ax.plot(
                *_xy(k, g["max_angle"]),
                color="C3",
                lw=GD_LW,
                alpha=GD_ALPHA,
                label="max angle in $J_+$ (°), clamp-arccos",
            )
            ax.plot(*_xy(k, g["max_chord"]), color="C3", ls=":", lw=1, label="max angle, chord formula")
            ax.plot(*_xy(ke, e["max_chord"]), color="C3", ls="--", lw=1.1)
            ax.set_yscale("log")
            if logx:
                ax.set_xscale("log")
            ax.set_xlabel("iteration k (exact: t/0.02)")
        axes[0].plot([], [], "k--", lw=1.1, label="exact flow")
        axes[0].legend(fontsize=7.5)
        for key, c, label in (
            ("train", "C0", "loss 2L"),
            ("v_norm", "C2", r"$\|v\|$"),
            ("nuclear", "C4", r"$\|W\|_*$"),
        ):
            axes[2].loglog(*_matched(data, key), color=c, label=label)
        axes[2].set_title("GD against the exact flow: relative difference", fontsize=9)
        axes[2].set_xlabel("iteration k = t/0.02")
        axes[2].legend(fontsize=7.5)
        fig.suptitle(
            _single_title(data, 5, "the loss converges, the angle stays positive (Ex. 35)"), fontsize=9, y=1.04
        )
        return save(fig, stem)


def plot_fig6(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """‖W‖_* and ‖θ‖² against the iteration (log x), with their λ → 0 limits 1 and 2."""
    with style():
        fig, ax = subplots(figsize=(8.5, 4.6), fig=fig)
        g, e, k, ke = data["gd"], data["exact"], data["log_iter"], data["exact"]["k"]
        ax.plot(*_xy(k, g["nuclear"]), color="C0", lw=GD_LW, alpha=GD_ALPHA, label=r"$\|W\|_*$")
        ax.plot(*_xy(ke, e["nuclear"]), color="C0", ls="--", lw=1.1)
        ax.plot(*_xy(k, g["theta_sq"]), color="C1", lw=GD_LW, alpha=GD_ALPHA, label=r"$\|\theta\|^2$")
        ax.plot(*_xy(ke, e["theta_sq"]), color="C1", ls="--", lw=1.1)
        for level in (1, 2):
            ax.axhline(level, color="gray", ls=":", lw=1)
        ax.plot([], [], "k--", lw=1.1, label="exact flow")
        ax.set_xscale("log")
        ax.set_xlabel("iteration k (exact: t/0.02)")
        ax.legend(fontsize=8)
        fig.suptitle(_single_title(data, 6, "norms rise at escape towards 1 and 2"), fontsize=8.5, y=1.04)
        return save(fig, stem)
