"""Claims O20–O22: without A3 (incremental learning, the limit above the minimum norm), the class fitted first, and time rescaling."""

from __future__ import annotations

from fractions import Fraction

from ...problem import Dataset, Problem, ProblemError
from ...verdict import Verdict
from ..common import (
    all_of,
    floor,
    norm,
    samples,
)
from ..core import Outcome, Session, claim, fmt, lam_str
from ..tolerance import All, Exact, Resolution, Slope
from ._shared import PAPER, _fit, _half_fit, _ladder, _limit_run, _need_a3, _need_two_classes, _tail_rate


@claim(
    "O20",
    paper=PAPER,
    source="R12 (heuristic)",
    statement="without A3 the flow interpolates, ‖θ_∞‖² → 2Σ_Q‖β_Q‖ > min ‖θ‖², and the jumps follow the "
    "R12 rule (incremental learning)",
    notion="limit: interpolation; ‖θ‖² and jump-time errors shrink monotonically as λ ↓; "
    "the limit norm exceeds the minimum",
    instance="E2",
    tolerance=All((Exact("the run interpolates; the limit norm exceeds the minimum by ≫ its error"), Slope())),
)
def o20(s: Session, p: Problem, tol: All) -> Outcome:
    pr0 = s.predict(p)
    if pr0.assumptions["A3"] or not pr0.assumptions["covered"]:
        raise ProblemError("init", "O20 needs A3 to fail while every point is kept by some correct-sign neuron")
    lams = s.profile.incremental_lams
    norm_errs, jump_errs, interp, dps = [], [], True, 0
    levels = [pr0.L0]
    remaining = set(range(p.n))
    ys = [abs(float(v)) for v in p.data.y]
    for jp in pr0.jumps:
        remaining -= set(jp.points)
        levels.append(sum(ys[k] ** 2 for k in remaining) / (2 * p.n))
    rate, exact = _tail_rate(pr0)
    floors = []
    for q in _ladder(p, lams):
        tr = _limit_run(s, q, rate)
        pr = s.predict(q, dps=tr.digits + 5)
        floors.append(floor(tr, pr.limit_theta_sq))
        ctx = tr.ctx
        dps = max(dps, tr.dps)
        interp = interp and tr.status.value == "loss_below"
        norm_errs.append(abs(tr.theta_sq(tr.final_state) - pr.limit_theta_sq))
        errs = []
        for i, jp in enumerate(pr.jumps):  # the loss crosses the midpoint between plateaus
            mid = (float(levels[i]) + float(levels[i + 1])) / 2
            lo, hi = ctx.zero, tr.t_end
            for _ in range(80):
                m = (lo + hi) / 2
                lo, hi = (m, hi) if tr.loss(m) > mid else (lo, m)
            errs.append(abs(lo / pr.log_inv_lambda - jp.T))
        jump_errs.append(max(errs))
    v1, s1, d1 = tol[1].judge(lams, norm_errs, rate, exact, floors)
    # jump times in T carry an O(1) shift in t, i.e. O(1/ln(1/λ)) in T: slope 1 against 1/ln(1/λ)
    inv_log = [1 / s.predict(q).log_inv_lambda for q in _ladder(p, lams)]
    v2, s2, d2 = tol[1].judge(inv_log, jump_errs, 1.0, True)
    gap = pr0.limit_theta_sq - pr0.min_theta_sq
    pf = {Verdict.PASS: True, Verdict.FAIL: False}
    verdict, detail = all_of(
        (interp, f"interpolates (loss below the limit-run threshold) at every λ: {interp}"),
        (pf.get(v1), "|‖θ‖² − 2Σ_Q‖β_Q‖|: " + d1),
        (pf.get(v2), "max |T_jump − T_R12| against 1/ln(1/λ): " + d2),
        (
            gap > 0 and norm_errs[-1] < gap / 10,
            f"limit norm {fmt(pr0.limit_theta_sq, 8)} exceeds min {fmt(pr0.min_theta_sq, 8)} "
            f"by {fmt(gap, 4)}, ≫ the last error",
        ),
    )
    return Outcome(
        verdict,
        f"‖θ∞‖² = {fmt(pr0.limit_theta_sq, 8)} > {fmt(pr0.min_theta_sq, 8)} (rate {rate:.4g}); jumps at T = "
        f"{', '.join(fmt(j.T, 5) for j in pr0.jumps)} (rate 1 in 1/ln(1/λ))",
        f"slopes {s1:.4g} and {s2:.4g}; last errors {fmt(norm_errs[-1], 3)} and {fmt(jump_errs[-1], 3)}",
        lam=lam_str(lams),
        dps=dps,
        detail=detail,
    )


