"""Fixed point: the method's precision (Taylor order, guard bits), the problem's constants
as F-bit integers (:class:`FixedPoint`) and the state a step starts from (:class:`State`),
each neuron with its own block exponent so that its relative precision is kept.

A neuron j's a_j, u_j· = ⟨w_j, x_·⟩ and w_j are stored as integers ``N`` with value
``N · 2**(e_j - F)``; the residuals are absolute fixed point with F fractional bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from mpmath.libmp import MPZ

from ..problem import Problem

__all__ = [
    "EXTRA_DIGITS",
    "GUARD_BITS",
    "FixedPoint",
    "State",
    "initial_preactivations",
    "taylor_order",
    "to_fixed",
]

GUARD_BITS = 20  # fixed-point bits beyond the working precision
EXTRA_DIGITS = 2  # per-step tolerance 10^-(digits + 2): the Jorba–Zou estimate is conservative


def taylor_order(digits: int) -> int:
    """Jorba–Zou order for a per-step relative error of 10^-(digits + 2):
    p = ⌈ln(10^(digits+2))/2⌉ + 1.

    >>> taylor_order(30)
    38
    """
    return math.ceil((digits + EXTRA_DIGITS) * math.log(10) / 2) + 1


def to_fixed(q: Fraction, F: int) -> int:
    """round(q · 2**F) for an exact rational q, as mpmath's integer type (gmpy2 ``mpz``)."""
    return MPZ(round(q * (1 << F)) if F >= 0 else round(q / (1 << -F)))


def _objects(values, shape=None) -> np.ndarray:
    arr = np.empty(len(values) if shape is None else shape, dtype=object)
    arr[...] = np.array(values, dtype=object).reshape(arr.shape) if shape is not None else values
    return arr


def initial_preactivations(problem: Problem) -> list[list[Fraction]]:
    """u_jk(0) = λ⟨z_j, x_k⟩, exactly."""
    lam = problem.init.lam
    return [[lam * sum((c * xc for c, xc in zip(z, x)), Fraction(0)) for x in problem.data.X] for z in problem.init.z]


@dataclass(frozen=True)
class FixedPoint:
    """The problem's constants as F-bit fixed-point integers (exact to one unit)."""

    F: int
    n: int
    m: int
    d: int
    y: np.ndarray  # (n,)
    G: np.ndarray  # (n, n)  Gram matrix
    gdiag: np.ndarray | None  # (n,) when the inputs are exactly orthogonal
    X: np.ndarray  # (n, d)
    gram: tuple = ()  # the exact Gram matrix (Fractions), for sliding projectors
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, problem: Problem, F: int) -> FixedPoint:
        data = problem.data
        gram = data.gram
        y = _objects([to_fixed(v, F) for v in data.y])
        G = _objects([[to_fixed(v, F) for v in row] for row in gram], (data.n, data.n))
        X = _objects([[to_fixed(v, F) for v in row] for row in data.X], (data.n, data.d))
        gdiag = _objects([G[k, k] for k in range(data.n)]) if data.is_orthogonal else None
        return cls(F, data.n, problem.m, data.d, y, G, gdiag, X, gram)


@dataclass
class State:
    """Mutable fixed-point state: ``a`` (m,), ``U`` (m, n) and ``C`` (m, n), per-neuron
    scaled by ``2**(e_j - F)``; ``active`` (m, n) bool is the activation pattern A_j and
    ``sliding`` (m, n) bool the pairs held on their surface u_jk = 0 (:mod:`.sliding`).

    The hidden weights are w_j = λ z_j + Σ_l C_jl x_l (ẇ_j lies in the span of the inputs),
    so the component of w_j orthogonal to the data stays exactly λ z_j^⊥."""

    a: np.ndarray
    U: np.ndarray
    C: np.ndarray
    e: np.ndarray  # (m,) python ints
    active: np.ndarray
    sliding: np.ndarray | None = None  # None: no pair slides
    # pairs at a located sliding event at this instant → the names of the exit quantities at
    # their bound there (:func:`.sliding.exit_jets`): the exact flow has u̇_jk = 0 there, so a
    # first-order jet within rounding noise is set to exactly 0 and the pair is decided by
    # its next order
    pinned: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.sliding is None:
            self.sliding = np.zeros_like(self.active, dtype=bool)

    def pattern_key(self) -> tuple:
        """What the decisions at an instant read besides the jets: the pattern and the pins."""
        pins = frozenset((pair, frozenset(names or ())) for pair, names in self.pinned.items())
        return self.active.tobytes(), self.sliding.tobytes(), pins

    def stacked(self) -> np.ndarray:
        """[a | U | C] side by side, (m, 1 + 2n): the jets' order 0 (as ``Segment.start``)."""
        return np.concatenate((self.a[:, None], self.U, self.C), axis=1)

    @classmethod
    def initial(cls, problem: Problem, F: int) -> State:
        """a_j = s_j ‖λ z_j‖, u_jk = λ⟨z_j, x_k⟩ (rounded once from exact values), C = 0."""
        lam = problem.init.lam
        m, n = problem.m, problem.n
        u0 = initial_preactivations(problem)
        a = np.empty(m, dtype=object)
        U = np.empty((m, n), dtype=object)
        e = np.empty(m, dtype=object)
        for j, (z, s) in enumerate(zip(problem.init.z, problem.init.s)):
            sq = lam * lam * sum((c * c for c in z), Fraction(0))  # ‖w_j(0)‖², exact
            ej = (sq.numerator.bit_length() - sq.denominator.bit_length()) // 2
            scale = Fraction(2) ** (F - ej)
            t = sq * scale * scale
            a[j] = MPZ(s * math.isqrt(t.numerator // t.denominator))
            for k in range(n):
                U[j, k] = MPZ(round(u0[j][k] * scale))
            e[j] = ej
        active = np.array([[u > 0 for u in row] for row in U], dtype=bool)
        C = np.zeros((m, n), dtype=object)
        C[...] = MPZ(0)
        return cls(a, U, C, e, active)

    def normalise(self, F: int) -> None:
        """Re-centre each neuron's block exponent so that |a_j| ≈ 2**F (keeps F bits)."""
        for j in range(self.a.shape[0]):
            shift = abs(self.a[j]).bit_length() - (F + 1)
            if abs(shift) <= 4:
                continue
            if shift > 0:
                self.a[j] >>= shift
                self.U[j] = self.U[j] >> shift
                self.C[j] = self.C[j] >> shift
            else:
                self.a[j] <<= -shift
                self.U[j] = self.U[j] << -shift
                self.C[j] = self.C[j] << -shift
            self.e[j] += shift
