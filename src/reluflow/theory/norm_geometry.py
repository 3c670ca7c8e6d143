"""Minimum norm versus rank one: the norm geometry of the single-neuron paper
(Chistikov, Englert & Lazić 2023; spec ``single_neuron.md`` §3.6, Theorem 8, Example 37,
Remark 38; claims N20–N22).

For n = d inputs (rows of ``X``) the dual basis χ_k are the rows of X⁻¹ in the spec's
column convention, i.e. χ_kᵀx_i = δ_ki; they are computed exactly in Fractions.  Theorem 8
compares the rank-one interpolators Θ_{v*} (‖θ‖² = 2‖v*‖) with the minimum-norm ones
through the sign of

    𝓜 = max { cos∠(p, q) − sin∠(p, v*) : ∅ ⊊ K ⊊ [d], 0 ≠ p ∈ cone{χ_k}_{k∈K},
                                             0 ≠ q ∈ cone{χ_k}_{k∉K} }.

- **Value** (:func:`compute_M`): the 2^d − 2 subsets K are enumerated; for fixed p the best
  q is the projection of p on C = cone{χ_k}_{k∉K} (max_{q∈C} cos∠(p, q) = ‖Π_C p‖/‖p‖ when
  Π_C p ≠ 0, else the best extreme ray), by a Lawson–Hanson NNLS in the Gram coordinates
  of the χ_k; p is searched by multistart projected-gradient ascent on the simplex of its
  coefficients (floats), and the best point of each K is re-evaluated in a local mpmath
  context.  The value is attained by an explicit (K, p, q): a lower bound of 𝓜, exact to
  ``dps`` digits; the search may miss a higher maximum (pitfall 11).
- **Sign** (:func:`dual_certificate`, derived here, not in the paper): with μ_i = χ_iᵀv*,
  sign 𝓜 = sign(κ² − ‖v*‖²), where κ² is the largest squared norm of the projection of
  ±Σ_{i∈D} μ_i x_i on the simplicial cone {u : x_iᵀu ≥ 0 (i ∈ D), ≤ 0 (i ∉ D)} over the
  proper non-empty D — 2(2^d − 2) convex projections, done exactly in Fractions.  The
  same numbers give, by weak duality, ‖θ‖² ≥ 2μᵀy/κ for every zero-loss network, which is
  2‖v*‖ when 𝓜 ≤ 0: Theorem 8(i)'s minimality, by an argument independent of its proof.
- **Certificates**: 𝓜 > 0 is also certified by the §3.6 counterexample, rebuilt from
  rational (p, q) so that it interpolates exactly (residuals 0 in Fractions) with
  ‖θ‖² < 2‖v*‖ decided exactly; 𝓜 < 0 by the spec's sufficient conditions where they hold
  (χ_kᵀχ_i ≤ 0 for k ≠ i with positive labels, which covers orthogonal data and d = 2).
- The minimum itself, for any sign of 𝓜, is certified by :mod:`reluflow.theory.interpolators`.

>>> from reluflow.datasets import example37_positive, example37_negative
>>> mv = compute_M(example37_positive(d=3, b=16).data)
>>> mv.sign, mv.certified, mv.how, round(float(mv.value), 6)
(1, True, 'counterexample, duality', 0.069225)
>>> neg = compute_M(example37_negative(d=4).data)
>>> neg.sign, neg.certified, neg.how
(-1, True, 'Z-matrix, duality')

Everything works in a local mpmath context (``reluflow.precision.context``); nothing
changes ``mpmath.mp``.  Indices (K, neurons, points) are 0-based.  The cost grows like
2^d (d ≤ 6 takes seconds, d = 9 several).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..linalg import dot, inverse
from ..precision import context, rational, to_str
from ..problem import Dataset, Problem, ProblemError, exact

__all__ = [
    "Counterexample",
    "DualCertificate",
    "MValue",
    "compute_M",
    "counterexample",
    "dual_basis",
    "dual_certificate",
    "example37_gap",
    "remark38_bound",
    "z_matrix",
]

_Q0 = Fraction(0)


# ----------------------------------------------------------------------------- exact linear algebra


def _inputs(data) -> tuple[tuple[Fraction, ...], ...]:
    if isinstance(data, Problem):
        data = data.data
    if isinstance(data, Dataset):
        return data.X
    try:
        count = len(data)
    except TypeError:
        raise ProblemError(
            "data.X", f"expected a list of rows (one per input x_i), got {type(data).__name__}"
        ) from None
    return Dataset(data, [0] * count).X


def _square_inverse(X) -> list[list[Fraction]]:
    n, d = len(X), len(X[0])
    if n != d:
        raise ProblemError(
            "data.X",
            f"has n = {n} inputs in d = {d} dimensions; the dual basis χ and 𝓜 are defined for n = d (Assumption 3)",
        )
    inv = inverse(X)
    if inv is None:
        raise ProblemError(
            "data.X",
            "the inputs are linearly dependent (X is singular); the dual basis χ needs "
            "span{x_i} = R^d (Assumption 1(i))",
        )
    return inv


def _chi_exact(X) -> tuple[tuple[Fraction, ...], ...]:
    inv = _square_inverse(X)  # rows of inv are indexed by coordinates, columns by points
    d = len(X)
    return tuple(tuple(inv[r][k] for r in range(d)) for k in range(d))


def dual_basis(data, ctx=None):
    """The dual basis χ_1..χ_d of the inputs (χ_kᵀx_i = δ_ki), exactly: a tuple of rows of
    Fractions, or, with an mpmath ``ctx``, the same rounded once into it.

    ``data``: a Dataset, a Problem or a list of d input rows (n = d, linearly independent).

    >>> dual_basis([[2, 0], [1, 1]])
    ((Fraction(1, 2), Fraction(-1, 2)), (Fraction(0, 1), Fraction(1, 1)))
    >>> [str(c) for c in dual_basis([[2, 0], [1, 1]], context(15))[0]]
    ['0.5', '-0.5']
    """
    chi = _chi_exact(_inputs(data))
    if ctx is None:
        return chi
    return tuple(tuple(rational(ctx, c) for c in row) for row in chi)


def _dataset(data, teacher=None) -> Dataset:
    """A Dataset with a teacher, n = d ≥ 2 and X invertible (ProblemError naming the field)."""
    if isinstance(data, Problem):
        data = data.data
    if isinstance(data, Dataset):
        if teacher is not None:
            given = Dataset(data.X, teacher=teacher).teacher
            if data.teacher is not None and given != data.teacher:
                raise ProblemError(
                    "data.teacher", "was given twice (in the dataset and as an argument) and the two differ"
                )
            data = Dataset(data.X, data.y, teacher=given)
    else:
        if teacher is None:
            raise ProblemError(
                "data.teacher",
                "is missing; 𝓜, the §3.6 networks and the Remark 38 bound need the "
                "teacher v* (pass a Dataset with a teacher, or teacher=...)",
            )
        data = Dataset(data, teacher=teacher)
    if data.teacher is None:
        raise ProblemError(
            "data.teacher",
            "is missing; 𝓜, the §3.6 networks and the Remark 38 bound need the teacher v* (Dataset(X, teacher=v*))",
        )
    if data.d < 2:
        raise ProblemError("data.X", "has d = 1; Theorem 8 and 𝓜 need d ≥ 2 (a proper non-empty subset K of [d])")
    _square_inverse(data.X)
    return data


def z_matrix(data) -> bool:
    """True iff χ_kᵀχ_i ≤ 0 for all k ≠ i (the inverse Gram matrix is a Z-matrix), exactly.
    With all labels positive this implies 𝓜 < 0 (spec §3.6); orthogonal data and, under the
    angle assumption, d = 2 satisfy it.

    >>> z_matrix([[1, 0], [1, 1]]), z_matrix([[1, 0], [-1, 1]])
    (True, False)
    """
    chi = _chi_exact(_inputs(data))
    return all(dot(chi[k], chi[i]) <= 0 for k in range(len(chi)) for i in range(k))


def remark38_bound(data, teacher=None, ctx=None, *, dps: int = 30):
    """2 max_i ⟨v*, x_i⟩/‖x_i‖ = 2‖v*‖ max_i cos∠(v*, x_i): a lower bound on ‖θ‖² of every
    network with zero loss (Remark 38(i); > √2 when ‖v*‖ = 1 and some angle is < π/4).

    >>> from reluflow import Dataset
    >>> float(remark38_bound(Dataset([[3, 4], [0, 1]], teacher=["0.6", "0.8"])))
    2.0
    """
    ds = _dataset(data, teacher)
    ctx = ctx or context(dps)
    vals = [rational(ctx, y) / ctx.sqrt(rational(ctx, dot(x, x))) for x, y in zip(ds.X, ds.y)]
    return 2 * max(vals)


def example37_gap(b, ctx=None, *, dps: int = 30):
    """cos∠(χ₂, χ₃) − sin∠(χ₂, v*) = (b−1)/(b+1) − √(1 − 9b/(25(b+1))) for the Example 37
    𝓜 > 0 family (≥ 5/6 − √0.67 > 0 for b ≥ 11): a lower bound of 𝓜 there.

    >>> round(float(example37_gap(11)), 6), round(5 / 6 - 0.67 ** 0.5, 6)
    (0.014798, 0.014798)
    """
    ctx = ctx or context(dps)
    q = exact(b, "b")
    bb = rational(ctx, q)
    return (bb - 1) / (bb + 1) - ctx.sqrt(1 - 9 * bb / (25 * (bb + 1)))


# ----------------------------------------------------------------------------- generic small linear algebra


def _solve(A, r):
    """Gaussian elimination with partial pivoting on small lists (floats or mpf)."""
    n = len(r)
    M = [list(row) + [v] for row, v in zip(A, r)]
    for c in range(n):
        piv = max(range(c, n), key=lambda i: abs(M[i][c]))
        M[c], M[piv] = M[piv], M[c]
        p = M[c][c]
        if p == 0:
            raise ZeroDivisionError("singular normal equations")
        for i in range(c + 1, n):
            f = M[i][c] / p
            if f:
                M[i] = [a - f * b for a, b in zip(M[i], M[c])]
    x = [0] * n
    for i in range(n - 1, -1, -1):
        x[i] = (M[i][n] - sum(M[i][j] * x[j] for j in range(i + 1, n))) / M[i][i]
    return x


def _nnls_gram(H, r, tol):
    """Lawson–Hanson in Gram form: argmin_{c ≥ 0} ‖Σ c_a χ_a − p‖ given the Gram matrix
    H_ab = χ_aᵀχ_b of the cone's generators and r_a = χ_aᵀp (floats or mpf)."""
    k = len(r)
    zero = r[0] * 0
    c = [zero] * k
    P = [False] * k
    for _ in range(3 * k + 3):
        w = [r[a] - sum(H[a][b] * c[b] for b in range(k) if P[b]) for a in range(k)]
        cand = [a for a in range(k) if not P[a] and w[a] > tol]
        if not cand:
            break
        P[max(cand, key=lambda a: w[a])] = True
        for _inner in range(k + 1):
            S = [a for a in range(k) if P[a]]
            zS = _solve([[H[a][b] for b in S] for a in S], [r[a] for a in S])
            z = [zero] * k
            for a, v in zip(S, zS):
                z[a] = v
            if all(z[a] > 0 for a in S):
                c = z
                break
            neg = [a for a in S if z[a] <= 0]
            j = min(neg, key=lambda a: c[a] / (c[a] - z[a]) if c[a] - z[a] != 0 else 0)
            alpha = c[j] / (c[j] - z[j]) if c[j] - z[j] != 0 else zero
            c = [c[a] + alpha * (z[a] - c[a]) for a in range(k)]
            c[j] = zero
            for a in S:
                if c[a] <= 0:
                    P[a] = False
                    c[a] = zero
            if not any(P):
                break
    return c


