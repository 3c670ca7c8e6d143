"""What the claims of the orthogonal-inputs paper share: the fixtures, ε, runs to the fit and to the limit, λ ladders."""

from __future__ import annotations

import math
from fractions import Fraction

from ...datasets import b1, e1, e1_rotated, e2
from ...problem import Problem, ProblemError
from ..common import (
    not_observed,
    resolving_digits,
)
from ..core import FIXTURES, Session, fmt

PAPER = "orthogonal"
FIXTURES.update({"E1": e1, "E1-rotated": e1_rotated, "B1": b1, "E2": e2})
EPS = Fraction(1, 2)  # the window parameter ε of R4 / O6–O8


def _class_loss(tr, st, S):
    """L_±(t) = (1/2n) Σ_{k∈S} r_k² at a network state."""
    r = tr.residuals(st)
    return tr.ctx.fsum(r[k] ** 2 for k in S) / (2 * tr.problem.n)


def _half_fit(tr, S, L_init, sign):
    """First time at which the class loss falls to L_±(0)/4 (bisection on the dense output;
    the loss is non-increasing along the flow, O3).  Callers check A1 and A3 first, so a
    class not half fitted within the theory's horizon is a FAIL (R6–R8)."""
    ctx = tr.ctx
    lo, hi = ctx.zero, tr.t_end
    target = L_init / 4
    if _class_loss(tr, tr.evaluate(hi), S) > target:
        raise not_observed(
            f"class {sign} never half fitted (L_{sign} > L_{sign}(0)/4 = {fmt(target, 4)})",
            tr,
            (),
            predicted=f"class {sign} half fitted within the theory's horizon",
            tolerance=f"L_{sign} ≤ L_{sign}(0)/4 by the end of the run",
        )
    for _ in range(int(ctx.prec) + 10):
        mid = (lo + hi) / 2
        if _class_loss(tr, tr.evaluate(mid), S) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _need_a3(pr) -> None:
    if not pr.assumptions["A3"]:
        raise ProblemError("init", "the claim needs assumption A3 (coverage): " + "; ".join(pr.notes))


def _need_two_classes(pr) -> None:
    if not (pr.assumptions["both_signs"] and pr.assumptions["A4"]):
        raise ProblemError("data.y", "the claim needs labels of both signs with ‖D_+‖ ≠ ‖D_−‖ (A4)")


def _ladder_runs(s: Session, p: Problem, lams, rate: float, **options):
    """(problem, prediction, trajectory) along the λ ladder, the run and the prediction at
    enough digits to resolve an error of size λ^rate; runs to the fit (loss below 1e-20)
    unless a ``t_end`` is given."""
    for lam in lams:
        q = p.with_lambda(lam)
        d = resolving_digits(s, q, rate)
        tr = s.solve(q, digits=d, **options) if "t_end" in options else _fit(s, q, digits=d, **options)
        yield q, s.predict(q, dps=d + 5), tr


def _fit(s: Session, p: Problem, *, digits: int | None = None, loss="1e-20", **options):
    """A run until the loss is below ``loss``, within the theory's horizon (``fit_horizon``:
    the engine's generic default can be too short when a final rate is small — Hypothesis)."""
    options.setdefault("t_end", s.predict(p).fit_horizon(loss))
    return s.solve(p, digits=digits, loss_below=loss, **options)


def _limit_run(s: Session, p: Problem, rate: float, **options):
    """A run that stands for t = ∞ at this λ: the loss is pushed far below the squared
    size of the λ-error being measured (rate · log10(1/λ) decades), at enough digits."""
    decades = rate * p.log_inv_lambda / math.log(10)
    digits = resolving_digits(s, p, rate, extra=20)
    return _fit(s, p, digits=digits, loss=Fraction(1, 10 ** int(2 * decades + 16)), **options)


def _tail_rate(pr) -> tuple[float, bool]:
    """Rate of the limit errors (O10, O15, O16, O18): λ^e with e the theory's limit
    exponent (``Prediction.limit_exponent``: 2(1 − ρ_max) from the largest partial neuron
    under A3, R9/R12) when it is below 1; otherwise at least λ¹ (misalignment of order λ and
    the components outside the span, R3).  Returns (rate, exact)."""
    e = pr.limit_exponent
    return (float(e), True) if e is not None and e < 1 else (1.0, False)


def _ladder(p: Problem, lams) -> list[Problem]:
    return [p.with_lambda(lam) for lam in lams]
