"""The batched exit quantities of sliding groups (:func:`reluflow.integrate.sliding.exit_jets`).

Single-pair groups are computed together on (groups, orders) arrays and the multiplier
terms G_BA r_A of all neurons in one product; both must give the integers of the
group-by-group path, on full and prefix jets, with pins, on every sliding step of a
generic run and of Hypothesis instances.  A broken batch must be caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from reluflow import solve
from reluflow.figures.sliding import generic
from reluflow.integrate import kernel, sliding
from reluflow.integrate.events import Short
from reluflow.integrate.fixed import FixedPoint
from reluflow.integrate.taylor import jets
from reluflow.strategies import general_problems


def _one_group_at_a_time(fx, st, J, sets):
    """The multiplier terms neuron by neuron (no shared product)."""
    F, R = fx.F, J.R
    out = []
    for j, P in sets:
        A = [int(k) for k in np.nonzero(st.active[j])[0]]
        B = list(P.basis)
        v = fx.G[np.ix_(B, A)].dot(R[:, A].T) >> F if A else np.zeros((len(B), R.shape[0]), dtype=object)
        out.append(-(P.ginv.dot(v) >> F))
    return out


def _reference(fx, st, J, monkeypatch):
    """exit_jets with every group through _group_exit and μ neuron by neuron."""
    with monkeypatch.context() as mp:
        mp.setattr(sliding, "_multiplier_terms", _one_group_at_a_time)
        mp.setattr(
            sliding,
            "_single_exits",
            lambda st, R, single, noise: [
                sliding._group_exit(st, R, j, ((b, sliding._ONE),), mu, s, noise) for j, b, mu, s in single
            ],
        )
        return _exits(fx, st, J)


def _exits(fx, st, J):
    try:
        return [(e.neuron, e.members, e.quantities, e.tol, e.short) for e in sliding.exit_jets(fx, st, J)]
    except Short:
        return "short"


def _sliding_steps(problem, **kw):
    tr = solve(problem, keep_jets=False, **kw)
    fx = FixedPoint.of(problem, tr.F)
    below = tr.segments[0].recompute.float_below
    for seg in tr.segments:
        if seg.sliding is not None:
            st = seg.start_state()
            p = seg.order or tr.order
            for upto in (None, 4):
                yield fx, st, jets(fx, st, p, seg.H, below, upto)


def _compare(problem, monkeypatch, **kw) -> int:
    seen = 0
    for fx, st, J in _sliding_steps(problem, **kw):
        assert _exits(fx, st, J) == _reference(fx, st, J, monkeypatch)
        seen += 1
    return seen


@pytest.mark.parametrize("which", ["gmp", "python"])
def test_batched_exits_equal_the_group_by_group_path(monkeypatch, which):
    if which == "gmp" and not kernel.available():
        pytest.skip("no compiled kernel")
    with kernel.use(which):
        assert _compare(generic(), monkeypatch, digits=20, t_end=30) >= 10


@settings(max_examples=8)
@given(general_problems(max_n=4, max_d=3, max_width=4))
def test_batched_exits_on_random_problems(p):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _compare(p, monkeypatch, digits=20, t_end=8)


def test_a_broken_batch_is_caught(monkeypatch):
    real = sliding._single_exits

    def off_by_one(st, R, single, noise):
        out = real(st, R, single, noise)
        out[0].quantities["low"][1] += 1
        return out

    steps = list(_sliding_steps(generic(), digits=20, t_end=30))
    monkeypatch.setattr(sliding, "_single_exits", off_by_one)
    assert any(_exits(fx, st, J) != _reference(fx, st, J, monkeypatch) for fx, st, J in steps)


def test_residual_combinations_are_exact_floors():
    p = generic()
    fx = FixedPoint.of(p, 80)
    tr = solve(p, digits=20, t_end=5, keep_jets=False)
    st = tr.segments[-1].start_state()
    rng = np.random.default_rng(1)
    W = np.array([[int(v) << 70 for v in row] for row in rng.integers(-5, 6, (7, p.n))], dtype=object)
    out = {}
    for which in ("python", "gmp") if kernel.available() else ("python",):
        with kernel.use(which):
            J = jets(fx, st, 9, 1 << 80)
            out[which] = [[int(v) for v in row] for row in J.combine(W, fx.F)]
            assert out[which] == (W.dot(J.R.T) >> fx.F).tolist()
    assert len({str(v) for v in out.values()}) == 1  # the same integers on both kernels
