"""Arb on one step: ranges of polynomials, the field’s Jacobian and growth rates on a box, proven signs."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from flint import arb

from ._arb import _arb_q, _q, _up
from .steps import _Data, _Poly, _Step

SUBDIVISIONS = 40  # bisection depth of a polynomial sign proof
SIGN_BUDGET = 400  # polynomial range evaluations per sign proof


def _interval(lo: Fraction, hi: Fraction) -> tuple[arb, arb | None, arb | None]:
    """(midpoint, the interval as a ball, [−r, r]) for :func:`_range`; None when lo = hi."""
    mid, rad = (lo + hi) / 2, (hi - lo) / 2
    if rad == 0:
        return arb(_q(mid)), None, None
    return arb(_q(mid)), arb(_q(mid), _q(rad)), arb(0, _q(rad))


def _range(P: _Poly, lo: Fraction, hi: Fraction, iv=None) -> arb:
    """An enclosure of P over s ∈ [lo, hi]: Horner on the interval, intersected with the
    mean-value form P(mid) + P'([lo, hi])·[−r, r] (tight near a root)."""
    mid, ball, r = iv if iv is not None else _interval(lo, hi)
    if ball is None:
        return P.ap(mid)
    return P.ap(ball).intersection(P.ap(mid) + P.dap(ball) * r)


def _drange(P: _Poly, lo: Fraction, hi: Fraction) -> arb:
    """An enclosure of P' over s ∈ [lo, hi]."""
    mid, ball, _ = _interval(lo, hi)
    return P.dap(mid if ball is None else ball)


def _box(D: _Data, st: _Step, lo: Fraction, hi: Fraction, rho: list[float]):
    """Enclosures of a_j, w_j, u_jk over s ∈ [lo, hi] and every state within weighted
    distance rho_j of neuron j's polynomials."""
    A, W, U = [], [], []
    iv = _interval(lo, hi)
    for j in range(D.m):
        e = arb(0, arb(rho[j]) / st.weight_arb[j])  # |error of a component| ≤ ρ_j/ω_j
        A.append(_range(st.a[j], lo, hi, iv) + e)
        W.append([_range(st.w[j][c], lo, hi, iv) + e for c in range(D.d)])
        U.append([_range(st.u[j][k], lo, hi, iv) + e * D.xnorm[k] for k in range(D.n)])
    return A, W, U


def _hessian(D: _Data, active: np.ndarray, box) -> np.ndarray:
    """n·∇²L of the pattern over the box, in Arb: Σ_k ∇r_k∇r_kᵀ + r_k∇²r_k, with the
    coordinates (a_j, w_j) neuron by neuron."""
    A, _W, U = box
    n, m, d = D.n, D.m, D.d
    N = m * (d + 1)
    X = D.Xa
    r = D.residuals(box, active)
    g = np.empty((n, N), dtype=object)  # ∇r_k
    g[...] = arb(0)
    for k in range(n):
        for j in range(m):
            if active[j, k]:
                g[k, j * (d + 1)] = -U[j][k]
                for c in range(d):
                    g[k, j * (d + 1) + 1 + c] = -A[j] * X[k][c]
    Hs = g.T.dot(g)
    for j in range(m):  # ∂²r_k/∂a_j∂w_jc = −x_kc on active pairs
        for c in range(d):
            v = -sum((r[k] * X[k][c] for k in range(n) if active[j, k]), arb(0))
            Hs[j * (d + 1), j * (d + 1) + 1 + c] += v
            Hs[j * (d + 1) + 1 + c, j * (d + 1)] += v
    return Hs


def _lmax(B: np.ndarray) -> float:
    """A float ≥ the largest eigenvalue of every symmetric matrix in the Arb box ``B``:
    λ̂ of the midpoint (LAPACK), plus the radii's Frobenius norm and a margin, proven by
    an interval LDLᵀ of (λ̂ + margin)I − B with positive pivots; Gershgorin if that fails."""
    k = B.shape[0]
    mid = np.array([[float(B[i, j].mid()) for j in range(k)] for i in range(k)])
    rad = math.sqrt(sum(_up(B[i, j].rad()) ** 2 for i in range(k) for j in range(k)))
    lam = float(np.linalg.eigvalsh((mid + mid.T) / 2)[-1])
    scale = max(float(np.abs(mid).max()), 1e-300)
    margin = rad + 1e-12 * scale
    for _ in range(4):
        c = lam + margin
        M = [[(arb(c) if i == j else arb(0)) - B[i, j] for j in range(k)] for i in range(k)]
        ok = True
        for p in range(k):  # LDLᵀ: M ← Schur complement; every pivot must be > 0
            piv = M[p][p]
            if not piv > 0:
                ok = False
                break
            for i in range(p + 1, k):
                f = M[i][p] / piv
                for j in range(p + 1, k):
                    M[i][j] = M[i][j] - f * M[p][j]
        if ok:
            return math.nextafter(c, math.inf)
        margin *= 8
    return max(_up(B[i, i] + sum((abs(B[i, j]) for j in range(k) if j != i), arb(0))) for i in range(k))


