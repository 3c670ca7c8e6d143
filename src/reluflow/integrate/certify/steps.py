"""One Taylor step as exact rational polynomials (FLINT) and its defect: the residual of the ODE along the step."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import arb, arb_poly, fmpq, fmpq_poly

from ..records import Segment
from ..trajectory import Trajectory
from ._arb import _arb_q, _q, _up


def _poly(coeffs, scale: Fraction) -> fmpq_poly:
    return fmpq_poly([int(c) for c in coeffs]) * _q(scale)


class _Poly:
    """An exact polynomial of a step (FLINT rationals) with its Arb copies for ranges."""

    __slots__ = ("ap", "dap", "q")

    def __init__(self, q: fmpq_poly):
        self.q = q
        self.ap = arb_poly(q)
        self.dap = self.ap.derivative()


@dataclass
class _Step:
    """The step's approximate solution as exact polynomials in the scaled time s ∈ [0, S]."""

    a: list  # a_j(s)
    w: list  # w_j(s): d polynomials each
    u: list  # u_jk(s) = ⟨w_j(s), x_k⟩
    S: Fraction  # s_end / 2^F
    H: Fraction  # time per unit of s
    t0: Fraction
    active: np.ndarray
    weight: list  # ω_j = 2^{-e_j}

    def __post_init__(self):
        self.weight_arb = [_arb_q(w) for w in self.weight]


class _Data:
    """Exact data, and the engine's parametrisation of w (C or U, plus the anchor)."""

    def __init__(self, tr: Trajectory):
        p = tr.problem
        self.F, self.n, self.m, self.d = tr.F, p.n, p.m, p.d
        self.X = p.data.X
        self.y = p.data.y
        self.G = p.data.gram
        self.orthogonal = p.data.is_orthogonal
        lam = p.init.lam
        self.base = []
        for z in p.init.z:
            zp = [lam * c for c in z]
            if self.orthogonal:  # the engine keeps only the part of λz orthogonal to the data
                for x, g in zip(self.X, (self.G[k][k] for k in range(self.n))):
                    coef = sum((a * b for a, b in zip(zp, x)), Fraction(0)) / g
                    zp = [a - coef * b for a, b in zip(zp, x)]
            self.base.append(zp)
        self.init = p.init
        self.xnorm = [arb(_q(self.G[k][k])).sqrt() for k in range(self.n)]
        self.Xa = [[arb(_q(c)) for c in x] for x in self.X]  # the inputs as (exact) Arb numbers

    def residuals(self, box, active: np.ndarray) -> list:
        """r_k = y_k − Σ_{j active on k} a_j u_jk over a :func:`_box`."""
        A, _, U = box
        return [
            arb(_q(self.y[k])) - sum((A[j] * U[j][k] for j in range(self.m) if active[j, k]), arb(0))
            for k in range(self.n)
        ]

    def step(self, seg: Segment) -> _Step:
        F, n, d = self.F, self.n, self.d
        a, w, u = [], [], []
        for j in range(self.m):
            sc = Fraction(2) ** (seg.e[j] - F)
            a.append(_poly(seg.Y[:, j, 0], sc))
            if self.orthogonal:
                coef = [_poly(seg.Y[:, j, 1 + k], sc) / _q(self.G[k][k]) for k in range(n)]
            else:
                coef = [_poly(seg.Y[:, j, 1 + n + k], sc) for k in range(n)]
            wj = []
            for c in range(d):
                acc = fmpq_poly([_q(self.base[j][c])])
                for k in range(n):
                    if self.X[k][c]:
                        acc += coef[k] * _q(self.X[k][c])
                wj.append(acc)
            u.append(
                [
                    _Poly(sum((wj[c] * _q(self.X[k][c]) for c in range(d) if self.X[k][c]), fmpq_poly([])))
                    for k in range(n)
                ]
            )
            w.append([_Poly(v) for v in wj])
        a = [_Poly(v) for v in a]
        one = Fraction(2) ** F
        return _Step(
            a,
            w,
            u,
            Fraction(int(seg.s_end)) / one,
            Fraction(int(seg.H)) / one,
            Fraction(int(seg.t0)) / one,
            seg.active,
            [Fraction(2) ** (-e) for e in seg.e],
        )


def _sup(poly: fmpq_poly, S: fmpq) -> float:
    """A float ≥ sup over s ∈ [0, S] of |poly(s)|: Σ |c_k| S^k, evaluated exactly by FLINT."""
    return _up(arb(fmpq_poly([abs(c) for c in poly.coeffs()])(S)))


def _defect(D: _Data, st: _Step) -> list[float]:
    """Per neuron, a float ≥ sup_s ‖ω_j δ_j(s)‖ (scaled time: δ = x̃' − H f(x̃)), from the
    exact defect polynomials."""
    n, m = D.n, D.m
    act = st.active
    h = _q(st.H) / n
    r = []
    for k in range(n):
        acc = fmpq_poly([_q(D.y[k])])
        for j in range(m):
            if act[j, k]:
                acc -= st.a[j].q * st.u[j][k].q
        r.append(acc)
    S = _q(st.S)
    out = []
    for j in range(m):
        ks = [k for k in range(n) if act[j, k]]
        da = st.a[j].q.derivative() - h * sum((r[k] * st.u[j][k].q for k in ks), fmpq_poly([]))
        dw2 = _sup(da, S) ** 2
        for c in range(D.d):
            g = sum((r[k] * _q(D.X[k][c]) for k in ks if D.X[k][c]), fmpq_poly([]))
            dwc = st.w[j][c].q.derivative() - h * st.a[j].q * g
            dw2 += _sup(dwc, S) ** 2
        out.append(math.sqrt(dw2) * (1 + 1e-12) * float(st.weight[j]))
    return out
