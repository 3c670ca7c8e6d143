"""Minimum-norm and rank-one interpolators of a data set, solved by a conic solver and
certified exactly (issue 6; spec ``orthogonal_inputs.md`` R9–R10, ``single_neuron.md`` §3.6).

For a network h(x) = Σ_j a_j σ(⟨w_j, x⟩) that fits y exactly, ‖θ‖² ≥ 2 Σ_j ‖u_j‖ with
u_j = |a_j| w_j, with equality when balanced.  Each u_j lies in the closed cone K_D of its
activation pattern D = {i : ⟨x_i, u_j⟩ > 0}, on which σ(Xu) = D X u is linear.  So

    min ‖θ‖² over interpolators of any width
        = 2 · min Σ_b ‖u_b‖   s.t.   Σ_b s_b D_b X u_b = y,   u_b ∈ K_{D_b},

one block b = (D, s) per non-empty pattern D ⊆ [n] and output sign s = ±1: a second-order
cone program (the convex reformulation of two-layer ReLU networks, Pilanci & Ergen 2020).
Every sign pattern is kept, realised or not, so that the blocks cover every neuron without
trusting an enumeration of the arrangement (an unrealised pattern's cone is just smaller).

- **Solver.** Clarabel (interior point, a well-kept Rust SOCP solver and CVXPY's default)
  gives the primal u_b and the dual μ, λ.
- **Upper bound.** The support is rounded to rationals and repaired exactly: pre-activations
  that are zero to solver accuracy are made exactly 0, the fit is restored by the least-norm
  rational correction, and every neuron's sign pattern is re-checked.  The result is an
  exact rational network (a, W) with h(x_i) = y_i in Fractions; ``hi`` is its exact ‖θ‖².
- **Lower bound.** Weak duality: if ‖s_b X D_b μ + Σ_i λ_bi e_bi x_i‖ ≤ r for every block
  (e_bi = ±1 the pattern's signs, λ ≥ 0), then every interpolator has ‖θ‖² ≥ 2μᵀy/r.  The
  solver's μ, λ are taken as exact rationals and r is an exact rational upper bound of the
  largest norm, so ``lo`` is proven.  The enclosure [lo, hi] is therefore certified,
  whatever the solver's accuracy; its width shows that accuracy.

Rank one (the shape of the small-initialisation limit in both papers: one neuron direction
per label sign, W₊ = c₊v₊ᵀ and W₋ = c₋v₋ᵀ with c± ≥ 0; a sign class is used only when a
label has that sign) is a union of such programs, one per pair of patterns (P ⊇ S₊, Q ⊇ S₋)
of the two directions; each is solved and certified the same way, an infeasible one by a
Farkas ray, and the enclosure is the minimum over pairs.

>>> from reluflow.problem import Dataset
>>> r = minimum_norm(Dataset([[1, 0], [0, 2]], [1, -1]))
>>> r.certified, r.rank, float(r.theta_sq.lo) <= 3 <= float(r.theta_sq.hi)
(True, 2, True)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from ..linalg import dot, inverse, least_norm, rank, to_fmpq
from ..problem import Dataset, ProblemError

__all__ = ["MAX_POINTS", "Enclosure", "Interpolation", "Minimum", "interpolate", "minimum_norm", "rank_one_minimum"]

MAX_POINTS = 12  # 2^n patterns: the exact reformulation is exponential in n
_Q0 = Fraction(0)


# ----------------------------------------------------------------------------- results


def _decimal(q: Fraction, digits: int, rounding) -> str:
    """q as a decimal string of ``digits`` significant digits, rounded in a fixed direction."""
    ctx = Context(prec=digits, rounding=rounding)
    return str(ctx.divide(Decimal(q.numerator), Decimal(q.denominator)))


@dataclass(frozen=True)
class Enclosure:
    """A proven interval lo ≤ value ≤ hi, with exact rational endpoints."""

    lo: Fraction
    hi: Fraction | None  # None: no upper bound (no interpolator was restored)

    @property
    def width(self) -> Fraction | None:
        return None if self.hi is None else self.hi - self.lo

    def locate(self, value: Any) -> int | None:
        """−1 if value < lo, +1 if value > hi, 0 if inside; exact for rationals, rigorous for
        an Arb ball (None when the ball straddles an end)."""
        if not isinstance(value, flint.arb):
            value = Fraction(value)
            return -1 if value < self.lo else 1 if self.hi is not None and value > self.hi else 0
        with flint.ctx.workprec(max(flint.ctx.prec, 256)):
            lo = flint.arb(to_fmpq(self.lo))
            if value < lo:
                return -1
            if value >= lo and self.hi is None:
                return 0
            if self.hi is None:
                return None
            hi = flint.arb(to_fmpq(self.hi))
            return 1 if value > hi else 0 if value >= lo and value <= hi else None

    def locate_sqrt(self, q: Any) -> int:
        """:meth:`locate` for √q (q ≥ 0 rational), decided exactly by squaring."""
        q = Fraction(q)
        if self.lo > 0 and q < self.lo * self.lo:
            return -1
        return 1 if self.hi is not None and q > self.hi * self.hi else 0

    def to_dict(self, digits: int = 20) -> dict:
        """Decimal strings rounded outwards, so the printed interval still encloses."""
        hi = "inf" if self.hi is None else _decimal(self.hi, digits, ROUND_CEILING)
        return {"lo": _decimal(self.lo, digits, ROUND_FLOOR), "hi": hi}


@dataclass(frozen=True)
class Minimum:
    """The certified minimum of ‖θ‖² over a set of exact interpolators.

    ``theta_sq`` encloses the minimum; ``a``, ``W`` is an exact rational interpolating network
    with ‖θ‖² = ``theta_sq.hi`` (zero neurons dropped, parallel ones merged), ``rank`` the
    exact rank of W.  ``certified`` when both bounds are proven and the relative width is at
    most ``rtol``.  ``feasible`` is False, with ``theta_sq`` None, when no network of the
    set interpolates, proven by an exact Farkas ray; when no interpolator could be restored
    and none was proven impossible, ``theta_sq.hi`` is None and ``certified`` False."""

    theta_sq: Enclosure | None
    a: tuple[Fraction, ...]
    W: tuple[tuple[Fraction, ...], ...]
    rank: int
    certified: bool
    feasible: bool
    programs: int  # conic programs solved
    blocks: int  # pattern blocks in the largest program
    rtol: float

    @property
    def neurons(self) -> int:
        return len(self.a)

    def to_dict(self, digits: int = 20) -> dict:
        return {
            "theta_sq": None if self.theta_sq is None else self.theta_sq.to_dict(digits),
            "minimiser": {
                "a": [_decimal(v, digits, ROUND_FLOOR) if v else "0" for v in self.a],
                "W": [[str(float(c)) for c in row] for row in self.W],
                "exact_a": [str(v) for v in self.a],
                "exact_W": [[str(c) for c in row] for row in self.W],
            },
            "rank": self.rank,
            "neurons": self.neurons,
            "certified": self.certified,
            "feasible": self.feasible,
            "programs": self.programs,
            "blocks": self.blocks,
        }


# ----------------------------------------------------------------------------- exact helpers


def _sqrt_up(q: Fraction) -> Fraction:
    """A rational r ≥ √q (q ≥ 0), within a few ulps of it."""
    if q <= 0:
        return _Q0
    r = (
        Fraction(math.sqrt(float(q)))
        if 1e-300 < q < 1e300
        else Fraction(math.isqrt(q.numerator * 4**200 // q.denominator) + 1, 2**200)
    )
    r *= 1 + Fraction(1, 2**48)
    while r * r < q:
        r *= 1 + Fraction(1, 2**40)
    return r


# ----------------------------------------------------------------------------- one conic program


@dataclass(frozen=True)
class _Block:
    signs: tuple[int, ...]  # e_i = +1 if x_i is active (⟨x_i, u⟩ ≥ 0), −1 if not (≤ 0)
    out: int  # output sign s of the neurons in this block


def _check_data(data: Dataset, tol: float, rtol: float) -> Dataset:
    for name, v in (("tol", tol), ("rtol", rtol)):
        if not (isinstance(v, (int, float)) and 0 < v < 1):
            raise ProblemError(name, f"must be a number in (0, 1), got {v!r}")
    if not isinstance(data, Dataset):
        raise ProblemError("data", f"must be a reluflow Dataset, got {type(data).__name__}")
    if data.n > MAX_POINTS:
        raise ProblemError(
            "data.X",
            f"has n = {data.n} inputs; the exact reformulation has 2^n patterns, "
            f"so interpolators are computed for n ≤ {MAX_POINTS}",
        )
    for i, j in itertools.combinations(range(data.n), 2):  # positive multiples must have proportional labels
        xi, xj = data.X[i], data.X[j]
        c = dot(xi, xj) / dot(xi, xi)
        if c > 0 and all(b == c * a for a, b in zip(xi, xj)) and data.y[j] != c * data.y[i]:
            raise ProblemError(
                "data.y",
                f"no network interpolates: x_{j} = {c}·x_{i} but y_{j} = {data.y[j]} ≠ "
                f"{c}·y_{i}; a ReLU network without bias is positively homogeneous",
            )
    return data


@dataclass(frozen=True)
class _Solved:
    status: str
    u: np.ndarray  # (blocks, d)
    mu: np.ndarray  # (n,)
    lam: np.ndarray  # (blocks, n)


def _socp(X: np.ndarray, y: np.ndarray, blocks: Sequence[_Block], tol: float) -> _Solved:
    """min Σ_b ‖u_b‖ s.t. Σ_b s_b D_b X u_b = y, e_bi ⟨x_i, u_b⟩ ≥ 0, by Clarabel."""
    import clarabel
    from scipy import sparse

    n, d = X.shape
    B = len(blocks)
    nv = B * (d + 1)  # per block: t_b, then u_b
    rows, cols, vals = [], [], []
    for b, blk in enumerate(blocks):  # fit: n zero-cone rows
        for i in range(n):
            if blk.signs[i] > 0:
                for c in range(d):
                    rows.append(i)
                    cols.append(b * (d + 1) + 1 + c)
                    vals.append(blk.out * X[i, c])
    r0 = n
    for b, blk in enumerate(blocks):  # pattern: e_i ⟨x_i, u⟩ ≥ 0, as −e_i x_iᵀu + s = 0, s ≥ 0
        for i in range(n):
            for c in range(d):
                rows.append(r0 + b * n + i)
                cols.append(b * (d + 1) + 1 + c)
                vals.append(-blk.signs[i] * X[i, c])
    r1 = r0 + B * n
    for k in range(nv):  # (t_b, u_b) ∈ SOC
        rows.append(r1 + k)
        cols.append(k)
        vals.append(-1.0)
    A = sparse.csc_matrix((vals, (rows, cols)), shape=(r1 + nv, nv))
    rhs = np.concatenate([y, np.zeros(B * n + nv)])
    q = np.zeros(nv)
    q[:: d + 1] = 1.0
    cones = [clarabel.ZeroConeT(n), clarabel.NonnegativeConeT(B * n)] + [clarabel.SecondOrderConeT(d + 1)] * B
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = tol
    settings.tol_infeas_abs = settings.tol_infeas_rel = tol
    settings.max_iter = 400
    sol = clarabel.DefaultSolver(sparse.csc_matrix((nv, nv)), q, A, rhs, cones, settings).solve()
    x, z = np.array(sol.x), np.array(sol.z)
    u = x.reshape(B, d + 1)[:, 1:]
    return _Solved(str(sol.status), u, -z[:n], np.maximum(z[r0:r1].reshape(B, n), 0.0))


def _block_vectors(
    data: Dataset, blocks: Sequence[_Block], mu: Sequence[Fraction], lam: Sequence[Sequence[Fraction]]
) -> list[list[Fraction]]:
    """c_b = s_b Σ_{i∈D_b} μ_i x_i + Σ_i λ_bi e_bi x_i for every block, exactly."""
    X, n, d = data.X, data.n, data.d
    out = []
    for blk, lq in zip(blocks, lam):
        coef = [(blk.out * mu[i] if blk.signs[i] > 0 else _Q0) + lq[i] * blk.signs[i] for i in range(n)]
        out.append([sum((coef[i] * X[i][k] for i in range(n) if coef[i]), _Q0) for k in range(d)])
    return out


def _lower(data: Dataset, blocks: Sequence[_Block], mu: np.ndarray, lam: np.ndarray) -> Fraction:
    """A proven lower bound of 2·min Σ‖u_b‖ from the dual point (μ, λ) taken exactly:
    2μᵀy/r with r ≥ max_b ‖c_b‖ (0 when μᵀy ≤ 0)."""
    m = [Fraction(float(v)) for v in mu]
    gain = dot(m, data.y)
    if gain <= 0:
        return _Q0
    lq = [[Fraction(float(v)) for v in row] for row in lam]
    worst = max(dot(c, c) for c in _block_vectors(data, blocks, m, lq))
    return 2 * gain / _sqrt_up(worst) if worst else _Q0


def _ray_entries(data: Dataset, blocks: Sequence[_Block]) -> list[tuple[int, int, Fraction]]:
    """The linear map (μ, λ) ↦ (c_b)_b of :func:`_block_vectors` as exact sparse entries
    (row b·d + k, column i for μ_i or n + b·n + i for λ_bi, coefficient)."""
    n, d = data.n, data.d
    out = []
    for b, blk in enumerate(blocks):
        for k in range(d):
            for i in range(n):
                x = data.X[i][k]
                if x:
                    if blk.signs[i] > 0:
                        out.append((b * d + k, i, blk.out * x))
                    out.append((b * d + k, n + b * n + i, blk.signs[i] * x))
    return out


def _farkas_lp(data: Dataset, blocks: Sequence[_Block]) -> tuple[np.ndarray, np.ndarray] | None:
    """A float Farkas ray by solving its LP directly: μ free, λ ≥ 0, every c_b = 0 and
    μᵀy = 1 (for a stalled solve whose dual is not a clean ray); None if not found."""
    import clarabel
    from scipy import sparse

    n, d, B = data.n, data.d, len(blocks)
    nv = n + B * n
    entries = _ray_entries(data, blocks)
    rows, cols = [r for r, _, _ in entries], [c for _, c, _ in entries]
    vals = [float(v) for _, _, v in entries]
    r0 = B * d
    for i in range(n):
        rows.append(r0)
        cols.append(i)
        vals.append(float(data.y[i]))
    for k in range(B * n):  # λ ≥ 0 as −λ + s = 0, s ≥ 0
        rows.append(r0 + 1 + k)
        cols.append(n + k)
        vals.append(-1.0)
    A = sparse.csc_matrix((vals, (rows, cols)), shape=(r0 + 1 + B * n, nv))
    rhs = np.zeros(r0 + 1 + B * n)
    rhs[r0] = 1.0
    q = np.concatenate([np.zeros(n), np.ones(B * n)])  # the smallest multipliers
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    sol = clarabel.DefaultSolver(
        sparse.csc_matrix((nv, nv)), q, A, rhs, [clarabel.ZeroConeT(r0 + 1), clarabel.NonnegativeConeT(B * n)], settings
    ).solve()
    if str(sol.status) not in ("Solved", "AlmostSolved"):
        return None
    x = np.array(sol.x)
    return x[:n], np.maximum(x[n:].reshape(B, n), 0.0)


def _farkas(data: Dataset, blocks: Sequence[_Block], mu: np.ndarray, lam: np.ndarray, tol: float) -> bool:
    """True if the solver's infeasibility ray can be made exact: rational μ, λ ≥ 0 with
    c_b = 0 for every block and μᵀy > 0 — then no network of these blocks interpolates
    (each would give 0 < μᵀy = Σ_b ⟨c_b, u_b⟩ − Σ λ_bi e_bi⟨x_i, u_b⟩ ≤ 0)."""
    n, d, B = data.n, data.d, len(blocks)
    scale = max(float(np.abs(mu).max()), float(np.abs(lam).max()), 1e-300)
    support = [(b, i) for b in range(B) for i in range(n) if lam[b, i] > tol * scale]
    column = {i: i for i in range(n)} | {n + b * n + i: n + c for c, (b, i) in enumerate(support)}
    A = [[_Q0] * (n + len(support)) for _ in range(B * d)]  # unknowns: μ, then λ on its support
    for r, c, v in _ray_entries(data, blocks):
        if c in column:
            A[r][column[c]] = v
    z0 = [Fraction(float(v) / scale) for v in mu] + [Fraction(float(lam[b, i]) / scale) for b, i in support]
    delta = least_norm(A, [-dot(row, z0) for row in A])
    if delta is None:
        return False
    z = [a + b for a, b in zip(z0, delta)]
    return all(v >= 0 for v in z[n:]) and dot(z[:n], data.y) > 0


@dataclass(frozen=True)
class _Network:
    a: tuple[Fraction, ...]
    W: tuple[tuple[Fraction, ...], ...]
    theta_sq: Fraction


def _merge(U: list[np.ndarray], S: list[int], tol: float) -> tuple[list[np.ndarray], list[int]]:
    """Neurons of one output sign within angle ≈ √(2 tol) of each other become one neuron
    (an interior-point solution spreads one direction over the blocks of the faces it lies
    on; merging never costs, by the triangle inequality, and the result is re-checked)."""
    outU, outS = [], []
    for u, s in zip(U, S):
        for k, (v, t) in enumerate(zip(outU, outS)):
            if t == s and float(u @ v) >= (1 - tol) * float(np.linalg.norm(u) * np.linalg.norm(v)):
                outU[k] = v + u
                break
        else:
            outU.append(u.copy())
            outS.append(s)
    return outU, outS


def _restore(data: Dataset, U: list[np.ndarray], S: list[int], ztol: float) -> _Network | None:
    """An exact rational interpolator near the float neurons u_j (output signs s_j), or None.

    Pre-activations with |⟨x_i, u_j⟩| ≤ ztol·‖x_i‖‖u_j‖ are set exactly to 0, the fit
    Σ_{j: ⟨x_i,u_j⟩>0} s_j⟨x_i, u_j⟩ = y_i is restored by the least-norm rational correction,
    every other sign is re-checked, and each neuron is balanced with a rational √‖u_j‖."""
    X, y, n, d = data.X, data.y, data.n, data.d
    Xf = np.array([[float(c) for c in x] for x in X])
    m = len(U)
    pattern = []
    for u in U:
        pre = Xf @ u
        scale = np.linalg.norm(Xf, axis=1) * np.linalg.norm(u)
        pattern.append([0 if abs(p) <= ztol * s else (1 if p > 0 else -1) for p, s in zip(pre, scale)])
    A, r = [], []
    u0 = [Fraction(float(c)) for u in U for c in u]
    for j in range(m):  # exact zeros
        for i in range(n):
            if pattern[j][i] == 0:
                row = [_Q0] * (m * d)
                row[j * d : (j + 1) * d] = X[i]
                A.append(row)
                r.append(_Q0)
    for i in range(n):  # the fit
        row = [_Q0] * (m * d)
        for j in range(m):
            if pattern[j][i] > 0:
                row[j * d : (j + 1) * d] = [S[j] * c for c in X[i]]
        A.append(row)
        r.append(y[i])
    delta = least_norm(A, [ri - dot(row, u0) for row, ri in zip(A, r)])
    if delta is None:
        return None
    uq = [[u0[j * d + c] + delta[j * d + c] for c in range(d)] for j in range(m)]
    for j in range(m):
        for i in range(n):
            p = dot(X[i], uq[j])
            if (p > 0) != (pattern[j][i] > 0) or (p < 0) != (pattern[j][i] < 0):
                return None
    a, W = [], []
    for j in range(m):
        nrm2 = dot(uq[j], uq[j])
        if nrm2 == 0:
            continue
        s = Fraction(math.sqrt(math.sqrt(float(nrm2)))).limit_denominator(10**12)
        a.append(S[j] * s)
        W.append(tuple(c / s for c in uq[j]))
    fit = [sum((aj * max(dot(w, x), _Q0) for aj, w in zip(a, W)), _Q0) for x in X]
    if fit != list(y):  # an independent exact check of the network itself
        return None
    return _Network(tuple(a), tuple(W), sum((aj * aj + dot(w, w) for aj, w in zip(a, W)), _Q0))


@dataclass(frozen=True)
class _Part:
    """One conic program's certified outcome: ``lo`` proven (None: proven infeasible) and
    an exact interpolator (None: none restored)."""

    lo: Fraction | None
    network: _Network | None


def _solve_blocks(data: Dataset, blocks: Sequence[_Block], tol: float) -> _Part:
    X = np.array([[float(c) for c in x] for x in data.X])
    y = np.array([float(v) for v in data.y])
    sol = _socp(X, y, blocks, tol)
    if sol.status != "Solved":  # an infeasibility ray made exact: from the solver's dual, or from its own LP
        ray = (sol.mu, sol.lam) if "Infeasible" in sol.status else _farkas_lp(data, blocks)
        if ray is not None and _farkas(data, blocks, ray[0], ray[1], 1e-9):
            return _Part(None, None)
    if "Infeasible" in sol.status:
        return _Part(_lower(data, blocks, sol.mu, sol.lam), None)
    lo = _lower(data, blocks, sol.mu, sol.lam)
    if all(v == 0 for v in data.y):
        return _Part(lo, _Network((), (), _Q0))
    norms = np.linalg.norm(sol.u, axis=1)
    best, tried = None, set()
    for prune, merge, ztol in itertools.product((1e-4, 1e-7), (1e-4, 1e-6, 1e-9), (1e-5, 1e-7)):
        keep = [b for b in range(len(blocks)) if norms[b] > prune * max(norms.max(), 1e-300)]
        U, S = _merge([sol.u[b] for b in keep], [blocks[b].out for b in keep], merge)
        key = (tuple(np.concatenate(U).round(12)) if U else (), ztol)
        if key in tried:
            continue
        tried.add(key)
        net = _restore(data, U, S, ztol)
        if net is not None and (best is None or net.theta_sq < best.theta_sq):
            best = net
    return _Part(lo, best)


def _minimum(parts: Sequence[_Part], programs: int, blocks: int, rtol: float) -> Minimum:
    """The minimum over the union of the programs' sets, from their certified parts."""
    live = [p for p in parts if p.lo is not None]
    if not live:  # every program proven infeasible
        return Minimum(None, (), (), 0, True, False, programs, blocks, rtol)
    lo = min(p.lo for p in live)
    nets = [p.network for p in live if p.network is not None]
    if not nets:  # not proven empty, but no interpolator restored
        return Minimum(Enclosure(lo, None), (), (), 0, False, True, programs, blocks, rtol)
    best = min(nets, key=lambda net: net.theta_sq)
    hi = best.theta_sq
    lo = min(lo, hi)
    certified = hi - lo <= Fraction(rtol) * max(hi, Fraction(1))
    return Minimum(
        Enclosure(lo, hi), best.a, best.W, rank(best.W) if best.W else 0, bool(certified), True, programs, blocks, rtol
    )


