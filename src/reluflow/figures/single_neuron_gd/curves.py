"""Figures 2 and 9: training and test loss for a λ sweep, GD against the exact flow."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ...experiments import metrics as M
from ...experiments.exact import exact_flow
from ...experiments.gd import GDConfig, log_iterations, run_gd
from ...experiments.protocol import make_trial
from ...plotting import MplFigure, cm, save, style, subplots
from ._common import GD_ALPHA, GD_LW, SPIRIT, STEP, Progress, _arr, _f, _sample, _say


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


def _exact_runs(
    etrial, exact_exponents, e_iter, e_loss, exact_t_end, exact_digits, exact_points, progress, scheme
) -> list:
    """The exact flow of the instance ``etrial`` per λ = 4^k, its loss at the sampled GD
    iterations, next to the GD run of the same instance."""
    exact_d, exact_m = etrial.data.X.shape[1], len(etrial.s)
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
    return exact


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
    exact = _exact_runs(
        etrial, exact_exponents, e_iter, e_loss, exact_t_end, exact_digits, exact_points, progress, scheme
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


def plot_curves(data: dict, number: int, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """(a) training loss, log–log; (b) test loss, linear x, log y; (c) GD against the exact
    flow (dashed) on the exact-flow instance, iteration k ↔ t = 0.02k."""
    with style():
        fig, axes = subplots(1, 3, figsize=(15, 4.3), fig=fig)
        it = _arr(data["log_iter"])
        colors = cm.viridis(np.linspace(0, 0.85, len(data["runs"])))
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
        ecolors = cm.plasma(np.linspace(0, 0.8, len(ex["runs"])))
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


def plot_fig2(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Fig. 2: the loss curves of the centred scheme."""
    return plot_curves(data, 2, stem, fig=fig)


def plot_fig9(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Fig. 9: the loss curves of the uncentred scheme."""
    return plot_curves(data, 9, stem, fig=fig)