CLUSTER_BITS = 6  # neurons in one cluster differ in size by at most 2^CLUSTER_BITS


def _clusters(st: _Step) -> list[list[int]]:
    """Neurons that share an active point and have sizes within 2^CLUSTER_BITS, grouped
    (greedily, largest first): their joint Hessian block keeps the cancellations (two
    neurons fitting the same points have a flat direction) that a neuron-by-neuron bound
    would lose."""
    e = [-round(math.log2(float(w))) for w in st.weight]  # block exponents
    out: list[list[int]] = []
    for j in sorted(range(len(e)), key=lambda j: -e[j]):
        for c in out:
            if min(e[i] for i in c) - e[j] <= CLUSTER_BITS and any((st.active[i] & st.active[j]).any() for i in c):
                c.append(j)
                break
        else:
            out.append([j])
    return out


def _rates(D: _Data, st: _Step, active: np.ndarray, box, clusters) -> tuple[list[float], list[list[float]]]:
    """Per cluster C (common weight ω_C = its largest neuron's): μ_C ≥ the largest
    eigenvalue of J = −∇²L on C's coordinates (proven by :func:`_lmax`), and
    L_CD ≥ ‖ω_C J_CD ω_D⁻¹‖ (Frobenius), over the box."""
    Hs = _hessian(D, active, box)
    b = D.d + 1
    idx = [[j * b + c for j in cl for c in range(b)] for cl in clusters]
    wts = [min(st.weight[j] for j in cl) for cl in clusters]
    mu, L = [], [[0.0] * len(clusters) for _ in clusters]
    absup = None
    for p, ip in enumerate(idx):
        mu.append(_lmax(-Hs[np.ix_(ip, ip)] / D.n))
        if len(idx) > 1 and absup is None:  # |H| rounded up, for the Frobenius norms in floats
            absup = np.array([[_up(abs(v)) for v in row] for row in Hs])
        for q, iq in enumerate(idx):
            if q != p:
                blk = absup[np.ix_(ip, iq)]
                # float sums of squares: relative rounding ≤ N·2^-53, covered by the factor
                fro = math.sqrt(float((blk * blk).sum())) * (1 + 1e-9)
                L[p][q] = fro * float(wts[p] / wts[q]) * (1 + 1e-12) / D.n
    return mu, L


def _sign(poly: _Poly, lo: Fraction, hi: Fraction, margin: arb, sign: int) -> bool:
    """True if sign·poly(s) > margin for every s ∈ [lo, hi], proven by Arb ranges on a
    bisection that refines only where undecided (at most SUBDIVISIONS pieces deep and
    SIGN_BUDGET evaluations)."""
    todo, evals = [(lo, hi, 0)], 0
    while todo:
        a, b, depth = todo.pop()
        v = _range(poly, a, b) * sign - margin
        evals += 1
        if v > 0:
            continue
        if depth >= SUBDIVISIONS or evals > SIGN_BUDGET or not (v.upper() > 0):
            return False
        mid = (a + b) / 2
        todo += [(a, mid, depth + 1), (mid, b, depth + 1)]
    return True


def _field(D: _Data, box, active: np.ndarray) -> list:
    """The field −∇L on the box for a pattern, as Arb vectors per neuron [ȧ_j, ẇ_j...]."""
    A, _W, U = box
    n = D.n
    X = D.Xa
    r = D.residuals(box, active)
    out = []
    for j in range(D.m):
        ks = [k for k in range(n) if active[j, k]]
        out.append(
            [sum((r[k] * U[j][k] for k in ks), arb(0)) / n]
            + [A[j] * sum((r[k] * X[k][c] for k in ks), arb(0)) / n for c in range(D.d)]
        )
    return out


def _udot(D: _Data, box, active: np.ndarray, j: int, k: int) -> arb:
    """d/dt ⟨w_j, x_k⟩ = (a_j/n) Σ_{l active} r_l G_lk on the box."""
    A, _W, _U = box
    r = D.residuals(box, active)
    return A[j] * sum((r[l] * _arb_q(D.G[l][k]) for l in range(D.n) if active[j, l]), arb(0)) / D.n
