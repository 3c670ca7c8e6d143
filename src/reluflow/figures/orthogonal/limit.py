"""Figure (c): E1’s final parameters against the minimum-norm interpolator (R9, R10) as λ shrinks."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from ...datasets import e1
from ...integrate import solve
from ...plotting import FuncFormatter, MaxNLocator, MplFigure, save, style, subplots
from ...theory.orthogonal import predict
from ._common import NEURON_COLORS, SPIRIT, _lam_tex, _log10, _neurons, _pow10, _series


def _probe_points(p, pr, n_random: int, seed: int) -> list[list[float]]:
    """Unit vectors: the data directions x̄_k, β̄*_±, and ``n_random`` Gaussian directions."""
    pts = []
    for x in p.data.X:
        nx = math.sqrt(sum(float(c) ** 2 for c in x))
        pts.append([float(c) / nx for c in x])
    for beta in (pr.plus.beta, pr.minus.beta):
        nb = math.sqrt(sum(float(c) ** 2 for c in beta))
        if nb:
            pts.append([float(c) / nb for c in beta])
    g = np.random.default_rng(seed).standard_normal((n_random, p.d))
    pts += [list(map(float, r / np.linalg.norm(r))) for r in g]
    return pts


def compute_limit(
    lambdas=("1e-10", "1e-30", "1e-100"),
    *,
    digits: int = 40,
    loss_below: str = "1e-60",
    n_random: int = 50,
    seed: int = 0,
) -> dict:
    """E1 per λ, run until the loss is below ``loss_below`` (the final state stands for
    t = ∞): the errors against the minimum-norm interpolator θ* of R9 (log10):
    |‖θ‖² − min ‖θ‖²|, sup over probe points of |h_θ − h*|, the relative error of ‖w_j‖²
    against the R9 split for full neurons, and ‖w_j‖² for the others; with the predicted
    exponents 2(1 − ρ_max) and 2(1 − ρ_j) (R9)."""
    runs = []
    pr = p = None
    for lam in lambdas:
        t0 = time.perf_counter()
        p = e1(lam)
        pr = predict(p, dps=digits + 10)
        scale = p.log_inv_lambda
        tr = solve(p, digits=digits, t_end=pr.fit_horizon(loss_below), loss_below=loss_below)
        ctx = tr.ctx
        st = tr.final_state
        lim = [ctx.mpf(v) for v in pr.limit_w_sq]
        w_sq = [ctx.fsum(v * v for v in row) for row in st.W]
        theta_sq = tr.theta_sq(st)
        r_max = max(abs(r) for r in tr.residuals(st))  # the final residual: errors below it are unresolved
        sup = ctx.zero
        for x in _probe_points(p, pr, n_random, seed):
            xm = [ctx.mpf(v) for v in x]
            h = ctx.fsum(a * max(ctx.fsum(w * v for w, v in zip(row, xm)), 0) for a, row in zip(st.a, st.W))
            sup = max(sup, abs(h - ctx.mpf(pr.limit_output(xm))))
        runs.append(
            {
                "lambda": lam,
                "log10_inv_lambda": scale / math.log(10),
                "status": tr.status.value,
                "log10_loss": _log10(ctx, tr.loss_of(st)),
                "log10_residual": _log10(ctx, r_max),
                "t_end": float(tr.t_end),
                "dps": tr.dps,
                "theta_sq": float(theta_sq),
                "log10_theta_sq_error": _log10(ctx, theta_sq - ctx.mpf(pr.min_theta_sq)),
                "log10_sup_h_error": _log10(ctx, sup),
                "log10_w_sq": [_log10(ctx, v) for v in w_sq],
                "w_sq": [float(v) for v in w_sq],
                "log10_w_sq_rel_error": [_log10(ctx, (v - lv) / lv) if lv else None for v, lv in zip(w_sq, lim)],
                "seconds": time.perf_counter() - t0,
            }
        )
    return {
        "figure": "limit",
        "dataset": "E1",
        "lambdas": list(lambdas),
        "runs": runs,
        "neurons": _neurons(pr),
        "digits": digits,
        "loss_below": loss_below,
        "n_probe": len(_probe_points(p, pr, n_random, seed)),
        "min_theta_sq": float(pr.min_theta_sq),
        "limit_w_sq": [float(v) for v in pr.limit_w_sq],
        "rho_max": float(pr.rho_max),
        "rate_error": float(2 * (1 - pr.rho_max)),
        "rate_partial": {str(nb.index): float(2 * (1 - nb.coverage)) for nb in pr.neurons if nb.alive and not nb.full},
    }


def _slope_line(ax, xs, ys, rate, color, label):
    """Reference line log10(err) = const − rate·log10(1/λ) through the last (smallest-λ) point."""
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None]
    if not pts:
        return
    x0, y0 = pts[-1]
    xx = np.array([min(xs), max(xs)])
    ax.plot(
        xx,
        y0 - rate * (xx - x0),
        color=color,
        lw=8,
        alpha=0.18,
        solid_capstyle="butt",
        zorder=1,
        label=label + ", through the smallest-λ point",
    )


def _sgn(nb: dict) -> str:
    return "+" if nb["sign"] > 0 else "−"


def _errors_panel(ax0, data: dict, xs: list, full: list) -> None:
    """The errors of the final state against θ*, with the predicted slope and the resolution floor."""
    runs = data["runs"]
    theta = [r["log10_theta_sq_error"] for r in runs]
    _slope_line(
        ax0,
        xs,
        theta,
        data["rate_error"],
        "black",
        rf"slope $\lambda^{{2(1-\rho_{{\max}})}} = \lambda^{{{data['rate_error']:.3f}}}$ (R9)",
    )
    ax0.plot(*_series(xs, theta), "o-", color="black", lw=1.8, ms=7, label=r"$|\,\|\theta\|^2 - \min\|\theta\|^2|$")
    ax0.plot(
        *_series(xs, [r["log10_sup_h_error"] for r in runs]),
        "s--",
        color="tab:red",
        lw=1.3,
        ms=5,
        label=rf"$\sup |h_\theta - h^*|$ over {data['n_probe']} unit points",
    )
    for nb, mk in zip(full, "^v<>"):
        j = nb["index"]
        ax0.plot(
            *_series(xs, [r["log10_w_sq_rel_error"][j] for r in runs]),
            marker=mk,
            color=NEURON_COLORS[j],
            lw=0.9,
            ms=5,
            label=rf"rel. error of $\|w_{j}\|^2$ vs R9 split ({_sgn(nb)}, full)",
        )
    floor = max(r["log10_residual"] for r in runs)
    lows = [
        v
        for r in runs
        for v in [r["log10_theta_sq_error"], r["log10_sup_h_error"], *r["log10_w_sq_rel_error"]]
        if v is not None
    ]
    bottom = min(min(lows), floor) - 4
    ax0.axhspan(bottom, floor, color="gray", alpha=0.15, lw=0)
    ax0.annotate(
        f"unresolved: below the final residual (loss < {data['loss_below']})",
        (0.02, floor),
        xycoords=("axes fraction", "data"),
        xytext=(0, -11),
        textcoords="offset points",
        fontsize=8,
        color="dimgray",
    )
    ax0.set_ylim(bottom, 2)
    ax0.set_xlabel(r"$\log_{10}(1/\lambda)$")
    ax0.set_ylabel("error of the final state (stands for t = ∞)")
    ax0.set_title(r"distance to the min-norm interpolator $\theta^*$", fontsize=10)


def _partial_panel(ax1, data: dict, xs: list, partial: list) -> None:
    """The partial neurons' ‖w_j‖² with their predicted slopes."""
    runs = data["runs"]
    for nb in partial:
        j = nb["index"]
        ys = [r["log10_w_sq"][j] for r in runs]
        rate = data["rate_partial"][str(j)]
        _slope_line(
            ax1, xs, ys, rate, NEURON_COLORS[j], rf"slope $\lambda^{{2(1-\rho_{j})}} = \lambda^{{{rate:.3f}}}$ (R9)"
        )
        ax1.plot(
            *_series(xs, ys),
            "o-",
            color=NEURON_COLORS[j],
            lw=1.5,
            label=f"$\\|w_{j}\\|^2$, neuron {j} ({_sgn(nb)}, partial, ρ = {nb['coverage']:.3f})",
        )
    ax1.set_xlabel(r"$\log_{10}(1/\lambda)$")
    ax1.set_ylabel(r"$\|w_j(\infty)\|^2$")
    ax1.set_title("partial neurons vanish, slowly when ρ is near 1", fontsize=10)


