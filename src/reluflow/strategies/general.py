"""General data: no orthogonality, any correlations (sliding modes and other regimes)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..problem import Dataset, Init, Problem
from ._validation import _check_int, _check_int_range, _check_lam, _check_widths


def general_problems(
    *,
    min_n: int = 2,
    max_n: int = 5,
    min_d: int = 1,
    max_d: int = 5,
    min_width: int = 1,
    max_width: int = 6,
    lam: Any = "1e-3",
    den: int = 4,
) -> st.SearchStrategy[Problem]:
    """Problems on generic data: n ∈ [min_n, max_n] inputs in R^d, d ∈ [min_d, max_d]
    drawn independently (so n > d happens), entries k/den with |k| ≤ 2·den (any
    correlation; equal or parallel rows allowed, zero rows redrawn), labels k/den of
    either sign, and m ∈ [min_width, max_width] neurons with directions of the same kind
    and random signs, at scale ``lam``.

    >>> from hypothesis import find
    >>> p = find(general_problems(min_n=3, max_n=3, min_d=2, max_d=2), lambda p: p.m >= 2)
    >>> (p.n, p.d, p.m)
    (3, 2, 2)
    """
    min_n, max_n = _check_int_range((min_n, max_n), "min_n/max_n", what="the number of inputs")
    min_d, max_d = _check_int_range((min_d, max_d), "min_d/max_d", what="the input dimension")
    if min_n < 1 or min_d < 1:
        raise InvalidArgument(f"min_n={min_n}, min_d={min_d}: a dataset needs at least one input of dimension ≥ 1")
    min_width, max_width = _check_widths(min_width, max_width)
    lam_q = _check_lam(lam)
    den = _check_int(den, "den", at_least=1, what="the denominator of the entries")
    entry = st.integers(-2 * den, 2 * den).map(lambda k: Fraction(k, den))

    def rows(d: int, count: tuple[int, int]) -> st.SearchStrategy:
        row = st.lists(entry, min_size=d, max_size=d).filter(any)
        return st.lists(row, min_size=count[0], max_size=count[1])

    @st.composite
    def problems(draw) -> Problem:
        d = draw(st.integers(min_d, max_d))
        X = draw(rows(d, (min_n, max_n)))
        y = draw(st.lists(entry, min_size=len(X), max_size=len(X)))
        z = draw(rows(d, (min_width, max_width)))
        s = draw(st.lists(st.sampled_from((-1, 1)), min_size=len(z), max_size=len(z)))
        return Problem(Dataset(X, y), Init(lam_q, z, s))

    return problems()
