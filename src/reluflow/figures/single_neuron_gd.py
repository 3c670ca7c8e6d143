"""Figures 1–11 of Chistikov, Englert & Lazić (2023), §8 and Apps. H–I (spec
``single_neuron.md`` §6.2), from the float64 GD protocol of :mod:`reluflow.experiments`;
in the spirit of the paper: its seeds and exact ρ grid are unknown, and the quick versions
use small sizes and low iteration caps (written in every title).

Each figure has a compute step (JSON-ready dict, cached under the output folder while the
package version and the parameters are unchanged; figures that share a computation share
its cache) and a pure plot step writing PDF + PNG:

=====  ==========================================  =======================
fig    content                                     computation
=====  ==========================================  =======================
1      final maximum angle vs λ, per scheme        ``sweep_d`` (Tables 1–2)
2      training / test loss, centred, λ sweep      ``curves_centred``
3–6    one uncentred run: ν* − ν, alignment,       ``single``
       loss and angle, ‖W‖_* and ‖θ‖²
7      3 × 2 grid of Tables 1–6                    ``sweep_d``
8      the same over m (Tables 7–12)               ``sweep_m``
9      as 2, uncentred                             ``curves_uncentred``
10     two teachers: bundle angles vs ρ            ``two_sweep``
11     one two-teacher run: two loss drops         ``two_run``
=====  ==========================================  =======================

Figures 2–6 and 9 carry the **exact gradient flow** (:func:`reluflow.solve`) of a GD
instance next to GD, with iteration k ↔ flow time 0.02·k: the float64 arrays are passed
at their exact binary values, with the float64 labels y (the exact σ(⟨v*, x⟩) of the
rounded teacher would differ in the last bits).  Where the instance is too large for the
exact engine (m = 200 takes more than 10 minutes at d = 16), a smaller instance of the same
scheme (d = 8, m = 10) is solved and its GD run drawn beside it; the titles say which.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..experiments import metrics as M
from ..experiments.data import RHO, balanced_init, gaussian_inputs, two_teachers
from ..experiments.exact import exact_flow
from ..experiments.gd import GDConfig, Snapshots, log_iterations, run_gd
from ..experiments.protocol import FULL_EXPONENTS, QUICK_EXPONENTS, SweepConfig, make_trial, run_sweep, trial_rng
from ..plotting import STYLE, cached, plt, save

__all__ = [
    "COMPUTE",
    "FIGURES",
    "STEMS",
    "compute_curves",
    "compute_single",
    "compute_sweeps",
    "compute_two_run",
    "compute_two_sweep",
    "make",
    "parameters",
    "script_main",
]

SPIRIT = "in the spirit of Chistikov et al. (2023)"
STEP = 0.02  # flow time per GD iteration (learning rate 0.01 on the MSE-mean = 2L)
FLOAT_FLOOR_DEG = math.degrees(math.acos(1 - 2.0**-53))  # smallest non-zero clamp-arccos angle, ≈ 8.5e-7°
Progress = Callable[[str], None] | None
GD_LW, GD_ALPHA = 3.0, 0.45  # GD drawn wide and light, the exact flow thin and dashed on top


def _say(progress: Progress, msg: str) -> None:
    if progress is not None:
        progress(msg)


def _f(v: Any) -> Any:
    """JSON-ready: NaN and ±inf become None, numpy scalars plain floats."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_f(x) for x in v]
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(v) else None
    return v


def _arr(v: list) -> np.ndarray:
    return np.array([np.nan if x is None else x for x in v], dtype=float)


def _sample(iters: np.ndarray, upto: int, count: int) -> np.ndarray:
    """At most ``count`` of the logging iterations ≤ ``upto``, spread evenly in index."""
    ks = iters[iters <= upto]
    if len(ks) <= count:
        return ks
    return ks[np.unique(np.rint(np.linspace(0, len(ks) - 1, count)).astype(int))]


# ----------------------------------------------------------------------------- sweeps (figs 1, 7, 8)


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


