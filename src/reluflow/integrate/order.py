"""The Taylor order of the next step: lower after a step that a switch cut short, back up
by steps after one that ran its full length (see :func:`next_order`), and lowest after a
switch that an aligned neuron is about to follow (:func:`switch_ahead`).  Every order keeps
the per-step tolerance (the step shortens with the order), so the order changes the cost of
a run, never a reported digit.
"""

from __future__ import annotations

import math

import numpy as np

from .fixed import State

__all__ = ["MIN_ORDER", "ORDER_REACH", "ORDER_STEP_UP", "next_order", "switch_ahead"]

MIN_ORDER = 6  # the lowest order a step cut short by an event lowers the next step to (next_order) …
ORDER_REACH = 16  # … sized to reach this many times the distance to that event
ORDER_STEP_UP = 2  # after a step that ran its full length, the order may grow by this factor


def next_order(p: int, q: int, r: float, s_take: int, cut: int | None, one: int) -> int:
    """The Taylor order of the next step (this one had order q ≤ p, radius estimate r).

    When an event cut this step short (``cut``: its planned end, beyond ``s_take``), the
    next event is likely about as close: a step h = ρ·tol^(1/q) reaching ORDER_REACH times
    the distance δ to it needs only q = 2p / ln(ρ / (ORDER_REACH·δ)) orders for the same
    per-step tolerance tol = e^(-2p) (Jorba–Zou: the step bound is ρ·SAFETY^(p/q)), and a
    step's products cost ∝ q².  In event-dense phases most steps end at an event after a
    small fraction of the full-order step (median 0.08 % on orthogonal data with m = 100,
    n = 20).  At least MIN_ORDER; after a step that ran its full length, the order grows
    back by ORDER_STEP_UP per step (the step scale grows by MAX_GROWTH at most anyway)."""
    if cut is None or not math.isfinite(r) or s_take >= cut:
        return min(p, ORDER_STEP_UP * q)
    if s_take == 0:
        return q  # an event at this very instant says nothing about the next one
    log_ratio = math.log(r) + math.log(one) - math.log(ORDER_REACH * s_take)  # ln(ρ/(reach·δ)), in units of H
    if log_ratio <= 2:
        return p
    return min(p, max(MIN_ORDER, math.ceil(2 * p / log_ratio)))


def switch_ahead(st: State, J, F: int) -> int | None:
    """The scaled time (units of the step's H) in which the nearest pair within 2^(F/2)
    units of its surface reaches it at its first-order rate, or None.  After a switch,
    neurons aligned with the switching one (λ-close directions) switch on the same point
    10⁻²⁹…10⁻²⁶ later: the next step then needs only the lowest order (:func:`next_order`),
    not the full one that the distance to this switch suggests.  A heuristic for the
    order alone: every order keeps the per-step tolerance, so no reported digit depends
    on it (the rate is the one at the step's start, in units of its H)."""
    near = np.argwhere((st.U != 0) & (np.abs(st.U) < (1 << (F // 2))))
    best = None
    for j, k in near:
        u, rate = int(st.U[j, k]), int(J.column(int(j), 1 + int(k))[1])
        if rate and (u > 0) != (rate > 0):  # moving towards its surface
            s = (abs(u) << F) // abs(rate)
            best = s if best is None else min(best, s)
    return best
