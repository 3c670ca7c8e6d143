"""The compiled kernel (GMP) and lean storage change no integer: byte-identical trajectories.

Each solve runs twice, on the compiled kernel and on the pure-Python reference, and with
kept and with recomputed jets; the JSON (dense, every jet included) must match byte for
byte apart from the metadata that names the kernel and the wall time.  Without a built
kernel (no compiler or no GMP headers at install time) the compiled half is skipped and
the reference must still run; the fallback is also checked in a child process.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from reluflow import Dataset, Init, Problem, solve
from reluflow.datasets import b1, e1, e1_rotated, sn1
from reluflow.figures.sliding import generic, slider
from reluflow.integrate import kernel
from reluflow.strategies import general_problems, orthogonal_problems

compiled = pytest.mark.skipif(not kernel.available(), reason=kernel.UNAVAILABLE or "kernel built")


def _bytes(tr) -> str:
    d = tr.to_dict(dense=True)
    for key in ("wall_time_s", "kernel"):
        d["metadata"].pop(key, None)
    return json.dumps(d, sort_keys=True)


def _runs(p: Problem, **kw) -> dict[str, str]:
    out = {}
    for which in ("python", "gmp") if kernel.available() else ("python",):
        with kernel.use(which):
            for keep in (True, False):
                out[f"{which}/{'kept' if keep else 'lean'}"] = _bytes(solve(p, keep_jets=keep, **kw))
    if kernel.simd():  # the runs above summed eight pairs at a time: the scalar sums too
        with kernel.use("gmp"), kernel.vectors(False):
            out["gmp/scalar"] = _bytes(solve(p, **kw))
    return out


def _assert_identical(runs: dict[str, str]) -> None:
    first, *rest = runs
    for name in rest:
        assert runs[name] == runs[first], f"{name} differs from {first}"


FIXTURES = {
    "e1 (orthogonal, float64 tail)": (e1(), {"digits": 30}),
    "sn1 (correlated inputs)": (sn1(), {"digits": 30}),
    "b1 at 50 digits": (b1(), {"digits": 50, "t_end": 290}),
    "e1 rotated (general Gram path)": (e1_rotated(), {"digits": 25}),
    "slider (sliding mode)": (slider(), {"digits": 20, "t_end": 30}),
    "generic (sliding, events)": (generic(), {"digits": 20, "t_end": 30}),
}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_fixtures_are_byte_identical_across_kernels_and_storage(name):
    p, kw = FIXTURES[name]
    _assert_identical(_runs(p, **kw))


@settings(max_examples=6)
@given(hs.one_of(general_problems(max_n=4, max_d=3, max_width=4), orthogonal_problems(max_n=4, max_width=4)))
def test_random_problems_are_byte_identical(p):
    _assert_identical(_runs(p, digits=20, t_end=8))


@compiled
@pytest.mark.parametrize("name", ["b1 at 50 digits", "e1 rotated (general Gram path)", "generic (sliding, events)"])
def test_packed_products_equal_products_of_gmp_entries(name, monkeypatch):
    p, kw = FIXTURES[name]
    with kernel.use("gmp"):
        packed = _bytes(solve(p, **kw))
        monkeypatch.setattr(kernel, "PACKING", False)
        assert _bytes(solve(p, **kw)) == packed


@compiled
@pytest.mark.parametrize("name", ["b1 at 50 digits", "e1 rotated (general Gram path)", "generic (sliding, events)"])
def test_coefficients_outgrowing_the_packing_width_spill_to_gmp_entries(name):
    """A step 2^40 times the radius makes the coefficients outgrow the packed operands'
    width (the state's widest entry plus one limb) part way through the recurrence: the
    operands spill into GMP entries and the integers stay those of the reference."""
    from reluflow.integrate.fixed import FixedPoint
    from reluflow.integrate.taylor import jets

    p, kw = FIXTURES[name]
    tr = solve(p, **kw, keep_jets=False)
    fx = FixedPoint.of(p, tr.F)
    seg = tr.segments[len(tr.segments) // 2]
    st, s = seg.start_state(), seg.start
    H = seg.H << 40
    out = {}
    for which in ("python", "gmp"):
        with kernel.use(which):
            J = jets(fx, st, 12, H)
            out[which] = (J.Y.tolist(), J.R.tolist())
    widest = max(abs(int(v)) for v in s.ravel()).bit_length()
    assert max(abs(int(v)) for v in np.ravel(out["gmp"][0][-1])).bit_length() > widest + 64  # it did outgrow
    assert out["gmp"] == out["python"]


@compiled
@settings(max_examples=40, deadline=None)
@given(hs.data())
def test_sums_of_three_limb_operands_agree_on_every_path(data):
    """The recurrence's Cauchy sums on operands of up to three limbs (the fixed-width path:
    scalar, or eight pairs at a time where the CPU has AVX-512 IFMA) and beyond (GMP
    entries): a state of random entries of 0..3 limbs, often all ones (the longest carries,
    every 52-bit digit full), of both signs, gives the reference's jets on every path; the
    orders outgrow three limbs part way through, so the paths also hand over mid-step.  The
    step's end state too (Horner, also in 52-bit digits eight columns at a time), and the
    pairs that may switch within s (the compiled bound screens in doubles first)."""
    from reluflow.integrate.fixed import FixedPoint
    from reluflow.integrate.taylor import jets

    p, kw = FIXTURES["generic (sliding, events)"] if data.draw(hs.booleans()) else FIXTURES["sn1 (correlated inputs)"]
    tr = _solved(p, kw)
    fx = FixedPoint.of(p, tr.F)
    seg = tr.segments[data.draw(hs.integers(0, len(tr.segments) - 1))]
    st = seg.start_state()
    for arr in (st.a, st.U, st.C):
        flat = arr.reshape(-1)
        for x in range(flat.size):
            if flat[x] != 0 or data.draw(hs.booleans()):
                flat[x] = data.draw(_limbs(3))
    st.U[~st.active & (st.U > 0)] *= -1  # an inactive pair stays below its surface
    H = seg.H >> data.draw(hs.integers(0, 200))
    one = 1 << tr.F
    s = data.draw(hs.sampled_from([0, 1, one - 1, one, 2 * one - 1]) | hs.integers(0, 2 * one - 1))
    out = {}
    for which, on in (("python", False), ("gmp", False), ("gmp", True)):
        with kernel.use(which), kernel.vectors(on):
            J = jets(fx, st, 8, max(H, 1))
            out[which, on] = (J.Y.tolist(), J.R.tolist(), J.at(s, tr.F).tolist(), J.candidates(st.active, tr.F, s))
    assert out["gmp", False] == out["python", False]
    assert out["gmp", True] == out["python", False]


_SOLVED: dict = {}


def _solved(p, kw):
    key = repr(kw) + repr(p.data.y)
    if key not in _SOLVED:
        _SOLVED[key] = solve(p, **kw, keep_jets=False)
    return _SOLVED[key]


@compiled
@pytest.mark.parametrize("vectors", [True, False])
def test_gram_product_floors_like_python(vectors):
    class Fx:  # the fields gram_times reads
        n, F, cache = 3, 7, {}
        G = np.array([[1 << 9, -3, 5], [-(1 << 300), 7, 0], [2, 0, -1]], dtype=object)

    M = np.array([[1, -2, 3], [0, 0, 0], [-(1 << 200), 5, -7]], dtype=object)
    with kernel.use("gmp"), kernel.vectors(vectors):
        got = kernel.gram_times(Fx, M)
    assert got.tolist() == (M.dot(Fx.G) >> Fx.F).tolist()


def _limbs(max_limbs: int):
    """Integers of 0..max_limbs 64-bit limbs, often all ones (the longest carry chains)."""
    size = hs.integers(0, 64 * max_limbs)
    ones = size.map(lambda b: (1 << b) - 1)
    return hs.one_of(ones, size.flatmap(lambda b: hs.integers(0, (1 << b) - 1))).flatmap(
        lambda v: hs.sampled_from([v, -v])
    )


@compiled
@settings(max_examples=80)
@given(
    hs.tuples(hs.integers(1, 4), hs.sampled_from([3, 5])).flatmap(
        lambda nw: hs.tuples(hs.just(nw[0]), hs.lists(_limbs(nw[1]), min_size=2 * nw[0] ** 2, max_size=2 * nw[0] ** 2))
    ),
    hs.sampled_from([70, 128, 146]),
    hs.booleans(),
)
def test_limb_products_of_every_size_sum_like_python(case, F, vectors):
    """The multiply-accumulate behind every product of the kernel (the Gram's column sums
    up to 3 limbs by 3, or its vector sums over the digits of G + 2^207, the unrolled path,
    the schoolbook loop up to 8, GMP beyond), on sums of products of mixed signs and sizes
    (at most 3 limbs, or 5), floored by shifts within a limb and by whole limbs: a Gram
    product, against Python's integers."""
    n, values = case

    class Fx:  # the fields gram_times reads
        G = np.array(values[: n * n], dtype=object).reshape(n, n)

    Fx.n, Fx.F, Fx.cache = n, F, {}
    M = np.array(values[n * n :], dtype=object).reshape(n, n)
    with kernel.use("gmp"), kernel.vectors(vectors):
        got = kernel.gram_times(Fx, M)
    assert got.tolist() == (M.dot(Fx.G) >> Fx.F).tolist()