def plot_fig1(data: dict, stem: str | Path) -> list[Path]:
    """Final maximum angle (degrees) against λ, log–log, one panel per scheme, one line per d;
    thin dashed: the floor-free chord angle; dotted: the float64 clamp-arccos floor."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
        colors = plt.cm.viridis(np.linspace(0, 0.85, len(data["ds"])))
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
        axes[0].legend(fontsize=7.5)
        fig.suptitle(
            f"Fig. 1: maximum angle against λ, m = {data['ms'][0]} ({_cap_text(data)}) — {SPIRIT}", fontsize=10
        )
        return save(fig, stem)


def _grid(data: dict, stem: str | Path, key: str, values: list[int], label: str, title: str) -> list[Path]:
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(3, 2, figsize=(10, 10.5), sharex=True)
        colors = plt.cm.viridis(np.linspace(0, 0.85, len(values)))
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


def plot_fig7(data: dict, stem: str | Path) -> list[Path]:
    """3 × 2 grid: rows maximum angle, average angle, nuclear norm; columns schemes; lines per d."""
    return _grid(data, stem, "d", data["ds"], "d", f"Fig. 7: Tables 1–6 against λ, m = {data['ms'][0]}")


def plot_fig8(data: dict, stem: str | Path) -> list[Path]:
    """The Fig. 7 grid over the width m at one d (Tables 7–12)."""
    return _grid(data, stem, "m", data["ms"], "m", f"Fig. 8: Tables 7–12 against λ, d = {data['ds'][0]}")


# ----------------------------------------------------------------------------- loss curves (figs 2, 9)


def _curves_run(trial, exps, max_iter, backend):
    """GD on ``trial`` for λ = 4^k, k in ``exps``, with the test loss at every logging point."""
    lams = np.array([4.0**k for k in exps])
    logs = log_iterations(max_iter)
    test = np.full((len(lams), len(logs)), np.nan)
    row = {int(k): i for i, k in enumerate(logs)}

    def observe(k, members, a, W):
        test[members, row[int(k)]] = M.mse(a, W, trial.X_test, trial.y_test)

    res = run_gd(
        trial.data.X,
        trial.data.y,
        lams,
        trial.z,
        trial.s,
        GDConfig(max_iter=max_iter, backend=backend),
        observe=observe,
    )
    return res, test


def compute_curves(
    *,
    scheme: str = "centred",
    d: int = 16,
    m: int = 200,
    lambda_exponents=tuple(range(-2, -9, -1)),
    seed: int = 0,
    max_iter: int = 100_000,
    backend: str = "numpy",
    exact_d: int = 8,
    exact_m: int = 10,
    exact_exponents=(-2, -5, -8),
    exact_t_end: float = 2000.0,
    exact_digits: int = 10,
    exact_points: int = 150,
    progress: Progress = None,
    **_: Any,
) -> dict:
    """Training loss (2L) and test loss against the iteration for a λ sweep on one trial
    (Figs. 2, 9), and the exact flow of an instance of the same scheme (the same one when
    (exact_d, exact_m) = (d, m)) next to its GD run."""
    t0 = time.perf_counter()
    trial = make_trial(scheme, d, m, 0, seed)
    res, test = _curves_run(trial, lambda_exponents, max_iter, backend)
    _say(progress, f"GD {scheme} d={d} m={m}: {res.batch} runs, {res.updates} iterations, {res.seconds:.1f} s")
    out = {
        "scheme": scheme,
        "d": d,
        "m": m,
        "max_iter": max_iter,
        "log_iter": _f(res.log_iter),
        "runs": [
            {
                "lambda_exp4": k,
                "train": _f(res.log_loss[i]),
                "test": _f(test[i]),
                "stop": str(res.stop[i]),
                "iterations": int(res.iterations[i]),
                "final_loss": _f(res.loss[i]),
            }
            for i, k in enumerate(lambda_exponents)
        ],
        "gd_seconds": res.seconds,
    }
    same = (exact_d, exact_m) == (d, m)
    etrial = trial if same else make_trial(scheme, exact_d, exact_m, 0, seed)
    if same and set(exact_exponents) <= set(lambda_exponents):  # the GD runs are already there
        e_iter = res.log_iter
        e_loss = res.log_loss[[list(lambda_exponents).index(k) for k in exact_exponents]]
    else:
        eres, _ = _curves_run(etrial, exact_exponents, max_iter, backend)
        e_iter, e_loss = eres.log_iter, eres.log_loss
    exact = []
    for i, k in enumerate(exact_exponents):
        ks = _sample(e_iter, int(exact_t_end / STEP), exact_points)
        ex = exact_flow(
            etrial.data.X,
            etrial.data.y,
            4.0**k,
            etrial.z,
            etrial.s,
            t_end=exact_t_end,
            digits=exact_digits,
            times=ks * STEP,
        )
        loss = [M.mse(np.array(a), np.array(W), etrial.data.X, etrial.data.y) for a, W in zip(ex["a"], ex["W"])]
        _say(
            progress,
            f"exact flow {scheme} d={exact_d} m={exact_m} λ=4^{k}: {ex['status']}, {ex['steps']} steps, "
            f"{ex['events']} events, solve {ex['solve_seconds']:.1f} s, eval {ex['eval_seconds']:.1f} s",
        )
        exact.append(
            {
                "lambda_exp4": k,
                "gd_iter": _f(e_iter),
                "gd_train": _f(e_loss[i]),
                "t": ex["t"],
                "loss": _f(loss),
                "status": ex["status"],
                "steps": ex["steps"],
                "events": ex["events"],
                "solve_seconds": ex["solve_seconds"],
                "eval_seconds": ex["eval_seconds"],
            }
        )
    out["exact"] = {
        "same_instance": same,
        "d": exact_d,
        "m": exact_m,
        "t_end": exact_t_end,
        "digits": exact_digits,
        "runs": exact,
    }
    out["seconds"] = time.perf_counter() - t0
    return out


def _lam_label(k: int) -> str:
    return rf"$\lambda = 4^{{{k}}}$"


def plot_curves(data: dict, stem: str | Path, number: int) -> list[Path]:
    """(a) training loss, log–log; (b) test loss, linear x, log y; (c) GD against the exact
    flow (dashed) on the exact-flow instance, iteration k ↔ t = 0.02k."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
        it = _arr(data["log_iter"])
        colors = plt.cm.viridis(np.linspace(0, 0.85, len(data["runs"])))
        for run, c in zip(data["runs"], colors):
            tr, te = _arr(run["train"]), _arr(run["test"])
            ok = np.isfinite(tr) & (it > 0)
            axes[0].loglog(it[ok], tr[ok], color=c, label=_lam_label(run["lambda_exp4"]))
            ok = np.isfinite(te)
            axes[1].semilogy(it[ok], te[ok], color=c)
        axes[0].set_title("(a) training loss 2L", fontsize=9)
        axes[1].set_title("(b) test loss (MSE on 4n Gaussian points)", fontsize=9)
        for ax in axes[:2]:
            ax.set_xlabel("iteration")
        axes[0].legend(fontsize=7.5)
        ex = data["exact"]
        ecolors = plt.cm.plasma(np.linspace(0, 0.8, len(ex["runs"])))
        for run, c in zip(ex["runs"], ecolors):
            gi, gl = _arr(run["gd_iter"]), _arr(run["gd_train"])
            ok = np.isfinite(gl) & (gi > 0)
            axes[2].loglog(
                gi[ok], gl[ok], color=c, lw=GD_LW, alpha=GD_ALPHA, label=_lam_label(run["lambda_exp4"]) + " GD"
            )
            t, l = np.array(run["t"]) / STEP, _arr(run["loss"])
            ok = np.isfinite(l) & (t > 0) & (l > 0)
            status = "" if run["status"] in ("t_end", "loss_below") else f" ({run['status']})"
            axes[2].loglog(t[ok], l[ok], color=c, ls="--", lw=1.1, label=f"exact flow{status}" if status else None)
        axes[2].plot([], [], "k--", lw=1.1, label=f"exact flow, t = 0.02k (to t = {ex['t_end']:.0f})")
        where = "same instance" if ex["same_instance"] else f"smaller instance d = {ex['d']}, m = {ex['m']}"
        axes[2].set_title(f"(c) GD vs exact gradient flow ({where})", fontsize=9)
        axes[2].set_xlabel("iteration k")
        axes[2].legend(fontsize=7)
        fig.suptitle(
            f"Fig. {number}: {data['scheme']} data, d = {data['d']}, m = {data['m']}, cap "
            f"{data['max_iter']:.0e} — {SPIRIT}",
            fontsize=10,
        )
        return save(fig, stem)


