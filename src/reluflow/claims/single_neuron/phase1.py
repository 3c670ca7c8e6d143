"""Claims N6–N9: phase 1 (the yardstick's crossings, J_− and idle neurons, the bounds up to T1)."""

from __future__ import annotations

import math
from dataclasses import replace

from ...precision import rational
from ...problem import Problem, ProblemError
from ...verdict import Verdict
from ..common import all_of, floor, norm, samples, trend_outcome
from ..core import Outcome, Session, claim, fmt, lam_str
from ..tolerance import All, Bound, Exact, Resolution, Slope
from ._shared import PAPER, _converged, _digits, _ladder, _phase, _pr


@claim(
    "N6",
    paper=PAPER,
    source="Lemma 3; D5",
    statement="real neurons cross the same points in the same order as their yardsticks, within the "
    "Lemma 3 bound (ε = 1/4); the gap is O(λ²)",
    notion="bound at every λ, plus log–log slope 2 within 10 % (arbitrary precision, λ to 1e-60)",
    instance="SN1",
    tolerance=All(
        (Bound("Lemma 3: |t_ℓ − τ_ℓ| ≤ λ^(1 − (1 + (3ℓ−1)/(3n_j))ε), same points in the same order"), Slope())
    ),
)
def n6(s: Session, p: Problem, tol: All) -> Outcome:
    lams = s.profile.sn_early_lams
    errs, floors, dps, bound_ok, order_ok = [], [], 0, True, True
    for q in _ladder(p, lams):
        digits = _digits(q, 2, 12)
        pr = _pr(s, q, digits + 10)
        tr = s.solve(q, digits=digits, t_end=math.ceil(float(pr.T0)))
        dps = max(dps, tr.dps)
        lam = rational(pr.ctx, q.init.lam)
        e = pr.ctx.zero
        for j, y in pr.yardsticks.items():
            ev = [x for x in tr.events if x.neuron == j]
            if [(x.point, x.direction) for x in ev] != [(c.point, c.direction) for c in y.crossings]:
                order_ok = False
                continue
            for ell, (x, c) in enumerate(zip(ev, y.crossings), start=1):
                gap = abs(x.t - c.tau)
                e = max(e, gap)
                expo = 1 - (1 + pr.ctx.mpf(3 * ell - 1) / (3 * y.n_cross)) * rational(pr.ctx, pr.eps)
                bound_ok &= tol[0].holds(gap, lam**expo)
        errs.append(e)
        floors.append(floor(tr))
    if not _pr(s, p).crossings:
        raise ProblemError("init", "no point crosses any yardstick (every n_j = 0): no crossing times to compare")
    out = trend_outcome(tol[1], list(lams), errs, 2.0, True, floors, dps, what="max crossing gap")
    if not (order_ok and bound_ok):
        why = f"order matches: {order_ok}; Lemma 3 bound holds: {bound_ok}; "
        return replace(out, verdict=Verdict.FAIL, detail=why + out.detail)
    return replace(out, detail="same points in the same order and within the Lemma 3 bound at every λ; " + out.detail)


@claim(
    "N7",
    paper=PAPER,
    source="Lemmas 4, 19",
    statement="J_−: ‖w_j‖ non-increasing, ≤ λ‖z_j‖, deactivated by T0 and frozen; neurons outside J_± fixed",
    notion="exact equality for frozen neurons; monotonicity and bounds at step boundaries and samples",
    instance="SN1",
    tolerance=All((Resolution(slack=5, of="‖w_j‖ and λ‖z_j‖"), Exact("frozen J_− and idle neurons"))),
)
def n7(s: Session, p: Problem, tol: All) -> Outcome:
    q = _phase(p)
    pr = _pr(s, q)
    tr = _converged(s, q, power=1)
    ctx = tr.ctx
    lam = rational(ctx, q.init.lam)
    still = [j for j in range(q.m) if j not in pr.J_plus and j not in pr.J_minus]
    ts = sorted(set(tr.times + samples(tr, s.profile.samples)))
    slack = 1 + tol[0].of_run(tr)
    grew, above, late = 0, 0, []
    for j in pr.J_minus:
        z = [rational(ctx, c) for c in q.init.z[j]]
        prev = None
        for t in ts:
            nw = norm(ctx, tr.evaluate(t).W[j])
            grew += prev is not None and nw > prev * slack
            above += nw > lam * norm(ctx, z) * slack
            prev = nw
        last = max((e.t for e in tr.events if e.neuron == j), default=ctx.zero)
        if last > pr.T0:
            late.append(j)
    f0, fT = tr.evaluate(pr.T0), tr.final_state
    frozen = all(f0.W[j] == fT.W[j] and f0.a[j] == fT.a[j] for j in pr.J_minus)
    fixed = all(fT.W[j] == [rational(ctx, q.init.lam * c) for c in q.init.z[j]] for j in still)
    inactive = all(not any(fT.active[j]) for j in pr.J_minus)
    verdict, detail = all_of(
        (grew == 0 and above == 0, f"J_− = {list(pr.J_minus)}: {grew} increases, {above} values above λ‖z_j‖"),
        (not late and inactive, f"last exits before T0 = {fmt(pr.T0, 5)}; inactive at the end: {inactive}"),
        (frozen, "J_− weights at T0 and at the end identical (exact)"),
        (fixed, f"neurons {still} outside J_± equal λz_j exactly at the end"),
    )
    return Outcome(
        verdict,
        "frozen by T0, ≤ λ‖z_j‖",
        f"{grew} increases, {above} above the bound",
        detail=detail,
        run=tr,
    )


