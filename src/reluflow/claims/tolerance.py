"""Typed tolerances: what a claim accepts, declared once in its decorator and used by its body.

A claim's rule lives in one place: the decorator declares the tolerance, the framework
hands that same object to the claim's body, which judges its measurement with it, and the
report's tolerance column is its description.  So ``reluflow check --explain`` shows the
threshold the verdict was decided by, not prose beside it.

>>> Slope().describe(), Slope().describe(exact=False)
('±10% of the rate', '≥ 0.9 × rate')
>>> Resolution(slack=2, of="‖w_j‖²").describe()
'≤ 10^-(digits − 2) relative to ‖w_j‖²'
>>> Rel(0.02).holds(observed=1.01, predicted=1.0)
True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..codec import num_text
from ..verdict import Verdict

__all__ = [
    "RATE_REL",
    "All",
    "Bound",
    "Certified",
    "Confidence",
    "Exact",
    "Predicates",
    "Rel",
    "Resolution",
    "Slope",
    "Tolerance",
]

RATE_REL = 0.1  # predicted log–log rates are met within 10 %


class Tolerance:
    """A claim's acceptance rule; ``describe`` is its report text (with a value where known)."""

    def describe(self, *args: Any, **kwargs: Any) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


@dataclass(frozen=True)
class Resolution(Tolerance):
    """Exact up to rounding: a measured error ≤ 10^-(⌊precision/share⌋ − slack).

    ``precision`` is the run's requested digits (``unit="digits"``) or its working dps
    (``unit="dps"``); ``slack`` digits are given up to rounding that adds up in quantities
    derived from the state; ``share`` > 1 keeps only part of the digits (central finite
    differences lose the rest).  ``of`` names what the error is relative to."""

    slack: int = 0
    share: int = 1
    unit: str = "digits"
    of: str = ""

    def exponent(self, precision: int) -> int:
        return precision // self.share - self.slack

    def bound(self, ctx, precision: int):
        """The bound 10^-exponent in ``ctx``."""
        return ctx.mpf(10) ** -self.exponent(precision)

    def of_run(self, tr):
        """The bound at a run's precision (its digits or dps, per ``unit``), in its context."""
        return self.bound(tr.ctx, tr.digits if self.unit == "digits" else tr.dps)

    def describe(self, bound=None) -> str:
        if bound is not None:
            text = f"≤ {fmt(bound, 2)}"
        else:
            top = self.unit if self.share == 1 else f"{self.unit}/{self.share}"
            text = f"≤ 10^-({top} − {self.slack})" if self.slack else f"≤ 10^-{top}"
        return text + (f" relative to {self.of}" if self.of else "")


@dataclass(frozen=True)
class Slope(Tolerance):
    """A limit as a trend: errors along a decreasing λ ladder shrink at the theory's rate,
    the log–log slope within ``rel`` of it — or, where the theory gives only an upper bound
    on the error (``exact=False`` at judging time), at least (1 − rel) of it."""

    rel: float = RATE_REL

    def describe(self, exact: bool = True) -> str:
        return f"±{self.rel:.0%} of the rate" if exact else f"≥ {1 - self.rel:g} × rate"

    def judge(self, lams: Sequence, errs: Sequence, rate: float, exact: bool = True, floors=None):
        """(verdict, slope, detail) on the resolved points: an error at or below its run's
        resolution ``floor`` only says "smaller than the floor", so it is reported and left
        out of the fit; fewer than two resolved points decide nothing."""
        lams = [_fraction(v) if isinstance(v, str) else v for v in lams]
        errs = list(errs)
        note = ""
        if floors is not None:
            low = [i for i, e in enumerate(errs) if e <= floors[i]]
            if low:
                note = (
                    f"; {len(low)} error(s) below the resolution of their run (λ = "
                    + ", ".join(lam_str(lams[i]) for i in low)
                    + "), left out of the fit"
                )
                lams = [v for i, v in enumerate(lams) if i not in low]
                errs = [v for i, v in enumerate(errs) if i not in low]
        if len(errs) < 2:
            return Verdict.INCONCLUSIVE, math.nan, "fewer than two resolved errors on the λ ladder" + note
        tr = trend(lams, errs, rate=rate, rel=self.rel, at_least=not exact)
        return tr.verdict, tr.slope, tr.detail + note


