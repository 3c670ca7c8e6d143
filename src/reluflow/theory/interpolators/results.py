"""What the interpolator computations return: outward-rounded enclosures and certified minima."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from fractions import Fraction
from typing import Any

import flint

from ...linalg import to_fmpq

MAX_POINTS = 12  # 2^n patterns: the exact reformulation is exponential in n
_Q0 = Fraction(0)


def _decimal(q: Fraction, digits: int, rounding) -> str:
    """q as a decimal string of ``digits`` significant digits, rounded in a fixed direction."""
    ctx = Context(prec=digits, rounding=rounding)
    return str(ctx.divide(Decimal(q.numerator), Decimal(q.denominator)))


@dataclass(frozen=True)
class Enclosure:
    """A proven interval lo ≤ value ≤ hi, with exact rational endpoints."""

    lo: Fraction
    hi: Fraction | None  # None: no upper bound (no interpolator was restored)

    @property
    def width(self) -> Fraction | None:
        return None if self.hi is None else self.hi - self.lo

    def locate(self, value: Any) -> int | None:
        """−1 if value < lo, +1 if value > hi, 0 if inside; exact for rationals, rigorous for
        an Arb ball (None when the ball straddles an end)."""
        if not isinstance(value, flint.arb):
            value = Fraction(value)
            return -1 if value < self.lo else 1 if self.hi is not None and value > self.hi else 0
        with flint.ctx.workprec(max(flint.ctx.prec, 256)):
            lo = flint.arb(to_fmpq(self.lo))
            if value < lo:
                return -1
            if value >= lo and self.hi is None:
                return 0
            if self.hi is None:
                return None
            hi = flint.arb(to_fmpq(self.hi))
            return 1 if value > hi else 0 if value >= lo and value <= hi else None

    def locate_sqrt(self, q: Any) -> int:
        """:meth:`locate` for √q (q ≥ 0 rational), decided exactly by squaring."""
        q = Fraction(q)
        if self.lo > 0 and q < self.lo * self.lo:
            return -1
        return 1 if self.hi is not None and q > self.hi * self.hi else 0

    def to_dict(self, digits: int = 20) -> dict:
        """Decimal strings rounded outwards, so the printed interval still encloses."""
        hi = "inf" if self.hi is None else _decimal(self.hi, digits, ROUND_CEILING)
        return {"lo": _decimal(self.lo, digits, ROUND_FLOOR), "hi": hi}


@dataclass(frozen=True)
class Minimum:
    """The certified minimum of ‖θ‖² over a set of exact interpolators.

    ``theta_sq`` encloses the minimum; ``a``, ``W`` is an exact rational interpolating network
    with ‖θ‖² = ``theta_sq.hi`` (zero neurons dropped, parallel ones merged), ``rank`` the
    exact rank of W.  ``certified`` when both bounds are proven and the relative width is at
    most ``rtol``.  ``feasible`` is False, with ``theta_sq`` None, when no network of the
    set interpolates, proven by an exact Farkas ray; when no interpolator could be restored
    and none was proven impossible, ``theta_sq.hi`` is None and ``certified`` False."""

    theta_sq: Enclosure | None
    a: tuple[Fraction, ...]
    W: tuple[tuple[Fraction, ...], ...]
    rank: int
    certified: bool
    feasible: bool
    programs: int  # conic programs solved
    blocks: int  # pattern blocks in the largest program
    rtol: float

    @property
    def neurons(self) -> int:
        return len(self.a)

    def to_dict(self, digits: int = 20) -> dict:
        return {
            "theta_sq": None if self.theta_sq is None else self.theta_sq.to_dict(digits),
            "minimiser": {
                "a": [_decimal(v, digits, ROUND_FLOOR) if v else "0" for v in self.a],
                "W": [[str(float(c)) for c in row] for row in self.W],
                "exact_a": [str(v) for v in self.a],
                "exact_W": [[str(c) for c in row] for row in self.W],
            },
            "rank": self.rank,
            "neurons": self.neurons,
            "certified": self.certified,
            "feasible": self.feasible,
            "programs": self.programs,
            "blocks": self.blocks,
        }
