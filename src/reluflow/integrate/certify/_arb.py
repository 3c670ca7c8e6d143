"""Arb and FLINT basics of the certification: exact rationals in, outward-rounded floats out."""

from __future__ import annotations

import math
from fractions import Fraction

from flint import arb, fmpq


def _q(v) -> fmpq:
    v = Fraction(v)
    return fmpq(v.numerator, v.denominator)


def _lower_q(x: arb) -> Fraction:
    """A rational ≤ every point of the ball."""
    return Fraction(_down(x))


def _exp(x: float) -> float:
    """e^x, +inf instead of an OverflowError (an unbounded error fails the step honestly)."""
    return math.exp(x) if x < 700 else math.inf


def _arb_q(v: Fraction) -> arb:
    return arb(_q(v))


def _up(x: arb) -> float:
    """A float ≥ every point of the ball (+inf for a NaN ball: failing safe)."""
    v = float(x.upper())
    return math.inf if math.isnan(v) else math.nextafter(v, math.inf)


def _sq(x: arb) -> arb:
    """x² by multiplication (Arb's ``**`` goes through exp/log: NaN on a ball around 0)."""
    return x * x


def _norm_up(sq: arb) -> float:
    """A float ≥ √(every point of the ball ``sq`` of squares)."""
    return math.nextafter(math.sqrt(max(_up(sq), 0.0)), math.inf)


def _down(x: arb) -> float:
    """A float ≤ every point of the ball (−inf for a NaN ball: failing safe)."""
    v = float(x.lower())
    return -math.inf if math.isnan(v) else math.nextafter(v, -math.inf)
