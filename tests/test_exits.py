"""The batched exit quantities of sliding groups (:func:`reluflow.integrate.sliding.exit_jets`).

Single-pair groups are computed together, on (groups, orders) object arrays or in GMP
memory by the compiled kernel (``kernel.exits``), and the multiplier terms G_BA r_A of
all neurons in one product; every path must give the integers of the group-by-group
path, on full and prefix jets, with pins, on every sliding step of a generic run and of
Hypothesis instances.  A broken batch, on either path, must be caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

from reluflow import solve
from reluflow.figures.sliding import generic
from reluflow.integrate import kernel, sliding
from reluflow.integrate.events import Short
from reluflow.integrate.fixed import FixedPoint
from reluflow.integrate.taylor import Jets, jets
from reluflow.strategies import general_problems

compiled = pytest.mark.skipif(kernel.name() != "gmp", reason="the compiled kernel is not in use")


def _one_group_at_a_time(fx, st, J, sets):
    """The multiplier terms neuron by neuron (no shared product)."""
    F, R = fx.F, J.R
    out = []
    for j, _, P in sets:
        A = [int(k) for k in np.nonzero(st.active[j])[0]]
        B = list(P.basis)
        v = fx.G[np.ix_(B, A)].dot(R[:, A].T) >> F if A else np.zeros((len(B), R.shape[0]), dtype=object)
        out.append(-(P.ginv.dot(v) >> F))
    return out


def _on_arrays(J) -> Jets:
    """The same jets as object arrays (a compiled Series read out): the reference path."""
    out = Jets(J.Y.copy(), J.R.copy())
    out.decides, out.measured = J.decides, J.measured
    return out


def _reference(fx, st, J, monkeypatch):
    """exit_jets on object arrays with every group through _group_exit and μ neuron by neuron."""
    with monkeypatch.context() as mp:
        mp.setattr(sliding, "_multiplier_terms", _one_group_at_a_time)
        mp.setattr(
            sliding,
            "_single_exits",
            lambda st, R, single, noise: [
                sliding._group_exit(st, R, j, ((b, sliding._ONE),), mu, s, noise) for j, b, mu, s in single
            ],
        )
        return _exits(fx, st, _on_arrays(J))


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
    assert any(_exits(fx, st, _on_arrays(J)) != _reference(fx, st, J, monkeypatch) for fx, st, J in steps)


@compiled
def test_a_broken_compiled_batch_is_caught(monkeypatch):
    real = kernel.exits

    def off_by_one(*args):
        rows = real(*args)
        if rows:
            rows[0][1][1] += 1  # the first group's low, order 1
        return rows

    steps = list(_sliding_steps(generic(), digits=20, t_end=30))
    monkeypatch.setattr(kernel, "exits", off_by_one)
    assert any(_exits(fx, st, J) != _reference(fx, st, J, monkeypatch) for fx, st, J in steps if J.series is not None)


@pytest.mark.parametrize("p", [9, 10, 11, 12, 25])
def test_prefix_and_full_jets_scale_the_exit_quantities_alike(p):
    """A step's prefix jets (orders 0..prefix_order) and its full jets measure the exit
    quantities' scale on the same orders (``J.measured``), so the prefix's quantities are
    the full ones' first orders, with the same noise level.  At orders 9–11 the float64 tail
    may start at order 3, so the prefix holds orders 0..3 only, and the full jets must not
    measure order 3 either.  (A step 2^16 times the usual one makes the high orders the
    largest: the order measured decides the shift.)"""
    from reluflow.integrate.taylor import prefix_order

    problem = generic()
    tr = solve(problem, keep_jets=False, digits=20, t_end=30)
    fx = FixedPoint.of(problem, tr.F)
    below = tr.segments[0].recompute.float_below
    assert below is not None
    upto = prefix_order(fx, p, below)
    seen = 0
    for seg in tr.segments[::4]:
        if seg.sliding is None:
            continue
        st, H = seg.start_state(), seg.H << 16
        full, prefix = jets(fx, st, p, H, below), jets(fx, st, p, H, below, upto)
        assert full.measured == prefix.measured == min(4, upto)
        try:
            short = sliding.exit_jets(fx, st, prefix)
        except Short:
            continue
        for whole, part in zip(sliding.exit_jets(fx, st, full), short, strict=True):
            assert whole.tol == part.tol
            assert {name: q[: len(part.quantities[name])] for name, q in whole.quantities.items()} == part.quantities
        seen += 1
    assert seen >= 3


@compiled
def test_compiled_exits_with_pins_equal_the_reference(monkeypatch):
    """Every pin combination on the first groups (an exit located at this instant), full
    and prefix jets: the same quantities, noise levels and Short."""
    names = ("member0", "low", "high", "attract")
    seen = 0
    for n, (fx, st, J) in enumerate(_sliding_steps(generic(), digits=20, t_end=30)):
        if n % 7:
            continue
        pairs = [tuple(int(v) for v in pair) for pair in np.argwhere(st.sliding)[:4]]
        for g, pair in enumerate(pairs):
            st.pinned[pair] = {name for b, name in enumerate(names) if (n + g) >> b & 1}
        J = jets(fx, st, J.order if J.decides == J.order else 8, 1 << fx.F, None, None if J.decides == J.order else 4)
        assert J.series is not None
        assert _exits(fx, st, J) == _reference(fx, st, J, monkeypatch)
        seen += 1
    assert seen >= 5


@compiled
def test_compiled_multiplier_terms_are_exact_floors():
    """μ_B of every basis pair from ``kernel.exits`` (asked for μ itself, as for a group
    of several members) equals the object-array product, exact floors included."""
    seen = 0
    for fx, st, J in _sliding_steps(generic(), digits=20, t_end=30):
        sets = [(j, S, P) for j, S in sliding.sliding_sets(st.sliding) if (P := sliding.projector(fx, S)).basis]
        count = sum(len(P.basis) for _, _, P in sets)
        rows = kernel.exits(
            J.series,
            [(j, sliding.compiled_projector(fx, S)) for j, S, _ in sets],
            np.ascontiguousarray(st.active, dtype=np.uint8).tobytes(),
            [1] * len(sets),
            [False] * count,
            [0] * count,
            min(J.order, 4),
            1,
            False,
        )
        want = [row for block in sliding._multiplier_terms(fx, st, _on_arrays(J), sets) for row in block]
        assert rows == [[int(v) for v in row] for row in want]
        seen += 1
    assert seen >= 10


@compiled
def test_compiled_exits_refuse_bad_arguments():
    fx, st, J = next(iter(_sliding_steps(generic(), digits=20, t_end=30)))
    sets = [(j, sliding.compiled_projector(fx, S)) for j, S in sliding.sliding_sets(st.sliding)]
    active = np.ascontiguousarray(st.active, dtype=np.uint8).tobytes()
    with pytest.raises(ValueError, match="m\\*n bytes"):
        kernel.exits(J.series, sets, active[1:], [], [], [], 1, 1, False)
    with pytest.raises(ValueError, match="one sign per set"):
        kernel.exits(J.series, sets, active, [], [], [], 1, 1, False)
    with pytest.raises(ValueError, match="low"):
        kernel.exits(J.series, sets, active, [], [], [], J.order + 1, 1, False)


@settings(max_examples=60)
@given(hnp.arrays(bool, hnp.array_shapes(min_dims=2, max_dims=2, max_side=7)))
def test_sliding_sets_are_each_neurons_sliding_points(sliding_pairs):
    """One (neuron, its sliding points) per neuron with any, in order; one neuron's only
    when asked."""
    want = [(j, tuple(np.flatnonzero(row).tolist())) for j, row in enumerate(sliding_pairs) if row.any()]
    assert sliding.sliding_sets(sliding_pairs) == want
    for j in range(sliding_pairs.shape[0]):
        assert sliding.sliding_sets(sliding_pairs, j) == [pair for pair in want if pair[0] == j]