# ----------------------------------------------------------------------------- public API


def minimum_norm(data: Dataset, *, tol: float = 1e-12, rtol: float = 1e-6) -> Minimum:
    """Certified min ‖θ‖² over exact interpolators of any width, and an exact minimiser.

    One block per non-empty sign pattern and output sign (2(2^n − 1) blocks).  ``tol`` is
    the solver's tolerance; ``rtol`` the relative width below which the enclosure counts
    as certified.  Orthogonal data: the minimum is 2(‖β*₊‖ + ‖β*₋‖) (R10):

    >>> from reluflow.problem import Dataset
    >>> r = minimum_norm(Dataset([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 2, -2]))
    >>> r.certified, r.rank, r.theta_sq.to_dict(8)
    (True, 2, {'lo': '8.4721359', 'hi': '8.4721360'})
    """
    data = _check_data(data, tol, rtol)
    n = data.n
    blocks = [_Block(signs, out) for signs in itertools.product((1, -1), repeat=n) if 1 in signs for out in (1, -1)]
    return _minimum([_solve_blocks(data, blocks, tol)], 1, len(blocks), rtol)


def rank_one_minimum(data: Dataset, *, tol: float = 1e-12, rtol: float = 1e-6) -> Minimum:
    """Certified min ‖θ‖² over interpolators with one neuron direction per label sign.

    The shape of the small-initialisation limit in both papers (R9's β*±, Theorem 7's
    Θ_{v*}): the neurons with a_j > 0 are non-negative multiples of one v₊, those with
    a_j < 0 of one v₋, and a sign is used only if some label has it.  One two-block program
    per pair of patterns (P ⊇ S₊, Q ⊇ S₋) of v₊, v₋.

    >>> from reluflow.problem import Dataset
    >>> r = rank_one_minimum(Dataset([[1, 0], [1, 1]], teacher=[1, 0]))
    >>> r.theta_sq.to_dict(8), r.rank
    ({'lo': '1.9999999', 'hi': '2'}, 1)
    """
    data = _check_data(data, tol, rtol)
    n, y = data.n, data.y
    need = {1: [i for i in range(n) if y[i] > 0], -1: [i for i in range(n) if y[i] < 0]}

    def patterns(sign):
        if not need[sign]:
            return [None]
        free = [i for i in range(n) if i not in need[sign]]
        out = []
        for bits in itertools.product((1, -1), repeat=len(free)):
            signs = [1] * n
            for i, b in zip(free, bits):
                signs[i] = b
            out.append(tuple(signs))
        return out

    parts, count = [], 0
    for P in patterns(1):
        for Q in patterns(-1):
            blocks = [_Block(s, out) for s, out in ((P, 1), (Q, -1)) if s is not None]
            if not blocks:  # all labels zero: the empty network
                parts.append(_Part(_Q0, _Network((), (), _Q0)))
                continue
            parts.append(_solve_blocks(data, blocks, tol))
            count += 1
    return _minimum(parts, count, 2, rtol)


