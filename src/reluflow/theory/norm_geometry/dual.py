"""The dual basis χ_k of n = d inputs (exact), the spec’s sufficient conditions and bounds (Z-matrix, Remark 38, Example 37)."""

from __future__ import annotations

from fractions import Fraction

from ...linalg import dot, inverse
from ...precision import context, rational
from ...problem import Dataset, Problem, ProblemError, exact

_Q0 = Fraction(0)


def _inputs(data) -> tuple[tuple[Fraction, ...], ...]:
    if isinstance(data, Problem):
        data = data.data
    if isinstance(data, Dataset):
        return data.X
    try:
        count = len(data)
    except TypeError:
        raise ProblemError(
            "data.X", f"expected a list of rows (one per input x_i), got {type(data).__name__}"
        ) from None
    return Dataset(data, [0] * count).X


def _square_inverse(X) -> list[list[Fraction]]:
    n, d = len(X), len(X[0])
    if n != d:
        raise ProblemError(
            "data.X",
            f"has n = {n} inputs in d = {d} dimensions; the dual basis χ and 𝓜 are defined for n = d (Assumption 3)",
        )
    inv = inverse(X)
    if inv is None:
        raise ProblemError(
            "data.X",
            "the inputs are linearly dependent (X is singular); the dual basis χ needs "
            "span{x_i} = R^d (Assumption 1(i))",
        )
    return inv


def _chi_exact(X) -> tuple[tuple[Fraction, ...], ...]:
    inv = _square_inverse(X)  # rows of inv are indexed by coordinates, columns by points
    d = len(X)
    return tuple(tuple(inv[r][k] for r in range(d)) for k in range(d))


def dual_basis(data, ctx=None):
    """The dual basis χ_1..χ_d of the inputs (χ_kᵀx_i = δ_ki), exactly: a tuple of rows of
    Fractions, or, with an mpmath ``ctx``, the same rounded once into it.

    ``data``: a Dataset, a Problem or a list of d input rows (n = d, linearly independent).

    >>> dual_basis([[2, 0], [1, 1]])
    ((Fraction(1, 2), Fraction(-1, 2)), (Fraction(0, 1), Fraction(1, 1)))
    >>> [str(c) for c in dual_basis([[2, 0], [1, 1]], context(15))[0]]
    ['0.5', '-0.5']
    """
    chi = _chi_exact(_inputs(data))
    if ctx is None:
        return chi
    return tuple(tuple(rational(ctx, c) for c in row) for row in chi)


def _dataset(data, teacher=None) -> Dataset:
    """A Dataset with a teacher, n = d ≥ 2 and X invertible (ProblemError naming the field)."""
    if isinstance(data, Problem):
        data = data.data
    if isinstance(data, Dataset):
        if teacher is not None:
            given = Dataset(data.X, teacher=teacher).teacher
            if data.teacher is not None and given != data.teacher:
                raise ProblemError(
                    "data.teacher", "was given twice (in the dataset and as an argument) and the two differ"
                )
            data = Dataset(data.X, data.y, teacher=given)
    else:
        if teacher is None:
            raise ProblemError(
                "data.teacher",
                "is missing; 𝓜, the §3.6 networks and the Remark 38 bound need the "
                "teacher v* (pass a Dataset with a teacher, or teacher=...)",
            )
        data = Dataset(data, teacher=teacher)
    if data.teacher is None:
        raise ProblemError(
            "data.teacher",
            "is missing; 𝓜, the §3.6 networks and the Remark 38 bound need the teacher v* (Dataset(X, teacher=v*))",
        )
    if data.d < 2:
        raise ProblemError("data.X", "has d = 1; Theorem 8 and 𝓜 need d ≥ 2 (a proper non-empty subset K of [d])")
    _square_inverse(data.X)
    return data


def z_matrix(data) -> bool:
    """True iff χ_kᵀχ_i ≤ 0 for all k ≠ i (the inverse Gram matrix is a Z-matrix), exactly.
    With all labels positive this implies 𝓜 < 0 (spec §3.6); orthogonal data and, under the
    angle assumption, d = 2 satisfy it.

    >>> z_matrix([[1, 0], [1, 1]]), z_matrix([[1, 0], [-1, 1]])
    (True, False)
    """
    chi = _chi_exact(_inputs(data))
    return all(dot(chi[k], chi[i]) <= 0 for k in range(len(chi)) for i in range(k))


def remark38_bound(data, teacher=None, ctx=None, *, dps: int = 30):
    """2 max_i ⟨v*, x_i⟩/‖x_i‖ = 2‖v*‖ max_i cos∠(v*, x_i): a lower bound on ‖θ‖² of every
    network with zero loss (Remark 38(i); > √2 when ‖v*‖ = 1 and some angle is < π/4).

    >>> from reluflow import Dataset
    >>> float(remark38_bound(Dataset([[3, 4], [0, 1]], teacher=["0.6", "0.8"])))
    2.0
    """
    ds = _dataset(data, teacher)
    ctx = ctx or context(dps)
    vals = [rational(ctx, y) / ctx.sqrt(rational(ctx, dot(x, x))) for x, y in zip(ds.X, ds.y)]
    return 2 * max(vals)


def example37_gap(b, ctx=None, *, dps: int = 30):
    """cos∠(χ₂, χ₃) − sin∠(χ₂, v*) = (b−1)/(b+1) − √(1 − 9b/(25(b+1))) for the Example 37
    𝓜 > 0 family (≥ 5/6 − √0.67 > 0 for b ≥ 11): a lower bound of 𝓜 there.

    >>> round(float(example37_gap(11)), 6), round(5 / 6 - 0.67 ** 0.5, 6)
    (0.014798, 0.014798)
    """
    ctx = ctx or context(dps)
    q = exact(b, "b")
    bb = rational(ctx, q)
    return (bb - 1) / (bb + 1) - ctx.sqrt(1 - 9 * bb / (25 * (bb + 1)))