# ----------------------------------------------------------------------------- the objective on one subset K


class _Geometry:
    """Gram data of the dual basis: H = (χ_kᵀχ_i), u_k = χ_kᵀv̄, exact and as floats."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.d = ds.d
        self.chi = _chi_exact(ds.X)
        self.H = [[dot(a, b) for b in self.chi] for a in self.chi]
        self.rho2 = dot(ds.teacher, ds.teacher)
        self.u = [dot(c, ds.teacher) for c in self.chi]  # χ_kᵀv*  (= y_k-free; v* = Σ ⟨v*, x_k⟩ χ_k)
        rho = math.sqrt(float(self.rho2))
        self.Hf = np.array([[float(v) for v in row] for row in self.H])
        self.uf = np.array([float(v) / rho for v in self.u])


def _objective_float(g: _Geometry, K, Q, b):
    """F(b) = max_{q∈C} cos∠(p, q) − sin∠(p, v*) for p = Σ_{k∈K} b_k χ_k and its gradient in b."""
    H, u = g.Hf, g.uf
    HKK = H[np.ix_(K, K)]
    Hb = HKK @ b
    pp = float(b @ Hb)
    if pp <= 0:
        return -2.0, np.zeros(len(K))
    npn = math.sqrt(pp)
    HQK = H[np.ix_(Q, K)]
    r = HQK @ b  # χ_aᵀp, a ∈ Q
    HQQ = H[np.ix_(Q, Q)]
    scale = npn * math.sqrt(max(np.max(np.diag(HQQ)), 1e-300))
    c = np.array(_nnls_gram(HQQ.tolist(), r.tolist(), 1e-13 * scale), dtype=float)
    proj2 = float(c @ HQQ @ c)
    if proj2 > (1e-14 * npn) ** 2:
        nproj = math.sqrt(proj2)
        val_g = float(c @ r) / (nproj * npn)
        grad_g = (HQK.T @ c) / (nproj * npn) - val_g * Hb / pp
    else:  # Π_C(p) = 0: the best q is an extreme ray (cos ≤ 0)
        diag = np.sqrt(np.diag(HQQ))
        cs = r / (diag * npn)
        a = int(np.argmax(cs))
        val_g = float(cs[a])
        grad_g = HQK[a] / (diag[a] * npn) - val_g * Hb / pp
    cv = float(b @ u[K]) / npn
    s = math.sqrt(max(1.0 - cv * cv, 0.0))
    grad_cv = u[K] / npn - cv * Hb / pp
    grad_s = -(cv / s) * grad_cv if s > 1e-300 else np.zeros(len(K))
    return val_g - s, grad_g - grad_s


def _project_simplex(v):
    """Euclidean projection on {b ≥ 0, Σ b = 1}."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    idx = np.arange(1, len(v) + 1)
    rho = np.nonzero(u - css / idx > 0)[0][-1]
    return np.maximum(v - css[rho] / (rho + 1.0), 0.0)


