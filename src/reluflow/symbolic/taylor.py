"""Taylor coefficients of the flow, derived two ways.

``series_coefficients`` is the definition: with θ(t) = Σ_q θ_q t^q, the coefficient
θ_{q+1} is [t^q] θ̇(θ(t)) / (q + 1), extracted by SymPy from the substituted field, in
exact rational arithmetic.  ``cauchy_coefficients`` is the recurrence the engine
implements (``reluflow.integrate.taylor``), over the auxiliary residuals r_k and
pre-activations u_jk::

    r_{k,q}     = δ_{q0} y_k − Σ_j P_jk Σ_{i≤q} a_{j,i} u_{jk,q−i}
    a_{j,q+1}   = 1/(n(q+1)) Σ_k P_jk Σ_{i≤q} r_{k,i} u_{jk,q−i}
    w_{j,q+1}   = 1/(n(q+1)) Σ_k P_jk Σ_{i≤q} a_{j,i} r_{k,q−i} x_k,   u_{jk,q} = ⟨w_{j,q}, x_k⟩

``recurrence_residual`` returns their difference at order q with every coefficient a
symbol, which simplifies to zero (proof check M4).

>>> from reluflow.symbolic import derive
>>> fl = derive(1, 1, 1, pattern=[[1]], X=[[1]], y=[1])
>>> c = series_coefficients(fl, {fl.a[0]: 1, fl.W[0, 0]: 1}, 2)
>>> c[fl.a[0]]
[1, 0, 0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy import QQ
from sympy.polys.rings import ring

from .model import Flow

__all__ = ["cauchy_coefficients", "recurrence_residual", "series_coefficients"]

t = sp.Symbol("t")


@dataclass(frozen=True)
class _Ring:
    """A sparse polynomial ring over QQ in t and every symbol left in the field and the
    point (SymPy's ``rings``: fast exact arithmetic), with the point converted into it."""

    R: Any
    T: Any  # the generator t
    gens: list  # the other symbols, and their ring generators G
    G: list
    start: dict  # parameter → θ_0 as a ring element

    @classmethod
    def of(cls, flow: Flow, point: dict) -> _Ring:
        start = {v: sp.sympify(point[v]) for v in flow.params}
        free = set().union(
            *(flow.field[v].free_symbols for v in flow.params), *(e.free_symbols for e in start.values())
        )
        gens = sorted(free - set(flow.params), key=str)
        R, T, *G = ring([t, *gens], QQ)
        return cls(R, T, gens, G, {v: _into(R, e) for v, e in start.items()})

    def conv(self, e):
        return _into(self.R, e)


def _into(R, e):
    """A SymPy number or polynomial expression as an element of the ring R."""
    e = sp.sympify(e)
    return R.from_expr(e) if e.free_symbols else R(e)


def series_coefficients(flow: Flow, point: dict, order: int) -> dict:
    """Exact Taylor coefficients θ_0..θ_order of every parameter at ``point`` (a dict
    parameter → rational or symbol), by series substitution into the SymPy field."""
    coeffs = _series(flow, _Ring.of(flow, point), order)
    return {v: [c.as_expr() for c in cs] for v, cs in coeffs.items()}


def _series(flow: Flow, rg: _Ring, order: int) -> dict:
    params = flow.params
    polys = [sp.Poly(flow.field[v], *params, *rg.gens).as_dict() for v in params]
    coeffs = {v: [rg.start[v]] for v in params}
    npar = len(params)
    for q in range(order):
        series = [sum((c * rg.T**i for i, c in enumerate(coeffs[v])), rg.R(0)) for v in params]
        for v, pd in zip(params, polys):
            value = rg.R(0)
            for monom, c in pd.items():
                term = rg.R(c)
                for g, e in zip(rg.G, monom[npar:]):
                    term *= g**e
                for s_, e in zip(series, monom[:npar]):
                    for _ in range(e):
                        term = _truncate(term * s_, q)
                value += term
            coeffs[v].append(_coeff(value, q) * QQ(1, q + 1))
    return coeffs


def _truncate(p, q: int):
    """Drop the terms of degree > q in t (the ring's first generator)."""
    return p.ring({mon: c for mon, c in p.items() if mon[0] <= q})


def _coeff(p, q: int):
    """The coefficient of t^q, as a ring element free of t."""
    return p.ring({(0, *mon[1:]): c for mon, c in p.items() if mon[0] == q})


def cauchy_coefficients(flow: Flow, point: dict, order: int) -> dict:
    """The engine's recurrence in exact arithmetic: the a_j, w_jl coefficients as
    ``series_coefficients`` returns them, plus the residual coefficients under ``"r"``."""
    rec = _cauchy(flow, _Ring.of(flow, point), order)
    out = {v: [c.as_expr() for c in cs] for v, cs in rec.items() if v != "r"}
    out["r"] = [[c.as_expr() for c in cs] for cs in rec["r"]]
    return out


def _cauchy(flow: Flow, rg: _Ring, order: int) -> dict:
    m, n, d = flow.m, flow.n, flow.d
    conv, start = rg.conv, rg.start
    P = [[conv(flow.P[j, k]) for k in range(n)] for j in range(m)]
    X = [[conv(flow.X[k, l]) for l in range(d)] for k in range(n)]
    y = [conv(flow.y[k]) for k in range(n)]
    zero = rg.R(0)
    A = [[start[flow.a[j]]] for j in range(m)]
    Wc = [[[start[flow.W[j, l]] for l in range(d)]] for j in range(m)]
    dot = lambda w, x: sum((wi * xi for wi, xi in zip(w, x)), zero)
    U = [[[dot(Wc[j][0], X[k])] for k in range(n)] for j in range(m)]
    Rr: list[list] = [[] for _ in range(n)]
    for q in range(order):
        for k in range(n):
            s = sum((P[j][k] * A[j][i] * U[j][k][q - i] for j in range(m) for i in range(q + 1)), zero)
            Rr[k].append((y[k] if q == 0 else zero) - s)
        c = QQ(1, n * (q + 1))
        for j in range(m):
            A[j].append(sum((P[j][k] * Rr[k][i] * U[j][k][q - i] for k in range(n) for i in range(q + 1)), zero) * c)
            ar = [sum((A[j][i] * Rr[k][q - i] for i in range(q + 1)), zero) for k in range(n)]
            Wc[j].append([sum((P[j][k] * ar[k] * X[k][l] for k in range(n)), zero) * c for l in range(d)])
            for k in range(n):
                U[j][k].append(dot(Wc[j][q + 1], X[k]))
    out: dict = {flow.a[j]: A[j] for j in range(m)}
    for j in range(m):
        for l in range(d):
            out[flow.W[j, l]] = [Wc[j][q][l] for q in range(order + 1)]
    out["r"] = Rr
    return out


def recurrence_residual(flow: Flow, order: int) -> list[sp.Expr]:
    """Differences between the two derivations for orders 1..``order``, with the state
    θ_0 a symbol per parameter (the data and pattern as in ``flow``): a list of
    expressions that are identically zero when the engine's recurrence is right."""
    point = {v: sp.Symbol(f"{v}__0", real=True) for v in flow.params}
    rg = _Ring.of(flow, point)
    ref, rec = _series(flow, rg, order), _cauchy(flow, rg, order)
    return [(ref[v][q] - rec[v][q]).as_expr() for v in flow.params for q in range(1, order + 1)]