@dataclass(frozen=True)
class Rel(Tolerance):
    """|observed − predicted| ≤ rel · |predicted|."""

    rel: float

    def holds(self, observed, predicted) -> bool:
        return abs(observed - predicted) <= self.rel * abs(predicted)

    def describe(self) -> str:
        return f"relative error ≤ {self.rel * 100:g} %"


@dataclass(frozen=True)
class Bound(Tolerance):
    """The theory's inequality, checked as stated (``rule``, e.g. "1 − cos < 4λ^ε"): ``strict``
    for <, else ≤; ``rel`` a relative slack on the bound (a decimal string, read in the
    measurement's context), where the bound itself is computed with rounding."""

    rule: str
    strict: bool = False
    rel: str = "0"

    def limit(self, ctx, bound):
        """The bound with its slack, in ``ctx``."""
        return bound * (1 + ctx.mpf(self.rel)) if self.rel != "0" else bound

    def holds(self, value, bound, ctx=None) -> bool:
        limit = self.limit(ctx, bound) if ctx is not None else bound
        return value < limit if self.strict else value <= limit

    def describe(self, bound=None) -> str:
        text = self.rule if bound is None else f"{self.rule} = {fmt(bound, 3)}"
        return text + (f" (+{self.rel} relative)" if self.rel != "0" else "")


@dataclass(frozen=True)
class Exact(Tolerance):
    """An exact relation (an identity, a pattern, a count that must be 0): no slack at all."""

    rule: str

    def describe(self) -> str:
        return f"exact: {self.rule}"


@dataclass(frozen=True)
class Predicates(Tolerance):
    """Named predicates that must all hold; a predicate that cannot be decided (None) makes
    the verdict INCONCLUSIVE, never PASS."""

    names: tuple[str, ...]

    def judge(self, values: Mapping[str, bool | None]) -> Verdict:
        missing = set(self.names) - set(values)
        if missing:
            raise KeyError(f"predicates not measured: {sorted(missing)}")
        vals = [values[n] for n in self.names]
        return Verdict.FAIL if False in vals else Verdict.INCONCLUSIVE if None in vals else Verdict.PASS

    def describe(self) -> str:
        return "predicates: " + ", ".join(self.names)


@dataclass(frozen=True)
class Certified(Tolerance):
    """Decided by proven enclosures (Arb balls) against the accepted range [lo, hi] (either
    end may be open; decimal strings): PASS inside, FAIL outside, INCONCLUSIVE when a ball
    straddles an end.

    >>> import flint
    >>> t = Certified("L < 2", hi="2")
    >>> t.judge(flint.arb(1, "0.1")), t.judge(flint.arb(3, "0.1")), t.judge(flint.arb(2, 1))
    (<Verdict.PASS: 'PASS'>, <Verdict.FAIL: 'FAIL'>, <Verdict.INCONCLUSIVE: 'INCONCLUSIVE'>)
    """

    rule: str
    lo: str | None = None
    hi: str | None = None

    def judge(self, ball) -> Verdict:
        import flint

        lo = None if self.lo is None else flint.arb(self.lo)
        hi = None if self.hi is None else flint.arb(self.hi)
        if (lo is None or ball > lo) and (hi is None or ball < hi):
            return Verdict.PASS
        if (lo is not None and ball < lo) or (hi is not None and ball > hi):
            return Verdict.FAIL
        return Verdict.INCONCLUSIVE

    def describe(self) -> str:
        return f"certified: {self.rule}"


@dataclass(frozen=True)
class Confidence(Tolerance):
    """A Monte Carlo frequency judged by its two-sided Wilson score interval (normal quantile
    ``z``; 3.2905 for 99.9 %): FAIL only when the whole interval lies on the wrong side of
    ``rule``'s bound."""

    z: float
    rule: str

    @property
    def level(self) -> float:
        from statistics import NormalDist

        return 2 * NormalDist().cdf(self.z) - 1

    def interval(self, k: int, n: int) -> tuple[float, float]:
        """The Wilson score interval of k successes in n draws."""
        z, p = self.z, k / n
        den = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / den
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
        return max(0.0, centre - half), min(1.0, centre + half)

    def describe(self) -> str:
        return f"{self.level:.1%} Wilson interval per case; {self.rule}"