# ----------------------------------------------------------------------------- one run (figs 3–6)


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


def plot_fig3(data: dict, stem: str | Path) -> list[Path]:
    """arsinh((ν*_k − ν_k)/1e-5) against the iteration, one curve per eigenvalue (largest
    first): GD (left) and the exact flow (right)."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.3), sharey=True)
        d = data["d"]
        colors = plt.cm.viridis(np.linspace(0, 0.9, d))
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


def plot_fig4(data: dict, stem: str | Path) -> list[Path]:
    """‖v‖, ‖v* − v‖, ∠(v, γ) and ∠(v, v*) (degrees), log–log; GD solid (clamp-arccos), exact
    dashed (chord angles)."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.3))
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


def plot_fig5(data: dict, stem: str | Path) -> list[Path]:
    """Training loss 2L and maximum angle in J_+ (degrees), log and linear x, log y (GD
    clamp-arccos wide, GD chord dotted, exact flow dashed); third panel: what the finite
    step and float64 change, |GD − exact|/|exact| of the loss, ‖v‖ and ‖W‖_*."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(16, 4.3))
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


def plot_fig6(data: dict, stem: str | Path) -> list[Path]:
    """‖W‖_* and ‖θ‖² against the iteration (log x), with their λ → 0 limits 1 and 2."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 4.6))
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


