"""The four figures for orthogonal inputs, in the spirit of Boursier, Pillaud-Vivien &
Flammarion (2022); not the paper's parameters (its figures' data are unknown, and none of
these is a reproduction of one).  Spec: ``orthogonal_inputs.md`` §6.2 (F-orth, F-align,
F-jump) and R3–R12.

Each figure has a pure ``compute_*`` (runs the engine :func:`reluflow.solve` and the
theory :func:`reluflow.theory.orthogonal.predict`; returns JSON-ready floats, strings and
lists) and a pure ``plot_*(data, stem)`` (writes ``stem.pdf`` and ``stem.png``):

- ``loss``: E1's loss against T = t/ln(1/λ) for several λ, with the λ → 0 staircase
  (R6) and the heteroclinic loss curves (R7) overlaid;
- ``alignment``: E1's alignment gap 1 − cos∠(w_j, D_j) and log-norm exponents
  ln‖w_j‖/ln(1/λ), with the λ-free early flow (R3) and the exponents e_j(T) (R11);
- ``limit``: E1's final parameters against the minimum-norm interpolator (R9, R10) as λ
  shrinks, with the predicted rates λ^{2(1−ρ)};
- ``incremental``: E2 (coverage A3 fails): loss, exponents and ‖θ‖² against the R12 jump
  process, ending at a larger norm than the minimum.

:func:`make` computes one figure with a JSON cache under the output folder (reused while
the package version and the parameters are unchanged) and plots it; :func:`figures_all`
does all four.  Values that can leave the float range (tiny norms, gaps, errors) are
stored as log10.
"""

from __future__ import annotations

import argparse
import math
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from .._version import __version__
from ..datasets import e1, e2
from ..integrate import solve
from ..plotting import STYLE, cached, plt, save
from ..precision import rational
from ..summary import angle_gap
from ..theory.orthogonal import predict

__all__ = [
    "FIGURES",
    "compute_alignment",
    "compute_incremental",
    "compute_limit",
    "compute_loss",
    "figures_all",
    "make",
    "parameters",
    "plot_alignment",
    "plot_incremental",
    "plot_limit",
    "plot_loss",
    "script_main",
]

SPIRIT = "in the spirit of Boursier et al. (2022)"
FLOOR_LOSS = 1e-22  # the loss axis is clipped here

# ----------------------------------------------------------------------------- helpers


def _log10(ctx, v) -> float | None:
    """log10 of a positive mpmath number as a float (None for 0): tiny values stay representable."""
    v = abs(v)
    return float(ctx.log10(v)) if v else None


def _times(tr, samples: int) -> list[float]:
    """A uniform grid of ``samples`` + 1 times on [0, t_end] plus every step boundary
    (the steps are short where the flow changes fast), as floats inside the run."""
    te = float(tr.t_end)
    grid = {te * i / samples for i in range(samples + 1)}
    grid.update(float(t) for t in tr.times)
    return sorted(t for t in grid if 0 <= t <= te)


def _at(tr, t: float):
    return tr.evaluate(min(tr.ctx.mpf(t), tr.t_end))


def _kind(nb) -> str:
    return "full" if nb.full else ("partial" if nb.alive else "dead")


def _neurons(pr) -> list[dict]:
    return [
        {"index": nb.index, "sign": nb.sign, "kind": _kind(nb), "coverage": float(nb.coverage), "kept": list(nb.kept)}
        for nb in pr.neurons
    ]


def _lam_tex(lam: str) -> str:
    """'1e-30' → '$\\lambda = 10^{-30}$' (exact powers of ten), else the string itself."""
    q = Fraction(lam)
    k = len(str(q.denominator)) - 1
    return rf"$\lambda = 10^{{-{k}}}$" if k and q == Fraction(1, 10**k) else rf"$\lambda = {lam}$"


def _pow10(v, _pos=None) -> str:
    return rf"$10^{{{v:.0f}}}$" if abs(v - round(v)) < 1e-9 else ""


def _colors(k: int, cmap: str = "viridis"):
    return [plt.get_cmap(cmap)(x) for x in np.linspace(0.0, 0.85, max(k, 1))]


NEURON_COLORS = plt.get_cmap("tab10").colors


def _neuron_label(nb: dict) -> str:
    s = "+" if nb["sign"] > 0 else "−"
    extra = f", ρ = {nb['coverage']:.3f}" if nb["kind"] == "partial" else ""
    return f"neuron {nb['index']} ({s}, {nb['kind']}{extra})"


# ----------------------------------------------------------------------------- (a) loss


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
        T_slow = float(max(pr.T_plus, pr.T_minus))
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
        "T_fast": float(min(pr.T_plus, pr.T_minus)),
        "T_slow": float(max(pr.T_plus, pr.T_minus)),
        "T_max": T_max_factor * float(max(pr.T_plus, pr.T_minus)),
    }


