"""Exact rational linear algebra (Fractions): the few operations the datasets, the
strategies and the norm geometry need, written once.

>>> inverse([[2, 1], [1, 1]])
[[Fraction(1, 1), Fraction(-1, 1)], [Fraction(-1, 1), Fraction(2, 1)]]
>>> inverse([[1, 2], [2, 4]]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

__all__ = ["dot", "independent", "inverse", "matmul"]


def dot(u: Sequence, v: Sequence) -> Fraction:
    return sum((Fraction(a) * b for a, b in zip(u, v)), Fraction(0))


def inverse(A: Sequence[Sequence]) -> list[list[Fraction]] | None:
    """A⁻¹ by Gauss–Jordan elimination over the rationals, or None when A is singular."""
    d = len(A)
    aug = [[Fraction(v) for v in row] + [Fraction(int(i == j)) for j in range(d)] for i, row in enumerate(A)]
    for col in range(d):
        piv = next((r for r in range(col, d) if aug[r][col] != 0), None)
        if piv is None:
            return None
        aug[col], aug[piv] = aug[piv], aug[col]
        p = aug[col][col]
        aug[col] = [v / p for v in aug[col]]
        for r in range(d):
            if r != col and aug[r][col] != 0:
                f = aug[r][col]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[col])]
    return [row[d:] for row in aug]


def matmul(A: Sequence[Sequence], B: Sequence[Sequence]) -> list[list[Fraction]]:
    cols = list(zip(*B))
    return [[dot(row, col) for col in cols] for row in A]


def independent(gram: Sequence[Sequence], indices: Sequence[int]) -> tuple[list[int], list[int], list[list[Fraction]] | None]:
    """Split ``indices`` (in order) into a maximal subset whose vectors are linearly
    independent, by an exact rank test on their Gram matrix ``gram``, and the rest; with
    the inverse Gram matrix of the subset (None if it is empty).

    >>> independent([[1, 2, 0], [2, 4, 0], [0, 0, 1]], [0, 1, 2])[:2]
    ([0, 2], [1])
    """
    basis: list[int] = []
    rest: list[int] = []
    inv = None
    for k in indices:
        trial = basis + [k]
        m = inverse([[gram[a][b] for b in trial] for a in trial])
        if m is None:
            rest.append(k)
        else:
            basis, inv = trial, m
    return basis, rest, inv
