"""Figure (b): alignment gaps and log-norm exponents of E1, with the early flow (R3) and the exponents e_j(T) (R11)."""

from __future__ import annotations

import math
import time
from fractions import Fraction
from pathlib import Path

from ...datasets import e1
from ...integrate import solve
from ...plotting import FuncFormatter, MaxNLocator, MplFigure, save, style, subplots
from ...precision import rational
from ...summary import angle_gap
from ...theory.orthogonal import predict
from ._common import NEURON_COLORS, SPIRIT, _at, _lam_tex, _log10, _neuron_label, _neurons, _pow10, _series, _times


def _Dbar(ctx, p, nb):
    """D̄_j exactly from the data (Σ_{P_j} |y_k| x_k), normalised in ``ctx``."""
    X, y = p.data.X, p.data.y
    D = [rational(ctx, sum((abs(y[k]) * X[k][i] for k in nb.kept), Fraction(0))) for i in range(p.d)]
    nD = ctx.sqrt(ctx.fsum(v * v for v in D))
    return [v / nD for v in D]


def _measured(tr, pr, alive: list, Dbar: dict, scale: float, tt: list) -> tuple[dict, dict]:
    """The run's log10 alignment gaps (alive neurons) and exponents (all) at the times ``tt``."""
    ctx = tr.ctx
    gap = {str(nb.index): [] for nb in alive}
    expo = {str(nb.index): [] for nb in pr.neurons}
    for t in tt:
        st = _at(tr, t)
        for nb in alive:
            gap[str(nb.index)].append(_log10(ctx, angle_gap(ctx, st.W[nb.index], Dbar[nb.index])))
        for nb in pr.neurons:
            nw = ctx.sqrt(ctx.fsum(v * v for v in st.W[nb.index]))
            expo[str(nb.index)].append(float(ctx.log(nw)) / scale)
    return gap, expo


def _predicted_gap(pr, p, alive: list, tt: list) -> dict:
    """The theory's log10 alignment gaps: the λ-free early flow (R3) before t_N, R4 after."""
    pc = pr.ctx
    out = {}
    for nb in alive:
        Db = _Dbar(pc, p, nb)
        vals = []
        for t in tt:
            if t >= nb.t_N:
                g = pr.alignment_gap(nb.index, pc.mpf(t))
            else:
                g = angle_gap(pc, pr.early_direction(nb.index, pc.mpf(t)), Db)
            vals.append(_log10(pc, g))
        out[str(nb.index)] = vals
    return out


def compute_alignment(
    lambdas=("1e-30",), *, samples: int = 300, early_samples: int = 80, T_max_factor: float = 1.25
) -> dict:
    """E1 per λ: the alignment gap 1 − cos∠(w_j, D_j) (log10, by the chord formula at the
    run's precision, digits = log10(1/λ) + 5 so gaps down to ~λ² resolve) and the exponent
    ln‖w_j‖/ln(1/λ), against T and, for the early phase, against t; with the λ-free
    prediction 1 − cos∠(ŵ_j(t), D_j) (R3), the exponents e_j(T) (R11) and the
    deactivations of the engine and of R3."""
    runs = []
    for lam in lambdas:
        t0 = time.perf_counter()
        p = e1(lam)
        scale = p.log_inv_lambda
        digits = max(25, round(scale / math.log(10)) + 5)
        pr = predict(p, dps=digits + 5)
        T_slow = float(max(pr.plus.T, pr.minus.T))
        tr = solve(
            p, digits=digits, t_end=Fraction(math.ceil(T_max_factor * T_slow * scale * 1000), 1000), loss_below="1e-20"
        )
        ctx = tr.ctx
        alive = [nb for nb in pr.neurons if nb.alive]
        Dbar = {nb.index: _Dbar(ctx, p, nb) for nb in alive}
        t_early = 1.5 * max(float(nb.t_N) for nb in alive) + 0.5
        ts = _times(tr, samples)
        early = [t_early * i / early_samples for i in range(early_samples + 1)]
        early = sorted(set(early) | {float(e.t) for e in tr.events if float(e.t) <= t_early})

        gap, expo = _measured(tr, pr, alive, Dbar, scale, ts)
        gap_early, _ = _measured(tr, pr, alive, Dbar, scale, early)
        Tgrid = [T_max_factor * T_slow * i / samples for i in range(samples + 1)]
        runs.append(
            {
                "lambda": lam,
                "log10_inv_lambda": scale / math.log(10),
                "digits": digits,
                "dps": tr.dps,
                "status": tr.status.value,
                "T": [t / scale for t in ts],
                "log10_gap": gap,
                "exponent": expo,
                "t_early": early,
                "log10_gap_early": gap_early,
                "pred_log10_gap": _predicted_gap(pr, p, alive, ts),
                "pred_log10_gap_early": _predicted_gap(pr, p, alive, early),
                "pred_T": Tgrid,
                "pred_exponent": {str(nb.index): [float(pr.exponent(nb.index, T)) for T in Tgrid] for nb in pr.neurons},
                "events": [
                    {
                        "t": float(e.t),
                        "T": float(e.t) / scale,
                        "neuron": e.neuron,
                        "point": e.point,
                        "direction": e.direction,
                    }
                    for e in tr.events
                ],
                "pred_deactivations": [
                    {"t": float(ev.t), "T": float(ev.t) / scale, "neuron": ev.neuron, "point": ev.point}
                    for nb in pr.neurons
                    for ev in nb.deactivations
                ],
                "seconds": time.perf_counter() - t0,
            }
        )
    return {
        "figure": "alignment",
        "dataset": "E1",
        "lambdas": list(lambdas),
        "runs": runs,
        "neurons": _neurons(pr),
        "T_plus": float(pr.plus.T),
        "T_minus": float(pr.minus.T),
        "T_max": T_max_factor * T_slow,
    }


