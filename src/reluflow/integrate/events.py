"""Activation switches: where a pre-activation u_jk = ⟨w_j, x_k⟩ reaches 0 within a step.

Each step's u_jk(s) is a polynomial in the scaled time s ∈ [0, s_end] (exact fixed-point
coefficients).  A cheap bound rules out most pairs; for the rest the first root is bracketed
on a float grid and then refined in exact integer arithmetic to one unit of 2**-F.
"""

from __future__ import annotations

import numpy as np

from .screen import Screen, cell, chunks

__all__ = [
    "DECIDE_ORDER",
    "Short",
    "candidates",
    "earliest_root",
    "first_nonzero",
    "first_root",
    "first_roots",
    "first_switch",
    "motion",
    "near",
    "poly_eval",
    "refine_root",
    "taylor_shift",
]


def first_nonzero(coeffs) -> tuple[int, int] | None:
    """(index, sign) of the first non-zero coefficient, or None if all are exactly zero."""
    for i, c in enumerate(coeffs):
        if c:
            return i, (1 if c > 0 else -1)
    return None


DECIDE_ORDER = 4  # a switch is decided from the orders 0..DECIDE_ORDER first (prefix jets)


class Short(Exception):
    """A decision that the low orders of a prefix of jets cannot make (see
    :func:`motion`); the caller decides again from the full jets."""


def near(n: int) -> int:
    """What "reached 0 to working precision" means for an n-coefficient polynomial, in
    units of 2^-F: the rounding of its evaluation (and of a Taylor shift), plus the floor
    roundings of the search's lower bounds."""
    return 2 * (n + 1) ** 2 + 2


