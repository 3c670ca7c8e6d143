"""One conic program per activation pattern (Clarabel), its certificates: a weak-duality lower bound, Farkas infeasibility, the restored exact network."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...linalg import dot, least_norm, rank
from ...problem import Dataset, ProblemError
from .results import _Q0, MAX_POINTS, Enclosure, Minimum


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