# ----------------------------------------------------------------------------- two teachers (figs 10, 11)


def _two_trial(d, m, trial, seed, rho, scheme):
    """Two-teacher data at ρ from the trial's data stream (the same draws, scaled by √ρ, for
    every ρ: common random numbers), and the trial's unscaled init."""
    code = "two_teachers_" + scheme
    data = two_teachers(d, trial_rng(seed, "data", code, d, 0, trial), rho=rho, scheme=scheme)
    z, s = balanced_init(m, d, trial_rng(seed, "init", code, d, m, trial))
    return data, z, s


def compute_two_sweep(
    *,
    d: int = 16,
    m: int = 25,
    lambda_exp: int = -7,
    rhos=(1 / 16, 1 / 4, 1.0, 4.0, 16.0, 64.0, 256.0),
    trials: int = 3,
    seed: int = 0,
    max_iter: int = 50_000,
    backend: str = "numpy",
    scheme: str = "centred",
    exact_d: int | None = None,
    exact_m: int | None = None,
    exact_t_end: float = 1000.0,
    exact_digits: int = 10,
    exact_max_rho: float | None = None,
    progress: Progress = None,
    **_: Any,
) -> dict:
    """Fig. 10: final maximum angle within the positive (J_+) and within the negative (J_−)
    neurons (grouped by output sign, as the official script does) against ρ; all trials × ρ
    in one batch; and the exact gradient flow of trial 0 at every ρ (two teachers violate
    the single-neuron assumptions: the flow slides, :mod:`reluflow.integrate.sliding`)."""
    members = [(t, rho) for t in range(trials) for rho in rhos]
    built = [_two_trial(d, m, t, seed, rho, scheme) for t, rho in members]
    res = run_gd(
        np.stack([b[0].X for b in built]),
        np.stack([b[0].y for b in built]),
        [4.0**lambda_exp] * len(built),
        np.stack([b[1] for b in built]),
        np.stack([b[2] for b in built]),
        GDConfig(max_iter=max_iter, backend=backend),
    )
    _say(progress, f"GD two teachers d={d} m={m}: {res.batch} runs, {res.updates} iterations, {res.seconds:.1f} s")
    runs = []
    for i, ((t, rho), (data, z, s)) in enumerate(zip(members, built)):
        plus, minus = M.active_plus(data.X, z, s), M.active_minus(data.X, z, s)
        runs.append(
            {
                "trial": t,
                "rho": rho,
                "stop": str(res.stop[i]),
                "iterations": int(res.iterations[i]),
                "final_loss": _f(res.loss[i]),
                "max_angle_plus": _f(M.max_angle(res.W[i], plus)),
                "max_angle_minus": _f(M.max_angle(res.W[i], minus)),
                "r_plus": int(plus.sum()),
                "r_minus": int(minus.sum()),
            }
        )
    exact = _two_sweep_exact(
        d,
        m,
        lambda_exp,
        rhos,
        seed,
        scheme,
        max_iter,
        backend,
        res,
        built,
        exact_d,
        exact_m,
        exact_t_end,
        exact_digits,
        exact_max_rho,
        progress,
    )
    return {
        "d": d,
        "m": m,
        "lambda_exp4": lambda_exp,
        "rhos": list(rhos),
        "trials": trials,
        "max_iter": max_iter,
        "scheme": scheme,
        "runs": runs,
        "gd_seconds": res.seconds,
        "exact": exact,
    }


def _group_angles(X, z, s, W, angle=M.max_angle) -> tuple[Any, Any]:
    plus, minus = M.active_plus(X, z, s), M.active_minus(X, z, s)
    return _f(angle(W, plus)), _f(angle(W, minus))


