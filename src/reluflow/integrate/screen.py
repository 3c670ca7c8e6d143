"""The float screen of the switch search: which cells of a step may hold a root.

The exact search (:mod:`.events`) locates a polynomial's first root in integer arithmetic,
cell by cell of the step's 256 equal cells; this screen certifies most cells root-free in
float64 first, by lower bounds that cover their own rounding (:class:`Screen`).  It only
changes which cells are searched exactly, never the root found.  Written here rather than
taken from an interval library because the bounds are batched over every candidate and cell
of a step in a few NumPy products.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np

__all__ = ["BLOCK", "CELLS", "Screen", "cell", "chunks"]

CELLS = 256  # the equal cells of a step, certified root-free one by one (or BLOCK at a time)
_ENDS = np.linspace(0.0, 1.0, CELLS + 1)  # the cells' ends x = c / CELLS


def _floats_of(values: list) -> tuple[np.ndarray, int]:
    """Big integers as float64 mantissas times 2^sh: ``(f, sh)`` with c ≈ f · 2^sh and every
    |f| < 2^1000, so no conversion overflows however long the integers are."""
    sh = max(max(abs(int(c)).bit_length() for c in values) - 1000, 0)
    return np.array([float(int(c) >> sh) for c in values]), sh


def _mantissas(polys: list[list], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of float64 mantissas (padded with 0) and their shifts: c ≈ f · 2^sh, as
    :func:`_floats_of` gives them.  Fast path: the full-length rows whose coefficients are
    all below 2^1000 (then sh = 0) convert by ``float`` in one pass (``np.array`` of nested
    lists of big integers costs ~10× more, discovering their shape and type)."""
    cf, shifts = np.zeros((len(polys), width)), np.zeros(len(polys), dtype=np.int32)
    full = [i for i, c in enumerate(polys) if len(c) == width]
    done = set()
    if full:
        try:
            flat = itertools.chain.from_iterable(polys[i] for i in full)
            block = np.fromiter(map(float, flat), dtype=np.float64, count=len(full) * width).reshape(len(full), width)
        except OverflowError:
            block = None
        if block is not None:
            ok = np.abs(block).max(axis=1) < 2.0**1000  # then every bit length is ≤ 1000: sh = 0
            rows = np.array(full)[ok]
            cf[rows] = block[ok]
            done = set(rows.tolist())
    for i, coeffs in enumerate(polys):
        if i not in done:
            mant, sh = _floats_of(coeffs)
            cf[i, : len(coeffs)] = mant
            shifts[i] = sh
    return cf, shifts


@functools.lru_cache(maxsize=64)
def _grid_powers(width: int) -> tuple[np.ndarray, np.ndarray]:
    """x^i and i·x^(i−1) (i < ``width``) at the cells' ends x = c / CELLS, as (width,
    CELLS + 1) matrices: v and v' of every polynomial at every cell end are then two
    matrix products (38 NumPy passes of Horner per chunk cost more than their arithmetic).
    Each power carries at most i roundings (repeated products), and a dot product of n
    terms n + 1 more, relative to Σ|c_i|: below the screen's ``err`` (8·count·2^-52 Σ|c_i|)."""
    V = np.ones((width, CELLS + 1))
    for i in range(1, width):
        V[i] = V[i - 1] * _ENDS
    D = np.zeros_like(V)
    D[1:] = np.arange(1, width)[:, None] * V[:-1]
    return V, D


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b without BLAS: its threads would take a second core for no gain at these sizes
    (a sweep already runs one process per core)."""
    return np.einsum("ij,jk->ik", a, b)


_SHIFT_WIDTH = 128  # the Taylor-shift bound costs width² per cell: up to about 100 digits (order 119)
_SHIFT_PRODUCT = 64  # up to this width by one matrix product (an underflow stays far below err)
_SHIFT_ENTRIES = 1 << 21  # floats per batch of that bound (its arrays: cells × width × width)
BLOCK = 8  # cells that one Taylor-shift bound tries first (_CHUNK is a multiple of it)


@functools.cache
def _binomials(width: int) -> np.ndarray:
    """C(i, k) for i, k < width as floats (each rounded once), cached per width."""
    return np.array([[float(math.comb(i, k)) for k in range(width)] for i in range(width)])


@functools.lru_cache(maxsize=64)
def _lags(width: int) -> np.ndarray:
    """max(i − k, 0) for i, k < width: the power of x in b_k's term i (:meth:`Screen._shifted`)."""
    i = np.arange(width)
    return np.maximum(i[:, None] - i[None, :], 0)


