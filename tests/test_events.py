"""Root location for activation switches, on polynomials with known roots."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reluflow.integrate.events import first_root, first_switch, poly_eval
from reluflow.integrate.taylor import Jets

F = 120
ONE = 1 << F


def _poly(roots: list[Fraction], extra: list[Fraction], scale: Fraction) -> list[int]:
    """Fixed-point coefficients of scale · Π(s − r) · (1 + Σ e_i s^i)."""
    coeffs = [Fraction(1)]
    for r in roots:
        coeffs = [
            (coeffs[i - 1] if i else 0) - r * (coeffs[i] if i < len(coeffs) else 0) for i in range(len(coeffs) + 1)
        ]
    factor = [Fraction(1)] + extra
    prod = [
        sum((coeffs[i] * factor[k - i] for i in range(len(coeffs)) if 0 <= k - i < len(factor)), Fraction(0))
        for k in range(len(coeffs) + len(factor) - 1)
    ]
    return [round(scale * c * ONE) for c in prod]


fractions = st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(3, 2), max_denominator=10**6)


@given(
    roots=st.lists(fractions, min_size=1, max_size=4),
    extra=st.lists(st.fractions("-1/10", "1/10", max_denominator=100), max_size=3),
)
@example(roots=[Fraction(1, 2), Fraction(1, 2) + Fraction(1, 10**9)], extra=[])  # near-double root
@example(
    roots=[Fraction(3439, 221000), Fraction(10345, 662099)], extra=[]
)  # found by Hypothesis: dip between grid points
@example(
    roots=[Fraction(1, 1000), Fraction(1, 1000)], extra=[Fraction(1, 32), Fraction(1, 10), Fraction(-1, 10)]
)  # found: exact tangency
@example(roots=[Fraction(13, 8000)] * 4, extra=[])  # found: quadruple root (flat at rounding level)
def test_first_root_is_the_smallest_root_in_the_step(roots, extra):
    coeffs = _poly(roots, extra, Fraction((-1) ** len(roots)))  # v(0) = Π r_i > 0
    assert coeffs[0] > 0
    inside = sorted(r for r in roots if r <= 1)
    got = first_root(coeffs, ONE, F)
    if not inside:
        assert got is None or poly_eval(coeffs, got, F) <= 0
        return
    # the first root, or a tangential touch there: "reached" is v ≤ near (≈ 2(n+1)² units), which
    # a cluster of k roots with cofactor g, v ≈ g(r)(s − r)^k, meets within (near·2^-F/|g(r)|)^(1/k)
    r = inside[0]
    cluster = [q for q in roots if abs(q - r) < Fraction(1, 10**6)]
    g = abs(poly_eval(_poly([q for q in roots if q not in cluster], extra, Fraction(1)), round(r * ONE), F)) / ONE
    near = 2 * (len(coeffs) + 1) ** 2 + 2
    tol = 2 * (near / 2.0**F / max(float(g), 1e-300)) ** (1 / len(cluster))
    assert got is not None
    assert abs(Fraction(got, ONE) - r) <= Fraction(1, 2**40) + Fraction(tol)


def test_first_switch_picks_the_earliest_pair_and_skips_frozen_ones():
    import numpy as np

    U = np.zeros((3, 2, 2), dtype=object)
    # pair (0, 0): active, u = 0.5 − s → switches at s = 0.5
    U[0, 0, 0], U[1, 0, 0] = ONE // 2, -ONE
    # pair (1, 1): active, u = 0.3 − s → switches at s = 0.3 (earliest)
    U[0, 1, 1], U[1, 1, 1] = 3 * ONE // 10, -ONE
    # pair (0, 1): inactive, exactly 0 and frozen (all jets zero): never a switch
    # pair (1, 0): inactive, u = −0.2 + s → reaches 0 at s = 0.2 ... but only if s_end ≥ 0.2
    U[0, 1, 0], U[1, 1, 0] = -ONE // 5, ONE
    active = np.array([[True, False], [False, True]])
    J = Jets(np.concatenate((np.zeros((3, 2, 1), dtype=object), U, np.zeros((3, 2, 2), dtype=object)), axis=2))
    s, j, k = first_switch(J, active, ONE, F)
    assert (j, k) == (1, 0) and abs(Fraction(s, ONE) - Fraction(1, 5)) < Fraction(1, 2**100)
    s, j, k = first_switch(J, active, ONE // 8 * 2, F)  # step ends at 0.25: (1, 0) still first
    assert (j, k) == (1, 0)
    assert first_switch(J, active, ONE // 10, F) is None


def test_first_root_is_found_when_the_float_prepass_overflows():
    """Coefficients beyond float range (seen at 120 digits and λ = 1e-300) made the float
    pre-pass NaN, and a NaN lower bound used to 'certify' its cell: the root was missed."""
    K = 1 << 1200  # v(s) = K (1 − 2 s): the root s = 1/2, coefficients of ~1320 bits
    got = first_root([K * ONE, -2 * K * ONE], ONE, F)
    assert got is not None and abs(got - ONE // 2) <= 4


@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=8), st.integers(1, 2**20), st.booleans())
def test_candidates_never_miss_a_zero_before_s_end(ints, cut, active):
    """The s_end-aware screen is sound: a pair whose oriented v(s) = ±u(s) (v(0) ≥ 0)
    reaches 0 on [0, s_end] (sampled exactly at 65 points) is always a candidate."""
    import numpy as np

    from reluflow.integrate.events import candidates

    v = [abs(ints[0]) << (F - 10)] + [c << (F - 10) for c in ints[1:]]  # oriented: v(0) ≥ 0
    s_end = (cut << F) // 2**20
    U = np.empty((len(v), 1, 1), dtype=object)
    U[:, 0, 0] = v if active else [-c for c in v]  # active pairs have u = v, inactive u = −v
    reaches = min(poly_eval(v, (i * s_end) // 64, F) for i in range(65)) <= 0
    if reaches and any(v[1:]):
        assert candidates(U, np.array([[active]]), F, s_end) == [(0, 0)]


def _decay(rate: int, level: Fraction, order: int = 38) -> list[int]:
    """Fixed-point coefficients of 2^-62 (e^(−rate·s) − level), the exponential truncated
    after ``order``: a pair of a decaying neuron near its surface (crossing it where
    e^(−rate·s) = level while the truncation is small)."""
    c0 = Fraction(1, 2**62)
    coeffs = [c0 * Fraction((-rate) ** i, math.factorial(i)) for i in range(order + 1)]
    coeffs[0] -= c0 * level
    return [round(c * ONE) for c in coeffs]


def test_a_decaying_pair_is_certified_without_the_exact_search(monkeypatch):
    """v = c_0 e^(−15 s) (late in a generic run: a dying neuron's pairs approach their
    surfaces): the cheap cell bound fails on every cell (its M2 is over all of [0, 1]); the
    Taylor-shift bound certifies them all, where the exact search took 0.35 s per step."""
    from reluflow.integrate import events, screen

    calls = []
    exact = events._exact_first_root
    monkeypatch.setattr(events, "_exact_first_root", lambda *a: calls.append(a) or exact(*a))
    v = _decay(15, Fraction(0))
    assert events.first_roots([v], ONE, F) == [None] and calls == []
    monkeypatch.setattr(screen.Screen, "_shifted", lambda self, rows, x, dx: np.zeros(len(rows), dtype=bool))
    assert events.first_roots([v], ONE, F) == [None] and len(calls) == 256  # the cheap bound alone


def test_blocks_of_cells_certify_a_decaying_pair_at_once(monkeypatch):
    """The Taylor-shift bound is tried on blocks of _BLOCK cells first: on c_0 e^(−15 s)
    every block is certified, so no single cell needs its own bound; with the blocks'
    bound failing, every cell gets its own and the answer is the same."""
    from reluflow.integrate import events, screen

    widths = []
    shifted = screen.Screen._shifted
    monkeypatch.setattr(
        screen.Screen,
        "_shifted",
        lambda self, rows, x, dx: widths.extend([dx] * len(rows)) or shifted(self, rows, x, dx),
    )
    v = _decay(15, Fraction(0))
    assert events.earliest_root([v], ONE, F) is None
    assert widths == [screen.BLOCK / screen.CELLS] * (screen.CELLS // screen.BLOCK)
    widths.clear()
    monkeypatch.setattr(
        screen.Screen,
        "_shifted",
        lambda self, rows, x, dx: (
            widths.extend([dx] * len(rows))
            or (shifted(self, rows, x, dx) if dx < screen.BLOCK / screen.CELLS else np.zeros(len(rows), dtype=bool))
        ),
    )
    assert events.earliest_root([v], ONE, F) is None
    assert widths.count(1 / screen.CELLS) == screen.CELLS


@given(
    rate=st.integers(1, 25),
    level=st.fractions(0, 1, max_denominator=10**12),
    order=st.integers(4, 40),
    split=st.integers(1, 8),
)
@example(rate=15, level=Fraction(1, 10**6), order=38, split=1)  # the root at s = 0.92: cells before it certified
@example(rate=15, level=Fraction(1, 10**7), order=38, split=3)  # beyond the step: all certified
@example(rate=25, level=Fraction(1, 10**10), order=100, split=8)  # |v| ~ 1e-21 of its largest coefficient at the root
@example(rate=15, level=Fraction(1, 10**6), order=70, split=1)  # wider than _SHIFT_PRODUCT: the term-array bound
def test_the_screen_changes_the_work_never_the_root(rate, level, order, split):
    """Screened and unscreened searches (every cell searched exactly) find the same first
    roots, on decaying pairs near their surfaces, whatever the step's end."""
    from reluflow.integrate import events, screen

    polys = [_decay(rate, level, order), _decay(rate, level / 2, order)]
    s_end = ONE * split // 8
    screened = events.first_roots(polys, s_end, F), events.earliest_root(polys, s_end, F)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(screen.Screen, "clear", lambda self: np.zeros(len(self.cf), dtype=bool))
        mp.setattr(screen.Screen, "uncertified", lambda self, rows, a, b: np.ones((len(rows), b - a), dtype=bool))
        assert screened == (events.first_roots(polys, s_end, F), events.earliest_root(polys, s_end, F))
