"""Claims N18, N19 and N24: convergence and the limit λ → 0 (rank one, the norms, the angle ∝ λ)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ...precision import rational
from ...problem import Problem, ProblemError
from ...summary import angle_gap
from ...verdict import Verdict
from ..common import all_of, floor, norm, trend_outcome
from ..core import Outcome, Session, claim, fmt, lam_str
from ..tolerance import All, Exact, Slope
from ._shared import PAPER, _converged, _max_angle, _nuclear, _pr, _teacher


def _gauss_points(p: Problem, seed: int = 0):
    """4n teacher-labelled test points from N(0, I_d), fixed by ``seed`` (exact binary floats)."""
    rng = np.random.default_rng(seed)
    return [[Fraction(float(c)) for c in row] for row in rng.standard_normal((4 * p.n, p.d))]


def _limit_metrics(s: Session, p: Problem, lam: str) -> dict:
    q = p.with_lambda(lam)
    pr = _pr(s, q)
    tr = _converged(s, q, power=2)
    ctx = tr.ctx
    st = tr.final_state
    J = pr.J_plus
    vs = _teacher(ctx, q)
    K = ctx.sqrt(pr.kappa_sq)
    test = _gauss_points(q)
    mse = ctx.zero
    for x in test:
        xc = [rational(ctx, c) for c in x]
        h = ctx.fsum(st.a[j] * max(ctx.fsum(a * b for a, b in zip(st.W[j], xc)), 0) for j in range(q.m))
        mse += (h - max(ctx.fsum(a * b for a, b in zip(vs, xc)), 0)) ** 2
    return {
        "tr": tr,
        "theta": abs(tr.theta_sq(st) - 2),
        "nuclear": abs(_nuclear(ctx, st.W) - 1),
        "angle": _max_angle(ctx, st, J),  # 0 for a single J_+ neuron (N18 and N24 leave it out)
        "parallel": max(2 * ctx.asin(ctx.sqrt(2 * angle_gap(ctx, st.W[j], vs)) / 2) for j in J),
        "positive": all(st.a[j] > 0 for j in J),
        "test": mse / len(test),
        "ratio": max(abs(norm(ctx, st.W[j]) / (pr.yardsticks[j].kappa / K) - 1) for j in J),
    }


def _limit_ladder(s: Session, p: Problem):
    lams = s.profile.sn_limit_lams
    rows = [_limit_metrics(s, p, lam) for lam in lams]
    return list(lams), rows, max(r["tr"].dps for r in rows), [floor(r["tr"]) for r in rows]


@claim(
    "N18",
    paper=PAPER,
    source="Thm 7; D5",
    statement="λ → 0: ‖θ^∞‖² → 2, ‖W^∞‖_* → 1, bundle angle → 0, neurons parallel to v* with a_j > 0, "
    "Gaussian test error → 0",
    notion="trends along the λ ladder (arbitrary precision): ‖θ‖² − 2 = O(λ²), nuclear-norm excess O(λ) "
    "(the frozen rows), angles O(λ), test MSE ≥ O(λ³) — slopes at least 90 % of these",
    instance="SN1",
    tolerance=All((Slope(), Exact("a_j > 0 on J_+"))),
)
def n18(s: Session, p: Problem, tol: All) -> Outcome:
    lams, rows, dps, floors = _limit_ladder(s, p)
    parts, slopes = [], {}
    keys = (("theta", 2.0), ("nuclear", 1.0), ("angle", 1.0), ("parallel", 1.0), ("test", 3.0))
    if len(_pr(s, p).J_plus) < 2:  # one J_+ neuron: no bundle angle to measure
        keys = tuple(k for k in keys if k[0] != "angle")
    for key, rate in keys:
        verdict, slope, detail = tol[0].judge(lams, [r[key] for r in rows], rate, False, floors)
        slopes[key] = slope
        parts.append((None if verdict is Verdict.INCONCLUSIVE else verdict is Verdict.PASS, f"{key}: {detail}"))
    parts.append((all(r["positive"] for r in rows), "a_j > 0 on J_+ at every λ"))
    verdict, detail = all_of(*parts)
    return Outcome(
        verdict,
        "slopes ≥ 0.9 × " + str(tuple(r for _, r in keys)),
        ", ".join(f"{k} {v:.3g}" for k, v in slopes.items()),
        tol[0].describe(exact=False),
        lam_str(lams),
        dps,
        detail,
    )


@claim(
    "N19",
    paper=PAPER,
    source="Lemma 34; D2",
    statement="lim ‖w_j^∞‖ = κ_j/√(Σ_{J_+} κ_k²) (the yardstick's norm split)",
    notion="relative error → 0 at least like the heuristic O(λ): log–log slope ≥ 0.9",
    instance="SN1",
    tolerance=Slope(),
)
def n19(s: Session, p: Problem, tol: Slope) -> Outcome:
    lams, rows, dps, floors = _limit_ladder(s, p)
    return trend_outcome(
        tol, lams, [r["ratio"] for r in rows], 1.0, False, floors, dps, what="max_j |‖w_j‖/(κ_j/𝒦) − 1|"
    )


@claim(
    "N24",
    paper=PAPER,
    source="D5 [heuristic]; Fig. 1, Tables 1–6 [empirical]",
    statement="small λ: the final maximum angle in J_+ is ∝ λ (log–log slope ≈ 1); ‖W‖_* → 1, ‖θ‖² → 2",
    notion="slope of the chord angle (no float floor) within 10 %, arbitrary precision",
    instance="SN1",
    tolerance=Slope(),
)
def n24(s: Session, p: Problem, tol: Slope) -> Outcome:
    if len(_pr(s, p).J_plus) < 2:
        raise ProblemError("init", "N24 needs at least two J_+ neurons (a bundle angle)")
    lams, rows, dps, floors = _limit_ladder(s, p)
    out = trend_outcome(tol, lams, [r["angle"] for r in rows], 1.0, True, floors, dps, what="max angle (rad)")
    last = rows[-1]
    return replace(
        out,
        observed=out.observed + f"; |‖W‖_* − 1| = {fmt(last['nuclear'], 3)}, |‖θ‖² − 2| = {fmt(last['theta'], 3)}",
        detail=out.detail
        + " (in degrees the angles are 57.3× larger; below ≈ 8.5e-7° float64's clamp-arccos would read 0)",
    )
