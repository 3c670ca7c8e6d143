"""The search for 𝓜 on one subset K: NNLS projections on the cone of the χ_k, projected-gradient ascent over p, re-evaluation in mpmath."""

from __future__ import annotations

import math

import numpy as np

from ...linalg import dot
from ...precision import rational
from ...problem import Dataset
from .dual import _chi_exact


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
