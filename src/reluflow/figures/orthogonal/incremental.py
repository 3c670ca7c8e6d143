"""Figure (d): E2 (A3 fails): loss, exponents and ‖θ‖² against the R12 jump process."""

from __future__ import annotations

import math
import time
from fractions import Fraction
from pathlib import Path

from ...datasets import e2
from ...integrate import solve
from ...plotting import MplFigure, save, style, subplots
from ...theory.orthogonal import predict
from ._common import FLOOR_LOSS, NEURON_COLORS, SPIRIT, _at, _colors, _lam_tex, _neuron_label, _neurons, _times


def compute_incremental(
    lambdas=("1e-30", "1e-80"), *, samples: int = 300, digits: int = 25, T_max_factor: float = 1.3
) -> dict:
    """E2 (A3 fails) per λ, run to t = ``T_max_factor`` · T_last · ln(1/λ) + 40 (T_last:
    the last R12 jump) or a loss of 1e-20: loss, exponents ln‖w_j‖/ln(1/λ) and ‖θ‖²
    against T, with the R12 jump process (jump times, predicted loss and ‖θ‖² levels,
    e_j(T)) and the limit norms of R12 and of the minimum-norm interpolator."""
    runs = []
    pr = p = None
    for lam in lambdas:
        t0 = time.perf_counter()
        p = e2(lam)
        pr = predict(p)
        scale = p.log_inv_lambda
        T_last = float(pr.jumps[-1].T)
        tr = solve(p, digits=digits, t_end=math.ceil(T_max_factor * T_last * scale + 40), loss_below="1e-20")
        ctx = tr.ctx
        ts = _times(tr, samples)
        loss, theta, expo = [], [], {str(nb.index): [] for nb in pr.neurons}
        for t in ts:
            st = _at(tr, t)
            loss.append(float(tr.loss_of(st)))
            theta.append(float(tr.theta_sq(st)))
            for nb in pr.neurons:
                expo[str(nb.index)].append(float(ctx.log(ctx.sqrt(ctx.fsum(v * v for v in st.W[nb.index])))) / scale)
        T_end = float(tr.t_end) / scale
        Tgrid = [T_end * i / samples for i in range(samples + 1)]
        runs.append(
            {
                "lambda": lam,
                "log10_inv_lambda": scale / math.log(10),
                "status": tr.status.value,
                "dps": tr.dps,
                "T": [t / scale for t in ts],
                "loss": loss,
                "theta_sq": theta,
                "exponent": expo,
                "final_theta_sq": float(tr.theta_sq(tr.final_state)),
                "final_loss": float(tr.final_loss),
                "events_T": [float(e.t) / scale for e in tr.events],
                "pred_T": Tgrid,
                "pred_exponent": {str(nb.index): [float(pr.exponent(nb.index, T)) for T in Tgrid] for nb in pr.neurons},
                "seconds": time.perf_counter() - t0,
            }
        )
    # R12 levels after each jump: the loss of the points still unfitted, ‖θ‖² = 2 Σ ‖β_Q‖
    X, y, n = p.data.X, p.data.y, p.n
    nx = [sum((c * c for c in x), Fraction(0)) for x in X]
    unfitted, loss_levels, theta_levels, th = set(range(n)), [float(pr.L0)], [0.0], 0.0
    for jp in pr.jumps:
        unfitted -= set(jp.points)
        loss_levels.append(float(sum((y[k] ** 2 for k in unfitted), Fraction(0)) / (2 * n)))
        th += 2 * math.sqrt(float(sum((y[k] ** 2 / nx[k] for k in jp.points), Fraction(0))))
        theta_levels.append(th)
    return {
        "figure": "incremental",
        "dataset": "E2",
        "lambdas": list(lambdas),
        "runs": runs,
        "neurons": _neurons(pr),
        "A3": pr.assumptions["A3"],
        "notes": list(pr.notes),
        "jumps": [{"T": float(jp.T), "neurons": list(jp.neurons), "points": list(jp.points)} for jp in pr.jumps],
        "pred_loss_levels": loss_levels,
        "pred_theta_sq_levels": theta_levels,
        "limit_theta_sq": float(pr.limit_theta_sq),
        "min_theta_sq": float(pr.min_theta_sq),
    }


def _steps(jumps, levels, T_end):
    T = [0.0]
    L = [levels[0]]
    for jp, lv in zip(jumps, levels[1:]):
        T += [jp["T"], jp["T"]]
        L += [L[-1], lv]
    return T + [T_end], L + [L[-1]]


