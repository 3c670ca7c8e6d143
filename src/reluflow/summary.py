"""Readable digests of a trajectory: the loss curve, its plateaus, and digit agreement
between two runs (how every reported digit is checked).

>>> from reluflow import Problem, Dataset, Init, solve
>>> p = Problem(Dataset([[1]], [1]), Init("1e-20", [[1]], [1]))
>>> tr, ref = solve(p, t_end=40, digits=20), solve(p, t_end=40, digits=30)
>>> agreement(tr, ref) >= 20
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath

from .integrate import Trajectory

__all__ = [
    "Plateau",
    "agreement",
    "angle_gap",
    "format_loss",
    "loss_agreement",
    "loss_curve",
    "loss_digits",
    "plateaus",
]


def angle_gap(ctx, u, v) -> mpmath.mpf:
    """1 − cos∠(u, v) by the chord formula ‖ū − v̄‖²/2 in ``ctx``: no cancellation near
    alignment, where 1 − ⟨ū, v̄⟩ would lose half the digits (spec pitfall 11).

    >>> from reluflow.precision import context
    >>> ctx = context(30)
    >>> mpmath.nstr(angle_gap(ctx, [1, ctx.mpf("1e-20")], [1, 0]), 5)
    '5.0e-41'
    """
    nu = ctx.sqrt(ctx.fsum(c * c for c in u))
    nv = ctx.sqrt(ctx.fsum(c * c for c in v))
    return ctx.fsum((a / nu - b / nv) ** 2 for a, b in zip(u, v)) / 2


def loss_curve(tr: Trajectory, samples: int = 400) -> tuple[list[float], list[mpmath.mpf]]:
    """Loss sampled on a uniform grid of ``samples`` + 1 times, plus every step boundary
    (so the events and the fast phases are resolved); times as floats, losses as mpf."""
    te = float(tr.t_end)
    grid = {te * i / samples for i in range(samples + 1)}
    grid.update(float(t) for t in tr.times)
    ts = sorted(t for t in grid if 0 <= t <= te)
    losses = []
    for t in ts:
        losses.append(tr.loss(min(tr.ctx.mpf(t), tr.t_end)))
    return ts, losses


@dataclass(frozen=True)
class Plateau:
    """An interval on which the loss stays within a relative ``flatness`` of ``level``."""

    t_start: float
    t_stop: float
    level: float


def plateaus(
    tr: Trajectory, *, samples: int = 400, flatness: float = 1e-3, min_fraction: float = 0.05
) -> list[Plateau]:
    """Maximal runs of the uniformly sampled loss whose relative change stays below
    ``flatness`` per sample, lasting at least ``min_fraction`` of the run."""
    te = float(tr.t_end)
    ts = [te * i / samples for i in range(samples + 1)]
    ls = [float(tr.loss(min(tr.ctx.mpf(t), tr.t_end))) for t in ts]
    out: list[Plateau] = []
    start = 0
    for i in range(1, len(ts) + 1):
        flat = i < len(ts) and abs(ls[i] - ls[i - 1]) <= flatness * max(abs(ls[i - 1]), 1e-300)
        if flat:
            continue
        if ts[i - 1] - ts[start] >= min_fraction * te and ls[start] > 0:
            mid = ls[(start + i - 1) // 2]
            out.append(Plateau(ts[start], ts[i - 1], mid))
        start = i
    return out


def _rel_digits(ctx, x: mpmath.mpf, y: mpmath.mpf, scale: mpmath.mpf) -> float:
    diff = abs(x - y)
    if diff == 0:
        return math.inf
    return -float(ctx.log10(diff / scale))


def agreement(tr: Trajectory, ref: Trajectory) -> float:
    """Correct digits of ``tr`` judged against a more precise ``ref`` of the same problem:
    the minimum over neurons of the relative agreement of (a_j, w_j) at t_end, and over the
    event times (relative to max(1, t)).  ``inf`` when everything agrees exactly."""
    if len(tr.events) != len(ref.events):
        return 0.0
    ctx = ref.ctx
    digits = math.inf
    for aj, wj, ar, wr in zip(tr.a, tr.W, ref.a, ref.W):
        scale = ctx.sqrt(ar * ar + ctx.fsum(v * v for v in wr))
        diff = ctx.sqrt((ctx.mpf(aj) - ar) ** 2 + ctx.fsum((ctx.mpf(x) - y) ** 2 for x, y in zip(wj, wr)))
        if diff:
            digits = min(digits, -float(ctx.log10(diff / scale)))
    for e, f in zip(tr.events, ref.events):
        if (e.neuron, e.point, e.direction) != (f.neuron, f.point, f.direction):
            return 0.0
        digits = min(digits, _rel_digits(ctx, ctx.mpf(e.t), f.t, max(ctx.mpf(1), abs(f.t))))
    return digits


def loss_digits(tr: Trajectory) -> float:
    """Estimated correct significant digits of the final loss.  The residuals r = y − h
    carry about ``digits`` digits relative to the labels, so a loss whose residuals are
    10^-k times the labels keeps about ``digits − k`` digits."""
    ctx = tr.ctx
    L = tr.final_loss
    ymax = max(abs(v) for v in tr.problem.data.y)
    if L <= 0 or ymax == 0:
        return 0.0
    rnorm = ctx.sqrt(2 * tr.problem.n * L)
    lost = float(ctx.log10(ctx.mpf(ymax.numerator) / ymax.denominator / rnorm))
    return max(0.0, min(float(tr.digits), tr.digits - max(lost, 0.0)))


def loss_agreement(tr: Trajectory, ref: Trajectory) -> float:
    """Agreeing significant digits of the final losses of two runs."""
    ctx = ref.ctx
    a, b = ctx.mpf(tr.final_loss), ref.final_loss
    if a == b:
        return math.inf
    if b == 0:
        return 0.0
    return max(0.0, -float(ctx.log10(abs(a - b) / abs(b))))


def format_loss(tr: Trajectory, digits: float | None = None) -> str:
    """The final loss with only its correct digits (``digits`` if known, else estimated)."""
    d = loss_digits(tr) if digits is None else min(digits, tr.digits)
    shown = max(int(d), 1)
    return f"{mpmath.nstr(tr.final_loss, shown)}  ({'≈' if digits is None else ''}{d:.0f} correct digits)"