def _ascend(fun, b, iters=120):
    """Projected-gradient ascent with Armijo backtracking on the simplex."""
    f, gr = fun(b)
    step = 1.0
    for _ in range(iters):
        while True:
            nb = _project_simplex(b + step * gr)
            nf, ng = fun(nb)
            if nf >= f + 1e-4 * float(gr @ (nb - b)) and nf >= f:
                break
            step *= 0.5
            if step < 1e-14:
                return b, f
        gain = nf - f
        b, f, gr = nb, nf, ng
        step = min(step * 2.0, 1e6)
        if gain < 1e-15:
            break
    return b, f


def _evaluate_mp(g: _Geometry, ctx, K, Q, b):
    """F at p = Σ b_k χ_k in ``ctx``: (value, unit-coefficients of p̄ on K, of q̄ on Q,
    cos∠(p,q), cos∠(p,v*)).  Any q ∈ C gives a lower bound; the mp NNLS gives the best."""
    H = [[rational(ctx, v) for v in row] for row in g.H]
    rho = ctx.sqrt(rational(ctx, g.rho2))
    bm = [ctx.mpf(v) for v in b]
    pp = ctx.fsum(bm[i] * bm[j] * H[K[i]][K[j]] for i in range(len(K)) for j in range(len(K)))
    npn = ctx.sqrt(pp)
    r = [ctx.fsum(H[a][K[j]] * bm[j] for j in range(len(K))) for a in Q]
    HQQ = [[H[a][c] for c in Q] for a in Q]
    tol = npn * ctx.mpf(10) ** (-(ctx.dps - 3))
    c = _nnls_gram(HQQ, r, tol)
    qq = ctx.fsum(c[i] * c[j] * HQQ[i][j] for i in range(len(Q)) for j in range(len(Q)))
    if qq > (tol * npn) ** 2:
        nq = ctx.sqrt(qq)
        cos_pq = ctx.fsum(ci * ri for ci, ri in zip(c, r)) / (nq * npn)
        cq = [ci / nq for ci in c]
    else:
        cands = [(r[i] / (ctx.sqrt(HQQ[i][i]) * npn), i) for i in range(len(Q))]
        cos_pq, i = max(cands, key=lambda t: t[0])
        cq = [ctx.zero] * len(Q)
        cq[i] = 1 / ctx.sqrt(HQQ[i][i])
    cos_pv = ctx.fsum(bm[j] * rational(ctx, g.u[K[j]]) for j in range(len(K))) / (npn * rho)
    sin_pv = ctx.sqrt(max(1 - cos_pv**2, ctx.zero))
    return cos_pq - sin_pv, [v / npn for v in bm], cq, cos_pq, cos_pv


