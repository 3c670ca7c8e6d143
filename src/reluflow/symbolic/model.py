"""The gradient flow of a one-hidden-layer ReLU network, derived by SymPy.

``derive`` differentiates the square loss L = 1/(2n) Σ_k (y_k − Σ_j a_j σ(⟨w_j, x_k⟩))²
of the real ReLU σ(u) = max(u, 0) and then fixes an activation pattern P: on the region
where u_jk > 0 exactly for P_jk = 1, σ(u_jk) = P_jk u_jk and σ'(u_jk) = P_jk, which is
the convention σ'(0) = 0 of both papers (a pair on the surface counts as inactive).  There
the flow θ̇ = −∇L is a cubic polynomial field.

Sizes may be concrete integers (every entry a symbol, or concrete data) or SymPy symbols
(then a, W, x, y, P are ``IndexedBase`` objects and sums are ``Sum``s over 1..m, 1..n, 1..d).

>>> fl = derive(1, 1, 1)
>>> fl.field[fl.a[0]]
P_0_0*w_0_0*x_0_0*(-P_0_0*a_0*w_0_0*x_0_0 + y_0)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import sympy as sp

__all__ = ["Flow", "derive", "patterns"]

Size = int | sp.Symbol


@dataclass(frozen=True)
class Flow:
    """The flow on one activation pattern.

    Concrete sizes: ``a`` (m,), ``W`` (m×d), ``X`` (n×d), ``y`` (n,) and ``P`` (m×n) are
    SymPy matrices; ``field`` maps every parameter a_j, w_jl to its time derivative.
    Symbolic sizes: they are ``IndexedBase`` objects and ``field`` maps a[i], W[i, q] for
    generic indices i, q.  ``relu_loss`` is L with σ = max(·, 0); ``loss`` is L on the
    pattern."""

    m: Size
    n: Size
    d: Size
    a: Any
    W: Any
    X: Any
    y: Any
    P: Any
    relu_loss: sp.Expr
    loss: sp.Expr
    field: dict

    @property
    def symbolic_sizes(self) -> bool:
        return not isinstance(self.m, int)

    @property
    def params(self) -> list:
        """All parameters θ = (a, W) in a fixed order (concrete sizes only)."""
        return list(self.a) + list(self.W)

    def pre_activation(self, j: Any, k: Any) -> sp.Expr:
        """u_jk = ⟨w_j, x_k⟩."""
        if self.symbolic_sizes:
            l = sp.Symbol("l", integer=True)
            return sp.Sum(self.W[j, l] * self.X[k, l], (l, 1, self.d))
        return sum((self.W[j, l] * self.X[k, l] for l in range(self.d)), sp.S.Zero)

    def residual(self, k: Any) -> sp.Expr:
        """r_k = y_k − h(x_k) on the pattern."""
        if self.symbolic_sizes:
            j = sp.Symbol("jj", integer=True)
            return self.y[k] - sp.Sum(self.a[j] * self.P[j, k] * self.pre_activation(j, k), (j, 1, self.m))
        return self.y[k] - sum((self.a[j] * self.P[j, k] * self.pre_activation(j, k) for j in range(self.m)), sp.S.Zero)

    def time_derivative(self, expr: sp.Expr) -> sp.Expr:
        """d/dt of an expression in the parameters along the flow (concrete sizes)."""
        return sum((sp.diff(expr, v) * f for v, f in self.field.items()), sp.S.Zero)


def _matrix(name: str, rows: int, cols: int | None = None) -> sp.Matrix:
    if cols is None:
        return sp.Matrix([sp.Symbol(f"{name}_{i}", real=True) for i in range(rows)])
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}_{j}", real=True))


def _given(values: Any, default: sp.Matrix, what: str) -> sp.Matrix:
    if values is None:
        return default
    # numbers exactly (a float is its binary value); symbols stay symbols
    M = sp.Matrix(values).applyfunc(lambda e: sp.Rational(e) if e.is_Float else e)
    if M.shape != default.shape:
        raise ValueError(f"{what}: shape {M.shape}, expected {default.shape}")
    return M


def patterns(m: int, n: int):
    """Every activation pattern P ∈ {0, 1}^(m×n), as tuples of rows."""
    for bits in itertools.product((0, 1), repeat=m * n):
        yield tuple(tuple(bits[j * n : (j + 1) * n]) for j in range(m))


def derive(m: Size, n: Size, d: Size, *, pattern: Any = None, X: Any = None, y: Any = None) -> Flow:
    """The loss and the gradient-flow field on an activation pattern.

    ``pattern`` is an m×n 0/1 array (default: symbols P_jk, which a pattern later fixes);
    ``X`` (n×d) and ``y`` (n,) may be concrete data, else they are symbols.  With symbolic
    sizes the pattern is the ``IndexedBase`` P.

    >>> fl = derive(2, 1, 1, pattern=[[1], [0]])
    >>> fl.field[fl.a[1]], fl.field[fl.W[1, 0]]
    (0, 0)
    """
    if not isinstance(m, int):
        return _derive_indexed(m, n, d)
    a = _matrix("a", m)
    W = _matrix("w", m, d)
    Xm = _given(X, _matrix("x", n, d), "X")
    ym = _given(y, _matrix("y", n), "y")
    Pm = _given(pattern, _matrix("P", m, n), "pattern")
    u = W * Xm.T  # u_jk = ⟨w_j, x_k⟩
    # one symbol v_jk per pair, so that pairs with equal pre-activations stay distinct;
    # the chain rule through u_jk(W) is SymPy's too
    v = sp.Matrix(m, n, lambda j, k: sp.Symbol(f"v_{j}_{k}", real=True))
    relu_v = sum(
        ((ym[k] - sum((a[j] * sp.Max(v[j, k], 0) for j in range(m)), sp.S.Zero)) ** 2 for k in range(n)), sp.S.Zero
    ) / (2 * n)
    # on the pattern: σ(v_jk) = P_jk v_jk and σ'(v_jk) = P_jk (σ'(0) = 0)
    on_pattern = {sp.Max(v[j, k], 0): Pm[j, k] * v[j, k] for j in range(m) for k in range(n)}
    on_pattern |= {sp.Heaviside(v[j, k]): Pm[j, k] for j in range(m) for k in range(n)}
    to_u = {v[j, k]: u[j, k] for j in range(m) for k in range(n)}
    dv = {(j, k): sp.diff(relu_v, v[j, k]).xreplace(on_pattern) for j in range(m) for k in range(n)}
    field = {a[j]: -sp.diff(relu_v, a[j]).xreplace(on_pattern) for j in range(m)}
    for j in range(m):
        for l in range(d):
            field[W[j, l]] = -sum((dv[j, k] * sp.diff(u[j, k], W[j, l]) for k in range(n)), sp.S.Zero)
    field = {p: sp.factor_terms(sp.expand(f.xreplace(to_u))) for p, f in field.items()}
    relu_loss = relu_v.xreplace(to_u)
    loss = relu_v.xreplace(on_pattern).xreplace(to_u)
    return Flow(m, n, d, a, W, Xm, ym, Pm, relu_loss, loss, field)


def _derive_indexed(m: sp.Symbol, n: sp.Symbol, d: sp.Symbol) -> Flow:
    """Symbolic sizes: sums over 1..m, 1..n, 1..d; the field of a[i] and W[i, q] for a
    generic neuron i and coordinate q (in range)."""
    a, W, X, y, P = (sp.IndexedBase(s) for s in ("a", "W", "x", "y", "P"))
    j, k, l = (sp.Symbol(s, integer=True) for s in ("jj", "k", "l"))
    i, q = sp.symbols("i q", integer=True)
    u = lambda jj, kk: sp.Sum(W[jj, l] * X[kk, l], (l, 1, d))
    relu_loss = sp.Sum((y[k] - sp.Sum(a[j] * sp.Max(u(j, k), 0), (j, 1, m))) ** 2, (k, 1, n)) / (2 * n)
    loss = sp.Sum((y[k] - sp.Sum(a[j] * P[j, k] * u(j, k), (j, 1, m))) ** 2, (k, 1, n)) / (2 * n)

    def grad(v):  # −∂L/∂v on the pattern, with the index in range
        g = (-sp.diff(loss, v)).doit()
        return g.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])

    field = {a[i]: grad(a[i]), W[i, q]: grad(W[i, q])}
    return Flow(m, n, d, a, W, X, y, P, relu_loss, loss, field)