def _two_sweep_exact(
    d,
    m,
    lambda_exp,
    rhos,
    seed,
    scheme,
    max_iter,
    backend,
    res,
    built,
    exact_d,
    exact_m,
    exact_t_end,
    exact_digits,
    exact_max_rho,
    progress,
) -> dict:
    """The exact flow of trial 0 at every ρ, to where its GD run stopped (at most
    ``exact_t_end``): the final maximum angle within each sign group, beside GD's.  When
    (exact_d, exact_m) differ from (d, m), a smaller instance of the same scheme is solved
    and its own GD run (same protocol) is recorded with it."""
    exact_d, exact_m = exact_d or d, exact_m or m
    same = (exact_d, exact_m) == (d, m)
    if same:
        members = [(built[i], int(res.iterations[i])) for i in range(len(rhos))]  # trial 0 comes first
        stops = [str(res.stop[i]) for i in range(len(rhos))]
    else:
        small = [_two_trial(exact_d, exact_m, 0, seed, rho, scheme) for rho in rhos]
        sres = run_gd(
            np.stack([b[0].X for b in small]),
            np.stack([b[0].y for b in small]),
            [4.0**lambda_exp] * len(small),
            np.stack([b[1] for b in small]),
            np.stack([b[2] for b in small]),
            GDConfig(max_iter=max_iter, backend=backend),
        )
        members = [(b, int(sres.iterations[i])) for i, b in enumerate(small)]
        stops = [str(v) for v in sres.stop]
        gd_W = sres.W
    out = []
    for i, (rho, ((data, z, s), iters)) in enumerate(zip(rhos, members)):
        if exact_max_rho is not None and rho > exact_max_rho:
            continue
        t_stop = exact_t_end if stops[i] == "nonfinite" else min(exact_t_end, iters * STEP)  # GD diverged: not the flow
        ex = exact_flow(data.X, data.y, 4.0**lambda_exp, z, s, t_end=t_stop, digits=exact_digits)
        plus, minus = _group_angles(data.X, z, s, np.array(ex["W_end"]), M.max_chord_angle)  # no arccos floor
        row = {
            "rho": rho,
            "status": ex["status"],
            "t_end": ex["t_end"],
            "steps": ex["steps"],
            "events": ex["events"],
            "max_angle_plus": plus,
            "max_angle_minus": minus,
            "gd_t": iters * STEP,
            "gd_stop": stops[i],
        }
        if not same:
            row["gd_max_angle_plus"], row["gd_max_angle_minus"] = _group_angles(data.X, z, s, gd_W[i])
        out.append(row)
        _say(
            progress,
            f"exact flow two teachers d={exact_d} m={exact_m} ρ={rho:.4g}: {ex['status']} at "
            f"t = {ex['t_end']:.4g}, {ex['steps']} steps, {ex['events']} events, {ex['solve_seconds']:.1f} s",
        )
    return {
        "same_instance": same,
        "d": exact_d,
        "m": exact_m,
        "t_end": exact_t_end,
        "digits": exact_digits,
        "runs": out,
    }