_CHUNK = 16  # fine cells screened first; the chunks double after it (16, 32, 64, 144 cells)


class Screen:
    """The float screen of a batch of polynomials v_i(s) (c_0 > 0) on the 256 equal cells
    of [0, s_end]: on a cell [x, x + Δ] (x = s / s_end), v(x) + min(0, v'(x))·Δ − ½·M2·Δ²
    minus a bound on the float rounding and on the exact search's "reached" level is > 0
    ⇒ no root there.  Only a finite positive bound certifies (a float overflow, inf or NaN,
    certifies nothing), so no answer rests on float arithmetic: which cells are searched
    exactly changes the work, never the root found.  ``reached``: each polynomial's level
    of "0 to working precision" in units of 2^-F (:func:`.events.near`), which the bounds
    must exceed."""

    def __init__(self, polys: list[list], s_end: int, F: int, reached: list[int]) -> None:
        width = max(len(c) for c in polys)
        # v in the variable x = s / s_end ∈ [0, 1], as floats relative to max |coefficient|
        s_end = int(s_end)  # a gmpy2 mpz would make the powers below mpfr objects
        span = s_end / float(1 << F) if F < 1000 else float(s_end >> (F - 60)) / 2.0**60
        cf, shifts = _mantissas(polys, width)
        counts = np.array([len(c) for c in polys], dtype=float)
        powers = np.arange(width)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            cf = cf * span**powers
            scale = np.abs(cf).max(axis=1, keepdims=True)  # in units of 2^sh
            self.cf = cf / scale
            self.m2 = np.sum(np.abs(self.cf) * powers * (powers - 1), axis=1)
            level = np.array(reached, dtype=float)
            self.err = 8 * counts * 2.0**-52 * np.abs(self.cf).sum(axis=1) + np.ldexp(level / scale[:, 0], -shifts)

    def clear(self) -> np.ndarray:
        """Per polynomial, whether one bound certifies all of [0, 1] root-free at once:
        v(x) ≥ c_0 − Σ_{i≥1} |c_i| there (most quantities of a step stay far from 0, and
        the cell screen would evaluate each at 257 points)."""
        with np.errstate(over="ignore", invalid="ignore"):
            lower = self.cf[:, 0] - np.abs(self.cf[:, 1:]).sum(axis=1) - self.err
        return lower > 0

    def uncertified(self, rows: np.ndarray, first: int, last: int) -> np.ndarray:
        """(len(rows), last − first) mask of the cells first..last−1 the bounds cannot
        certify: the cheap one first, then the Taylor-shift one on the cells it left."""
        dx = 1.0 / CELLS
        with np.errstate(over="ignore", invalid="ignore"):
            V, D = _grid_powers(self.cf.shape[1])
            cf = self.cf[rows]
            vals, der = _product(cf, V[:, first : last + 1]), _product(cf, D[:, first : last + 1])
            lower = (
                vals[:, :-1]
                + np.minimum(der[:, :-1], 0.0) * dx
                - (0.5 * self.m2[rows] * dx * dx + self.err[rows])[:, None]
            )
        mask = ~(lower > 0)
        if self.cf.shape[1] <= _SHIFT_WIDTH:
            # blocks of BLOCK cells first (chunks start on multiples of it), then single cells
            r, c = np.nonzero(mask)
            if r.size:
                keys = np.unique(r * CELLS + (first + c) // BLOCK)
                rb, b = np.divmod(keys, CELLS)
                clear = self._shifted_all(rows[rb], b * BLOCK * dx, BLOCK * dx)
                cells = np.arange(BLOCK)
                for i in np.flatnonzero(clear):
                    mask[rb[i], b[i] * BLOCK - first + cells] = False
            r, c = np.nonzero(mask)
            if r.size:
                mask[r, c] = ~self._shifted_all(rows[r], _ENDS[first + c], dx)
        return mask

    def _shifted_all(self, rows: np.ndarray, x: np.ndarray, dx: float) -> np.ndarray:
        """:meth:`_shifted` in batches of at most _SHIFT_ENTRIES floats."""
        out = np.empty(len(rows), dtype=bool)
        batch = max(1, _SHIFT_ENTRIES // self.cf.shape[1] ** 2)
        for at in range(0, len(rows), batch):
            part = slice(at, at + batch)
            out[part] = self._shifted(rows[part], x[part], dx)
        return out

    def _shifted(self, rows: np.ndarray, x: np.ndarray, dx: float) -> np.ndarray:
        """Whether the Taylor-shift bound certifies row ``rows[i]`` root-free on the cell
        [x_i, x_i + Δ] (Δ = ``dx``: one cell, or a block of BLOCK cells, within [0, 1]):
        b_0 + Σ_{k≥1} min(0, b_k)·Δ^k − err > 0, with b_k = v^(k)(x)/k! =
        Σ_i c_i C(i, k) x^(i−k), of all cells at once.  The cheap bound's ½·M2·Δ² (M2
        over all of [0, 1]) fails on every cell of an alternating series such as
        c_0·e^(−15 x) (late in a generic run: pairs of a decaying neuron that approach
        their surfaces and never reach them), and each cell then went to the exact search
        (0.35 s of a 0.46 s step).  One bound over a block of BLOCK cells usually
        certifies such a series too (the bound holds while Δ·rate ≲ 1), at 1/BLOCK of the
        cost of its cells' bounds (12 pairs × 256 cells: 12.5 ms of a 54 ms step, before).

        Rounding: each product c_i·C(i, k)·x^(i−k) carries four roundings (the power,
        C(i, k) above 2^53, two products) and each sum one per non-zero term (in any
        order), so the computed bound is within (2·count + 4)·2^-53 of
        Σ_i |c_i| (x + Δ)^i ≤ Σ |c_i| of the exact one: below the screen's ``err``
        (8·count·2^-52 Σ |c_i|, plus "reached").  Up to _SHIFT_WIDTH nothing overflows
        (C(127, 63) < 2^124, Δ^127 ≥ 2^-1016), and an underflowing product is below
        2^-1074, far below ``err``.

        Up to _SHIFT_PRODUCT wide, the b of all cells come from one matrix product,
        b_k = x^(−k) Σ_i (c_i x^i) C(i, k) (x > 0; b = c at x = 0): the same roundings per
        term plus two for x^(−k), and an underflowing c_i x^i errs by at most
        2^-1074 C(i, k) x^(−k) ≤ 2^(−1074+63+504) (x ≥ 2^-8).  Wider, on a (cells, width,
        width) array of the terms (C(i, k) = 0 for k > i zeroes those of a clipped lag).
        Either way about 5× faster than a NumPy pass per k (0.63 → 0.12 s on a quarter of
        a whole generic run's screen calls)."""
        cf = self.cf[rows]
        width = cf.shape[1]
        powers = x[:, None] ** np.arange(width)  # x^d, d < width
        C = _binomials(width)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if width <= _SHIFT_PRODUCT:
                b = np.where(x[:, None] > 0, _product(cf * powers, C) / powers, cf)
            else:
                b = (cf[:, :, None] * C * powers[:, _lags(width)]).sum(axis=1)
            lower = b[:, 0] + (np.minimum(b[:, 1:], 0.0) * dx ** np.arange(1, width)).sum(axis=1)
            lower = lower - self.err[rows]
        return lower > 0


def chunks():
    """(first, last) cell ranges the screen works through: 16 cells, then doubling."""
    first, size = 0, _CHUNK
    while first < CELLS:
        last = min(first + size, CELLS)
        yield first, last
        first, size = last, 2 * size


def cell(i: int, s_end: int) -> tuple[int, int]:
    lo = (i * s_end) // CELLS
    hi = s_end if i == CELLS - 1 else ((i + 1) * s_end + CELLS - 1) // CELLS
    return lo, hi
