"""Claims O4–O8: the early phase and the alignment window."""

from __future__ import annotations

import math

from ...precision import rational
from ...problem import Problem
from ...summary import angle_gap
from ...verdict import Verdict
from ..common import (
    all_of,
    floor,
    frac,
    norm,
    samples,
    trend_outcome,
)
from ..core import Outcome, Session, claim, fmt, lam_str
from ..tolerance import All, Bound, Exact, Slope
from ._shared import EPS, PAPER, _fit, _ladder_runs


def _t_star(pr):
    """A fixed time after every λ-free deactivation (R3), for O4 and O5."""
    return max(1, math.ceil(1.25 * max(float(nb.t_N) for nb in pr.neurons) * 4) / 4)


def _early_ladder(s: Session, pr, t_star) -> tuple[str, ...]:
    """The profile's early-phase ladder, moved to smaller λ when t_star lies outside the
    R3 window at its top: the O(λ²) corrections grow like λ²e^{2 max‖D_±‖t/n}, so the ladder
    starts where t_star ≤ ε n ln(1/λ)/max‖D_±‖ (ε = 1/2) — found by Hypothesis: an instance
    with late deactivations was still pre-asymptotic at λ = 1e-3."""
    top = max(v for v in (pr.plus.norm_D, pr.minus.norm_D) if v is not None)
    need = float(top) * t_star / (float(EPS) * pr.problem.n * math.log(10))  # decades of 1/λ needed
    base = s.profile.early_lams
    shift = max(0, math.ceil(need) - round(-math.log10(float(frac(base[0])))))
    return tuple(f"1e-{round(-math.log10(float(frac(lam)))) + shift}" for lam in base)


@claim(
    "O4",
    paper=PAPER,
    source="R3",
    statement="w_j(t)/λ → ŵ_j(t) at fixed t, error O(λ²)",
    notion="log–log slope 2 in λ (within 10 %)",
    instance="E1",
    tolerance=Slope(),
)
def o4(s: Session, p: Problem, tol: Slope) -> Outcome:
    pr = s.predict(p)
    t_star = _t_star(pr)
    lams = _early_ladder(s, pr, t_star)
    errs, floors, dps = [], [], 0
    for q, pq, tr in _ladder_runs(s, p, lams, 2.0, t_end=t_star):  # pq: ŵ at the run's precision
        dps = max(dps, tr.dps)
        floors.append(floor(tr))
        st = tr.evaluate(t_star)
        ctx = tr.ctx
        lam = rational(ctx, q.init.lam)
        e = ctx.zero
        for j in range(p.m):
            w_hat = pq.early_direction(j, t_star)
            e = max(e, norm(ctx, [a / lam - b for a, b in zip(st.W[j], w_hat)]) / norm(ctx, w_hat))
        errs.append(e)
    return trend_outcome(
        tol, lams, errs, 2.0, True, floors, dps, what="max_j ‖w_j/λ − ŵ_j‖/‖ŵ_j‖", note=f"at t = {t_star}: "
    )