def plot_fig10(data: dict, stem: str | Path) -> list[Path]:
    """Median (line) and trials (dots) of the maximum angle within each sign group against ρ."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 4.3))
        for key, c, label in (
            ("max_angle_plus", "C0", "positive neurons ($a_j > 0$)"),
            ("max_angle_minus", "C3", "negative neurons ($a_j < 0$)"),
        ):
            med = []
            for rho in data["rhos"]:
                vals = _arr([r[key] for r in data["runs"] if r["rho"] == rho])
                vals = vals[np.isfinite(vals) & (vals > 0)]
                ax.scatter([rho] * len(vals), vals, color=c, s=10, alpha=0.4)
                med.append(np.median(vals) if len(vals) else np.nan)
            ax.plot(data["rhos"], med, "o-", color=c, label=label)
        ex = data.get("exact")
        if ex:
            rhos = [r["rho"] for r in ex["runs"]]
            where = "same instance, trial 0" if ex["same_instance"] else f"d = {ex['d']}, m = {ex['m']}, trial 0"
            for key, c in (("max_angle_plus", "C0"), ("max_angle_minus", "C3")):
                ax.plot(rhos, _arr([r[key] for r in ex["runs"]]), "x--", color=c, ms=7, lw=1.0)
                if not ex["same_instance"]:
                    ax.plot(rhos, _arr([r["gd_" + key] for r in ex["runs"]]), "s", color=c, ms=6, mfc="none", lw=0)
            ax.plot([], [], "kx--", lw=1.0, label=f"exact gradient flow ({where}; chord angle)")
            if not ex["same_instance"]:
                ax.plot([], [], "ks", mfc="none", lw=0, label="GD on that instance")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"variance multiplier $\rho$ (noise std $\sqrt{\rho/d}$)")
        ax.set_ylabel("final maximum angle within the group (°)")
        ax.legend(fontsize=8)
        stops = {r: sum(x["stop"] == r for x in data["runs"]) for r in ("loss", "cap", "stall", "nonfinite")}
        fig.suptitle(
            f"Fig. 10: two opposite teachers (norms 1, 3), n = 2d = {2 * data['d']}, m = {data['m']}, "
            f"λ = 4^{data['lambda_exp4']}, {data['trials']} trials, cap {data['max_iter']:.0e}\n"
            f"stop reasons {stops} — {SPIRIT}",
            fontsize=9,
            y=1.03,
        )
        return save(fig, stem)


def compute_two_run(
    *,
    d: int = 16,
    m: int = 25,
    lambda_exp: int = -7,
    rho: float = RHO["uncentred"],
    scheme: str = "uncentred",
    seed: int = 0,
    max_iter: int = 100_000,
    backend: str = "numpy",
    exact_t_end: float = 1000.0,
    exact_digits: int = 10,
    exact_points: int = 200,
    progress: Progress = None,
    **_: Any,
) -> dict:
    """Fig. 11: one two-teacher run; loss, and angles and combined norms of each sign group;
    and the exact gradient flow of the same instance at t = 0.02k (it slides)."""
    data, z, s = _two_trial(d, m, 0, seed, rho, scheme)
    logs = log_iterations(max_iter)
    snaps = Snapshots(1, logs)
    res = run_gd(data.X, data.y, [4.0**lambda_exp], z, s, GDConfig(max_iter=max_iter, backend=backend), observe=snaps)
    _say(progress, f"GD two teachers: {res.stop[0]} after {res.iterations[0]} iterations, {res.seconds:.1f} s")
    plus, minus = M.active_plus(data.X, z, s), M.active_minus(data.X, z, s)
    X_test = gaussian_inputs(d, 4 * data.n, trial_rng(seed, "test", "two_teachers_" + scheme, d, 0, 0))
    y_test = data.labels(X_test)
    out = {k: [] for k in ("train", "test", "angle_plus", "angle_minus", "v_plus", "v_minus")}
    for a, W in zip(snaps.a[:, 0], snaps.W[:, 0]):
        if not np.all(np.isfinite(W)):
            for key in out:
                out[key].append(None)
            continue
        out["train"].append(M.mse(a, W, data.X, data.y))
        out["test"].append(M.mse(a, W, X_test, y_test))
        out["angle_plus"].append(_f(M.max_angle(W, plus)))
        out["angle_minus"].append(_f(M.max_angle(W, minus)))
        out["v_plus"].append(float(np.linalg.norm(M.combined_neuron(a, W, plus))))
        out["v_minus"].append(float(np.linalg.norm(M.combined_neuron(a, W, minus))))
    ks = _sample(logs, min(int(exact_t_end / STEP), int(res.iterations[0])), exact_points)
    ex = exact_flow(
        data.X, data.y, 4.0**lambda_exp, z, s, t_end=float(ks[-1]) * STEP, digits=exact_digits, times=ks * STEP
    )
    _say(
        progress,
        f"exact flow two teachers: {ex['status']} at t = {ex['t_end']:.4g}, {ex['steps']} steps, "
        f"{ex['events']} events, solve {ex['solve_seconds']:.1f} s",
    )
    exact = {k: [] for k in ("train", "angle_plus", "angle_minus", "v_plus", "v_minus")}
    for a, W in zip(ex["a"], ex["W"]):
        a, W = np.array(a), np.array(W)
        exact["train"].append(M.mse(a, W, data.X, data.y))
        exact["angle_plus"].append(_f(M.max_angle(W, plus)))
        exact["angle_minus"].append(_f(M.max_angle(W, minus)))
        exact["v_plus"].append(float(np.linalg.norm(M.combined_neuron(a, W, plus))))
        exact["v_minus"].append(float(np.linalg.norm(M.combined_neuron(a, W, minus))))
    return {
        "d": d,
        "m": m,
        "lambda_exp4": lambda_exp,
        "rho": rho,
        "scheme": scheme,
        "max_iter": max_iter,
        "stop": str(res.stop[0]),
        "iterations": int(res.iterations[0]),
        "log_iter": _f(logs),
        **out,
        "gd_seconds": res.seconds,
        "exact": {
            "k": _f(ks[: len(ex["t"])]),
            "status": ex["status"],
            "t_end": ex["t_end"],
            "steps": ex["steps"],
            "events": ex["events"],
            "digits": exact_digits,
            "solve_seconds": ex["solve_seconds"],
            **exact,
        },
    }


def plot_fig11(data: dict, stem: str | Path) -> list[Path]:
    """Loss (two drops), group angles and group norms ‖Σ_{J_±} a_j w_j‖ against the iteration."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
        k = data["log_iter"]
        axes[0].loglog(*_xy(k, data["train"]), color="C0", label="training loss 2L")
        axes[0].loglog(*_xy(k, data["test"]), color="C2", label="test loss")
        axes[1].loglog(*_xy(k, data["angle_plus"]), color="C0", label="positive neurons")
        axes[1].loglog(*_xy(k, data["angle_minus"]), color="C3", label="negative neurons")
        axes[2].loglog(*_xy(k, data["v_plus"]), color="C0", label=r"$\|\sum_{J_+} a_j w_j\|$ (teacher 1: 1)")
        axes[2].loglog(*_xy(k, data["v_minus"]), color="C3", label=r"$\|\sum_{J_-} a_j w_j\|$ (teacher 2: 3)")
        ex = data.get("exact")
        if ex:
            ke = ex["k"]
            axes[0].loglog(
                *_xy(ke, ex["train"]), color="k", ls="--", lw=1.0, label=f"exact flow, t = 0.02k ({ex['status']})"
            )
            for ax, keys in ((axes[1], ("angle_plus", "angle_minus")), (axes[2], ("v_plus", "v_minus"))):
                for i, key in enumerate(keys):
                    ax.loglog(*_xy(ke, ex[key]), color="k", ls="--", lw=0.9, label="exact flow" if i == 0 else None)
        for ax, title in zip(
            axes,
            ("(a) loss: two drops", "(b) maximum angle within each group (°)", "(c) combined neuron of each group"),
        ):
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("iteration")
            ax.legend(fontsize=7.5)
        fig.suptitle(
            f"Fig. 11: two teachers, {data['scheme']}, ρ = {data['rho']:.4g}, d = {data['d']}, "
            f"m = {data['m']}, λ = 4^{data['lambda_exp4']}, GD {data['stop']} at {data['iterations']} it. "
            f"— {SPIRIT}",
            fontsize=9,
        )
        return save(fig, stem)