@dataclass(frozen=True)
class All(Tolerance):
    """Several tolerances, each judging its own part of the claim."""

    parts: tuple[Tolerance, ...]

    def __getitem__(self, i: int) -> Tolerance:
        return self.parts[i]

    def describe(self) -> str:
        return "; ".join(p.describe() for p in self.parts)


# ----------------------------------------------------------------------------- numbers for reports, trends


def fmt(x: Any, digits: int = 6) -> str:
    """A number for a report cell (floats and mpmath numbers; None as '—')."""
    if x is None:
        return "—"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(fmt(v, digits) for v in x) + "]"
    if hasattr(x, "_mpf_"):
        import mpmath

        return mpmath.nstr(x, digits)
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, (int, Fraction)):
        return str(x)
    return f"{float(x):.{digits}g}"


def lam_str(lam: Fraction | str | Sequence) -> str:
    """λ for reports: '1e-k' for powers of ten, else its short exact text ('0.00002', '1/3';
    :func:`reluflow.codec.num_text`); ladders joined; text is kept as given.

    >>> lam_str(Fraction(1, 10**4)), lam_str(Fraction(1, 10**5000)), lam_str(Fraction(1, 50000)), lam_str(["1e-3"])
    ('1e-4', '1e-5000', '0.00002', '1e-3')
    """
    if isinstance(lam, (list, tuple)):
        return ", ".join(lam_str(v) for v in lam)
    if isinstance(lam, str):
        return lam
    q = Fraction(lam)  # type: ignore[arg-type]  # a number: text and ladders returned above
    k = q.denominator.bit_length() * 3 // 10  # about its decimal digits; 10^k only when q = 10^-k
    if q.numerator == 1 and q.denominator > 1 and (10**k == q.denominator or 10 ** (k + 1) == q.denominator):
        return f"1e-{k if 10**k == q.denominator else k + 1}"
    return num_text(q)


def loglog_slope(lams: Sequence[float], errs: Sequence[float]) -> float:
    """Least-squares slope of log(err) against log(λ) (λ and err may be mpmath numbers)."""
    xs = [_log(v) for v in lams]
    ys = [_log(v) for v in errs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def _log(v) -> float:
    if hasattr(v, "_mpf_"):
        import mpmath

        return float(mpmath.log(v)) if v > 0 else -math.inf
    if isinstance(v, Fraction):
        return math.log(v.numerator) - math.log(v.denominator)
    return math.log(float(v)) if float(v) > 0 else -math.inf


@dataclass(frozen=True)
class Trend:
    verdict: Verdict
    slope: float
    detail: str


def trend(lams: Sequence, errs: Sequence, *, rate: float, rel: float | None = None, at_least: bool = False) -> Trend:
    """Judge errors measured along a decreasing λ ladder against the predicted rate
    err ≍ λ^rate: PASS when every error is positive, they shrink monotonically, and the
    least-squares log–log slope is within ``rel`` (relative) of ``rate`` — or, with
    ``at_least``, at least (1 − rel)·rate (an upper bound on the error).  A ladder that
    does not shrink, or shrinks at another rate, is FAIL."""
    rel = 0.1 if rel is None else rel
    vals = [float(_log(e)) for e in errs]
    if any(not math.isfinite(v) for v in vals):
        return Trend(Verdict.INCONCLUSIVE, math.nan, "an error is exactly 0 (below resolution): no rate measurable")
    slope = loglog_slope(lams, errs)
    shrinking = all(b < a for a, b in itertools.pairwise(vals))
    ok = slope >= (1 - rel) * rate if at_least else abs(slope - rate) <= rel * rate
    detail = f"log–log slope {slope:.4g} (predicted {'≥ ' if at_least else ''}{rate:.4g}); errors " + ", ".join(
        f"{math.exp(v):.3g}" if v > -700 else f"1e{v / math.log(10):.1f}" for v in vals
    )
    if not shrinking:
        return Trend(Verdict.FAIL, slope, detail + "; errors do not shrink monotonically as λ decreases")
    return Trend(Verdict.PASS if ok else Verdict.FAIL, slope, detail)


def _fraction(text: str):
    from ..problem import exact

    return exact(text, "lambda")
