"""The symbolic layer: the engine's field and Taylor recurrences equal the SymPy
derivation exactly; codegen respects local precision and encloses exact values."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st
from mpmath.libmp import MPZ

from reluflow import Dataset, Init, Problem
from reluflow.integrate.fixed import FixedPoint, State
from reluflow.integrate.taylor import jets
from reluflow.precision import context
from reluflow.symbolic import (
    derive,
    is_zero,
    recurrence_residual,
    series_coefficients,
    to_arb,
    to_mpmath,
)

F = 256  # fixed-point bits: ample for the dyadic values below, so the engine is exact
ORDER = 6


def dyadic(lo=-12, hi=12, bits=2):
    """Small rationals with denominator 2^bits: their products stay far inside F bits."""
    return st.integers(lo, hi).map(lambda v: Fraction(v, 2**bits))


@st.composite
def instances(draw):
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    orthogonal = draw(st.booleans())
    d = draw(st.integers(n, 3)) if orthogonal else draw(st.integers(1, 3))
    nonzero = dyadic().filter(lambda v: v != 0)
    if orthogonal:  # x_k = c_k e_k: exactly orthogonal
        X = [[draw(nonzero) if l == k else Fraction(0) for l in range(d)] for k in range(n)]
    else:
        X = [draw(st.lists(dyadic(), min_size=d, max_size=d).filter(any)) for _ in range(n)]
    y = draw(st.lists(dyadic(), min_size=n, max_size=n))
    a = draw(st.lists(dyadic(), min_size=m, max_size=m))
    W = [draw(st.lists(dyadic(), min_size=d, max_size=d)) for _ in range(m)]
    P = [draw(st.lists(st.booleans(), min_size=n, max_size=n)) for _ in range(m)]
    return X, y, a, W, P


def engine_jets(X, y, a, W, P, order):
    """The engine's jets of the state (a, U = W Xᵀ, C = 0) on pattern P, at the scaled
    step H = n·order!: then every coefficient c_q H^q is a dyadic rational (the recurrence
    divides by n(q+1) only), so the fixed-point engine computes it exactly."""
    m, n, d = len(a), len(X), len(X[0])
    problem = Problem(Dataset(X, y), Init(1, [[1] * d] * m, [1] * m))
    fx = FixedPoint.of(problem, F)
    one = 1 << F
    U = [[sum((w * x for w, x in zip(W[j], X[k])), Fraction(0)) for k in range(n)] for j in range(m)]
    fixed = lambda q: MPZ(int(q * one))
    state = State(
        a=np.array([fixed(v) for v in a], dtype=object),
        U=np.array([[fixed(v) for v in row] for row in U], dtype=object),
        C=np.array([[MPZ(0)] * n for _ in range(m)], dtype=object),
        e=np.array([0] * m, dtype=object),
        active=np.array(P, dtype=bool),
    )
    step = n * math.factorial(order)
    return jets(fx, state, order, step * one), step, fx


@given(instances())
# found by Hypothesis: two equal inputs give two pairs with the same pre-activation, which
# an expression-keyed pattern substitution in the derivation merged (fixed: one symbol per pair)
@example(
    (
        [[Fraction(1, 4)], [Fraction(1, 4)]],
        [Fraction(0), Fraction(1, 4)],
        [Fraction(1, 4)],
        [[Fraction(0)]],
        [[False, True]],
    )
)
def test_engine_jets_equal_sympy_taylor_coefficients(inst):
    X, y, a, W, P = inst
    m, n, d = len(a), len(X), len(X[0])
    J, step, fx = engine_jets(X, y, a, W, P, ORDER)
    assert (fx.gdiag is not None) == Dataset(X, y).is_orthogonal  # both engine paths are exercised
    flow = derive(m, n, d, pattern=[[int(b) for b in row] for row in P], X=X, y=y)
    point = {flow.a[j]: a[j] for j in range(m)} | {flow.W[j, l]: W[j][l] for j in range(m) for l in range(d)}
    ref = series_coefficients(flow, point, ORDER)
    one = 1 << F
    value = lambda v, q: sp.Rational(int(v), one) / step**q
    for q in range(ORDER + 1):
        for j in range(m):
            assert value(J.A[q, j], q) == ref[flow.a[j]][q], (q, j)
            w_q = [ref[flow.W[j, l]][q] for l in range(d)]
            for k in range(n):
                assert value(J.U[q, j, k], q) == sum(wl * xl for wl, xl in zip(w_q, X[k])), (q, j, k)
            if q >= 1:  # w_j's jets are Σ_l C_jl x_l
                for l in range(d):
                    c = sum(value(J.C[q, j, kk], q) * X[kk][l] for kk in range(n))
                    assert c == w_q[l], (q, j, l)
    # residual jets: r_k = y_k − h(x_k) along the same series
    h = lambda k, q: sum(
        ref[flow.a[j]][i] * sum(ref[flow.W[j, l]][q - i] * X[k][l] for l in range(d))
        for j in range(m)
        if P[j][k]
        for i in range(q + 1)
    )
    for q in range(ORDER):
        for k in range(n):
            assert value(J.R[q, k], q) == (y[k] if q == 0 else 0) - h(k, q)


def test_field_is_order_one_of_the_recurrence():
    """The field itself: θ̇ = θ_1, on the example of the docs (two neurons, one inactive pair)."""
    X, y, a, W, P = [[1, 2], [3, -1]], [1, -2], [Fraction(1, 2), -1], [[1, 0], [Fraction(-1, 4), 2]], [[1, 0], [1, 1]]
    J, step, _ = engine_jets(X, y, a, W, P, 1)
    flow = derive(2, 2, 2, pattern=[[1, 0], [1, 1]], X=X, y=y)
    point = {flow.a[0]: a[0], flow.a[1]: a[1]} | {flow.W[j, l]: W[j][l] for j in range(2) for l in range(2)}
    for j in range(2):
        ref = flow.field[flow.a[j]].xreplace(point)
        assert sp.Rational(int(J.A[1, j]), 1 << F) / step == ref


@pytest.mark.parametrize("size,order", [((2, 2, 2), 2), ((2, 2, 1), 3), ((1, 2, 2), 3)])
def test_recurrence_equals_series_symbolically(size, order):
    assert all(r == 0 for r in recurrence_residual(derive(*size), order))


def test_symbolic_sizes_conservation_and_a_false_identity():
    m, n, d = sp.symbols("m n d", integer=True, positive=True)
    i, q = sp.symbols("i q", integer=True)
    fl = derive(m, n, d)
    ad, wd = fl.field[fl.a[i]], fl.field[fl.W[i, q]]
    assert is_zero(fl.a[i] * ad - sp.Sum(fl.W[i, q] * wd, (q, 1, d)))
    assert not is_zero(fl.a[i] * ad + sp.Sum(fl.W[i, q] * wd, (q, 1, d)))


def test_codegen_mpmath_uses_the_given_context_only():
    x = sp.Symbol("x")
    before = (mpmath.mp.prec, mpmath.mp.dps)
    f = to_mpmath([x], sp.exp(x) + sp.Rational(1, 3) + sp.pi, context(60))
    v = f(Fraction(1, 7))
    assert (mpmath.mp.prec, mpmath.mp.dps) == before
    ref = (sp.exp(sp.Rational(1, 7)) + sp.Rational(1, 3) + sp.pi).evalf(80)
    assert abs(sp.Float(str(v), 80) - ref) < sp.Float("1e-58")


@given(st.fractions(min_value=Fraction(1, 100), max_value=100, max_denominator=1000))
def test_codegen_arb_encloses_the_exact_value(q):
    x = sp.Symbol("x")
    expr = sp.sqrt(x) * sp.atanh(1 / (1 + x)) - sp.log(x) / 7
    ball = to_arb([x], expr, prec=80)(q)
    exact = expr.xreplace({x: sp.Rational(q.numerator, q.denominator)}).evalf(60)
    mid, rad = sp.Float(ball.mid().str(40, radius=False), 60), sp.Float(ball.rad().str(20, radius=False), 60)
    assert abs(mid - exact) <= rad + sp.Float("1e-45")  # the ball contains the 60-digit value
    assert 0 < rad < 2.0**-70 * (1 + abs(float(exact)))