# ----------------------------------------------------------------------------- registry, cache, scripts


COMPUTE = {
    "sweep_d": compute_sweeps,
    "sweep_m": compute_sweeps,
    "curves_centred": compute_curves,
    "curves_uncentred": compute_curves,
    "single": compute_single,
    "two_sweep": compute_two_sweep,
    "two_run": compute_two_run,
}
FIGURES: dict[int, tuple[str, Callable]] = {
    1: ("sweep_d", plot_fig1),
    2: ("curves_centred", lambda d, s: plot_curves(d, s, 2)),
    3: ("single", plot_fig3),
    4: ("single", plot_fig4),
    5: ("single", plot_fig5),
    6: ("single", plot_fig6),
    7: ("sweep_d", plot_fig7),
    8: ("sweep_m", plot_fig8),
    9: ("curves_uncentred", lambda d, s: plot_curves(d, s, 9)),
    10: ("two_sweep", plot_fig10),
    11: ("two_run", plot_fig11),
}
STEMS = {
    1: "sn_fig01_max_angle",
    2: "sn_fig02_loss_centred",
    3: "sn_fig03_eigen_gaps",
    4: "sn_fig04_alignment",
    5: "sn_fig05_loss_angle",
    6: "sn_fig06_norms",
    7: "sn_fig07_metrics_d",
    8: "sn_fig08_metrics_m",
    9: "sn_fig09_loss_uncentred",
    10: "sn_fig10_two_teachers",
    11: "sn_fig11_two_teachers_run",
}


