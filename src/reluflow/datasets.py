"""Fixed instances from the specs: the orthogonal fixtures E1, E2 and the benchmark B1.

>>> e1().n, e1().m, b1().m, e1_rotated().d
(4, 6, 6, 5)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .problem import Dataset, Init, Problem

__all__ = ["b1", "cayley", "e1", "e1_rotated", "e2", "sn1"]


def e1(lam: Any = "1e-30") -> Problem:
    """Orthogonal fixture E1 (d = n = 4, m = 6): x_k = c_k e_k, c = (1, 1.5, 0.8, 1.2),
    y = (1, 2, −1.5, −0.5); full-coverage neurons with wrong-sign points, and partial ones."""
    c = ["1", "1.5", "0.8", "1.2"]
    X = [[c[k] if i == k else 0 for i in range(4)] for k in range(4)]
    z = [
        [".6", ".8", "-.3", ".2"],
        [".3", ".5", ".4", "-.7"],
        ["-.2", ".1", ".9", ".5"],
        [".5", "-.4", ".3", ".6"],
        [".7", "-.5", "-.2", "-.1"],
        ["-.3", ".6", "-.4", "-.2"],
    ]
    return Problem(Dataset(X, [1, 2, "-1.5", "-0.5"]), Init(lam, z, [1, 1, -1, -1, 1, 1]))


def e2(lam: Any = "1e-30") -> Problem:
    """Orthogonal fixture E2 (coverage assumption A3 fails by design): X = I_4, y = 1, m = 2."""
    X = [[1 if i == k else 0 for i in range(4)] for k in range(4)]
    z = [[1, ".5", -1, -1], [-1, ".4", ".6", ".7"]]
    return Problem(Dataset(X, [1, 1, 1, 1]), Init(lam, z, [1, 1]))


def sn1(lam: Any = "1e-30") -> Problem:
    """Single-neuron fixture SN1 (d = n = 3, m = 6): teacher v* = (2/3, 2/3, 1/3), inputs at
    angles < π/4 to it, Σ with eigenvalues ≈ 4.37, 0.951, 0.610; neurons 0–2 in J_+ (points
    enter), 3–4 in J_− (points exit, then they freeze) and neuron 5 never moves.  Every
    condition of Assumption 1 holds (checked exactly); μ ≈ 0.61, so runs converge quickly."""
    X = [["5/2", "4/3", "1/6"], [1, "1/2", "5/3"], ["1/2", "7/3", "1/6"]]
    z = [["1/5", "-3/10", "3/5"], ["-9/10", "3/5", "1/5"], ["-1/10", "9/10", "-9/10"],
         ["-3/5", "7/10", "1/2"], ["1/10", "-4/5", "3/5"], [-4, "-25/6", -2]]
    return Problem(Dataset(X, teacher=["2/3", "2/3", "1/3"]), Init(lam, z, [1, 1, 1, -1, -1, 1]))


def b1(lam: Any = "1e-30") -> Problem:
    """Benchmark B1: x_i = e_i in R⁴, y = (1, 0.5, −0.7, −1.2), m = 6, z_j ~ N(0, I/4) and s_j
    uniform from ``numpy.random.default_rng(1)``; run to T = 290 at λ = 1e-30."""
    X = [[1 if i == k else 0 for i in range(4)] for k in range(4)]
    return Problem(Dataset(X, [1, "0.5", "-0.7", "-1.2"]), Init.random(width=6, seed=1, d=4, lam=lam))


def _solve_right(M: list[list[Fraction]], R: list[list[Fraction]]) -> list[list[Fraction]]:
    """X with X M = R (Gauss–Jordan on Mᵀ Xᵀ = Rᵀ), exactly; M must be invertible."""
    d = len(M)
    aug = [[M[j][i] for j in range(d)] + [R[r][i] for r in range(len(R))] for i in range(d)]  # [Mᵀ | Rᵀ]
    for col in range(d):
        piv = next(r for r in range(col, d) if aug[r][col] != 0)
        aug[col], aug[piv] = aug[piv], aug[col]
        p = aug[col][col]
        aug[col] = [v / p for v in aug[col]]
        for r in range(d):
            if r != col and aug[r][col] != 0:
                f = aug[r][col]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[col])]
    sol_t = [row[d:] for row in aug]  # Xᵀ, d × len(R)
    return [[sol_t[i][r] for i in range(d)] for r in range(len(R))]


def cayley(A) -> list[list[Fraction]]:
    """The exact rational rotation Q = (I − A)(I + A)⁻¹ of a skew-symmetric rational A
    (I + A is invertible: the eigenvalues of A are imaginary); rows of Q are exactly
    orthonormal.  Plain Fraction arithmetic, cheap enough for every Hypothesis draw.

    >>> Q = cayley([[0, Fraction(1, 2)], [Fraction(-1, 2), 0]])
    >>> Q, sum(a * b for a, b in zip(*Q))
    ([[Fraction(3, 5), Fraction(-4, 5)], [Fraction(4, 5), Fraction(3, 5)]], Fraction(0, 1))
    """
    d = len(A)
    A = [[Fraction(v) for v in row] for row in A]
    if any(A[i][j] != -A[j][i] for i in range(d) for j in range(d)):
        raise ValueError("cayley: A must be skew-symmetric (A = −Aᵀ)")
    I_minus = [[(1 if i == j else 0) - A[i][j] for j in range(d)] for i in range(d)]
    I_plus = [[(1 if i == j else 0) + A[i][j] for j in range(d)] for i in range(d)]
    return _solve_right(I_plus, I_minus)


def e1_rotated(lam: Any = "1e-30") -> Problem:
    """E1 embedded in R⁵ and turned by an exact rational rotation (Cayley transform), with
    directions z_j given a component outside the span of the data (so w_j⊥ = λ z_j⊥ ≠ 0).
    ⟨z_j, x_k⟩ and ⟨x_k, x_l⟩ are E1's, so are the sets A_j⁰, P_j, N_j; the extra
    component adds to ‖z_j‖ and so changes the early-phase times and prefactors K_j."""
    base = e1(lam)
    h = Fraction(1, 2)
    Q = cayley([[0, h, 0, -h, 0], [-h, 0, h, 0, h], [0, -h, 0, h, 0], [h, 0, -h, 0, h], [0, -h, 0, -h, 0]])
    turn = lambda v: [sum((Q[i][c] * v[c] for c in range(5)), Fraction(0)) for i in range(5)]
    X = [turn(list(x) + [0]) for x in base.data.X]
    extra = [Fraction(k, 10) for k in (3, -2, 4, 1, -5, 2)]
    z = [turn(list(zj) + [e]) for zj, e in zip(base.init.z, extra)]
    return Problem(Dataset(X, base.data.y), Init(base.init.lam, z, base.init.s))
