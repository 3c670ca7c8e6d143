"""What the orthogonal-inputs figures share: sampling a run, labels, colours, log scales."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...plotting import colormap

SPIRIT = "in the spirit of Boursier et al. (2022)"
FLOOR_LOSS = 1e-22  # the loss axis is clipped here


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
    return [colormap(cmap)(x) for x in np.linspace(0.0, 0.85, max(k, 1))]


NEURON_COLORS = colormap("tab10").colors


def _neuron_label(nb: dict) -> str:
    s = "+" if nb["sign"] > 0 else "−"
    extra = f", ρ = {nb['coverage']:.3f}" if nb["kind"] == "partial" else ""
    return f"neuron {nb['index']} ({s}, {nb['kind']}{extra})"


def _series(xs, ys):
    """Drop None (zero) entries."""
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None]
    return [x for x, _ in pts], [y for _, y in pts]
