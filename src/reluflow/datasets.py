"""Fixed instances from the specs: the orthogonal fixtures E1, E2 and the benchmark B1.

>>> e1().n, e1().m, b1().m, e1_rotated().d
(4, 6, 6, 5)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .linalg import inverse, matmul
from .problem import Dataset, Init, Problem

__all__ = ["b1", "cayley", "e1", "e1_rotated", "e2", "example37_negative", "example37_positive", "perturbed", "sn1"]


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
    z = [
        ["1/5", "-3/10", "3/5"],
        ["-9/10", "3/5", "1/5"],
        ["-1/10", "9/10", "-9/10"],
        ["-3/5", "7/10", "1/2"],
        ["1/10", "-4/5", "3/5"],
        [-4, "-25/6", -2],
    ]
    return Problem(Dataset(X, teacher=["2/3", "2/3", "1/3"]), Init(lam, z, [1, 1, 1, -1, -1, 1]))


def b1(lam: Any = "1e-30") -> Problem:
    """Benchmark B1: x_i = e_i in R⁴, y = (1, 0.5, −0.7, −1.2), m = 6, z_j ~ N(0, I/4) and s_j
    uniform from ``numpy.random.default_rng(1)``; run to T = 290 at λ = 1e-30."""
    X = [[1 if i == k else 0 for i in range(4)] for k in range(4)]
    return Problem(Dataset(X, [1, "0.5", "-0.7", "-1.2"]), Init.random(width=6, seed=1, d=4, lam=lam))


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
    return matmul(I_minus, inverse(I_plus))


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


# ----------------------------------------------------------------------------- single-neuron paper, Example 37


def _rational_sqrt(q: Fraction) -> Fraction | None:
    """√q when it is rational (q ≥ 0), else None."""
    import math

    if q < 0:
        return None
    a, b = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(a, b) if a * a == q.numerator and b * b == q.denominator else None


def _dimension(d: Any, least: int) -> int:
    from .problem import ProblemError

    if isinstance(d, bool) or not isinstance(d, int) or d < least:
        raise ProblemError("d", f"must be an integer ≥ {least}, got {d!r}")
    return d


def example37_negative(d: int = 4, xi: Any = "1/4", lam: Any = "1e-30", width: int = 4, seed: int = 0) -> Problem:
    """Example 37, the 𝓜 < 0 family (spec single_neuron.md §3.6): x_i = ξ e_i + (1 − ξ)/d · s
    with s = (1, …, 1) and v* = s/√d, exactly; √d must be rational, so d is a perfect square
    (4, 9, 16, …).  ξ ∈ (0, 1) with ξ ≤ √(2(√2 − 1)/(d − 1)) (all angles < π/4), checked
    exactly.  n = d; the initialisation is ``Init.random(width, seed, d, lam)`` (the default
    seed gives both signs).  Assumption 1(iii) fails by symmetry (pitfall 3): use
    :func:`perturbed` for the dynamics.

    >>> p = example37_negative()
    >>> p.data.teacher, p.data.X[0], p.init.s
    ((Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)), (Fraction(7, 16), Fraction(3, 16), Fraction(3, 16), Fraction(3, 16)), (-1, 1, -1, 1))
    """
    from .problem import ProblemError, exact

    d = _dimension(d, 2)
    root = _rational_sqrt(Fraction(d))
    if root is None:
        raise ProblemError("d", f"must be a perfect square (4, 9, 16, …) so that v* = s/√d is exact; got d = {d}")
    x = exact(xi, "xi")
    if not 0 < x < 1:
        raise ProblemError("xi", f"must lie in (0, 1), got {x}")
    # ξ ≤ √(2(√2−1)/(d−1))  ⇔  ξ²(d−1)/2 + 1 ≤ √2  ⇔  (ξ²(d−1)/2 + 1)² ≤ 2   (both sides positive)
    if (x * x * (d - 1) / 2 + 1) ** 2 > 2:
        import math

        cap = math.sqrt(2 * (math.sqrt(2) - 1) / (d - 1))
        raise ProblemError(
            "xi",
            f"= {x} exceeds √(2(√2 − 1)/(d − 1)) ≈ {cap:.6g} for d = {d}: some angle "
            "∠(v*, x_i) could reach π/4 (Assumption 1); take a smaller ξ",
        )
    off = (1 - x) / d
    X = [[off + (x if i == k else 0) for i in range(d)] for k in range(d)]
    teacher = [1 / root] * d
    return Problem(Dataset(X, teacher=teacher), Init.random(width=width, seed=seed, d=d, lam=lam))


def example37_positive(d: int = 3, b: Any = 16, lam: Any = "1e-30", width: int = 4, seed: int = 0) -> Problem:
    """Example 37, the 𝓜 > 0 family (spec §3.6): v* = (4/5) e_1 + (3/5) e_3, x_1 = b e_1,
    x_{2,3} = b e_1 ∓ √b e_2 + e_3, x_i = b e_1 + e_i (i ≥ 4), exactly; d ≥ 3 and b ≥ 11 with
    √b rational (16, 25, 121/4, …).  n = d; initialisation ``Init.random(width, seed, d, lam)``.
    The reflection e_2 ↦ −e_2 violates Assumption 1(iii) (pitfall 3): see :func:`perturbed`.

    >>> p = example37_positive()
    >>> [list(map(int, x)) for x in p.data.X], p.data.y, p.init.s
    ([[16, 0, 0], [16, -4, 1], [16, 4, 1]], (Fraction(64, 5), Fraction(67, 5), Fraction(67, 5)), (-1, 1, 1, -1))
    """
    from .problem import ProblemError, exact

    d = _dimension(d, 3)
    bq = exact(b, "b")
    if bq < 11:
        raise ProblemError("b", f"must be ≥ 11 (Example 37 needs it for cos∠(χ₂, χ₃) > sin∠(χ₂, v*)), got {bq}")
    root = _rational_sqrt(bq)
    if root is None:
        raise ProblemError("b", f"must be the square of a rational (16, 25, 121/4, …) so that √b is exact; got {bq}")
    e = lambda i: [Fraction(int(c == i)) for c in range(d)]
    X = [[bq * v for v in e(0)]]
    X.append([bq * a - root * c + f for a, c, f in zip(e(0), e(1), e(2))])
    X.append([bq * a + root * c + f for a, c, f in zip(e(0), e(1), e(2))])
    X += [[bq * a + f for a, f in zip(e(0), e(i))] for i in range(3, d)]
    teacher = [Fraction(4, 5) if i == 0 else Fraction(3, 5) if i == 2 else Fraction(0) for i in range(d)]
    return Problem(Dataset(X, teacher=teacher), Init.random(width=width, seed=seed, d=d, lam=lam))


def perturbed(problem: Problem, eps: Any = "1e-3", seed: int = 0) -> Problem:
    """The same problem with every input moved by an exact rational vector r_i, ‖r_i‖ ≤ ε
    (random direction, size in [ε/2, ε]; ``numpy.random.default_rng(seed)``), labels
    recomputed from the teacher: breaks the symmetries of Example 37 so that Assumption
    1(iii) holds generically (pitfall 3).  If the original angles ∠(v*, x_i) are all
    < π/4, the perturbed ones must be too (ProblemError naming ``eps`` otherwise).

    >>> q = perturbed(example37_negative(), "1e-3", seed=1)
    >>> q.data.teacher == example37_negative().data.teacher, q.data.X != example37_negative().data.X
    (True, True)
    """
    import math

    import numpy as np

    from .problem import ProblemError, exact

    if not isinstance(problem, Problem):
        raise ProblemError("problem", "expected a reluflow.Problem")
    teacher = problem.data.teacher
    if teacher is None:
        raise ProblemError("data.teacher", "is missing; perturbed() recomputes the labels from the teacher v*")
    e = exact(eps, "eps")
    if e <= 0:
        raise ProblemError("eps", f"must be > 0, got {e}")
    rng = np.random.default_rng(int(seed))
    dot = lambda u, v: sum((a * b for a, b in zip(u, v)), Fraction(0))
    X = []
    for x in problem.data.X:
        while True:
            r = [Fraction(int(v), 1000) for v in rng.integers(-1000, 1001, size=len(x))]
            if any(r):
                break
        size = Fraction(float(rng.uniform(0.5, 1.0))).limit_denominator(1000)
        f = Fraction(float(e) * float(size) / math.sqrt(float(dot(r, r)))).limit_denominator(10**12)
        while f * f * dot(r, r) > e * e:  # keep ‖f r‖ ≤ ε exactly
            f *= Fraction(999, 1000)
        X.append([a + f * c for a, c in zip(x, r)])
    r2 = dot(teacher, teacher)
    acute = lambda rows: all(dot(teacher, x) > 0 and 2 * dot(teacher, x) ** 2 > r2 * dot(x, x) for x in rows)
    if acute(problem.data.X) and not acute(X):
        raise ProblemError(
            "eps", f"= {e} is too large: a perturbed input makes an angle ≥ π/4 with v*; take a smaller ε"
        )
    return Problem(Dataset(X, teacher=teacher), problem.init)