# ----------------------------------------------------------------------------- exact duality


def _exact_projection(H, r):
    """Projection on a simplicial cone in Gram form, exactly (Fractions): Lawson–Hanson,
    then the KKT conditions are verified (c ≥ 0, w = r − Hc = 0 where c > 0, w ≤ 0 elsewhere);
    if they fail, every passive set is tried.  Returns c (the generators' coefficients)."""
    k = len(r)

    def kkt(c):
        if any(v < 0 for v in c):
            return False
        w = [r[a] - sum((H[a][b] * c[b] for b in range(k)), _Q0) for a in range(k)]
        return all((w[a] == 0) if c[a] > 0 else (w[a] <= 0) for a in range(k))

    c = _nnls_gram(H, r, _Q0)
    if kkt(c):
        return c
    for size in range(k + 1):
        for S in itertools.combinations(range(k), size):
            z = [_Q0] * k
            if S:
                try:
                    zS = _solve([[H[a][b] for b in S] for a in S], [r[a] for a in S])
                except ZeroDivisionError:
                    continue
                for a, v in zip(S, zS):
                    z[a] = v
            if kkt(z):
                return z
    raise ArithmeticError("no passive set satisfies the KKT conditions (the generators are not independent)")


@dataclass(frozen=True)
class DualCertificate:
    """The exact convex test behind the sign of 𝓜 (derived here from weak duality; not in
    the paper).

    With μ_i = χ_iᵀv* and, for a pattern D ⊆ [d] and a sign s, α = s Σ_{i∈D} μ_i x_i and the
    simplicial cone K_D = {u : x_iᵀu ≥ 0 (i ∈ D), ≤ 0 (i ∉ D)} = cone{χ_i (i ∈ D), −χ_i (i ∉ D)}:

    - every u ∈ K_D splits as u = p − q, p ∈ cone{χ_i}_{i∈D}, q ∈ cone{χ_i}_{i∉D}, with
      ⟨α, u⟩ = s⟨v*, p⟩; so ‖Π_{K_D}(α)‖ ≤ ‖v*‖ for both signs iff |⟨v̄*, p⟩| ≤ dist(p, C)
      for all such p, i.e. (Moreau) max_{q∈C} cos∠(p, q) ≤ sin∠(p, v*).  Hence, with
      κ² = max over proper non-empty D and s of ‖Π_{K_D}(α)‖²,
      **sign 𝓜 = sign(κ² − ‖v*‖²)**, decided exactly (``sign``);
    - for every network, u_j = |a_j|w_j lies in the K_D of its own pattern, so
      Σ_i μ_i y_i = Σ_j ⟨s_j α_{D_j}, u_j⟩ ≤ κ_all Σ_j ‖u_j‖ ≤ κ_all ‖θ‖²/2: every zero-loss
      network has ‖θ‖² ≥ 2 μᵀy/κ_all (κ_all includes D = [d]), which is 2‖v*‖ when 𝓜 ≤ 0
      and all ⟨v*, x_i⟩ ≥ 0 — the conclusion of Theorem 8(i), proven without its argument.

    ``worst`` is the maximising (D, s); ``p_coeffs``/``q_coeffs`` its projection's
    coefficients on χ_D and χ_{[d]∖D} (a witness p with cos∠(p, q) > sin∠(p, v*) when
    sign = +1).  All Fractions; indices 0-based."""

    kappa_sq: Fraction
    kappa_all_sq: Fraction
    rho_sq: Fraction
    mu_y: Fraction
    sign: int
    worst: tuple[tuple[int, ...], int]
    p_coeffs: tuple[Fraction, ...]
    q_coeffs: tuple[Fraction, ...]
    witnesses: tuple = field(default=(), repr=False)  # ((D, s, p_coeffs), ...) for every violated pattern

    def theta_sq_lower(self, ctx=None, *, dps: int = 30):
        """2 μᵀy/κ_all: a lower bound on ‖θ‖² of every zero-loss network."""
        ctx = ctx or context(dps)
        return 2 * rational(ctx, self.mu_y) / ctx.sqrt(rational(ctx, self.kappa_all_sq))