def parameters(key: str, *, quick: bool = True) -> dict:
    """The keyword arguments of computation ``key`` (quick: minutes on 2 CPU cores; full:
    the paper's sizes and caps, meant for a GPU)."""
    cap_sweep, cap_run = (50_000, 100_000) if quick else (20_000_000, 20_000_000)
    if key == "sweep_d":
        return {
            "axis": "d",
            "ds": [4, 16] if quick else [4, 16, 64, 256, 1024],
            "ms": [200],
            "lambda_exponents": list(QUICK_EXPONENTS if quick else FULL_EXPONENTS),
            "trials": 2 if quick else 5,
            "seed": 0,
            "max_iter": cap_sweep,
            "backend": "numpy",
        }
    if key == "sweep_m":
        return {
            "axis": "m",
            "ds": [16] if quick else [1024],
            "ms": [25, 50, 200],
            "lambda_exponents": list(QUICK_EXPONENTS if quick else FULL_EXPONENTS),
            "trials": 2 if quick else 5,
            "seed": 0,
            "max_iter": cap_sweep,
            "backend": "numpy",
        }
    if key in ("curves_centred", "curves_uncentred"):
        centred = key == "curves_centred"
        p = {
            "scheme": "centred" if centred else "uncentred",
            "d": 16,
            "m": 200 if centred else 25,
            "lambda_exponents": list(range(-2, -9, -1)),
            "seed": 0,
            "max_iter": 50_000 if quick else cap_run,
            "backend": "numpy",
            "exact_t_end": (1000.0 if centred else 500.0) if quick else 20000.0,
            "exact_digits": 10,
            "exact_points": 150 if quick else 300,
        }
        if centred:  # m = 200 is out of the exact engine's reach (> 10 min to t = 30): a smaller instance
            p.update(exact_d=8, exact_m=10, exact_exponents=[-2, -5, -8])
        else:  # the paper's own instance (about 20 s per λ to t = 1000 here)
            p.update(exact_d=16, exact_m=25, exact_exponents=[-5] if quick else list(range(-2, -9, -1)))
        return p
    if key == "single":
        return {
            "scheme": "uncentred",
            "d": 16,
            "m": 25,
            "lambda_exp": -7,
            "seed": 0,
            "max_iter": cap_run,
            "backend": "numpy",
            "exact_t_end": 2000.0 if quick else 20000.0,
            "exact_digits": 10,
            "exact_points": 250 if quick else 500,
        }
    if key == "two_sweep":  # quick: the exact flow on a smaller instance (d = 16, m = 25 is ~1 min per ρ)
        return {
            "d": 16,
            "m": 25,
            "lambda_exp": -7,
            "rhos": [4.0**k for k in range(-2, 5)] if quick else [2.0**k for k in range(-6, 9)],
            "trials": 3 if quick else 15,
            "seed": 0,
            "max_iter": cap_sweep,
            "backend": "numpy",
            "scheme": "centred",
            "exact_d": 4 if quick else 16,
            "exact_m": 6 if quick else 25,
            "exact_t_end": 1000.0 if quick else 20000.0,
            "exact_digits": 10,
            "exact_max_rho": 64.0 if quick else None,
        }
    if key == "two_run":
        return {
            "d": 16,
            "m": 25,
            "lambda_exp": -7,
            "rho": RHO["uncentred"],
            "scheme": "uncentred",
            "seed": 0,
            "max_iter": cap_run,
            "backend": "numpy",
            "exact_t_end": 1000.0 if quick else 20000.0,
            "exact_digits": 10,
            "exact_points": 150 if quick else 300,
        }
    raise ValueError(f"unknown computation {key!r}; choose one of {', '.join(COMPUTE)}")


def make(
    number: int,
    out_dir: str | Path = "paper_figures/out",
    *,
    quick: bool = True,
    recompute: bool = False,
    overrides: dict | None = None,
    progress: Progress = None,
) -> list[Path]:
    """Compute figure ``number``'s numbers (or reuse ``out_dir/sn_gd_<key>_<quick|full>.json``
    when written by this package version with the same parameters) and plot
    ``out_dir/<STEMS[number]>``.pdf/.png.  ``overrides`` (trials, seed, backend, max_iter;
    None = keep) replace parameters the computation has."""
    if number not in FIGURES:
        raise ValueError(f"figure: unknown figure {number!r}; choose 1–11")
    key, plot = FIGURES[number]
    params = parameters(key, quick=quick)
    for name, value in (overrides or {}).items():
        if value is not None and name in params:
            params[name] = value
    out_dir = Path(out_dir)
    data = cached(
        out_dir / f"sn_gd_{key}_{'quick' if quick else 'full'}.json",
        {"version": __version__, "key": key, "params": params},
        lambda: COMPUTE[key](**params, progress=progress),
        recompute=recompute,
    )
    return plot(data, out_dir / STEMS[number])


def script_main(number: int, doc: str, argv=None, out_dir: str | Path | None = None) -> list[Path]:
    """The command line of the ``paper_figures/sn_figNN_*.py`` scripts: ``--quick`` (default)
    or ``--full``, ``--recompute``, ``--out``, ``--backend``."""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick",
        dest="quick",
        action="store_true",
        default=True,
        help="small sizes and caps, under a minute on 2 cores (default)",
    )
    mode.add_argument("--full", dest="quick", action="store_false", help="the paper's protocol (meant for a GPU)")
    ap.add_argument("--recompute", action="store_true", help="ignore the cached numbers")
    ap.add_argument("--out", default=out_dir, help="output folder (default: paper_figures/out)")
    ap.add_argument(
        "--backend", default=None, choices=("numpy", "torch", "auto"), help="array backend of the GD engine"
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = make(
        number,
        args.out or "paper_figures/out",
        quick=args.quick,
        recompute=args.recompute,
        overrides={"backend": args.backend},
        progress=print,
    )
    for path in paths:
        print("wrote", path)
    print(f"({time.perf_counter() - t0:.1f} s)")
    return paths
