"""What the strategies share: option validation and small exact helpers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis.errors import InvalidArgument

from ..linalg import dot
from ..problem import Dataset, ProblemError, exact

_DEFAULT_NORMS = (Fraction(1, 2), Fraction(2))
_DEFAULT_LABELS = (Fraction(1, 2), Fraction(2))
_GRID = 4  # norms and labels are drawn from the grid k/4 (plus the range's end points)
_SKEW = 4  # skew-symmetric entries k/4 with |k| ≤ 4
_COORD = 8  # neuron coordinates ±k/8, 1 ≤ k ≤ 8, along each x̂_k


# ----------------------------------------------------------------------------- validation


def _check_int(value: Any, name: str, *, at_least: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < at_least:
        raise InvalidArgument(f"{name}={value!r} must be an integer ≥ {at_least} ({what})")
    return value


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")
    return value


def _number(value: Any, name: str) -> Fraction:
    try:
        return exact(value, name)
    except ProblemError as exc:
        raise InvalidArgument(f"{name}={value!r} is not a number: {exc}") from None


def _check_range(value: Any, name: str, *, what: str) -> tuple[Fraction, Fraction]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise InvalidArgument(f"{name}={value!r} must be a pair (low, high) of positive numbers ({what})")
    lo, hi = _number(value[0], f"{name}[0]"), _number(value[1], f"{name}[1]")
    if lo <= 0:
        raise InvalidArgument(f"{name}={value!r}: the low end must be > 0 ({what}), got {lo}")
    if hi < lo:
        raise InvalidArgument(f"{name}={value!r}: the high end {hi} is below the low end {lo}")
    return lo, hi


def _check_int_range(value: Any, name: str, *, what: str) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise InvalidArgument(f"{name}={value!r} must be a pair (low, high) of integers ≥ 0 ({what})")
    lo, hi = value
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InvalidArgument(f"{name}={value!r} must be a pair (low, high) of integers ≥ 0 ({what})")
    if hi < lo:
        raise InvalidArgument(f"{name}={value!r}: the high end {hi} is below the low end {lo}")
    return lo, hi


def _check_coverage(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(
            f"coverage={value!r} must be True (A3 holds), False (A3 fails, every point still kept) or None (unconstrained)"
        )
    return value


def _check_lam(value: Any) -> Fraction:
    lam = _number(value, "lam")
    if lam <= 0:
        raise InvalidArgument(f"lam={value!r} must be > 0 (the initialisation scale λ)")
    return lam


def _check_margin(value: Any) -> Fraction:
    margin = _number(value, "margin")
    if not 0 <= margin < 1:
        raise InvalidArgument(f"margin={value!r} must be in [0, 1): the least |cos∠(z_j, x_k)| allowed")
    return margin


def _check_widths(min_width: Any, max_width: Any) -> tuple[int, int]:
    _check_int(min_width, "min_width", at_least=1, what="the least number of neurons")
    _check_int(max_width, "max_width", at_least=1, what="the largest number of neurons")
    if max_width < min_width:
        raise InvalidArgument(f"max_width={max_width} < min_width={min_width}")
    return min_width, max_width


# ----------------------------------------------------------------------------- exact linear algebra


def _grid(lo: Fraction, hi: Fraction) -> list[Fraction]:
    """lo, hi and every k/4 strictly between them, ascending."""
    vals = {lo, hi}
    k = math.floor(lo * _GRID) + 1
    while Fraction(k, _GRID) < hi:
        vals.add(Fraction(k, _GRID))
        k += 1
    return sorted(vals)


def _class_norms_sq(X, y) -> tuple[Fraction, Fraction]:
    """(‖D₊‖², ‖D₋‖²) with ‖D_±‖² = Σ_{±y_k>0} y_k²‖x_k‖² (orthogonal rows)."""
    plus = sum((v * v * dot(x, x) for x, v in zip(X, y) if v > 0), Fraction(0))
    minus = sum((v * v * dot(x, x) for x, v in zip(X, y) if v < 0), Fraction(0))
    return plus, minus


def rates_separated(dataset: Dataset, ratio: Any) -> bool:
    """True iff ‖D₊‖/‖D₋‖ is outside [1/ratio, ratio] (spec pitfall 8; a class that is
    empty counts as separated), compared exactly through squares.

    >>> rates_separated(Dataset([[1, 0], [0, 1]], [1, -2]), Fraction(5, 4))
    True
    >>> rates_separated(Dataset([[1, 0], [0, 1]], [1, "-1.2"]), Fraction(5, 4))
    False
    """
    r2 = _number(ratio, "ratio") ** 2
    p, m = _class_norms_sq(dataset.X, dataset.y)
    return not (p <= r2 * m and m <= r2 * p)