def dual_certificate(data, teacher=None) -> DualCertificate:
    """The exact sign of 𝓜 and a lower bound on the norm of every interpolator, from
    2(2^d − 1) exact cone projections (see :class:`DualCertificate`).

    >>> from reluflow.datasets import example37_positive, example37_negative
    >>> pos, neg = dual_certificate(example37_positive().data), dual_certificate(example37_negative().data)
    >>> pos.sign, pos.worst, pos.kappa_sq / pos.rho_sq, neg.sign, float(neg.theta_sq_lower())
    (1, ((1,), 1), Fraction(153, 100), -1, 2.0)
    """
    ds = _dataset(data, teacher)
    d = ds.d
    chi = _chi_exact(ds.X)
    H = [[dot(a, b) for b in chi] for a in chi]
    mu = [dot(c, ds.teacher) for c in chi]
    rho2 = dot(ds.teacher, ds.teacher)
    kappa2, kappa_all2, worst, wc = Fraction(-1), _Q0, None, None
    witnesses = []
    for size in range(1, d + 1):
        for D in itertools.combinations(range(d), size):
            sig = [1 if i in D else -1 for i in range(d)]
            Hs = [[sig[i] * sig[j] * H[i][j] for j in range(d)] for i in range(d)]
            for s in (1, -1):
                r = [s * mu[i] if i in D else _Q0 for i in range(d)]
                c = _exact_projection(Hs, r)
                k2 = sum((ci * ri for ci, ri in zip(c, r)), _Q0)
                kappa_all2 = max(kappa_all2, k2)
                if size < d:
                    if k2 > rho2:
                        witnesses.append((D, s, tuple(c[i] for i in D)))
                    if k2 > kappa2:
                        kappa2, worst, wc = k2, (D, s), c
    D = worst[0]
    return DualCertificate(
        kappa_sq=kappa2,
        kappa_all_sq=kappa_all2,
        rho_sq=rho2,
        mu_y=dot(mu, ds.y),
        sign=(kappa2 > rho2) - (kappa2 < rho2),
        worst=worst,
        p_coeffs=tuple(wc[i] for i in D),
        q_coeffs=tuple(wc[i] for i in range(d) if i not in D),
        witnesses=tuple(witnesses),
    )


# ----------------------------------------------------------------------------- 𝓜


@dataclass(frozen=True)
class MValue:
    """𝓜 of one dataset (see :func:`compute_M`).

    ``value``: the mp value of cos∠(p, q) − sin∠(p, v*) at the best (K, p, q) the search
    found — a lower bound of 𝓜 exact to ``dps`` digits (the search may miss a higher
    maximum).  ``numeric_sign``: the sign the search alone supports (+1 when value > 0 —
    a feasible point proves it —, −1 when value < −``margin``, 0 in between, where 𝓜 ≈ 0 is
    ill-conditioned).  ``sign``: the sign of 𝓜 decided exactly by :func:`dual_certificate`
    (0 only when 𝓜 = 0 exactly, or when the two disagree, which is reported in ``how``).
    ``certified`` is True when the sign is proven; ``how`` names the certificates:
    'counterexample' (an exactly interpolating §3.6 network with ‖θ‖² < 2‖v*‖ decided in
    Fractions), 'Z-matrix' / 'orthogonal' (the spec's sufficient conditions for 𝓜 < 0,
    checked exactly, with all labels positive) and 'duality' (always, when consistent).
    ``p`` and ``q`` are unit vectors, ``b`` and ``c`` their coefficients on χ_K and
    χ_{[d]∖K}."""

    value: Any
    sign: int
    numeric_sign: int
    margin: Fraction
    certified: bool
    how: str
    K: tuple[int, ...]
    p: tuple
    q: tuple
    b: tuple
    c: tuple
    cos_pq: Any
    cos_pv: Any
    sin_pv: Any
    by_subset: tuple  # ((K, value), ...) best value found on each subset
    z_matrix: bool
    orthogonal: bool
    angles_below_pi4: bool
    labels_positive: bool
    dps: int
    starts: int
    seed: int
    dual: DualCertificate | None = field(default=None, repr=False)
    counterexample: Counterexample | None = field(default=None, repr=False)

    @property
    def value_str(self) -> str:
        return to_str(self.value)

    def to_dict(self) -> dict:
        return {
            "schema": "reluflow.norm_geometry.M/1",
            "value": to_str(self.value),
            "sign": self.sign,
            "numeric_sign": self.numeric_sign,
            "margin": str(self.margin),
            "certified": self.certified,
            "how": self.how,
            "K": list(self.K),
            "p": [to_str(v) for v in self.p],
            "q": [to_str(v) for v in self.q],
            "cos_pq": to_str(self.cos_pq),
            "cos_pv": to_str(self.cos_pv),
            "sin_pv": to_str(self.sin_pv),
            "by_subset": [[list(k), to_str(v)] for k, v in self.by_subset],
            "z_matrix": self.z_matrix,
            "orthogonal": self.orthogonal,
            "angles_below_pi4": self.angles_below_pi4,
            "labels_positive": self.labels_positive,
            "dps": self.dps,
            "starts": self.starts,
            "seed": self.seed,
            "kappa_sq_over_rho_sq": None if self.dual is None else str(self.dual.kappa_sq / self.dual.rho_sq),
            "counterexample": None if self.counterexample is None else self.counterexample.to_dict(),
        }


def _angles_below_pi4(ds: Dataset) -> bool:
    """cos∠(v*, x_i) > 1/√2 for all i, exactly: ⟨v*,x_i⟩ > 0 and 2⟨v*,x_i⟩² > ‖v*‖²‖x_i‖²."""
    r2 = dot(ds.teacher, ds.teacher)
    return all(y > 0 and 2 * y * y > r2 * dot(x, x) for x, y in zip(ds.X, ds.y))


