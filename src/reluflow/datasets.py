"""Fixed instances from the specs: the orthogonal fixtures E1, E2 and the benchmark B1.

>>> e1().n, e1().m, b1().m
(4, 6, 6)
"""

from __future__ import annotations

from typing import Any

from .problem import Dataset, Init, Problem

__all__ = ["b1", "e1", "e2"]


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


def b1(lam: Any = "1e-30") -> Problem:
    """Benchmark B1: x_i = e_i in R⁴, y = (1, 0.5, −0.7, −1.2), m = 6, z_j ~ N(0, I/4) and s_j
    uniform from ``numpy.random.default_rng(1)``; run to T = 290 at λ = 1e-30."""
    X = [[1 if i == k else 0 for i in range(4)] for k in range(4)]
    return Problem(Dataset(X, [1, "0.5", "-0.7", "-1.2"]), Init.random(width=6, seed=1, d=4, lam=lam))
