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

    φ_off = μ_k r_k      (c_k reaches 0: the pair leaves to the inactive side, u < 0),
    φ_on  = r_k (r_k − μ_k)   (c_k reaches 1: the pair leaves to the active side, u > 0).

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

__all__ = ["Projector", "exit_jets", "first_exit", "leaving_now", "project", "projector", "sliding_sets"]


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


def _cauchy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Truncated product of two jets (same length)."""
    p = len(a)
    return np.array([sum(a[i] * b[k - i] for i in range(k + 1)) for k in range(p)], dtype=object)


def exit_jets(fx, st, J) -> list[tuple[int, int, str, list]]:
    """For every sliding pair with an exit (in a basis B), the jets of φ_off and φ_on in the
    scaled time, each normalised so that its largest coefficient has about F bits (they
    are products of residuals, which may be small late in a run)."""
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
            gba = fx.G[np.ix_(B, A)]  # (|B|, |A|)
            v = gba.dot(R[:, A].T) >> F  # (|B|, p): G_BA r_A
            mu = -(P.ginv.dot(v) >> F)  # (|B|, p)
        else:
            mu = np.zeros((len(B), R.shape[0]), dtype=object)
            mu[...] = MPZ(0)
        for i, k in enumerate(B):
            r = R[:, k]
            rm = _cauchy(mu[i], r)
            rr = _cauchy(r, r)
            for side, phi in (("off", rm), ("on", rr - rm)):
                top = max(int(abs(c)).bit_length() for c in phi)
                sh = top - (F + 8)
                phi = [MPZ(int(c) >> sh) if sh > 0 else MPZ(int(c) << -sh) for c in phi]
                out.append((j, k, side, phi))
    return out


def leaving_now(fx, st, J) -> tuple[int, int, str] | None:
    """A sliding pair whose multiplier leaves [0, 1] at once (the first non-zero
    coefficient of φ_off or φ_on negative), or None when every multiplier is admissible."""
    for j, k, side, phi in exit_jets(fx, st, J):
        q = first_nonzero(phi)
        if q is not None and q[1] < 0:
            return j, k, side
    return None


def first_exit(fx, st, J, s_end: int) -> tuple[int, int, int, str] | None:
    """The earliest multiplier exit (s, j, k, side) in (0, s_end], or None."""
    F = fx.F
    hit = None
    for j, k, side, phi in exit_jets(fx, st, J):
        q = first_nonzero(phi)
        if q is None or q[1] < 0:
            continue
        coeffs = phi[q[0]:]  # a multiplier exactly at its bound but moving inward
        root = first_root(coeffs, s_end, F)
        if root is not None and (hit is None or root < hit[0]):
            hit = (root, j, k, side)
    return hit

