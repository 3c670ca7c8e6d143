"""Precision: local mpmath contexts, the precision budget, lossless decimal strings.

Library code never touches the global ``mpmath.mp``: each numeric entry point builds its
own :class:`mpmath.MPContext` with :func:`context`.

>>> ctx = context(40)
>>> x = ctx.mpf(1) / 3
>>> from_str(ctx, to_str(x)) == x
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import mpmath
from mpmath import libmp

from .limits import MAX_DPS
from .problem import ProblemError, shown

__all__ = [
    "FINDING",
    "MIN_DPS",
    "RECHECK",
    "Precision",
    "backend",
    "budget",
    "context",
    "from_str",
    "integer_in",
    "rational",
    "to_str",
]

MIN_DPS = 15
RECHECK = 10  # digits added for the rerun that checks every reported digit (reproduce, predict)
FINDING = 20  # digits added before a claim's failure counts as a finding (it survived the precision check)
# Guard digits beyond the requested ones: rounding in the fixed-point kernel and the
# accumulation of per-step truncation errors over the run (see ``budget``).
BASE_GUARD = 3


def backend() -> str:
    """mpmath's arithmetic backend ('gmpy' when gmpy2 is installed, else 'python')."""
    return libmp.BACKEND


def context(dps: int) -> mpmath.ctx_mp.MPContext:
    """A fresh mpmath context working at ``dps`` decimal digits."""
    ctx = mpmath.MPContext()
    ctx.dps = int(dps)
    return ctx


def to_str(x: mpmath.mpf) -> str:
    """Decimal string with enough digits that ``from_str`` at the same precision gives
    back the same binary value (round-trip safe).  The digits follow the precision of
    x's context, not the length of its mantissa: 5/16 has a 3-bit mantissa, yet '0.313'
    would parse back as another number.

    >>> ctx = context(30)
    >>> to_str(ctx.mpf(5) / 16), from_str(ctx, to_str(ctx.mpf(5) / 16)) == ctx.mpf(5) / 16
    ('0.3125', True)
    """
    man = x.man_exp[0] if x else 0
    prec = getattr(getattr(x, "context", None), "prec", 53)
    bits = max(int(man).bit_length(), prec, 1)
    digits = math.ceil(bits * math.log10(2)) + 2
    return libmp.to_str(x._mpf_, digits, strip_zeros=True)


def rational(ctx: mpmath.ctx_mp.MPContext, q) -> mpmath.mpf:
    """An exact rational (``Fraction`` or int) rounded once into ``ctx``.

    >>> from fractions import Fraction
    >>> rational(context(20), Fraction(1, 3))
    mpf('0.33333333333333333333347')
    """
    return ctx.mpf(q.numerator) / q.denominator


def from_str(ctx: mpmath.ctx_mp.MPContext, s: str) -> mpmath.mpf:
    """Parse a decimal string in ``ctx`` (inverse of :func:`to_str`)."""
    return ctx.mpf(s)


def integer_in(value, field: str, lo: int, hi: int, what: str) -> int:
    """``value`` as an int in [lo, hi], else a :class:`ProblemError` on ``field`` saying the range.

    >>> integer_in(40, "dps", MIN_DPS, MAX_DPS, "working precision")
    40
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or not lo <= int(value) <= hi:
        raise ProblemError(field, f"{what}: must be an integer in [{lo}, {hi}], got {shown(value)}")
    return int(value)


@dataclass(frozen=True)
class Precision:
    """A run's precision in one object: ``digits`` correct digits asked for, the working
    precision in decimal digits (``dps``) and in bits (:attr:`bits`), and the ``guard``
    digits the budget added for the accumulation of per-step errors.  Claims ask it for
    their resolutions (:meth:`unit`) instead of offsetting digits by hand.

    >>> pr = Precision(digits=30, dps=36, guard=6)
    >>> pr.bits, pr.unit(2) == context(36).mpf(10) ** -28
    (123, True)
    """

    digits: int
    dps: int
    guard: int

    @property
    def recheck(self) -> int:
        """The digits of the rerun that checks this run's digits (:data:`RECHECK` more)."""
        return self.digits + RECHECK

    @property
    def bits(self) -> int:
        """The working precision in bits (the mpmath context's ``prec``)."""
        return context(self.dps).prec

    def unit(self, slack: int = 0, ctx: mpmath.ctx_mp.MPContext | None = None) -> mpmath.mpf:
        """10^-(digits − slack): the run's relative resolution, ``slack`` digits looser (for
        quantities derived from the state, whose rounding adds up), in ``ctx`` (default: a
        context at the working precision)."""
        ctx = ctx or context(self.dps)
        return ctx.mpf(10) ** -(self.digits - slack)


def guard_digits(log_inv_lambda: float, t_span: float, time_scale: float) -> int:
    """Digits lost to accumulation: per-step truncation errors add up over about
    ``t_span / time_scale`` growth times; λ enters through the length of the early phase."""
    growth_times = max(t_span, 1.0) / max(time_scale, 1e-300)
    return BASE_GUARD + math.ceil(math.log10(1.0 + growth_times + max(log_inv_lambda, 0.0)))


def budget(
    *, digits: int | None, dps: int | None, log_inv_lambda: float, t_span: float, time_scale: float
) -> Precision:
    """Pick the working precision from λ, the time span and the requested digits.

    With ``dps`` given explicitly, it is checked against ``digits`` (or ``digits`` is
    derived from it).  Too small a ``dps`` raises :class:`ProblemError` naming ``dps``.

    >>> budget(digits=30, dps=None, log_inv_lambda=69.1, t_span=290, time_scale=2.9).dps
    36
    """
    guard = guard_digits(log_inv_lambda, t_span, time_scale)
    if digits is not None:
        integer_in(digits, "digits", 1, MAX_DPS - guard, f"correct digits (the working precision is at most {MAX_DPS})")
    if dps is None:
        want = 30 if digits is None else int(digits)
        return Precision(want, max(want + guard, MIN_DPS), guard)
    dps = integer_in(dps, "dps", MIN_DPS, MAX_DPS, "working precision (a step costs about dps² … dps^2.5)")
    if digits is None:
        return Precision(max(dps - guard, 1), dps, guard)
    if dps < digits + guard:
        raise ProblemError(
            "dps",
            f"{dps} is too small for {digits} correct digits at ln(1/λ) = {log_inv_lambda:.4g} "
            f"over t ∈ [0, {t_span:.4g}]: need dps ≥ {digits + guard} "
            "(raise dps, lower digits, or omit dps to let the budget choose)",
        )
    return Precision(int(digits), dps, guard)