def compute_M(
    data, teacher=None, *, dps: int = 30, starts: int = 12, seed: int = 0, margin: Any = "1e-8", certify: bool = True
) -> MValue:
    """𝓜 of Theorem 8 for a dataset with n = d and a teacher (spec §3.6, pitfall 11).

    ``data``: a Dataset with a teacher (or a Problem), or input rows with ``teacher=``.
    For each subset K: ``starts`` random starts (Dirichlet, ``numpy.random.default_rng(seed)``),
    the extreme rays, the centroid and the duality witnesses, each followed by projected
    gradient ascent; the best point of each K is re-evaluated at ``dps`` digits.  The sign
    is decided exactly by :func:`dual_certificate`; with ``certify`` and 𝓜 > 0 the §3.6
    network is built and checked exactly (:class:`MValue`, :class:`Counterexample`).

    >>> from reluflow import Dataset
    >>> m = compute_M(Dataset([[1, 0], [1, 1]], teacher=["0.8", "0.6"]))
    >>> m.sign, m.how, round(float(m.value), 6)
    (-1, 'Z-matrix, duality', -1.507107)
    """
    ds = _dataset(data, teacher)
    margin = exact(margin, "margin")
    if margin < 0:
        raise ProblemError("margin", f"must be ≥ 0, got {margin}")
    ctx = context(dps)
    g = _Geometry(ds)
    dual = dual_certificate(ds)
    seeds: dict = {}
    for D, _s, coeffs in dual.witnesses:
        seeds.setdefault(D, []).append(np.array([float(v) for v in coeffs]))
    d = ds.d
    rng = np.random.default_rng(int(seed))
    best_per_K = []
    for size in range(1, d):
        for K in itertools.combinations(range(d), size):
            Q = [i for i in range(d) if i not in K]
            Kl = list(K)
            fun = lambda b, Kl=Kl, Q=Q: _objective_float(g, Kl, Q, b)
            if size == 1:
                best_b, best_f = np.ones(1), fun(np.ones(1))[0]
            else:
                inits = [np.eye(size)[k] for k in range(size)] + [np.full(size, 1.0 / size)]
                inits += [w / w.sum() for w in seeds.get(K, []) if w.sum() > 0]
                inits += [rng.dirichlet(np.full(size, 1.0 if t % 2 == 0 else 0.3)) for t in range(int(starts))]
                best_b, best_f = None, -math.inf
                for b0 in inits:
                    b, f = _ascend(fun, b0)
                    if f > best_f:
                        best_b, best_f = b, f
            best_per_K.append((best_f, K, Q, best_b))
    evaluated = []  # every subset's best point, re-evaluated in the local mp context
    for _, K, Q, b in best_per_K:
        val, bb, cc, cos_pq, cos_pv = _evaluate_mp(g, ctx, list(K), Q, b)
        evaluated.append((val, K, Q, bb, cc, cos_pq, cos_pv))
    val, K, Q, bb, cc, cos_pq, cos_pv = max(evaluated, key=lambda t: t[0])
    chi = [[rational(ctx, v) for v in row] for row in g.chi]
    p = tuple(ctx.fsum(bb[j] * chi[K[j]][i] for j in range(len(K))) for i in range(d))
    q = tuple(ctx.fsum(cc[j] * chi[Q[j]][i] for j in range(len(Q))) for i in range(d))
    zmat = all(g.H[k][i] <= 0 for k in range(d) for i in range(k))
    orth = ds.is_orthogonal
    positive = all(y > 0 for y in ds.y)
    numeric = 1 if val > 0 else -1 if val < -rational(ctx, margin) else 0
    mv = MValue(
        value=val,
        sign=dual.sign,
        numeric_sign=numeric,
        margin=margin,
        certified=True,
        how="duality",
        K=tuple(K),
        p=p,
        q=q,
        b=tuple(bb),
        c=tuple(cc),
        cos_pq=cos_pq,
        cos_pv=cos_pv,
        sin_pv=ctx.sqrt(max(1 - cos_pv**2, ctx.zero)),
        by_subset=tuple((e[1], e[0]) for e in evaluated),
        z_matrix=zmat,
        orthogonal=orth,
        angles_below_pi4=_angles_below_pi4(ds),
        labels_positive=positive,
        dps=int(dps),
        starts=int(starts),
        seed=int(seed),
        dual=dual,
    )
    how = ["duality"]
    ce = None
    if dual.sign > 0 and numeric > 0 and certify:
        try:
            ce = _counterexample(ds, mv, ctx)
        except ProblemError:
            ce = None
        if ce is not None and ce.certified:
            how.insert(0, "counterexample")
    if dual.sign < 0 and zmat and positive:
        how.insert(0, "orthogonal" if orth else "Z-matrix")
    sign, certified = dual.sign, True
    if (dual.sign <= 0 and numeric > 0) or (dual.sign > 0 and numeric < 0):
        sign, certified = 0, False
        how = [f"inconsistent: duality gives sign {dual.sign}, the search {numeric} (value {ctx.nstr(val, 8)})"]
    return replace(mv, sign=sign, certified=certified, how=", ".join(how), counterexample=ce)


# ----------------------------------------------------------------------------- the §3.6 network