def _staircase(d: dict, bottom: float):
    """The λ → 0 step limit of R6 as a polyline (0 drawn at ``bottom``)."""
    T = [0, d["T_fast"], d["T_fast"], d["T_slow"], d["T_slow"], d["T_max"]]
    L = [d["L0"], d["L0"], d["L_mid"], d["L_mid"], bottom, bottom]
    return T, L


def plot_loss(data: dict, stem: str | Path) -> list[Path]:
    """Two panels: L on a linear scale (the staircase) and on a log scale (clipped at
    1e-22); engine solid, heteroclinic prediction dashed in the same colour, R6 limit black."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.3))
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


# ----------------------------------------------------------------------------- (b) alignment


def _Dbar(ctx, p, nb):
    """D̄_j exactly from the data (Σ_{P_j} |y_k| x_k), normalised in ``ctx``."""
    X, y = p.data.X, p.data.y
    D = [rational(ctx, sum((abs(y[k]) * X[k][i] for k in nb.kept), Fraction(0))) for i in range(p.d)]
    nD = ctx.sqrt(ctx.fsum(v * v for v in D))
    return [v / nD for v in D]


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
        T_slow = float(max(pr.T_plus, pr.T_minus))
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

        def measure(tt):
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

        def predicted_gap(tt):
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

        gap, expo = measure(ts)
        gap_early, _ = measure(early)
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
                "pred_log10_gap": predicted_gap(ts),
                "pred_log10_gap_early": predicted_gap(early),
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
        "T_plus": float(pr.T_plus),
        "T_minus": float(pr.T_minus),
        "T_max": T_max_factor * T_slow,
    }


def _series(xs, ys):
    """Drop None (zero) entries."""
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None]
    return [x for x, _ in pts], [y for _, y in pts]


def plot_alignment(data: dict, stem: str | Path) -> list[Path]:
    """Per λ a row of three panels: the early phase against t (gap, deactivations), the
    gap against T, the exponents against T; engine solid, predictions dashed."""
    neurons = {str(nb["index"]): nb for nb in data["neurons"]}
    nrow = len(data["runs"])
    dash = (0, (4, 2.5))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            nrow, 3, figsize=(14, 4.1 * nrow + 0.6), squeeze=False, gridspec_kw={"width_ratios": [0.8, 1.1, 1.1]}
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
                ax.yaxis.set_major_formatter(plt.FuncFormatter(_pow10))
                ax.yaxis.set_major_locator(plt.MaxNLocator(nbins=7, integer=True))
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


# ----------------------------------------------------------------------------- (c) limit


def _probe_points(p, pr, n_random: int, seed: int) -> list[list[float]]:
    """Unit vectors: the data directions x̄_k, β̄*_±, and ``n_random`` Gaussian directions."""
    pts = []
    for x in p.data.X:
        nx = math.sqrt(sum(float(c) ** 2 for c in x))
        pts.append([float(c) / nx for c in x])
    for beta in (pr.beta_plus, pr.beta_minus):
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


def plot_limit(data: dict, stem: str | Path) -> list[Path]:
    """Three panels: the errors against θ* with the λ^{2(1−ρ_max)} slope; the partial
    neurons' ‖w_j‖² with their λ^{2(1−ρ_j)} slopes; ‖w_j‖² at the smallest λ against the
    minimum-norm split.  Predicted slopes are wide pale bands through the smallest-λ point."""
    runs = data["runs"]
    xs = [r["log10_inv_lambda"] for r in runs]
    neurons = data["neurons"]
    full = [nb for nb in neurons if nb["kind"] == "full"]
    partial = [nb for nb in neurons if nb["kind"] == "partial"]
    sgn = lambda nb: "+" if nb["sign"] > 0 else "−"
    with plt.rc_context(STYLE):
        fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(15, 5.6), gridspec_kw={"width_ratios": [1.15, 1, 0.9]})
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
                label=rf"rel. error of $\|w_{j}\|^2$ vs R9 split ({sgn(nb)}, full)",
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
                label=f"$\\|w_{j}\\|^2$, neuron {j} ({sgn(nb)}, partial, ρ = {nb['coverage']:.3f})",
            )
        ax1.set_xlabel(r"$\log_{10}(1/\lambda)$")
        ax1.set_ylabel(r"$\|w_j(\infty)\|^2$")
        ax1.set_title("partial neurons vanish, slowly when ρ is near 1", fontsize=10)
        for ax in (ax0, ax1):
            ax.yaxis.set_major_formatter(plt.FuncFormatter(_pow10))
            ax.yaxis.set_major_locator(plt.MaxNLocator(nbins=8, integer=True))
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1)
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
        ax2.set_xticks(idx, [f"{nb['index']}\n{sgn(nb)} {nb['kind']}" for nb in neurons], fontsize=8)
        ax2.set_ylabel(r"$\|w_j(\infty)\|^2$")
        ax2.set_title(
            rf"per neuron; $\min\|\theta\|^2$ = {data['min_theta_sq']:.4f}, "
            rf"engine {last['theta_sq']:.4f}",
            fontsize=10,
        )
        ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
        ax2.set_ylim(0, top)
        fig.suptitle(
            f"E1: final parameters against the minimum-norm interpolator as λ shrinks — {SPIRIT}", fontsize=10.5
        )
        fig.tight_layout()
        return save(fig, stem)


# ----------------------------------------------------------------------------- (d) incremental


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


def plot_incremental(data: dict, stem: str | Path) -> list[Path]:
    """Three panels against T: the loss (log) with the R12 jump times and levels; the
    exponents with e_j(T); ‖θ‖² with the R12 levels and the minimum-norm value."""
    neurons = {str(nb["index"]): nb for nb in data["neurons"]}
    T_end = max(r["T"][-1] for r in data["runs"])
    styles = ["-", (0, (6, 2)), (0, (2, 1.5)), (0, (6, 2, 1, 2))]
    with plt.rc_context(STYLE):
        fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(15, 4.5))
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
        for ax in (ax0, ax1, ax2):
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


# ----------------------------------------------------------------------------- cache and entry points

FIGURES = ("loss", "alignment", "limit", "incremental")
_COMPUTE = {
    "loss": compute_loss,
    "alignment": compute_alignment,
    "limit": compute_limit,
    "incremental": compute_incremental,
}
_PLOT = {"loss": plot_loss, "alignment": plot_alignment, "limit": plot_limit, "incremental": plot_incremental}


def parameters(name: str, *, quick: bool = False) -> dict:
    """The keyword arguments of ``compute_<name>`` for the quick or the full version."""
    if name == "loss":
        lams = ["1e-4", "1e-16", "1e-30", "1e-100"] if quick else ["1e-2", "1e-4", "1e-8", "1e-16", "1e-30", "1e-100"]
        return {"lambdas": lams, "samples": 200 if quick else 500}
    if name == "alignment":
        return {
            "lambdas": ["1e-30"] if quick else ["1e-30", "1e-100"],
            "samples": 200 if quick else 400,
            "early_samples": 60 if quick else 120,
        }
    if name == "limit":
        lams = ["1e-10", "1e-30", "1e-100"] if quick else ["1e-10", "1e-20", "1e-30", "1e-50", "1e-100", "1e-200"]
        return {"lambdas": lams, "n_random": 50}
    if name == "incremental":
        return {
            "lambdas": ["1e-30", "1e-80"] if quick else ["1e-30", "1e-80", "1e-200"],
            "samples": 200 if quick else 400,
        }
    raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")


def make(name: str, out_dir: str | Path, *, quick: bool = False, recompute: bool = False) -> list[Path]:
    """Compute figure ``name`` (or reuse ``out_dir/orth_<name>.json`` when it was written by
    this package version with the same parameters) and plot ``out_dir/orth_<name>``.pdf/.png."""
    out_dir = Path(out_dir)
    params = parameters(name, quick=quick)
    data = cached(
        out_dir / f"orth_{name}.json",
        {"version": __version__, "figure": name, "params": params},
        lambda: _COMPUTE[name](**params),
        recompute=recompute,
    )
    return _PLOT[name](data, out_dir / f"orth_{name}")


def figures_all(out_dir: str | Path, *, quick: bool = False, recompute: bool = False) -> list[Path]:
    """All four figures (PDF and PNG each), computed or taken from the cache."""
    return [path for name in FIGURES for path in make(name, out_dir, quick=quick, recompute=recompute)]


def script_main(name: str, doc: str, argv=None, out_dir: str | Path | None = None) -> list[Path]:
    """The command line of the ``paper_figures/orth_*.py`` scripts: ``--recompute``, ``--quick``, ``--out``."""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    ap.add_argument("--recompute", action="store_true", help="ignore the cached numbers")
    ap.add_argument("--quick", action="store_true", help="fewer λ values and samples (seconds)")
    ap.add_argument("--out", default=out_dir, help="output folder (default: paper_figures/out)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = make(name, args.out or "paper_figures/out", quick=args.quick, recompute=args.recompute)
    for path in paths:
        print("wrote", path)
    print(f"({time.perf_counter() - t0:.1f} s)")
    return paths
