"""What the claims of the single-neuron paper share: the fixture, the phase λ, predictions, runs to the limit, angles."""

from __future__ import annotations

import math
from fractions import Fraction

from ...datasets import sn1
from ...precision import rational
from ...problem import Problem, ProblemError
from ...summary import angle_gap
from ..core import FIXTURES, Session

PAPER = "single-neuron"
FIXTURES.update({"SN1": sn1})
PHASE_LAMBDA = "1e-30"  # phase claims: on SN1, T0 < T1 once λ < 5e-11 (ln(1/λ) > T0‖γ‖/ε)


def _pr(s: Session, p: Problem, dps: int = 30):
    pr = s.predict(p, dps=dps, paper=PAPER)
    if not pr.J_plus:
        raise ProblemError("init", "no neuron in J_+: the single-neuron claims need one")
    return pr


def _unmet(pr) -> list[str]:
    """The failing parts of Assumption 1.  (Assumption 2's λ is out of reach: the phase and
    limit claims run at λ ≤ 1e-30 and on ladders instead, as everywhere in this paper.)"""
    return [] if all(pr.assumption1.values()) else list(pr.notes)


def _digits(p: Problem, power: float, extra: int = 15) -> int:
    """Digits resolving an effect of size λ^power with ``extra`` to spare."""
    return max(30, math.ceil(power * p.log_inv_lambda / math.log(10)) + extra)


def _phase(p: Problem) -> Problem:
    """The problem at λ = 1e-30 unless it is already smaller."""
    return p if p.init.lam <= Fraction(1, 10**30) else p.with_lambda(PHASE_LAMBDA)


def _converged(s: Session, p: Problem, power: float = 2.0):
    """A run standing for t = ∞ at this λ for effects of size λ^power (``limit_options``)."""
    return s.solve(p, max_steps=10**6, **_pr(s, p).limit_options(power))


def _v(st, J):
    """The bundle v = Σ_{J_+} a_j w_j."""
    return [sum(st.a[j] * st.W[j][i] for j in J) for i in range(len(st.W[0]))]


def _max_angle(ctx, st, J):
    """Maximum chord angle 2 arcsin(‖ū − v̄‖/2) over pairs in J (no floor near 0)."""
    out = ctx.zero
    for a in J:
        for b in J:
            if a < b:
                out = max(out, 2 * ctx.asin(ctx.sqrt(2 * angle_gap(ctx, st.W[a], st.W[b])) / 2))
    return out


def _nuclear(ctx, W):
    sv = ctx.svd_r(ctx.matrix(W), compute_uv=False)
    return ctx.fsum(sv[i] for i in range(len(sv)))


def _teacher(ctx, p):
    return [rational(ctx, c) for c in p.data.teacher]


def _ladder(p: Problem, lams) -> list[Problem]:
    return [p.with_lambda(lam) for lam in lams]