def _near_ties():
    """Integers of 1..6 limbs at and around the roundings to 53 bits: exact halves, one
    unit either side, and sticky bits far below the top (all to even and odd mantissas)."""
    mant, shift = hs.integers(1 << 52, (1 << 53) - 1), hs.integers(1, 330)
    half = hs.tuples(mant, shift).map(lambda ms: ((2 * ms[0] + 1) << ms[1]) >> 1)
    return hs.tuples(hs.one_of(half, mant.map(lambda v: v << 11)), hs.sampled_from([-1, 0, 1]), hs.booleans()).map(
        lambda c: (c[0] + c[1]) * (-1 if c[2] else 1)
    )


@compiled
@given(hs.lists(hs.one_of(_near_ties(), _limbs(6)), min_size=1, max_size=20), hs.integers(0, 960))
def test_exact_orders_reach_the_tail_rounded_like_python(values, F):
    """The exact orders the recurrence hands to the float64 tail are float(x)·2^-F of
    Python (round to nearest, ties to even), read straight from the limbs."""
    got = kernel._kernel.to_double(values, F)
    assert got == [math.ldexp(float(v), -F) for v in values]


@compiled
def test_a_tail_entry_wider_than_the_exact_orders_widens_the_packed_series():
    """A step's jets are one packed block, its slots as wide as the widest exact entry; a
    float64 tail entry wider still (set_tail) widens every slot, and every other entry keeps
    its value."""
    S, st, F = _exact_series()  # no float64 tail: every order exact
    order, m, n = S.shape
    w = 1 + 2 * n
    Y, R = S.tolist()
    aj, ak = np.nonzero(st.active)
    row = np.zeros(m + 2 * aj.size + n)  # order 8: [a | C, U of the active pairs | R of order 7]
    row[0] = 2.0**600
    S.set_tail(order - 1, F, row.tobytes(), aj.tolist(), ak.tolist())
    for j in range(m):
        Y[(order * m + j) * w] = int(math.ldexp(row[j], F))
    for j, k in zip(aj, ak):
        Y[(order * m + j) * w + 1 + k] = Y[(order * m + j) * w + 1 + n + k] = 0
    R[(order - 1) * n :] = [0] * n
    assert int(math.ldexp(2.0**600, F)).bit_length() > max(abs(v) for v in Y[: order * m * w]).bit_length() + 64
    assert S.tolist() == (Y, R)