def plot_alignment(data: dict, stem: str | Path | None = None, *, fig: MplFigure | None = None) -> MplFigure:
    """Per λ a row of three panels: the early phase against t (gap, deactivations), the
    gap against T, the exponents against T; engine solid, predictions dashed."""
    neurons = {str(nb["index"]): nb for nb in data["neurons"]}
    nrow = len(data["runs"])
    dash = (0, (4, 2.5))
    with style():
        fig, axes = subplots(
            nrow,
            3,
            figsize=(14, 4.1 * nrow + 0.6),
            squeeze=False,
            gridspec_kw={"width_ratios": [0.8, 1.1, 1.1]},
            fig=fig,
        )
        for row, run in zip(axes, data["runs"]):
            ax0, ax1, ax2 = row
            lam = _lam_tex(run["lambda"])
            for key, gaps in run["log10_gap"].items():
                c = NEURON_COLORS[int(key)]
                ax0.plot(*_series(run["t_early"], run["log10_gap_early"][key]), color=c, lw=1.5)
                ax0.plot(
                    *_series(run["t_early"], run["pred_log10_gap_early"][key]), color="k", lw=0.8, ls=dash, alpha=0.7
                )
                ax1.plot(*_series(run["T"], gaps), color=c, lw=1.5)
                Ts = data["T_plus"] if neurons[key]["sign"] > 0 else data["T_minus"]
                xs, ys = _series(run["T"], run["pred_log10_gap"][key])
                keep = [i for i, x in enumerate(xs) if x <= Ts]
                ax1.plot([xs[i] for i in keep], [ys[i] for i in keep], color="k", lw=0.8, ls=dash, alpha=0.7)
            for ev in run["events"]:
                ax0.axvline(ev["t"], color=NEURON_COLORS[ev["neuron"]], lw=1.0, ls=":")
            for ev in run["pred_deactivations"]:
                ax0.plot(
                    [ev["t"]],
                    [0.3],
                    marker="v",
                    color=NEURON_COLORS[ev["neuron"]],
                    ms=7,
                    clip_on=False,
                    transform=ax0.get_xaxis_transform(),
                )
            ax0.set_xlim(0, run["t_early"][-1])
            ax0.set_xlabel(r"time $t$ (not rescaled)")
            ax0.set_ylabel(r"$1 - \cos\angle(w_j, D_j)$")
            ax0.set_title(
                f"early phase, {lam}\n" + r"dotted: engine switches, $\blacktriangledown$: R3 times", fontsize=9.5
            )
            ax1.set_xlabel(r"$T = t\,/\,\ln(1/\lambda)$")
            ax1.set_ylabel(r"$1 - \cos\angle(w_j, D_j)$")
            ax1.set_title(f"alignment, {lam}; dashed: λ-free R3 flow up to " + r"$T_{s_j}$", fontsize=9.5)
            lo = min(min(v for v in g if v is not None) for g in run["log10_gap"].values())
            ax1.set_ylim(lo - 3, 1)
            for ax in (ax0, ax1):
                ax.yaxis.set_major_formatter(FuncFormatter(_pow10))
                ax.yaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))
            for key, vals in run["exponent"].items():
                c = NEURON_COLORS[int(key)]
                ax2.plot(run["T"], vals, color=c, lw=1.5, label=_neuron_label(neurons[key]))
                ax2.plot(run["pred_T"], run["pred_exponent"][key], color="k", lw=0.8, ls=dash, alpha=0.7)
            ax2.plot(
                [], [], color="k", lw=0.8, ls=dash, label=r"dashed: theory (R3 early flow; R11 exponents $e_j(T)$)"
            )
            ax2.set_xlabel(r"$T = t\,/\,\ln(1/\lambda)$")
            ax2.set_ylabel(r"$\ln\|w_j\|\,/\,\ln(1/\lambda)$")
            ax2.set_title(f"log-norm exponents, {lam}", fontsize=9.5)
            for ax in (ax1, ax2):
                ax.set_xlim(0, data["T_max"])
                for T in (data["T_plus"], data["T_minus"]):
                    ax.axvline(T, color="gray", lw=0.7, ls="--")
                top = ax.secondary_xaxis("top")
                top.set_xticks([data["T_plus"], data["T_minus"]], labels=[r"$T_+$", r"$T_-$"])
                top.tick_params(length=0, labelsize=8.5, labelcolor="dimgray", pad=1)
        handles, labels = axes[0, 2].get_legend_handles_labels()
        fig.suptitle(f"E1: alignment and growth of the neurons — {SPIRIT}", fontsize=10.5)
        fig.tight_layout(rect=(0, 0.1 / nrow, 1, 1))
        fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8.5, bbox_to_anchor=(0.5, 0.0))
        return save(fig, stem)
