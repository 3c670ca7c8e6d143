"""Sliding modes: the minimum-norm Clarke selection on an activation surface.

On a surface u_jk = ⟨w_j, x_k⟩ = 0 the subgradient of σ is [0, 1], so neuron j may use any
c_k r_k x_k there.  The flow is the minimum-norm selection θ̇ = −∂⁰L(θ): for a set S of
pairs of neuron j held on their surfaces ("sliding"),

    ẇ_j = (a_j/n) P⊥_S Σ_{l∈A_j} r_l x_l = (a_j/n) (Σ_{A_j} r_l x_l + Σ_{l∈S} μ_l x_l),
    μ_S = −G_SS⁻¹ G_SA r_A,        c_l = μ_l / r_l ∈ [0, 1],

with P⊥_S the projection off span{x_l : l ∈ S} and G the Gram matrix: a constant exact
rational matrix, so the field stays a cubic polynomial and the Taylor jets carry over.
Sliding pairs keep u_jk = 0 exactly; ȧ_j and the residuals do not see them (σ(0) = 0).
The mode ends when a multiplier reaches a bound, a polynomial event in the residuals:

    σμ_k = 0         (c_k reaches 0: the pair leaves to the inactive side, u < 0),
    σ(r_k − μ_k) = 0   (c_k reaches 1: the pair leaves to the active side, u > 0),
    σr_k = 0         (the residual vanishes, μ_k with it: the surface turns repelling),

with σ = sign r_k.  At an exit the exact flow has u̇_jk = 0 on the side it leaves by
(both sides for a residual exit), so the engine pins that first-order coefficient to 0
and decides the pair by its next order (``State.pinned``).

Dependent inputs: the projector is built on a maximal independent subset B of S (exact
rational rank test); a pair whose x_k lies in span{x_B} is held on its surface by the
projection itself (u_jk = Σ β_l u_jl = 0), with multiplier 0, and has no exit of its own.

Written here rather than taken from a QP library because everything is exact fixed point
on the engine's own integers: the projector is an exact rational inverse rounded once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mpmath.libmp import MPZ

from ..linalg import inverse
from .events import first_nonzero, first_root

__all__ = ["Projector", "exit_jets", "first_exit", "leaving_now", "leaving_now_pair", "project", "projector", "sliding_sets"]


@dataclass(frozen=True)
class Projector:
    """P⊥_S for one set S of surface pairs: its independent basis B (in S's order), the
    pairs of S held by dependence, and G_BB⁻¹ and G_B· as F-bit fixed-point integers."""

    basis: tuple[int, ...]
    held: tuple[int, ...]
    ginv: np.ndarray  # (|B|, |B|)
    gb: np.ndarray  # (|B|, n)


def projector(fx, S: tuple[int, ...]) -> Projector:
    """The projector of the sliding set ``S`` (point indices, sorted), cached on ``fx``."""
    cache = fx.cache
    key = ("proj", S)
    if key in cache:
        return cache[key]
    gram = fx.gram
    basis: list[int] = []
    held: list[int] = []
    inv = None
    for k in S:
        trial = basis + [k]
        m = inverse([[gram[a][b] for b in trial] for a in trial])
        if m is None:
            held.append(k)
        else:
            basis, inv = trial, m
    F = fx.F
    nb = len(basis)
    ginv = np.empty((nb, nb), dtype=object)
    for a in range(nb):
        for b in range(nb):
            ginv[a, b] = MPZ(round(inv[a][b] * (1 << F)))
    gb = fx.G[basis, :] if nb else np.zeros((0, fx.n), dtype=object)
    out = Projector(tuple(basis), tuple(held), ginv, gb)
    cache[key] = out
    return out


def sliding_sets(sliding: np.ndarray) -> list[tuple[int, tuple[int, ...]]]:
    """(neuron, its sliding points) for every neuron with at least one sliding pair."""
    return [(int(j), tuple(int(k) for k in np.nonzero(sliding[j])[0])) for j in np.nonzero(sliding.any(axis=1))[0]]


def project(fx, sliding: np.ndarray, Ck: np.ndarray, Uk: np.ndarray) -> None:
    """Apply the sliding projection to one order of the jets, in place: Ck (m, n) are the
    coefficients of ẇ_j in the data basis from the active pairs, Uk = Ck·G their
    pre-activations.  Adds the multiplier terms Ċ_B = −G_BB⁻¹ U̇_B and sets every sliding
    pair's U̇ to exactly 0 (the exact flow keeps it on its surface)."""
    F = fx.F
    for j, S in sliding_sets(sliding):
        P = projector(fx, S)
        if P.basis:
            delta = -(P.ginv.dot(Uk[j, list(P.basis)]) >> F)
            Ck[j, list(P.basis)] += delta
            Uk[j] += delta.dot(P.gb) >> F
        Uk[j, list(S)] = 0


def _scaled(jet: np.ndarray, sh: int) -> list:
    return [MPZ(int(c) >> sh) if sh > 0 else MPZ(int(c) << -sh) for c in jet]


def _near(p: int) -> int:
    """What "reached 0" means for a p-coefficient jet, in its units (as in :mod:`.events`)."""
    return 2 * (p + 1) ** 2 + 2


def _lead(jet: list, tol: int) -> tuple[int, int] | None:
    """(order, sign) of the first significant coefficient: order 0 counts only beyond the
    noise level ``tol`` (a value within it is "at 0"), higher orders when non-zero."""
    if abs(jet[0]) > tol:
        return 0, (1 if jet[0] > 0 else -1)
    q = first_nonzero(jet[1:])
    return None if q is None else (q[0] + 1, q[1])


def exit_jets(fx, st, J) -> list[tuple[int, int, dict, int, bool]]:
    """For every sliding pair with an exit (in a basis B): the jets, in the scaled time, of
    the three quantities that stay positive while c_k = μ_k / r_k ∈ [0, 1], with σ the sign
    of r_k — σμ_k ("off": c_k reaches 0), σ(r_k − μ_k) ("on": c_k reaches 1) and σr_k
    ("residual": the point is fitted, μ_k vanishes with r_k, and the surface turns from
    attracting to repelling) — their noise level, and whether the surface attracts
    (a_j r_k < 0; with c_k ∈ (0, 1) both sides then push into it).  A quantity at its bound
    by a located exit (``st.pinned``) has its value set to exactly 0.  Linear in the residual jets, so
    their roots are simple; all three share one shift that gives the larger of r_k, μ_k
    about F bits (they may be small late in a run)."""
    F = fx.F
    R = J.R  # (p, n), absolute F-bit
    out = []
    for j, S in sliding_sets(st.sliding):
        P = projector(fx, S)
        if not P.basis:
            continue
        A = [int(k) for k in np.nonzero(st.active[j])[0]]
        B = list(P.basis)
        if A:
            v = fx.G[np.ix_(B, A)].dot(R[:, A].T) >> F  # (|B|, p): G_BA r_A
            mu = -(P.ginv.dot(v) >> F)
        else:
            mu = np.zeros((len(B), R.shape[0]), dtype=object)
            mu[...] = MPZ(0)
        near = _near(R.shape[0])
        for i, k in enumerate(B):
            r = R[:, k]
            top = max(max(int(abs(c)).bit_length() for c in r), max(int(abs(c)).bit_length() for c in mu[i]))
            sh = top - (F + 8)
            tol = max(near, near << -sh if sh < 0 else near >> sh)  # rounding of r, μ and of the roots
            pin = st.pinned.get((j, k))
            rs = _scaled(r, sh)
            if pin == "residual":
                rs[0] = 0
            q = _lead(rs, tol)
            sigma = 1 if q is None else q[1]
            phis = {"off": _scaled(sigma * mu[i], sh), "on": _scaled(sigma * (r - mu[i]), sh),
                    "residual": [sigma * c for c in rs]}
            for side in phis if pin == "residual" else (pin,) if pin else ():
                phis[side][0] = 0  # at its bound by the located event, as u = 0 after a switch
            attracts = (1 if st.a[j] > 0 else -1) * sigma < 0  # a_j r_k < 0: both sides push in
            out.append((j, k, phis, tol, attracts))
    return out


def leaving_now(fx, st, J) -> tuple[int, int, str | None] | None:
    """A sliding pair that leaves its mode at the start of the step, with the side whose
    first-order field is to be pinned to 0, or None when every mode goes on.

    It leaves when its multiplier is out of [0, 1] (σμ or σ(r − μ) leads negative): beyond
    the noise level (the active set of its neuron changed, or a real excursion) nothing is
    pinned; at the bound (a located exit, ``st.pinned``: the quantity is exactly 0 there, as
    u is after a switch) the side it leaves by is, and a pair moving back inside (a touch)
    goes on sliding.  It also leaves when its surface repels (a_j r_k > 0, after its
    residual changed sign: a mode there would be the unstable minimum-norm one, and the
    engine's rule for repelling surfaces applies); at a located residual exit both sides
    are pinned.  A residual that only touches 0 keeps the mode."""
    for j, k, phis, tol, attracts in exit_jets(fx, st, J):
        leaves, pin = leaving_now_pair(phis, tol, attracts, st.pinned.get((j, k)))
        if leaves:
            return j, k, pin
    return None


def leaving_now_pair(phis: dict, tol: int, attracts: bool, pinned: str | None) -> tuple[bool, str | None]:
    """(whether this pair leaves its mode at the start of the step, the side to pin); see
    :func:`leaving_now`."""
    if not attracts:
        return True, ("residual" if pinned == "residual" else None)
    for side in ("off", "on"):
        q = _lead(phis[side], tol)
        if q is not None and q[1] < 0:
            return True, (side if q[0] > 0 else None)
    return False, None


def _root(phi: list, tol: int, s_end: int, F: int) -> int | None:
    q = _lead(phi, tol)
    if q is None or q[1] < 0:
        return None
    return first_root(phi[q[0]:], s_end, F)  # at its bound but moving inward: φ / s^order


def first_exit(fx, st, J, s_end: int) -> tuple[int, int, int, str] | None:
    """The earliest exit (s, j, k, side) of a sliding pair in (0, s_end], or None; side is
    "off", "on" or "residual".  The three roots of a pair whose residual vanishes coincide
    (μ = c r): within 2^(−F/2) of the step the residual one is taken."""
    F = fx.F
    hit = None
    for j, k, phis, tol, _ in exit_jets(fx, st, J):
        roots = {side: _root(phi, tol, s_end, F) for side, phi in phis.items()}
        found = [(r, side) for side, r in roots.items() if r is not None]
        if not found:
            continue
        s, side = min(found)
        if roots["residual"] is not None and roots["residual"] - s <= (s_end >> (F // 2)):
            side = "residual"
        if hit is None or s < hit[0]:
            hit = (s, j, k, side)
    return hit