@claim(
    "O21",
    paper=PAPER,
    source="R6",
    statement="the class with the larger ‖D_±‖ is fitted first",
    notion="order of the observed half-fit times at this λ",
    instance="E1",
    tolerance=Exact("order of the half-fit times"),
)
def o21(s: Session, p: Problem, tol: Exact) -> Outcome:
    pr = s.predict(p)
    _need_a3(pr)  # R6 needs A3 and A4
    _need_two_classes(pr)
    tr = _fit(s, p)
    t = {c: _half_fit(tr, pr.points(c), pr.class_initial_loss(c), c) for c in ("+", "-")}
    first = min(t, key=lambda c: t[c])
    return Outcome(
        Verdict.PASS if first == pr.fast else Verdict.FAIL,
        f"class {pr.fast} first (‖D_+‖ = {fmt(pr.plus.norm_D, 6)}, ‖D_−‖ = {fmt(pr.minus.norm_D, 6)})",
        f"class {first} first (T_half: + {fmt(t['+'] / pr.log_inv_lambda, 5)}, − {fmt(t['-'] / pr.log_inv_lambda, 5)})",
        run=tr,
    )


@claim(
    "O22",
    paper=PAPER,
    source="(derived)",
    statement="replacing L by cL rescales all times by 1/c",
    notion="exact: cL is the loss of the data (γx_k, γy_k) with γ² = c (same θ); events and states "
    "agree to the working digits",
    instance="E1",
    tolerance=All((Exact("same switch sequence"), Resolution(slack=3, of="max(1, t_e) and |a_j| + ‖w_j‖"))),
)
def o22(s: Session, p: Problem, tol: All) -> Outcome:

    s.predict(p)  # the paper's setting
    gamma = Fraction(3, 2)
    c = gamma**2
    scaled = Problem(Dataset([[gamma * v for v in x] for x in p.data.X], [gamma * v for v in p.data.y]), p.init)
    base = _fit(s, p)
    t_end = Fraction(int(base.t_end * 1000), 1000)
    tr = s.solve(p, t_end=t_end)
    sc = s.solve(scaled, t_end=t_end / c)
    ctx = tr.ctx
    ev = max((abs(e.t * c - f.t) / max(f.t, 1) for e, f in zip(sc.events, tr.events)), default=ctx.zero)
    same = [(e.neuron, e.point, e.direction) for e in sc.events] == [
        (e.neuron, e.point, e.direction) for e in tr.events
    ]
    worst = ctx.zero
    for t in samples(tr, s.profile.samples):
        a, b = tr.evaluate(t), sc.evaluate(min(t / c, sc.t_end))
        for j in range(p.m):
            scale = abs(a.a[j]) + norm(ctx, a.W[j])
            worst = max(worst, (abs(a.a[j] - b.a[j]) + norm(ctx, [u - v for u, v in zip(a.W[j], b.W[j])])) / scale)
    bound = tol[1].of_run(tr)
    verdict, detail = all_of(
        (same, f"same switch sequence: {same}"),
        (ev <= bound, f"max |c·t'_e − t_e|/max(1, t_e) = {fmt(ev, 3)}"),
        (worst <= bound, f"max relative state difference θ'(t/c) vs θ(t) = {fmt(worst, 3)}"),
    )
    return Outcome(
        verdict,
        f"times × 1/c (c = {c})",
        f"events {fmt(ev, 3)}, states {fmt(worst, 3)}",
        tol[1].describe(bound),
        detail=detail,
        run=tr,
    )