_TAIL_VALUES = hs.one_of(
    hs.floats(allow_nan=False, allow_infinity=False, max_value=2.0**800, min_value=-(2.0**800)),
    hs.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.0**-146, -(2.0**-147), 2.0**-82 * 3, 1 - 2.0**-53, 2.0**700]),
)


@compiled
@settings(max_examples=60)
@given(hs.lists(_TAIL_VALUES, min_size=1, max_size=12))
def test_the_float64_tail_enters_the_series_as_python_truncates_it(values):
    """set_tail writes trunc(v · 2^F) straight from the double's bits: Python's
    int(ldexp(v, F)) for every value (zeros of either sign, subnormals, limb boundaries,
    entries wider than every slot), and the general path where a slot must widen."""
    S, st, F = _exact_series()
    order, m, n = S.shape
    aj, ak = np.nonzero(st.active)
    row = np.resize(np.array(values, dtype=float), m + 2 * aj.size + n)
    S.set_tail(order - 1, F, row.tobytes(), aj.tolist(), ak.tolist())
    Y, R = S.tolist()
    w = 1 + 2 * n
    got = [Y[(order * m + j) * w] for j in range(m)]
    for j, k in zip(aj, ak):
        got += [Y[(order * m + j) * w + 1 + n + k]]
    for j, k in zip(aj, ak):
        got += [Y[(order * m + j) * w + 1 + k]]
    got += R[(order - 1) * n :]
    assert got == [int(math.ldexp(v, F)) for v in row]


