"""Figures 10 and 11: two teachers (bundle angles against ρ; one run with two loss drops)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...experiments import metrics as M
from ...experiments.data import RHO, balanced_init, gaussian_inputs, two_teachers
from ...experiments.exact import exact_flow
from ...experiments.gd import GDConfig, Snapshots, log_iterations, run_gd
from ...experiments.protocol import trial_rng
from ...plotting import MplFigure, save, style, subplots
from ._common import SPIRIT, STEP, Progress, _arr, _f, _sample, _say
from .single import _xy


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


def plot_fig10(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Median (line) and trials (dots) of the maximum angle within each sign group against ρ."""
    with style():
        fig, ax = subplots(figsize=(7, 4.3), fig=fig)
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
        stops = ", ".join(
            f"{sum(x['stop'] == r for x in data['runs'])} {what}"
            for r, what in (
                ("loss", "reached the loss threshold"),
                ("cap", "hit the cap"),
                ("stall", "stalled"),
                ("nonfinite", "diverged"),
            )
        )
        fig.suptitle(
            f"Fig. 10: two opposite teachers (norms 1, 3), n = 2d = {2 * data['d']}, m = {data['m']}, "
            f"λ = 4^{data['lambda_exp4']}, {data['trials']} trials, cap {data['max_iter']:.0e}\n"
            f"of {len(data['runs'])} runs: {stops} — {SPIRIT}",
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


def plot_fig11(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Loss (two drops), group angles and group norms ‖Σ_{J_±} a_j w_j‖ against the iteration."""
    with style():
        fig, axes = subplots(1, 3, figsize=(15, 4.3), fig=fig)
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
