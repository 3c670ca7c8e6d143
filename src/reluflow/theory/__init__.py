"""Closed-form predictions of the theory, one module per paper: ``predict(problem)``.

Modules: ``orthogonal`` (Boursier, Pillaud-Vivien & Flammarion 2022; spec ids R/O).
:func:`checked` evaluates a prediction twice, at ``dps`` and ``dps + 10`` digits, and keeps
only the digits on which the two agree, so every reported digit is checked.

    >>> from reluflow.datasets import e1
    >>> from reluflow.theory import orthogonal
    >>> out = checked(orthogonal.predict, e1("1e-30"), dps=20)
    >>> out["checked_digits"] >= 18, out["L_mid"], out["T_plus"][:8]
    (True, '0.3125', '1.264911')
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ..limits import MAX_DPS
from ..precision import RECHECK, integer_in

__all__ = ["checked"]


def _number(v: Any) -> Decimal | None:
    if not isinstance(v, str):
        return None
    try:
        d = Decimal(v)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _agreement(a: Any, b: Any, worst: list[float]) -> None:
    if isinstance(a, dict):
        for k in a:
            _agreement(a[k], b.get(k), worst)
    elif isinstance(a, list):
        for u, v in zip(a, b):
            _agreement(u, v, worst)
    else:
        x, y = _number(a), _number(b)
        if x is not None and y is not None and x != y:
            scale = max(abs(y), Decimal("1e-300"))
            worst.append(-float((abs(x - y) / scale).log10()))  # Decimal: no float underflow


def _rounded(a: Any, b: Any, digits: int) -> Any:
    """The higher-precision value ``b``, rounded to ``digits`` significant digits."""
    if isinstance(b, dict):
        return {k: _rounded(a.get(k) if isinstance(a, dict) else None, v, digits) for k, v in b.items()}
    if isinstance(b, list):
        return [_rounded(u, v, digits) for u, v in zip(a if isinstance(a, list) else [None] * len(b), b)]
    y = _number(b)
    if y is None or y == 0:
        return "0" if y == 0 else b
    text = format(y, f".{max(digits, 1)}g") if abs(y.adjusted()) < 6 else format(y, f".{max(digits - 1, 0)}e")
    return text


def checked(predict: Callable, problem, *, dps: int = 30) -> dict:
    """``predict(problem, dps=…).to_dict()`` at ``dps`` and ``dps + RECHECK`` (10 more): numbers rounded to
    the digits on which both agree (``checked_digits``, capped at ``dps``)."""
    dps = integer_in(dps, "dps", 5, MAX_DPS - RECHECK, "working precision of the prediction")
    lo = predict(problem, dps=dps).to_dict()
    hi = predict(problem, dps=dps + RECHECK).to_dict()
    worst: list[float] = []
    _agreement(lo, hi, worst)
    digits = int(min([float(dps)] + list(worst)))
    out = _rounded(lo, hi, digits)
    out["dps"] = dps
    out["checked_digits"] = digits
    return out