def _series_with_tail(seed: int, exponent: int):
    """An exact order-8 Series of e1 whose last order is a float64 tail row of random signs
    at scale 2^exponent (beyond 2^64 · the exact entries: every slot widens)."""
    S, st, F = _exact_series()
    _, m, n = S.shape
    aj, ak = np.nonzero(st.active)
    row = np.random.default_rng(seed).standard_normal(m + 2 * aj.size + n) * 2.0**exponent
    S.set_tail(S.shape[0] - 1, F, row.tobytes(), aj.tolist(), ak.tolist())
    return S, F


def _exact_series():
    """(Series, its start state, F): the exact order-8 jets of e1's first step (no tail)."""
    from reluflow.integrate.fixed import FixedPoint
    from reluflow.integrate.taylor import jets

    p = e1()
    tr = solve(p, digits=30, t_end=5, keep_jets=False)
    fx, seg = FixedPoint.of(p, tr.F), tr.segments[0]
    st = seg.start_state()
    with kernel.use("gmp"):
        return jets(fx, st, 8, seg.H).series, st, tr.F


@compiled
@settings(max_examples=40)
@given(
    hs.integers(0, 3),
    hs.sampled_from([-300, -150, -20, 0, 200, 700]),
    hs.one_of(
        hs.sampled_from(["0", "1", "one-1", "one", "one+1", "2one-1", "2one", "-1", "-one"]), hs.integers(0, 2**40)
    ),
    hs.booleans(),
)
def test_jets_are_evaluated_on_the_packed_series_as_python_floors(seed, exponent, at, vectors):
    """A step's end state (Horner on the packed Series, and on its residual jets):
    ((acc · s) >> F) + c_k of Python at every order, for negative accumulators (the floor),
    slots widened by a tail entry, the ends of the step and beyond (the limb-level path
    for 0 ≤ s < 2^(F+1), eight columns at a time in 52-bit digits where the CPU has
    AVX-512 IFMA, mpz for any other s)."""
    S, F = _series_with_tail(seed, exponent)
    one = 1 << F
    named = {"0": 0, "1": 1, "one-1": one - 1, "one": one, "one+1": one + 1, "2one-1": 2 * one - 1}
    named |= {"2one": 2 * one, "-1": -1, "-one": -one}
    s = named[at] if isinstance(at, str) else at << (F - 40)
    order = S.shape[0]
    Y = np.array(S.tolist()[0], dtype=object).reshape(order + 1, -1)
    R = np.array(S.residuals(), dtype=object).reshape(order, -1)
    for which, jets in ((0, Y), (1, R)):
        acc = jets[-1].copy()
        for k in range(jets.shape[0] - 2, -1, -1):
            acc = ((acc * s) >> F) + jets[k]
        with kernel.vectors(vectors):
            assert S.horner(which, s) == acc.tolist()