def _exponents_panel(ax1, data: dict, neurons: dict, styles: list) -> None:
    """The log-norm exponents of every run against T, with the R12 prediction e_j(T)."""
    for i, run in enumerate(data["runs"]):
        for key, vals in run["exponent"].items():
            ax1.plot(
                run["T"],
                vals,
                color=NEURON_COLORS[int(key)],
                lw=1.4,
                ls=styles[i % len(styles)],
                label=f"{_neuron_label(neurons[key])}, {_lam_tex(run['lambda'])}",
            )
    run = data["runs"][0]
    for vals in run["pred_exponent"].values():
        ax1.plot(run["pred_T"], vals, color="k", lw=0.9, ls=(0, (4, 2.5)), alpha=0.8)
    ax1.plot([], [], color="k", lw=0.9, ls=(0, (4, 2.5)), label=r"R12 prediction $e_j(T)$")


def _mark_jumps(axes, data: dict, T_end: float) -> None:
    """The R12 jump times on every panel, and what each jump fits on the loss panel."""
    ax0 = axes[0]
    for ax in axes:
        for jp in data["jumps"]:
            ax.axvline(jp["T"], color="gray", lw=0.8, ls="--")
        ax.set_xlim(0, T_end)
        ax.set_xlabel(r"$T = t\,/\,\ln(1/\lambda)$")
    for jp in data["jumps"]:
        ax0.annotate(
            f"jump: neuron {'+'.join(map(str, jp['neurons']))} fits points {','.join(map(str, jp['points']))}",
            (jp["T"], 0.5),
            xycoords=("data", "axes fraction"),
            xytext=(-3, 0),
            textcoords="offset points",
            rotation=90,
            fontsize=7.5,
            ha="right",
            va="center",
            color="gray",
        )


def plot_incremental(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Three panels against T: the loss (log) with the R12 jump times and levels; the
    exponents with e_j(T); ‖θ‖² with the R12 levels and the minimum-norm value."""
    neurons = {str(nb["index"]): nb for nb in data["neurons"]}
    T_end = max(r["T"][-1] for r in data["runs"])
    styles = ["-", (0, (6, 2)), (0, (2, 1.5)), (0, (6, 2, 1, 2))]
    with style():
        fig, (ax0, ax1, ax2) = subplots(1, 3, figsize=(15, 4.5), fig=fig)
        colors = _colors(len(data["runs"]))
        T, L = _steps(data["jumps"], data["pred_loss_levels"], T_end)
        ax0.plot(
            T, [max(v, FLOOR_LOSS) for v in L], color="black", lw=2.4, alpha=0.35, label=r"$\lambda \to 0$ limit (R12)"
        )
        T, th = _steps(data["jumps"], data["pred_theta_sq_levels"], T_end)
        ax2.plot(T, th, color="black", lw=2.4, alpha=0.35, label="R12 levels $2\\sum_Q\\|\\beta_Q\\|$")
        for run, c in zip(data["runs"], colors):
            lab = _lam_tex(run["lambda"])
            ax0.plot(run["T"], [max(v, FLOOR_LOSS) for v in run["loss"]], color=c, lw=1.5, label=lab)
            ax2.plot(
                run["T"],
                run["theta_sq"],
                color=c,
                lw=1.5,
                label=lab + rf": final $\|\theta\|^2$ = {run['final_theta_sq']:.6f}",
            )
        _exponents_panel(ax1, data, neurons, styles)
        ax2.axhline(
            data["min_theta_sq"],
            color="tab:green",
            lw=1.2,
            ls="--",
            label=rf"min-norm $\min\|\theta\|^2$ = {data['min_theta_sq']:.4g}",
        )
        ax2.axhline(
            data["limit_theta_sq"], color="gray", lw=0.8, ls=":", label=rf"R12 limit = {data['limit_theta_sq']:.6f}"
        )
        _mark_jumps((ax0, ax1, ax2), data, T_end)
        ax0.set_yscale("log")
        ax0.set_ylim(FLOOR_LOSS, 3 * data["pred_loss_levels"][0])
        ax0.set_ylabel(r"loss $L(\theta(t))$")
        ax0.set_title("loss, with the R12 jump times", fontsize=10)
        ax0.legend(fontsize=8, loc="lower left")
        ax1.set_ylabel(r"$\ln\|w_j\|\,/\,\ln(1/\lambda)$")
        ax1.set_title("log-norm exponents", fontsize=10)
        ax1.legend(fontsize=7, loc="upper left")
        ax2.set_ylabel(r"$\|\theta\|^2 = \sum_j a_j^2 + \|w_j\|^2$")
        ax2.set_title("parameter norm: a larger-norm limit", fontsize=10)
        ax2.set_ylim(-0.2, 1.35 * data["limit_theta_sq"])
        ax2.legend(fontsize=7.5, loc="upper left")
        fig.suptitle(f"E2 (coverage A3 fails): incremental learning — {SPIRIT}", fontsize=10.5)
        fig.tight_layout()
        return save(fig, stem)