@claim(
    "N8",
    paper=PAPER,
    source="Lemma 19, Claim 20",
    statement="on [0, T1]: ‖w_j‖ < 2‖z_j‖λe^{‖γ_[n]‖t}; J_+ norms non-decreasing",
    notion="inequality at step boundaries and samples",
    instance="SN1",
    tolerance=All((Bound("‖w_j‖ < 2‖z_j‖λe^(‖γ_[n]‖t)", strict=True), Resolution(slack=5, of="‖w_j‖"))),
)
def n8(s: Session, p: Problem, tol: All) -> Outcome:
    q = _phase(p)
    pr = _pr(s, q)
    tr = s.solve(q, digits=30, t_end=math.ceil(float(pr.T1)))
    ctx = tr.ctx
    lam = rational(ctx, q.init.lam)
    over, dec, worst = 0, 0, ctx.zero
    prev = None
    for t in sorted(set(tr.times + samples(tr, s.profile.samples, hi=pr.T1))):
        if t > pr.T1:
            continue
        st = tr.evaluate(t)
        norms = [norm(ctx, w) for w in st.W]
        for j in range(q.m):
            b = 2 * norm(ctx, [rational(ctx, c) for c in q.init.z[j]]) * lam * ctx.exp(pr.G * t)
            worst = max(worst, norms[j] / b)
            over += not tol[0].holds(norms[j], b)
        if prev is not None:
            dec += sum(1 for j in pr.J_plus if norms[j] < prev[j] * (1 - tol[1].of_run(tr)))
        prev = norms
    verdict = Verdict.PASS if over == 0 and dec == 0 else Verdict.FAIL
    return Outcome(
        verdict,
        "‖w_j‖/(2‖z_j‖λe^{‖γ‖t}) < 1",
        f"max ratio {fmt(worst, 4)}; {dec} decreases in J_+",
        "< 1",
        detail=f"T1 = {fmt(pr.T1, 5)}",
        run=tr,
    )


@claim(
    "N9",
    paper=PAPER,
    source="Lemma 5; D5",
    statement="at T1: ‖w_j‖ < 2‖z_j‖λ^{1−ε}, w̄_jᵀγ̄_[n] ≥ 1 − λ^ε, |ln‖α_j‖ − ln‖w_j/λ‖| ≤ λ^{1−3ε}; "
    "the log-norm gap is O(λ^{2−2ε})",
    notion="the three bounds at every λ, plus log–log slope 2 − 2ε = 1.5 within 10 %",
    instance="SN1",
    tolerance=All((Bound("Lemma 5: ‖w_j‖ < 2‖z_j‖λ^(1−ε), w̄_jᵀγ̄ ≥ 1 − λ^ε, log-norm gap ≤ λ^(1−3ε)"), Slope())),
)
def n9(s: Session, p: Problem, tol: All) -> Outcome:
    lams = s.profile.sn_early_lams
    errs, floors, dps, ok, skipped = [], [], 0, True, []
    for q in _ladder(p, lams):
        digits = _digits(q, 2, 12)
        pr = _pr(s, q, digits + 10)
        ctx = pr.ctx
        eps = rational(ctx, pr.eps)
        tr = s.solve(q, digits=digits, t_end=math.ceil(float(pr.T1)))
        dps = max(dps, tr.dps)
        st = tr.evaluate(pr.T1)
        lam = rational(ctx, q.init.lam)
        gbar = [g / pr.G for g in pr.gamma]
        e = ctx.zero
        separated = pr.T0 < pr.T1  # Lemma 5 rests on Prop. 18 (T0 < T1/3 under Assumption 2)
        if not separated:
            skipped.append(lam_str(q.init.lam))
        for j in pr.J_plus:
            w = st.W[j]
            nw = norm(ctx, w)
            r, _ = pr.yardsticks[j].state(ctx, pr.T1)
            zn = norm(ctx, [rational(ctx, c) for c in q.init.z[j]])
            gap = abs(ctx.log(r) - ctx.log(nw / lam))
            if separated:
                ok &= nw < 2 * zn * lam ** (1 - eps)  # the three bounds of tol[0], as Lemma 5 states them
                ok &= ctx.fsum(a * b for a, b in zip(w, gbar)) / nw >= 1 - lam**eps
                ok &= gap <= lam ** (1 - 3 * eps)
            e = max(e, gap)
        errs.append(e)
        floors.append(floor(tr))
    out = trend_outcome(tol[1], list(lams), errs, 1.5, True, floors, dps, what="max log-norm gap")
    note = f" (not at λ = {', '.join(skipped)}, where T1 ≤ T0: the phases do not separate yet)" if skipped else ""
    return replace(
        out,
        verdict=out.verdict if ok else Verdict.FAIL,
        detail=f"Lemma 5 bounds hold at every λ with T0 < T1: {ok}{note}; " + out.detail,
    )
