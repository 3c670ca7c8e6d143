"""Activation switches: where a pre-activation u_jk = ⟨w_j, x_k⟩ reaches 0 within a step.

Each step's u_jk(s) is a polynomial in the scaled time s ∈ [0, s_end] (exact fixed-point
coefficients).  A cheap bound rules out most pairs; for the rest the first root is bracketed
on a float grid and then refined in exact integer arithmetic to one unit of 2**-F.
"""

from __future__ import annotations

import numpy as np

__all__ = ["first_nonzero", "candidates", "first_root", "refine_root", "poly_eval"]

_GRID = 257


def first_nonzero(coeffs) -> tuple[int, int] | None:
    """(index, sign) of the first non-zero coefficient, or None if all are exactly zero."""
    for i, c in enumerate(coeffs):
        if c:
            return i, (1 if c > 0 else -1)
    return None


def poly_eval(coeffs, s: int, F: int) -> int:
    """Σ c_i s^i for a fixed-point s (Horner, exact up to one unit per term)."""
    acc = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        acc = ((acc * s) >> F) + c
    return acc


def candidates(U: np.ndarray, active: np.ndarray, F: int) -> list[tuple[int, int]]:
    """Pairs (j, k) whose u_jk may reach 0 in the step (s ∈ [0, 1]).

    With v = ±u oriented so that v(0) ≥ 0 (+ for active pairs, − for inactive ones),
    v(s) ≥ v(0) + Σ_{i≥1} min(c_i, 0) for s ∈ [0, 1]; a pair is a candidate only when this
    lower bound reaches 0 and its jet is not identically zero (a frozen pair)."""
    sign = np.where(active, 1, -1).astype(object)
    V = U * sign
    lower = V[0] + np.minimum(V[1:], 0).sum(axis=0)
    moving = (V[1:] != 0).any(axis=0)
    return [(int(j), int(k)) for j, k in np.argwhere((lower <= 0) & moving)]


def _floats(coeffs) -> np.ndarray:
    top = max(abs(c).bit_length() for c in coeffs)
    shift = top - 60
    if shift > 0:
        return np.array([float(c >> shift) for c in coeffs])
    return np.array([float(c) for c in coeffs])


def refine_root(f, lo: int, hi: int, flo: int, fhi: int) -> int:
    """Smallest representable s in (lo, hi] with f(s) ≤ 0, given f(lo) > 0 ≥ f(hi):
    Illinois steps, with a bisection every third step so that progress is guaranteed."""
    it = 0
    side = 0
    while hi - lo > 1:
        it += 1
        if it % 3 == 0 or flo == fhi:
            mid = (lo + hi) // 2
        else:
            mid = lo + (flo * (hi - lo)) // (flo - fhi)
            mid = min(max(mid, lo + 1), hi - 1)
        fm = f(mid)
        if fm > 0:
            lo, flo = mid, fm
            if side == 1:
                fhi //= 2
            side = 1
        else:
            hi, fhi = mid, fm
            if side == -1:
                flo //= 2
            side = -1
        if it > 4 * 64 + 2 * hi.bit_length():
            break
    return hi


def first_root(coeffs: list, s_end: int, F: int) -> int | None:
    """First s ∈ (0, s_end] with v(s) ≤ 0, where v(s) = Σ c_i s^i has c_0 > 0; None if none.

    The root is bracketed on a grid of float values (v is smooth on a step that the
    Taylor step control keeps well inside its radius of convergence), checked in exact
    arithmetic, and refined to one unit."""
    v = lambda s: poly_eval(coeffs, s, F)  # noqa: E731
    vend = v(s_end)
    grid = np.linspace(0.0, 1.0, _GRID)  # in units of s_end
    span = s_end / float(1 << F) if F < 1000 else float(s_end >> (F - 60)) / 2.0**60
    vals = np.polyval(_floats(coeffs)[::-1], grid * span)
    neg = np.nonzero(vals <= 0)[0]
    if vend > 0 and neg.size == 0:
        return None
    lo = 0
    hi = s_end
    if neg.size:
        i = int(neg[0])
        lo_c = int(grid[i - 1] * 2.0**53) * s_end >> 53
        hi_c = int(grid[i] * 2.0**53) * s_end >> 53
        if v(lo_c) > 0:
            lo = lo_c
        if v(hi_c) <= 0 and hi_c > lo:
            hi = hi_c
    fhi = v(hi)
    if fhi > 0:  # the float grid saw a dip the exact polynomial does not have
        return None
    return refine_root(v, lo, hi, v(lo), fhi)