@claim(
    "O5",
    paper=PAPER,
    source="R3",
    statement="wrong-sign pairs deactivate at the λ-free times of R3; the final active set is P_j",
    notion="event times converge with error O(λ²) (slope 2 within 10 %); active sets exact",
    instance="E1",
    tolerance=All((Slope(), Exact("the predicted switches, and A_j(∞) = P_j"))),
)
def o5(s: Session, p: Problem, tol: All) -> Outcome:
    pr = s.predict(p)
    predicted = {(ev.neuron, ev.point): ev.t for nb in pr.neurons for ev in nb.deactivations}
    t_star = _t_star(pr)
    lams = _early_ladder(s, pr, t_star)
    errs, floors, missing = [], [], 0
    for _q, pq, tr in _ladder_runs(s, p, lams, 2.0, t_end=t_star):
        floors.append(floor(tr, t_star))
        times = {(ev.neuron, ev.point): ev.t for nb in pq.neurons for ev in nb.deactivations}  # at the run's precision
        seen = {(e.neuron, e.point): e.t for e in tr.events if e.direction == "off"}
        missing += len(set(times) ^ set(seen))
        errs.append(max((abs(seen[k] - tp) for k, tp in times.items() if k in seen), default=tr.ctx.zero))
    full = _fit(s, p)
    st = full.final_state
    wrong_sets = [j for j, nb in enumerate(pr.neurons) if tuple(k for k in range(p.n) if st.active[j][k]) != nb.kept]
    if predicted:
        verdict_t, slope, detail = tol[0].judge(lams, errs, 2.0, True, floors)
    else:
        verdict_t, slope, detail = Verdict.PASS, math.nan, "no wrong-sign pairs: nothing to deactivate"
    verdict, det2 = all_of(
        ({Verdict.PASS: True, Verdict.FAIL: False}.get(verdict_t), detail),
        (missing == 0, f"{missing} (neuron, point) switches predicted but not seen, or seen but not predicted"),
        (
            not wrong_sets,
            f"final A_j ≠ P_j for neurons {wrong_sets}"
            if wrong_sets
            else f"final active sets equal P_j for all {p.m} neurons (run at λ = {lam_str(p.init.lam)})",
        ),
    )
    return Outcome(
        verdict,
        f"{len(predicted)} switches, slope 2; A_j(∞) = P_j",
        f"slope {slope:.4g}; set mismatches {missing}; active-set mismatches {len(wrong_sets)}",
        lam=lam_str(lams) + f"; {lam_str(p.init.lam)}",
        detail=det2,
        run=full,
    )


def _window(pr):
    """(t_1, t_w): T_1 = ε n ln(1/λ)/max‖D_±‖ and the window end (1 − ε) n ln(1/λ)/max‖D_±‖."""
    top = max(v for v in (pr.plus.norm_D, pr.minus.norm_D) if v is not None)
    base = pr.problem.n * pr.log_inv_lambda / top
    return EPS.numerator * base / EPS.denominator, (1 - EPS) * base, top


@claim(
    "O6",
    paper=PAPER,
    source="R3, R4",
    statement="1 − cos∠(w_j(t), D_j) ≤ C_j e^{−2‖D_j‖t/n} on [t_N, (1−ε)n ln(1/λ)/max‖D_±‖]; at T_1 "
    "cos ≥ 1 − λ^ε when ‖D_j‖ > ½ max‖D_±‖ (ε = 1/2)",
    notion="inequalities at this λ (chord formula for angles)",
    instance="E1",
    tolerance=All(
        (
            Bound("1 − cos∠(w_j, D_j) ≤ C_j e^(−2‖D_j‖t/n) on the window", rel="1e-6"),
            Bound("1 − cos∠(w_j(T_1), D_j) ≤ λ^ε"),
        )
    ),
)
def o6(s: Session, p: Problem, tol: All) -> Outcome:
    pr = s.predict(p)
    tr = _fit(s, p)
    ctx = tr.ctx
    t1, tw, top = _window(pr)
    n = p.n
    ratio, excess, at_t1, checked = ctx.zero, 0, ctx.zero, []
    resolution = ctx.mpf(floor(tr)) ** 2  # 1 − cos = chord²/2, the chord resolved to the digits
    lam_eps = rational(ctx, p.init.lam) ** (EPS.numerator / ctx.mpf(EPS.denominator))
    for nb in pr.neurons:
        if not nb.alive:
            continue
        for t in samples(tr, s.profile.samples, lo=nb.t_N + ctx.mpf(1) / 8, hi=tw):
            gap = angle_gap(ctx, tr.evaluate(t).W[nb.index], nb.D)
            bound = nb.C * ctx.exp(-2 * nb.norm_D * t / n)
            if bound > resolution:
                ratio = max(ratio, gap / bound)
            excess += gap > tol[0].limit(ctx, bound) + resolution
        if nb.norm_D > top / 2:
            checked.append(nb.index)
            at_t1 = max(at_t1, angle_gap(ctx, tr.evaluate(t1).W[nb.index], nb.D) / lam_eps)
    verdict, detail = all_of(
        (
            tol[0].holds(ratio, 1, ctx) and excess == 0,
            f"max over alive neurons of (1 − cos)/(C_j e^(−2‖D_j‖t/n)) = {fmt(ratio, 8)} "
            f"(≤ 1 + 1e-6; {excess} samples above the bound plus the resolution {fmt(resolution, 2)})",
        ),
        (tol[1].holds(at_t1, 1), f"at T_1: max (1 − cos)/λ^ε = {fmt(at_t1, 3)} over neurons {checked} (≤ 1)"),
    )
    return Outcome(
        verdict,
        "ratio ≤ 1; (1 − cos)/λ^ε ≤ 1",
        f"{fmt(ratio, 8)}; {fmt(at_t1, 3)}",
        detail=detail,
        run=tr,
    )