def _split_panel(ax2, data: dict, neurons: list) -> None:
    """‖w_j‖² at the smallest λ against the minimum-norm split."""
    runs = data["runs"]
    last = runs[-1]
    idx = np.arange(len(neurons))
    ax2.bar(
        idx - 0.2,
        last["w_sq"],
        0.4,
        color=[NEURON_COLORS[nb["index"]] for nb in neurons],
        label=f"engine, {_lam_tex(last['lambda'])}",
    )
    ax2.bar(
        idx + 0.2,
        data["limit_w_sq"],
        0.4,
        color="none",
        edgecolor="black",
        hatch="//",
        label=r"min-norm split $\|w_j^*\|^2$ (R9)",
    )
    top = 1.25 * max(max(last["w_sq"]), max(data["limit_w_sq"]))
    for i, v in enumerate(last["w_sq"]):
        if v < 0.02 * top:
            ax2.annotate(
                f"{v:.1e}" if v else "0",
                (i - 0.2, 0),
                xytext=(0, 3),
                textcoords="offset points",
                rotation=90,
                fontsize=7.5,
                ha="center",
                va="bottom",
            )
    ax2.set_xticks(idx, [f"{nb['index']}\n{_sgn(nb)} {nb['kind']}" for nb in neurons], fontsize=8)
    ax2.set_ylabel(r"$\|w_j(\infty)\|^2$")
    ax2.set_title(
        rf"per neuron; $\min\|\theta\|^2$ = {data['min_theta_sq']:.4f}, "
        rf"engine {last['theta_sq']:.4f}",
        fontsize=10,
    )
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    ax2.set_ylim(0, top)


def plot_limit(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Three panels: the errors against θ* with the λ^{2(1−ρ_max)} slope; the partial
    neurons' ‖w_j‖² with their λ^{2(1−ρ_j)} slopes; ‖w_j‖² at the smallest λ against the
    minimum-norm split.  Predicted slopes are wide pale bands through the smallest-λ point."""
    runs = data["runs"]
    xs = [r["log10_inv_lambda"] for r in runs]
    neurons = data["neurons"]
    full = [nb for nb in neurons if nb["kind"] == "full"]
    partial = [nb for nb in neurons if nb["kind"] == "partial"]
    with style():
        fig, (ax0, ax1, ax2) = subplots(1, 3, figsize=(15, 5.6), gridspec_kw={"width_ratios": [1.15, 1, 0.9]}, fig=fig)
        _errors_panel(ax0, data, xs, full)
        _partial_panel(ax1, data, xs, partial)
        for ax in (ax0, ax1):
            ax.yaxis.set_major_formatter(FuncFormatter(_pow10))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1)
        _split_panel(ax2, data, neurons)
        fig.suptitle(
            f"E1: final parameters against the minimum-norm interpolator as λ shrinks — {SPIRIT}", fontsize=10.5
        )
        fig.tight_layout()
        return save(fig, stem)
