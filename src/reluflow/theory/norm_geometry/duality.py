"""The sign of 𝓜 decided exactly by duality (exact projections on simplicial cones), with the weak-duality bound on ‖θ‖²."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction

from ...linalg import dot
from ...precision import context, rational
from .dual import _Q0, _chi_exact, _dataset
from .search import _nnls_gram, _solve


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