@claim(
    "O7",
    paper=PAPER,
    source="R4 (inferred form)",
    statement="‖w_j(T_1)‖ ≤ 2‖z_j‖λ^{1−ε} with T_1 = ε n ln(1/λ)/max‖D_±‖ (ε = 1/2)",
    notion="inequality at this λ",
    instance="E1",
    tolerance=Bound("‖w_j(T_1)‖ ≤ 2‖z_j‖λ^(1−ε)"),
)
def o7(s: Session, p: Problem, tol: Bound) -> Outcome:
    pr = s.predict(p)
    tr = _fit(s, p)
    ctx = tr.ctx
    t1, _, _ = _window(pr)
    st = tr.evaluate(t1)
    lam = rational(ctx, p.init.lam)
    bound = lam ** (1 - EPS.numerator / ctx.mpf(EPS.denominator))
    worst = max(
        norm(ctx, st.W[j]) / (2 * norm(ctx, [rational(ctx, c) for c in p.init.z[j]]) * bound) for j in range(p.m)
    )
    return Outcome(
        Verdict.PASS if tol.holds(worst, 1) else Verdict.FAIL,
        "ratio ≤ 1",
        f"max ‖w_j(T_1)‖/(2‖z_j‖λ^(1−ε)) = {fmt(worst, 4)}",
        detail=f"T_1 = {fmt(t1 / pr.log_inv_lambda, 5)} (t = {fmt(t1, 6)})",
        run=tr,
    )


@claim(
    "O8",
    paper=PAPER,
    source="R3",
    statement="ln‖w_j(t)‖ − ln(λK_j) − ‖D_j‖t/n → 0 on the alignment window [T_1, (1−ε)n ln(1/λ)/max‖D_±‖]",
    notion="limit λ → 0: sup error ≍ λ^{2ε min_j ‖D_j‖/max‖D_±‖} (slope within 10 %)",
    instance="E1",
    tolerance=Slope(),
)
def o8(s: Session, p: Problem, tol: Slope) -> Outcome:
    pr0 = s.predict(p)
    _, _, top = _window(pr0)
    rate = float(2 * EPS * min(nb.norm_D for nb in pr0.neurons if nb.alive) / top)
    lams = s.profile.window_lams
    errs, floors, dps = [], [], 0
    for q, pr, tr in _ladder_runs(s, p, lams, rate):
        ctx = tr.ctx
        dps = max(dps, tr.dps)
        floors.append(floor(tr, q.log_inv_lambda))
        t1, tw, _ = _window(pr)
        lam = rational(ctx, q.init.lam)
        e = ctx.zero
        for t in samples(tr, s.profile.samples, lo=t1, hi=tw):
            st = tr.evaluate(t)
            for nb in pr.neurons:
                if nb.alive:
                    e = max(e, abs(ctx.log(norm(ctx, st.W[nb.index])) - ctx.log(lam * nb.K) - nb.norm_D * t / q.n))
        errs.append(e)
    return trend_outcome(tol, lams, errs, rate, True, floors, dps, what="sup |ln‖w_j‖ − ln(λK_j) − ‖D_j‖t/n|")