@compiled
def test_the_recurrence_refuses_a_float_tail_before_order_1(monkeypatch):
    """The float64 tail's test at order k reads the coefficients the loop made for order k
    (on orthogonal inputs it never makes order 0's per-pair copy), so ``float_from`` is -1
    (no tail) or an order ≥ 1 (taylor.jets passes ≥ 2); anything else is refused, not read."""
    captured = []
    real = kernel.recurrence
    monkeypatch.setattr(kernel, "recurrence", lambda *args, **kw: captured.append(args) or real(*args, **kw))
    _exact_series()
    args = list(captured[0])
    for bad in (0, -2):
        args[14] = bad
        with pytest.raises(ValueError, match="float_from"):
            real(*args)


@compiled
@pytest.mark.parametrize(
    "name", ["e1 (orthogonal, float64 tail)", "e1 rotated (general Gram path)", "generic (sliding, events)"]
)
def test_full_jets_continue_from_their_prefix_as_made_afresh(name):
    """After a decision the settled pattern's full jets continue from its prefix jets
    (``jets(start=...)``): orders 0..upto are read back, not made again.  The same integers
    as jets made afresh, on every kind of step (orthogonal with the float64 tail, general
    Gram, sliding), and refused for another pattern or step, or an order not above it."""
    from reluflow.integrate.fixed import FixedPoint
    from reluflow.integrate.taylor import jets

    p, kw = FIXTURES[name]
    tr = solve(p, **kw, keep_jets=False)
    fx = FixedPoint.of(p, tr.F)
    fb = tr.segments[0].recompute.float_below
    slid = [s for s in tr.segments if s.sliding is not None and s.sliding.any()]
    assert bool(slid) == name.startswith("generic")
    with kernel.use("gmp"):
        for seg in [tr.segments[0], tr.segments[len(tr.segments) // 2], *slid[:2]]:
            st, q = seg.start_state(), tr.order
            for upto in (1, 4):
                J = jets(fx, st, q, seg.H, fb, upto)
                made, resumed = jets(fx, st, q, seg.H, fb), jets(fx, st, q, seg.H, fb, start=J)
                assert (resumed.Y.tolist(), resumed.R.tolist()) == (made.Y.tolist(), made.R.tolist())
        J = jets(fx, st, q, seg.H, fb, 4)
        with pytest.raises(ValueError, match="start"):
            jets(fx, st, q, seg.H + 1, fb, start=J)
        with pytest.raises(ValueError, match="start"):
            jets(fx, st, 4, seg.H, fb, start=J)
        st.active[np.unravel_index(np.argmax(st.active), st.active.shape)] ^= True
        with pytest.raises(ValueError, match="start"):
            jets(fx, st, q, seg.H, fb, start=J)


@compiled
def test_the_recurrence_refuses_a_start_that_is_no_prefix(monkeypatch):
    """The compiled recurrence itself checks what it continues from: a Series of the step's
    shape and F, of an order below the one asked for."""
    captured = []
    real = kernel.recurrence
    monkeypatch.setattr(kernel, "recurrence", lambda *args, **kw: captured.append(args) or real(*args, **kw))
    series, _, _ = _exact_series()
    args = list(captured[-1])  # the order-8 jets of the series
    with pytest.raises(TypeError, match="start"):
        real(*args, start=[1, 2])
    with pytest.raises(ValueError, match="start"):
        real(*args, start=series)  # order 8: not below the order asked for (8)
    args[1] = 12
    assert real(*args, start=series)[0].shape == real(*args)[0].shape  # continued: order 12
    args[0] += 1
    with pytest.raises(ValueError, match="start"):
        real(*args, start=series)  # another F


@compiled
def test_a_sliding_projector_is_checked_once_when_made():
    """A sliding set's projector crosses into GMP once (``kernel.projector``), its indices and
    sizes checked then; every jets call reads it as it is."""
    assert kernel.projector(3, (0, 2), (0,), [7], [1, -2, 3]) is not None
    with pytest.raises(IndexError):
        kernel.projector(3, (0, 5), (0,), [7], [1, -2, 3])  # a point beyond n
    with pytest.raises(ValueError):
        kernel.projector(3, (0, 2), (0,), [7, 8], [1, -2, 3])  # G_BB⁻¹ is |B| × |B|
    with pytest.raises(ValueError):
        kernel.projector(3, (0, 2), (0,), [7], [1, -2])  # G_B· is |B| × n


@compiled
@pytest.mark.parametrize("bits", [1, 29, 30, 31, 60, 61, 63, 64, 65, 90, 127, 128, 2039, 2040, 2047, 2048, 2049, 5000])
def test_integers_cross_into_gmp_and_back_exactly(bits):
    """Python ints ↔ GMP (byte buffers on the stack up to 2048 bits, on the heap beyond),
    at and around powers of two, both signs: a 1×1 Gram product by 2^F is the identity."""

    class Fx:
        n, F, cache = 1, 5, {}
        G = np.array([[1 << 5]], dtype=object)

    for v in (1 << bits, (1 << bits) - 1, (1 << bits) + 1, 1 << (bits - 1)):
        for x in (v, -v):
            Fx.cache = {}
            with kernel.use("gmp"):
                assert kernel.gram_times(Fx, np.array([[x]], dtype=object))[0, 0] == x


def test_lean_storage_evaluates_like_kept_jets():
    p = e1()
    kept, lean = solve(p, digits=25, keep_jets=True), solve(p, digits=25, keep_jets=False)
    assert all(seg.jets is None and seg.start is not None for seg in lean.segments)
    for t in ("0.5", "30", "71.25", "100"):
        a, b = kept.evaluate(t), lean.evaluate(t)
        assert (a.a, a.W, a.U, a.active) == (b.a, b.W, b.U, b.active)


def test_default_keeps_small_jets_and_recomputes_large_ones():
    assert all(seg.jets is not None for seg in solve(e1(), digits=20).segments)
    rng = np.random.default_rng(0)
    X = np.eye(8, dtype=int).tolist()
    z = [[str(v) for v in row] for row in rng.standard_normal((100, 8)).round(2)]
    big = Problem(Dataset(X, [1] * 8), Init("1e-10", z, [1] * 100))
    tr = solve(big, digits=30, t_end=1, max_steps=3)
    assert all(seg.jets is None for seg in tr.segments)


@compiled
def test_the_vector_sums_switch_off_and_say_so():
    """``RELUFLOW_SIMD=0`` (read at import) and ``kernel.vectors(False)`` turn the vector sums
    off; the run metadata names the kernel ``gmp+ifma`` exactly where they run."""
    with kernel.use("gmp"), kernel.vectors(False):
        assert not kernel.simd() and kernel.describe() == "gmp"
        assert solve(b1(), digits=20, t_end=5).metadata["kernel"] == "gmp"
    with kernel.use("gmp"), kernel.vectors(True):
        assert kernel.describe() == ("gmp+ifma" if kernel.simd() else "gmp")
    code = "from reluflow.integrate import kernel; print(kernel.simd(), kernel.describe())"
    env = {**os.environ, "RELUFLOW_SIMD": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "gmp"]


def test_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="kernel"), kernel.use("fortran"):
        pass


@pytest.mark.parametrize("how", ["env", "missing"])
def test_pure_python_fallback_runs_and_says_so(how):
    """RELUFLOW_KERNEL=python, or an extension that failed to build (import blocked)."""
    code = (
        "import sys\n"
        + ("sys.modules['reluflow.integrate._kernel'] = None\n" if how == "missing" else "")
        + "from reluflow.integrate import kernel\n"
        "from reluflow import solve\nfrom reluflow.datasets import e1\n"
        "tr = solve(e1(), digits=20)\n"
        "print(kernel.name(), tr.metadata['kernel'], tr.status.value)\n"
        "print(kernel.notice())\n"
    )
    env = dict(os.environ, RELUFLOW_KERNEL="python" if how == "env" else "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    first, notice = out.stdout.splitlines()[:2]
    assert first == "python python t_end"
    assert notice.startswith("reluflow: using the pure-Python engine") and "same" in notice


def test_event_dense_steps_lower_the_order_and_round_trip():
    """After a step an event cut short, the next steps run at a lower Taylor order (the
    order policy, integrate.order.next_order); each step's order is kept in the JSON where it
    differs from the run's, read back, and recomputed lean jets use it."""
    from reluflow import Trajectory

    p, kw = FIXTURES["generic (sliding, events)"]
    tr = solve(p, **kw)
    orders = {seg.Y.shape[0] - 1 for seg in tr.segments}
    assert min(orders) < tr.order == max(orders)
    d = tr.to_dict()
    assert any("order" in seg for seg in d["exact"]["segments"])
    back = Trajectory.from_json(json.dumps(d))
    assert [seg.Y.shape for seg in back.segments] == [seg.Y.shape for seg in tr.segments]
    assert back.evaluate(7).a == tr.evaluate(7).a
    lean = solve(p, keep_jets=False, **kw)
    assert [seg.Y.shape for seg in lean.segments] == [seg.Y.shape for seg in tr.segments]


def test_a_step_order_beyond_the_run_order_is_refused():
    from reluflow import ProblemError, Trajectory

    p, kw = FIXTURES["generic (sliding, events)"]
    d = solve(p, **kw).to_dict()
    seg = next(s for s in d["exact"]["segments"] if "order" in s)
    seg["order"] = d["order"] + 1
    with pytest.raises(ProblemError, match=r"exact\.segments\[\d+\]\.order"):
        Trajectory.from_json(json.dumps(d))


def test_next_order_rule():
    from reluflow.integrate.order import MIN_ORDER, next_order

    one = 1 << 400
    assert next_order(40, 40, 1.0, one // 2, None, one) == 40  # no event: full order
    assert next_order(40, 10, 1.0, one // 2, None, one) == 20  # back up by 2× per full step
    assert next_order(40, 40, 1.0, one // 10**6, one // 8, one) < 20  # an event at 1e-6 of ρ: far fewer orders
    assert next_order(40, 40, 1.0, one // 10**60, one // 8, one) == MIN_ORDER
    assert next_order(40, 17, 1.0, 0, one // 8, one) == 17  # an event at this instant: unchanged
    assert next_order(4, 4, 1.0, one // 10**60, one // 8, one) == 4  # never above the run's order


def test_cli_says_once_that_the_pure_python_engine_runs(tmp_path):
    spec = tmp_path / "e1.toml"
    spec.write_text(
        '[data]\nX = [[1, 0], [0, 1]]\ny = [1, -1]\n[init]\nlambda = "1e-10"\nz = [[1, 0.5], [0.5, -1]]\ns = [1, -1]\n',
        encoding="utf-8",
    )
    env = dict(os.environ, RELUFLOW_KERNEL="python")
    out = subprocess.run(
        [sys.executable, "-m", "reluflow", "solve", str(spec), "--digits", "15"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("using the pure-Python engine") == 1
    env["RELUFLOW_KERNEL"] = ""
    out = subprocess.run(
        [sys.executable, "-m", "reluflow", "solve", str(spec), "--digits", "15"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ("pure-Python" in out.stderr) == (not kernel.available())


@pytest.mark.parametrize(
    "name",
    ["slider (sliding mode)", "generic (sliding, events)", "sn1 (correlated inputs)", "e1 (orthogonal, float64 tail)"],
)
def test_switches_decided_from_prefix_jets_as_from_full_jets(name, monkeypatch):
    """Settling decides from prefix jets (orders 0..DECIDE_ORDER) and falls back to full jets
    where a prefix cannot tell (Short).  The run is the same byte for byte with no prefix at
    all (every decision from the full jets) and with order-1 prefixes (a Short at almost
    every decision)."""
    from reluflow.integrate import engine, settle

    p, kw = FIXTURES[name]
    runs = {"default": _bytes(solve(p, **kw))}
    for label, order in (("full", lambda fx, q, fb: q), ("order 1", lambda fx, q, fb: 1)):
        monkeypatch.setattr(engine, "prefix_order", order)
        monkeypatch.setattr(settle, "prefix_order", order)
        runs[label] = _bytes(solve(p, **kw))
    _assert_identical(runs)


@settings(max_examples=6)
@given(general_problems(max_n=4, max_d=3, max_width=4))
def test_prefix_decisions_on_random_problems(p):
    from reluflow.integrate import engine, settle

    default = _bytes(solve(p, digits=20, t_end=8))
    saved = engine.prefix_order, settle.prefix_order
    try:
        engine.prefix_order = settle.prefix_order = lambda fx, q, fb: q
        full = _bytes(solve(p, digits=20, t_end=8))
    finally:
        engine.prefix_order, settle.prefix_order = saved
    assert default == full


def test_a_short_prefix_after_decisions_settles_the_instant_again_from_its_start(monkeypatch):
    """A Short raised after some pairs were decided (here: at the very end of every settling
    from prefix jets) restores the state, pins and event log of the instant's start and
    settles it again from full jets: the same run, byte for byte."""
    from reluflow.integrate import settle
    from reluflow.integrate.events import Short

    p, kw = FIXTURES["generic (sliding, events)"]
    default = _bytes(solve(p, **kw))
    finish = settle._finish

    def late_short(fx, st, J, trial, *rest):
        if trial.upto is not None:
            raise Short
        return finish(fx, st, J, trial, *rest)

    monkeypatch.setattr(settle, "_finish", late_short)
    assert _bytes(solve(p, **kw)) == default


def test_a_switch_with_an_aligned_neuron_about_to_follow_lowers_the_next_order(monkeypatch):
    """Neurons whose directions differ by 1e-22 switch on one point ~1e-22 apart: after the
    first switch the next step runs at the lowest order (integrate.order.switch_ahead), not the
    full order the distance to the first switch suggests; the events are the same."""
    from fractions import Fraction

    from reluflow.integrate import engine
    from reluflow.integrate.order import MIN_ORDER

    p = e1("1e-30")
    z0 = [Fraction(v) for v in p.init.z[0]]
    twin = [z0[0] + Fraction(1, 10**22), *z0[1:]]
    q = Problem(p.data, Init(p.init.lam, [*p.init.z, twin], [*p.init.s, p.init.s[0]]))

    def after_first_switch(tr):
        t1 = min(e.t for e in tr.events if e.neuron == len(p.init.z))
        i = next(i for i, seg in enumerate(tr.segments) if seg.t0 >= int(mpmath.ldexp(t1, tr.F)))
        return tr.segments[i].Y.shape[0] - 1, [(e.neuron, e.point, e.direction) for e in tr.events]

    order, events = after_first_switch(solve(q, digits=25, t_end=150))
    monkeypatch.setattr(engine, "switch_ahead", lambda st, J, F: None)
    order_off, events_off = after_first_switch(solve(q, digits=25, t_end=150))
    assert order == MIN_ORDER < order_off
    assert events == events_off