# ----------------------------------------------------------------------------- both, and the theory


def _arb(q: Fraction):
    return flint.arb(to_fmpq(q))


@dataclass(frozen=True)
class Interpolation:
    """The minimum-norm and the rank-one minimum of one data set, and the theory's values.

    ``closed_form`` (orthogonal data, R10): 2(‖β*₊‖ + ‖β*₋‖) as an Arb ball.  ``teacher_norm``
    (a teacher v*): 2‖v*‖, the norm of Θ_{v*}, the rank-one limit of Theorem 7.  ``M_sign``
    (teacher, n = d, X invertible): the exact sign of 𝓜, and ``counterexample_theta_sq`` the
    §3.6 network's exact ‖θ‖² when 𝓜 > 0.  ``checks`` maps each statement of the theory that
    applies to True/False when the enclosures decide it (None when they do not):

    - ``closed_form_in_minimum``, ``closed_form_in_rank_one`` (orthogonal data);
    - ``theorem8`` (teacher, n = d, X invertible, all labels positive — the theorem's
      setting, angles below π/2 by Remark 38(iii)): 𝓜 < 0 ⇒ the minimum is 2‖v*‖;
      𝓜 > 0 ⇒ it is < 2‖v*‖;
    - ``below_counterexample`` (𝓜 > 0): minimum ≤ the §3.6 network's ‖θ‖².

    >>> from reluflow.datasets import example37_positive
    >>> r = interpolate(example37_positive(d=3, b=16).data)
    >>> r.M_sign, r.checks, r.minimum.rank
    (1, {'theorem8': True, 'below_counterexample': True}, 3)
    """

    data: Dataset
    minimum: Minimum
    rank_one: Minimum
    closed_form: Any = None
    teacher_norm: Any = None
    M_sign: int | None = None
    counterexample_theta_sq: Fraction | None = None
    checks: dict = None  # type: ignore[assignment]

    @property
    def strict_gap(self) -> bool | None:
        """True if the minimum is certified strictly below the rank-one minimum, False if
        the two enclosures overlap (equal up to the solver's accuracy), None if not known."""
        a, b = self.minimum.theta_sq, self.rank_one.theta_sq
        if a is None or a.hi is None:
            return None
        if b is None:
            return True if not self.rank_one.feasible else None
        return a.hi < b.lo

    def to_dict(self, digits: int = 20) -> dict:
        m, r = self.minimum, self.rank_one

        def ball(x):
            return (
                None
                if x is None
                else {"mid": flint.arb(x.mid()).str(digits, radius=False), "rad": x.rad().str(3, radius=False)}
            )

        return {
            "n": self.data.n,
            "d": self.data.d,
            "min_theta_sq": None if m.theta_sq is None else m.theta_sq.to_dict(digits),
            "rank_one_min_theta_sq": None if r.theta_sq is None else r.theta_sq.to_dict(digits),
            "minimiser": {
                "a": [str(float(v)) for v in m.a],
                "W": [[str(float(c)) for c in row] for row in m.W],
                "exact_a": [str(v) for v in m.a],
                "exact_W": [[str(c) for c in row] for row in m.W],
            },
            "rank": m.rank,
            "neurons": m.neurons,
            "certified": m.certified and r.certified,
            "min_certified": m.certified,
            "rank_one": r.to_dict(digits),
            "rank_one_feasible": r.feasible,
            "strictly_below_rank_one": self.strict_gap,
            "closed_form_theta_sq": ball(self.closed_form),
            "teacher_theta_sq": ball(self.teacher_norm),
            "M_sign": self.M_sign,
            "counterexample_theta_sq": None
            if self.counterexample_theta_sq is None
            else _decimal(self.counterexample_theta_sq, digits, ROUND_CEILING),
            "checks": dict(self.checks),
            "programs": m.programs + r.programs,
            "blocks": m.blocks,
        }