@dataclass(frozen=True)
class Counterexample:
    """The rank-2 network of the §3.6 table for a maximiser (K, p, q) with
    cos∠(p, q) > sin∠(p, v*).

    ``a``, ``W``, ``xi``, ``theta_sq`` and ``bound`` (= ‖v*‖(2 − ξ²)) are mp numbers of the
    table's network (v* scaled to unit norm, then both layers by √‖v*‖); ``residual`` is
    its largest |h(x_i) − y_i|, evaluated 20 digits above ``dps`` (the entries are rounded
    to ``dps`` digits).  ``exact_a``, ``exact_W`` are the same construction from rational
    (p, q, ξ) and rational layer balances: it interpolates exactly (``exact_residual`` is
    a Fraction, 0) and ``certified`` says ‖θ‖² = ``exact_theta_sq`` < 2‖v*‖, decided
    exactly.  ``case``: 'acute' (∠(p, v*) ≤ π/2) or 'obtuse'."""

    case: str
    K: tuple[int, ...]
    xi: Any
    a: tuple
    W: tuple
    theta_sq: Any
    bound: Any
    reference: Any  # 2‖v*‖, the norm of every network in Θ_{v*}
    residual: Any
    exact_a: tuple[Fraction, ...]
    exact_W: tuple[tuple[Fraction, ...], ...]
    exact_theta_sq: Fraction
    exact_residual: Fraction
    certified: bool
    dps: int

    def to_dict(self) -> dict:
        return {
            "case": self.case,
            "K": list(self.K),
            "xi": to_str(self.xi),
            "a": [to_str(v) for v in self.a],
            "W": [[to_str(v) for v in row] for row in self.W],
            "theta_sq": to_str(self.theta_sq),
            "bound": to_str(self.bound),
            "reference": to_str(self.reference),
            "residual": to_str(self.residual),
            "exact_theta_sq": str(self.exact_theta_sq),
            "exact_residual": str(self.exact_residual),
            "certified": self.certified,
            "dps": self.dps,
        }


def _rat(v, denom: int = 10**15) -> Fraction:
    return exact(v, "value").limit_denominator(denom)


def _relu(v):
    return v if v > 0 else v * 0


def _counterexample(ds: Dataset, mv, ctx) -> Counterexample:
    """The §3.6 network at ``mv``'s (K, p, q) (an MValue or any object with K, p, q, b, c)."""
    d = ds.d
    K = list(mv.K)
    Q = [i for i in range(d) if i not in K]
    chi = _chi_exact(ds.X)
    rho2 = dot(ds.teacher, ds.teacher)
    rho = ctx.sqrt(rational(ctx, rho2))
    vbar = [rational(ctx, v) / rho for v in ds.teacher]
    ybar = [rational(ctx, y) / rho for y in ds.y]
    p = list(mv.p)
    q = list(mv.q)
    cos_pq = ctx.fsum(a * b for a, b in zip(p, q))
    sin_pq = ctx.sqrt(max(1 - cos_pq**2, ctx.zero))
    cos_pv = ctx.fsum(a * b for a, b in zip(p, vbar))
    sin_pv = ctx.sqrt(max(1 - cos_pv**2, ctx.zero))
    if not cos_pq > sin_pv:
        raise ProblemError(
            "mvalue",
            "the §3.6 network needs a maximiser with cos∠(p, q) > sin∠(p, v*) (𝓜 > 0); "
            f"here cos∠(p, q) − sin∠(p, v*) = {ctx.nstr(cos_pq - sin_pv, 6)}",
        )
    r = [pi - qi * cos_pq for pi, qi in zip(p, q)]
    nr = ctx.sqrt(ctx.fsum(v * v for v in r))
    bK = dict(zip(K, mv.b))
    if cos_pv >= 0:
        case = "acute"
        ratios = [ybar[k] / bK[k] for k in K if bK[k] > 0]
        xi = min(ratios + [cos_pv - sin_pq])
        a = [ctx.one, ctx.sqrt(xi * nr)]
        W = [[v - xi * pi for v, pi in zip(vbar, p)], [ctx.sqrt(xi / nr) * v for v in r]]
    else:
        case = "obtuse"
        xi = -cos_pv - sin_pq
        a = [ctx.one, -ctx.sqrt(xi * nr)]
        W = [[v + xi * pi for v, pi in zip(vbar, p)], [ctx.sqrt(xi / nr) * v for v in r]]
    if not xi > 0:
        raise ProblemError("mvalue", f"ξ = {ctx.nstr(xi, 6)} ≤ 0: the §3.6 construction needs positive labels on K")
    sr = ctx.sqrt(rho)
    a = [v * sr for v in a]
    W = [[v * sr for v in row] for row in W]
    theta_sq = ctx.fsum(v * v for v in a) + ctx.fsum(v * v for row in W for v in row)
    hi = context(ctx.dps + 20)
    Xh = [[rational(hi, c) for c in x] for x in ds.X]
    res = max(
        abs(
            hi.fsum(hi.mpf(aj) * _relu(hi.fsum(hi.mpf(w) * c for w, c in zip(wj, x))) for aj, wj in zip(a, W))
            - rational(hi, y)
        )
        for x, y in zip(Xh, ds.y)
    )
    # exact rational version: p' = Σ b'_k χ_k, q' = Σ c'_k χ_k, r' = p' − (⟨p',q'⟩/‖q'‖²) q'
    bq = [_rat(v) for v in mv.b]
    cq = [_rat(v) for v in mv.c]
    pe = [sum((bq[j] * chi[K[j]][i] for j in range(len(K))), _Q0) for i in range(d)]
    qe = [sum((cq[j] * chi[Q[j]][i] for j in range(len(Q))), _Q0) for i in range(d)]
    pq, qq = dot(pe, qe), dot(qe, qe)
    exact_ok = pq > 0 and qq > 0
    ea: tuple = ()
    eW: tuple = ()
    eth, eres = Fraction(-1), Fraction(-1)
    if exact_ok:
        re_ = [pi - pq / qq * qi for pi, qi in zip(pe, qe)]
        npe = ctx.sqrt(rational(ctx, dot(pe, pe)))
        xe = _rat(xi / npe * sr * sr)  # ξ p̄ in units of p', for the teacher as given (norm ρ)
        if case == "acute":
            cap = [ds.y[k] / bq[j] for j, k in enumerate(K) if bq[j] > 0]
            xe = min([xe] + cap)
            w1 = [v - xe * pi for v, pi in zip(ds.teacher, pe)]
            sgn2 = 1
        else:
            w1 = [v + xe * pi for v, pi in zip(ds.teacher, pe)]
            sgn2 = -1
        u2 = [xe * v for v in re_]
        t1 = _rat(ctx.sqrt(ctx.sqrt(rational(ctx, dot(w1, w1)))), 10**12)
        t2 = _rat(ctx.sqrt(ctx.sqrt(rational(ctx, dot(u2, u2)))), 10**12)
        exact_ok = xe > 0 and t1 > 0 and t2 > 0
        if exact_ok:
            ea = (t1, sgn2 * t2)
            eW = (tuple(v / t1 for v in w1), tuple(v / t2 for v in u2))
            eth = sum((v * v for v in ea), _Q0) + sum((v * v for row in eW for v in row), _Q0)
            outs = [sum((aj * max(dot(wj, x), _Q0) for aj, wj in zip(ea, eW)), _Q0) for x in ds.X]
            eres = max(abs(o - y) for o, y in zip(outs, ds.y))
    certified = exact_ok and eres == 0 and eth * eth < 4 * rho2
    return Counterexample(
        case=case,
        K=tuple(K),
        xi=xi,
        a=tuple(a),
        W=tuple(tuple(row) for row in W),
        theta_sq=theta_sq,
        bound=rho * (2 - xi * xi),
        reference=2 * rho,
        residual=ctx.mpf(res),
        exact_a=tuple(ea),
        exact_W=tuple(eW),
        exact_theta_sq=eth,
        exact_residual=eres,
        certified=bool(certified),
        dps=int(ctx.dps),
    )


