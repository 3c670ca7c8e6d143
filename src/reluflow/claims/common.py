"""Helpers shared by the claims of both papers: sampling a run, precision budgets that
resolve a λ-error, trend outcomes on λ ladders, combined sub-checks, and
the precision check that turns a surviving failure into a finding.

>>> all_of((True, "a"), (None, "b"))[0]
<Verdict.INCONCLUSIVE: 'INCONCLUSIVE'>
"""

from __future__ import annotations

import math
from fractions import Fraction

from ..precision import FINDING
from ..problem import Problem, exact
from ..verdict import Verdict
from .core import NotObserved, Outcome, Session, fmt, lam_str
from .tolerance import Slope

__all__ = [
    "DIGITS_CAP",
    "all_of",
    "floor",
    "frac",
    "norm",
    "not_observed",
    "precision_checked",
    "resolving_digits",
    "samples",
    "trend_outcome",
]

DIGITS_CAP = 120  # beyond this a ladder point is left unresolved rather than run for minutes


def norm(ctx, v):
    """The Euclidean norm of a vector of ``ctx`` numbers."""
    return ctx.sqrt(ctx.fsum(c * c for c in v))


def samples(tr, count, lo=None, hi=None):
    ctx = tr.ctx
    lo = ctx.zero if lo is None else ctx.mpf(lo)
    hi = tr.t_end if hi is None else min(ctx.mpf(hi), tr.t_end)
    return [min(lo + (hi - lo) * i / count, hi) for i in range(count + 1)]  # rounding never passes hi


def resolving_digits(s: Session, q: Problem, rate: float, extra: int = 15) -> int:
    """Digits that resolve an error of size λ^rate with ``extra`` to spare (a precision
    budget, not a tolerance), capped at DIGITS_CAP."""
    need = math.ceil(rate * q.log_inv_lambda / math.log(10)) + extra
    return max(s.profile.digits, min(DIGITS_CAP, need))


def floor(tr, scale=1) -> float:
    """The smallest error a run resolves: 10^-(digits − 3), times the quantity's scale."""
    return float(scale) * 10.0 ** -(tr.digits - 3)


def trend_outcome(
    tol: Slope, lams, errs, rate, exact, floors, dps, *, what: str, predicted: str = "", note: str = ""
) -> Outcome:
    """The Outcome of a claim that is one trend along a λ ladder (errors of ``what``), judged by ``tol``."""
    verdict, slope, detail = tol.judge(lams, errs, rate, exact, floors)
    return Outcome(
        verdict,
        f"{predicted}{'; ' if predicted else ''}slope {rate:.4g}",
        f"slope {slope:.4g}; last {what} {fmt(errs[-1], 3)}",
        tol.describe(exact),
        lam_str(lams),
        dps,
        note + detail,
    )


BUDGET_STOPS = ("max_steps", "max_events")  # the run hit a limit on work, not a property of the flow


def not_observed(what: str, tr, unmet, *, predicted: str, tolerance: str) -> NotObserved:
    """The run ``tr`` does not show ``what`` the theory predicts: FAIL where the theory's
    hypotheses hold (``unmet``, the failing ones, is empty), INCONCLUSIVE with the reason
    when one fails or the run stopped at a step or event budget.  Raise the result."""
    ended = (
        f"the run ended at t = {fmt(tr.t_end, 6)} with L = {fmt(tr.final_loss, 3)} "
        f"(status {tr.status.value}: {tr.message})"
    )
    if unmet:
        verdict, why = (
            Verdict.INCONCLUSIVE,
            (f"not applicable: {what}, but the theory's hypotheses fail (" + "; ".join(unmet) + f"); {ended}"),
        )
    elif tr.status.value in BUDGET_STOPS:
        verdict, why = Verdict.INCONCLUSIVE, f"{what}: undecided, {ended}"
    else:
        verdict, why = Verdict.FAIL, f"{what} although the theory's hypotheses hold; {ended}"
    return NotObserved(
        Outcome(
            verdict,
            predicted,
            f"{what} (t_end = {fmt(tr.t_end, 6)}, L = {fmt(tr.final_loss, 3)})",
            tolerance,
            lam_str(tr.problem.init.lam),
            tr.dps,
            why,
        )
    )


def frac(text: str) -> Fraction:
    return exact(text, "lambda")


def all_of(*parts: tuple[bool | None, str]) -> tuple[Verdict, str]:
    """Combine sub-checks (:meth:`Verdict.combine`): FAIL if any is False, INCONCLUSIVE if any
    is None, else PASS; their details joined."""
    return Verdict.combine(v for v, _ in parts), "; ".join(d for _, d in parts)


def precision_checked(measure, digits: int):
    """Run ``measure(digits)`` → (ok, observed, detail); if it fails, rerun at digits + FINDING (20):
    a failure that survives the higher precision is a finding (FAIL), one that disappears
    was rounding, and the higher-precision measurement is the one reported."""
    ok, obs, det, dps = measure(digits)
    if ok:
        return Verdict.PASS, obs, det, dps
    ok2, obs2, det2, dps2 = measure(digits + FINDING)
    if ok2:
        return (
            Verdict.PASS,
            obs2,
            det2 + f" (passed only after the precision check at {digits + FINDING} digits; at {digits}: {obs})",
            dps2,
        )
    return Verdict.FAIL, obs2, det2 + f" (survives the precision check at {digits + FINDING} digits)", dps2
