"""The float64 tail of high orders (:mod:`reluflow.integrate.tail`) on general inputs.

Its coefficients must stay within the step tolerance of the all-integer recurrence, also
through the Gram product and the sliding projections; a solve with the tail must agree
with one without it to the requested digits; and the test must fail when the tail's
projection is broken on purpose.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from reluflow import solve
from reluflow.datasets import e1, e1_rotated
from reluflow.figures.sliding import generic
from reluflow.integrate import kernel, tail
from reluflow.integrate.fixed import EXTRA_DIGITS
from reluflow.integrate.taylor import jets
from reluflow.summary import agreement

engine = importlib.import_module("reluflow.integrate.engine")
taylor = importlib.import_module("reluflow.integrate.taylor")


def _states(tr):
    """(state, H, order) at the start of every step of a lean-storage run."""
    for seg in tr.segments:
        yield seg.start_state(), seg.H, seg.order or seg.recompute.order


def _worst_tail_error(tr) -> tuple[float, int]:
    """max over steps and entries of log2(Σ_k |tail − exact|_k / step tolerance), and the
    number of steps whose jets went to the tail."""
    rc = tr.segments[0].recompute
    fx, below = rc.fx, rc.float_below
    tol = 2.0 ** (fx.F - (tr.digits + EXTRA_DIGITS) * math.log2(10))  # fixed-point units
    worst, used = -math.inf, 0
    for st, H, p in _states(tr):
        mixed, exact = jets(fx, st, p, H, below), jets(fx, st, p, H, None)
        diff = np.abs(mixed.Y - exact.Y).sum(axis=0).max()
        diff = max(diff, np.abs(mixed.R - exact.R).sum(axis=0).max())
        if diff:
            used += 1
            worst = max(worst, math.log2(int(diff)) - math.log2(tol))
    return worst, used


def _sliding_run():
    return solve(generic(), digits=30, t_end=12, keep_jets=False)


def test_the_tail_on_sliding_steps_stays_within_the_step_tolerance():
    tr = _sliding_run()
    assert any(seg.sliding is not None for seg in tr.segments)
    worst, used = _worst_tail_error(tr)
    assert used >= 3  # the tail really ran
    assert worst <= -tail_margin()


def test_a_tail_without_the_sliding_projection_is_caught(monkeypatch):
    tr = _sliding_run()
    monkeypatch.setattr(tail, "_sliding_maps", lambda fx, st: ([], np.zeros((0, fx.n, fx.n)), None))
    tr.segments[0].recompute.fx.cache.pop("tail_maps_last", None)  # the run's last maps, kept for the compiled tail
    worst, used = _worst_tail_error(tr)
    assert used >= 3
    assert worst > 0  # beyond the step tolerance: the check above can fail


def _tails(monkeypatch) -> list:
    """A list that grows by one with every step whose jets go to the float64 tail, on
    either kernel (the compiled recurrence says so by its k0 >= 0)."""
    calls: list = []
    real_tail, real_recurrence = taylor.float_tail, kernel.recurrence

    def recurrence(*args, **kwargs):
        out = real_recurrence(*args, **kwargs)
        if out[1] >= 0:
            calls.append(1)
        return out

    monkeypatch.setattr(taylor, "float_tail", lambda *a: calls.append(1) or real_tail(*a))
    monkeypatch.setattr(kernel, "recurrence", recurrence)
    return calls


def tail_margin() -> int:
    """Bits the tail's error must stay below the step tolerance (half the engine's margin)."""
    return engine.FLOAT_MARGIN_BITS // 2


@pytest.mark.parametrize("make", [e1_rotated, generic], ids=["e1 rotated", "generic (sliding)"])
def test_general_inputs_with_the_tail_agree_with_all_integer_runs(monkeypatch, make):
    calls = _tails(monkeypatch)
    p = make()
    mixed = solve(p, digits=30, t_end=20)
    assert calls, "the float64 tail never ran"
    monkeypatch.setattr(engine, "FLOAT_MAX_BITS", 0)
    exact_ints = solve(p, digits=30, t_end=mixed.t_end)
    assert agreement(mixed, exact_ints) >= 30


def test_the_threshold_counts_the_gram_and_projection_gain():
    ortho, general = e1(), generic()
    for p, lowered in ((ortho, False), (general, True)):
        tr = solve(p, digits=20, t_end=1, keep_jets=False)
        fx, below = tr.segments[0].recompute.fx, tr.segments[0].recompute.float_below
        st, _H, _p = next(_states(tr))
        got = tail.tail_below(fx, st, below, ortho=not lowered)
        assert (got < below) if lowered else (got == below)


def test_the_tail_starts_right_after_the_decision_orders_at_the_latest():
    """float_from(p) = p/3, capped at DECIDE_ORDER + 1 (a slow stiff phase has every order
    from 3 on below the threshold), and never below the prefix jets' last order: those
    orders must hold the same integers in the prefix and in the full jets."""
    from reluflow.integrate.events import DECIDE_ORDER

    fx = solve(e1_rotated(), digits=20, t_end=1, keep_jets=False).segments[0].recompute.fx
    for p in range(1, 120):
        assert 2 <= tail.float_from(p) <= max(2, min(p // 3, DECIDE_ORDER + 1))
        assert taylor.prefix_order(fx, p, 60) <= max(tail.float_from(p), p if p <= 2 * DECIDE_ORDER else 0)
    assert tail.float_from(38) == DECIDE_ORDER + 1  # 30 digits: orders 5..38 may be float64