def interpolate(data: Dataset, *, tol: float = 1e-12, rtol: float = 1e-6) -> Interpolation:
    """Certified minimum-norm and rank-one interpolators of ``data``, compared with the
    closed forms of both papers where they apply (see :class:`Interpolation`)."""
    minimum = minimum_norm(data, tol=tol, rtol=rtol)
    rank_one = rank_one_minimum(data, tol=tol, rtol=rtol)
    with flint.ctx.workprec(256):  # the closed forms as Arb balls of radius ~1e-75
        return _interpolation(data, minimum, rank_one)


def _interpolation(data: Dataset, minimum: Minimum, rank_one: Minimum) -> Interpolation:
    from . import norm_geometry as ng

    checks: dict[str, bool | None] = {}
    closed = teacher = sign = cex = None
    if data.is_orthogonal:
        parts = [
            sum((y * y / dot(x, x) for x, y in zip(data.X, data.y) if (y > 0) == (sgn > 0) and y != 0), _Q0)
            for sgn in (1, -1)
        ]
        closed = 2 * (_arb(parts[0]).sqrt() + _arb(parts[1]).sqrt())
        for key, res in (("closed_form_in_minimum", minimum), ("closed_form_in_rank_one", rank_one)):
            c = None if res.theta_sq is None else res.theta_sq.locate(closed)
            checks[key] = None if c is None else c == 0
    if data.teacher is not None:
        teacher = 2 * _arb(dot(data.teacher, data.teacher)).sqrt()
        # Theorem 8's setting: n = d, X invertible, every angle with v* below π/2 (Remark 38(iii))
        if data.n == data.d >= 2 and inverse(data.X) is not None and all(v > 0 for v in data.y):
            sign = ng.dual_certificate(data).sign
            enc = minimum.theta_sq
            c = None if enc is None else enc.locate_sqrt(4 * dot(data.teacher, data.teacher))
            if c is not None and c == 0 and enc.hi is None:
                c = None  # 2‖v*‖ above lo, and no upper end: undecided
            if sign < 0:  # the minimum is 2‖v*‖
                checks["theorem8"] = None if c is None else c == 0
            elif sign > 0:  # the minimum is below 2‖v*‖
                checks["theorem8"] = None if c in (None, 0) else c == 1
                cex = ng.counterexample(data).exact_theta_sq
                below = None
                if enc is not None and enc.hi is not None and enc.hi <= cex:
                    below = True
                elif enc is not None and enc.lo > cex:
                    below = False
                checks["below_counterexample"] = below
    return Interpolation(data, minimum, rank_one, closed, teacher, sign, cex, checks)