def motion(coeffs, F: int | None = None, n: int | None = None) -> tuple[int, int] | None:
    """(index, sign) of the first coefficient beyond rounding noise (:func:`near`) of a pair
    resting on its surface, or None when it does not move at working precision.  A noise
    coefficient before it says nothing about the direction, so it is passed over; with
    ``F``, so is one that the next order overtakes before s = 2^(−F/2) (c_i < 2^(−F/2)
    c_{i+1}): the dip or rise it makes lasts less than any resolvable time.

    ``coeffs`` may be the first coefficients of a longer series of ``n`` (a prefix): the
    answer is then the one the whole series gives, or :class:`Short` when the prefix
    cannot tell."""
    n = len(coeffs) if n is None else n
    short = len(coeffs) < n
    if not np.count_nonzero(coeffs):  # a frozen pair (the common case): nothing moves
        if short:
            raise Short
        return None
    level = near(n)
    order = None
    for i, c in enumerate(coeffs):
        if abs(c) > level:
            order = i
            break
    if order is None:
        if short:
            raise Short
        return None
    while F is not None and order + 1 < n:
        if order + 1 >= len(coeffs):  # only within a prefix: its end is not the series' end
            raise Short
        if abs(coeffs[order]) << (F // 2) >= abs(coeffs[order + 1]):
            break
        order += 1
    c = coeffs[order]
    return order, (1 if c > 0 else -1)


def poly_eval(coeffs, s: int, F: int) -> int:
    """Σ c_i s^i for a fixed-point s (Horner, exact up to one unit per term)."""
    acc = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        acc = ((acc * s) >> F) + c
    return acc


def candidates(U: np.ndarray, active: np.ndarray, F: int, s_end: int | None = None) -> list[tuple[int, int]]:
    """Pairs (j, k) whose u_jk may reach 0 in the step (s ∈ [0, s_end], s_end ≤ 1).

    With v = ±u oriented so that v(0) ≥ 0 (+ for active pairs, − for inactive ones),
    v(s) ≥ v(0) + Σ_{i≥1} min(c_i, 0)·s_end^i for s ∈ [0, s_end] (each term rounded down);
    a pair is a candidate only when this lower bound reaches 0 and its jet is not
    identically zero (a frozen pair).  A step cut short by an event excludes far more
    pairs than the whole unit step would."""
    sign = np.where(active, 1, -1).astype(object)
    V = U * sign
    neg = np.minimum(V[1:], 0)
    if s_end is None or s_end >= (1 << F):
        lower = V[0] + neg.sum(axis=0)
    else:
        lower, power = V[0].copy(), 1 << F
        for row in neg:
            power = -((-power * s_end) >> F)  # s_end^i rounded up, so the bound stays sound
            lower = lower + ((row * power) >> F)  # floor: rounds a negative term down
    moving = (V[1:] != 0).any(axis=0)
    return [(int(j), int(k)) for j, k in np.argwhere((lower <= 0) & moving)]


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


def taylor_shift(coeffs: list, a: int, F: int) -> list:
    """Coefficients of v(a + δ) in δ (exact repeated Horner division, fixed point)."""
    b = list(coeffs)
    n = len(b)
    for k in range(n - 1):
        for i in range(n - 2, k - 1, -1):
            b[i] += (b[i + 1] * a) >> F
    return b


def _exact_first_root(coeffs: list, lo: int, hi: int, F: int, s_end: int) -> int | None:
    """First s ∈ (lo, hi] where v(s) = Σ c_i s^i reaches 0 to working precision (v(s) ≤
    ``near``, a few thousand units of 2^-F, far below the working precision), or None if v
    stays above that there; the caller guarantees v > 0 on (0, lo).  ``s_end`` (the step)
    sets the width below which the Taylor-shift bound is used.

    Certified search in exact integer arithmetic.  An interval [a, b] of width w is excluded
    when a lower bound of v on it exceeds ``level``: first the cheap v(a) + min(0, v'(a))·w −
    ½·M2·w² (M2 = Σ i(i−1)|c_i| bounds |v''| on [0, 1]), then the tight one from the Taylor
    shift at a, Σ_k min(0, b_k)·w^k + b_0, which approaches even a multiple root
    geometrically.  Otherwise the interval is halved, left half first.  "Reached" and
    "excluded" meet on integers, so nothing is left undecided: a dip between two close
    roots is never stepped over, and a tangential touch is reported where v first comes
    within rounding of 0.  A bracket on which v is certified decreasing through 0 is refined
    by Illinois steps."""
    n = len(coeffs)
    d1 = [i * c for i, c in enumerate(coeffs)][1:]
    m2 = sum(i * (i - 1) * abs(c) for i, c in enumerate(coeffs))
    reached = near(n)  # "reached": the rounding of the evaluations and of the shift, and the
    level = reached - 2  # floor roundings of the lower bounds
    v = lambda s: poly_eval(coeffs, s, F)
    dv = lambda s: poly_eval(d1, s, F) if d1 else 0
    fine = s_end >> 8  # below this width the Taylor-shift bound is worth its O(n²) cost
    stack = [(lo, hi, v(lo))]
    while stack:
        a, b, va = stack.pop()
        if b is None:  # a reached point whose left part held nothing earlier
            return a
        if a > 0 and va <= reached:
            return a  # reached 0 to working precision (all of (0, a) was excluded before)
        w = b - a
        slope = dv(a)
        if va + min(0, (slope * w) >> F) - ((m2 * w * w) >> (2 * F + 1)) > level:
            continue  # certified by the cheap bound
        vb = v(b)
        if w <= 1:
            if vb <= reached:
                return b
            continue
        if slope + ((m2 * w) >> F) < -level:  # v decreasing on [a, b]: its minimum is v(b)
            if vb > level:
                continue  # certified
            if vb <= 0:
                return refine_root(v, a, b, va, vb)  # decreasing through 0: one root
        if w <= fine:  # small interval the cheap bound cannot settle: use the tight one
            shift = taylor_shift(coeffs, a, F)
            if shift[0] + poly_eval([0] + [min(0, c) for c in shift[1:]], w, F) > level:
                continue  # certified by the Taylor-shift bound
            rise = poly_eval([0] + [k * max(0, c) for k, c in enumerate(shift[2:], start=2)], w, F)
            if vb <= 0 and shift[1] + (rise << F) // w < -level:  # decreasing through 0
                return refine_root(v, a, b, va, vb)
        mid = (a + b) // 2
        vm = v(mid)
        stack.append((mid, b, vm) if vm > reached else (mid, None, None))
        stack.append((a, mid, va))
    return None


def _screen(polys: list[list], s_end: int, F: int) -> Screen:
    """The float screen of ``polys`` on (0, s_end], each with its "reached" level (:func:`near`)."""
    return Screen(polys, s_end, F, [near(len(c)) for c in polys])


def earliest_root(polys: list[list], s_end: int, F: int) -> tuple[int, int] | None:
    """(s, i): the earliest first root in (0, s_end] over the polynomials (ties: the lowest
    i), or None.  A polynomial's first root is what the exact search
    (:func:`_exact_first_root`) finds in the first of its cells, in order, that holds one;
    the float screen (:class:`.screen.Screen`) skips the cells it certifies root-free.

    Cheap in event-dense steps, where most candidates cross late: the screen runs chunk by
    chunk (16 cells, then doubling) and stops at the chunk of the earliest root; within a chunk the
    candidates are searched earliest uncertified cell first, and a cell starting after the
    best root so far is never searched."""
    if not polys:
        return None
    screen = _screen(polys, s_end, F)
    alive = np.arange(len(polys))
    best = None  # (s, index)
    for first, last in chunks():
        if (best is not None and best[0] < cell(first, s_end)[0]) or not alive.size:
            break
        mask = screen.uncertified(alive, first, last)
        hit = mask.any(axis=1)
        order = sorted((int(np.argmax(mask[r])), int(alive[r]), r) for r in np.flatnonzero(hit))
        done = set()
        for _, i, r in order:
            for c in np.flatnonzero(mask[r]):
                lo, hi = cell(first + int(c), s_end)
                if best is not None and (lo, i) > best:
                    done.add(i)  # a root here is at s ≥ lo: never earlier than the best (ties: lower index)
                    break
                root = _exact_first_root(polys[i], lo, hi, F, s_end)
                if root is not None:
                    if best is None or (root, i) < best:
                        best = (root, i)
                    done.add(i)
                    break
        alive = np.array([i for i in alive.tolist() if i not in done], dtype=int)
    return best


def first_roots(polys: list[list], s_end: int, F: int) -> list[int | None]:
    """:func:`first_root` of every polynomial, screened in one batch (chunk by chunk, as in
    :func:`earliest_root`, until each has its root or the step ends)."""
    roots: list[int | None] = [None] * len(polys)
    if not polys:
        return roots
    screen = _screen(polys, s_end, F)
    alive = np.flatnonzero(~screen.clear())
    for first, last in chunks():
        if not alive.size:
            break
        mask = screen.uncertified(alive, first, last)
        for r in np.flatnonzero(mask.any(axis=1)):
            i = int(alive[r])
            for c in np.flatnonzero(mask[r]):
                root = _exact_first_root(polys[i], *cell(first + int(c), s_end), F, s_end)
                if root is not None:
                    roots[i] = root
                    break
        alive = np.array([i for i in alive.tolist() if roots[i] is None], dtype=int)
    return roots


def first_root(coeffs: list, s_end: int, F: int) -> int | None:
    """First s ∈ (0, s_end] where v(s) = Σ c_i s^i (c_0 > 0) reaches 0 to working precision,
    or None (:func:`earliest_root` of one polynomial)."""
    found = earliest_root([coeffs], s_end, F)
    return None if found is None else found[0]


def first_switch(J, active: np.ndarray, s_end: int, F: int) -> tuple[int, int, int] | None:
    """The earliest activation switch (s, j, k) in (0, s_end] of the step's jets ``J`` (a
    :class:`.taylor.Jets`: its pre-activations u_jk), or None.  A pair sitting exactly on the surface is divided
    by its leading power of s first, so its own start is not taken for a root; one that
    moves away from the surface, or does not move at working precision, is skipped.

    The earliest of :func:`first_root` over the candidates (ties to the first pair in
    row-major order), found by :func:`earliest_root`."""
    pairs, polys = [], []
    for j, k in J.candidates(active, F, s_end):
        coeffs = J.column(j, 1 + k)
        lead = 0
        if abs(coeffs[0]) <= near(len(coeffs)):  # on its surface at working precision
            q = motion(coeffs[1:], F)
            if q is None:
                continue  # and not moving
            if coeffs[0] == 0:  # settled there: noise before its first significant order says nothing
                lead = q[0] + 1
        sign = 1 if active[j, k] else -1
        coeffs = [sign * c for c in coeffs[lead:]]
        if coeffs[0] < 0:
            continue
        pairs.append((j, k))
        polys.append(coeffs)
    best = earliest_root(polys, s_end, F)
    if best is None:
        return None
    j, k = pairs[best[1]]
    return best[0], j, k