def counterexample(data, teacher=None, mvalue: MValue | None = None, *, at=None, dps: int = 30) -> Counterexample:
    """The §3.6 rank-2 network (Theorem 8(ii)) for the maximiser of 𝓜 (``mvalue``, computed
    with :func:`compute_M` when omitted), or for a chosen point ``at=(K, b)``: p = Σ_k b_k χ_k
    over k ∈ K (b ≥ 0), q its best partner in cone{χ_k}_{k∉K}.  Raises ProblemError ('mvalue')
    when cos∠(p, q) ≤ sin∠(p, v*) there (𝓜 ≤ 0 as far as the search found).

    >>> from reluflow.datasets import example37_positive
    >>> ce = counterexample(example37_positive(d=3, b=16).data)
    >>> ce.certified, ce.exact_residual, ce.exact_theta_sq < 2, float(ce.theta_sq) <= float(ce.bound) < 2
    (True, Fraction(0, 1), True, True)
    >>> counterexample(example37_positive(d=3, b=16).data, at=((1,), [1])).case  # p = χ₂ (0-based 1)
    'acute'
    """
    ds = _dataset(data, teacher)
    ctx = context(dps)
    if at is not None:
        if mvalue is not None:
            raise ProblemError("at", "give either mvalue or at, not both")
        try:
            K = tuple(int(k) for k in at[0])
            b = [float(exact(v, "at")) for v in at[1]]
        except (TypeError, IndexError):
            raise ProblemError(
                "at", "expected (K, b): a tuple of 0-based indices and one coefficient b_k ≥ 0 each"
            ) from None
        if not K or len(set(K)) != len(K) or len(K) >= ds.d or min(K) < 0 or max(K) >= ds.d:
            raise ProblemError("at", f"K = {K} must be a proper non-empty subset of 0..{ds.d - 1}")
        if len(b) != len(K) or min(b) < 0 or not any(b):
            raise ProblemError("at", "b must have one coefficient ≥ 0 per index of K, not all 0")
        K = tuple(sorted(K))
        b = [b[list(at[0]).index(k)] for k in K] if list(K) != list(at[0]) else b
        g = _Geometry(ds)
        Q = [i for i in range(ds.d) if i not in K]
        _val, bb, cc, _cpq, _cpv = _evaluate_mp(g, ctx, list(K), Q, b)
        chi = [[rational(ctx, v) for v in row] for row in g.chi]
        point = SimpleNamespace(
            K=K,
            b=tuple(bb),
            c=tuple(cc),
            p=tuple(ctx.fsum(bb[j] * chi[K[j]][i] for j in range(len(K))) for i in range(ds.d)),
            q=tuple(ctx.fsum(cc[j] * chi[Q[j]][i] for j in range(len(Q))) for i in range(ds.d)),
        )
        return _counterexample(ds, point, ctx)
    mv = mvalue if mvalue is not None else compute_M(ds, dps=dps, certify=False)
    return _counterexample(ds, mv, ctx)
