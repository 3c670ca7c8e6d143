"""Claims N10–N17: phase 2 (the J_+ bundle: activity, alignment, the reduced flow v, escape time T2, the fit)."""

from __future__ import annotations

import math

from ...precision import rational
from ...problem import Problem, ProblemError
from ...summary import angle_gap
from ...verdict import Verdict
from ..common import all_of, floor, norm, not_observed, samples
from ..core import NotObserved, Outcome, Session, claim, fmt, lam_str, loglog_slope
from ..tolerance import All, Bound, Exact, Predicates, Rel, Resolution, Slope
from ._shared import (
    PAPER,
    PHASE_LAMBDA,
    _converged,
    _ladder,
    _max_angle,
    _phase,
    _pr,
    _teacher,
    _unmet,
    _v,
)


def _after_T1(s: Session, p: Problem, count: int):
    q = _phase(p)
    tr = _converged(s, q, power=1)
    pr = _pr(s, q, tr.digits + 10)  # ν, f(v), S at the run's precision
    L0 = tr.loss(0)
    ts = [t for t in sorted(set(tr.times + samples(tr, count, lo=pr.T1))) if t >= pr.T1]
    # beyond L ≈ 10^-(digits) of L0 the directions of v* − v are rounding: stop there
    ts = [t for t in ts if tr.loss(t) > L0 * tr.resolution(10)]
    return q, pr, tr, ts


@claim(
    "N10",
    paper=PAPER,
    source="Lemma 28(iii),(iv)",
    statement="t ≥ T1: every J_+ neuron is active on every point; h(x_i) = vᵀx_i; the g_j are equal",
    notion="activation pattern (exact) at step boundaries and samples",
    instance="SN1",
    tolerance=All((Exact("every J_+ pair active"), Resolution(slack=5))),
)
def n10(s: Session, p: Problem, tol: All) -> Outcome:
    q, pr, tr, ts = _after_T1(s, p, s.profile.samples)
    ctx = tr.ctx
    bad, worst = 0, ctx.zero
    X = [[rational(ctx, c) for c in x] for x in q.data.X]
    for t in ts:
        st = tr.evaluate(t)
        bad += sum(1 for j in pr.J_plus for i in range(q.n) if not st.active[j][i])
        v = _v(st, pr.J_plus)
        h = [ctx.fsum(st.a[j] * st.U[j][i] for j in range(q.m) if st.active[j][i]) for i in range(q.n)]
        worst = max([worst] + [abs(h[i] - ctx.fsum(a * b for a, b in zip(v, X[i]))) for i in range(q.n)])
    bound = tol[1].of_run(tr)
    verdict = Verdict.PASS if bad == 0 and worst <= bound else Verdict.FAIL
    return Outcome(
        verdict,
        "all J_+ pairs active; h = vᵀx",
        f"{bad} inactive pairs; max |h − vᵀx| {fmt(worst, 3)}",
        f"exact / ≤ {fmt(bound, 2)}",
        run=tr,
        detail=f"{len(ts)} times in [T1, fit], T1 = {fmt(pr.T1, 5)} (g_j = g follows from the equal patterns)",
    )


@claim(
    "N11",
    paper=PAPER,
    source="Lemma 28(i) and its proof",
    statement="t ≥ T1: pairwise 1 − cos∠(w_j, w_j') < 4λ^ε in J_+, and non-increasing",
    notion="bound; monotone up to the run's resolution (1 − cos by the chord formula, arbitrary precision)",
    instance="SN1",
    tolerance=All(
        (
            Bound("1 − cos∠(w_j, w_j′) < 4λ^ε in J_+", strict=True),
            Resolution(slack=5, of="the previous gap"),
        )
    ),
)
def n11(s: Session, p: Problem, tol: All) -> Outcome:
    q, pr, tr, ts = _after_T1(s, p, s.profile.samples)
    ctx = tr.ctx
    lam = rational(ctx, q.init.lam)
    bound = 4 * lam ** rational(ctx, pr.eps)
    J = pr.J_plus
    prev, rises, worst = None, 0, ctx.zero
    res = tol[1].of_run(tr)
    for t in ts:
        st = tr.evaluate(t)
        gaps = {(a, b): angle_gap(ctx, st.W[a], st.W[b]) for a in J for b in J if a < b}
        worst = max([worst] + list(gaps.values()))
        if prev is not None:
            rises += sum(1 for k in gaps if gaps[k] > prev[k] * (1 + res) + res * lam**2)
        prev = gaps
    verdict = Verdict.PASS if tol[0].holds(worst, bound) and rises == 0 else Verdict.FAIL
    return Outcome(
        verdict,
        f"1 − cos < 4λ^ε = {fmt(bound, 3)}, non-increasing",
        f"max {fmt(worst, 3)}; {rises} increases",
        detail=f"{len(ts)} times in [T1, fit]",
        run=tr,
    )


@claim(
    "N12",
    paper=PAPER,
    source="Lemma 28(ii), Props. 25, 27",
    statement="t ≥ T1: v ∈ S; vᵀ(v* − v) > 0; cos∠(v, x_i) > √8 λ^{ε/2}",
    notion="the predicates at step boundaries and samples (until the loss reaches the run's resolution); "
    "Ξ's threshold λ^{ε/3} at the λ of Assumption 2, under which Lemma 28 holds (misses of the run's "
    "own λ^{ε/3} are reported)",
    instance="SN1",
    tolerance=Predicates(("v ∈ S", "vᵀ(v* − v) > 0", "cos∠(v, x_i) > √8 λ^(ε/2)")),
)
def n12(s: Session, p: Problem, tol: Predicates) -> Outcome:
    q, pr, tr, ts = _after_T1(s, p, s.profile.samples)
    ctx = tr.ctx
    lam = rational(ctx, q.init.lam)
    vs = _teacher(ctx, q)
    X = [[rational(ctx, c) for c in x] for x in q.data.X]
    c_min = ctx.sqrt(8) * lam ** (rational(ctx, pr.eps) / 2)
    xi_a2 = ctx.mpf(10) ** (pr.log10_lambda_max * rational(ctx, pr.eps) / 3)  # λ_max^{ε/3}, Assumption 2
    xi_run = lam ** (rational(ctx, pr.eps) / 3)
    outside, ball, cone, misses, seen, xi_min = 0, 0, 0, 0, set(), ctx.inf
    for t in ts:
        v = _v(tr.evaluate(t), pr.J_plus)
        S = pr.S_predicates(v, xi_threshold=xi_a2)
        seen.add(S["S"])
        outside += S["S"] is None
        misses += S["xi"] <= xi_run
        xi_min = min(xi_min, S["xi"])
        ball += ctx.fsum(a * (b - a) for a, b in zip(v, vs)) <= 0
        nv = norm(ctx, v)
        cone += any(ctx.fsum(a * b for a, b in zip(v, x)) / (nv * norm(ctx, x)) <= c_min for x in X)
    verdict = tol.judge(dict(zip(tol.names, (outside == 0, ball == 0, cone == 0))))
    finding = (
        (
            f"; at {misses} times Ξ misses the run's own threshold λ^(ε/3) = {fmt(xi_run, 3)} (min v̄ᵀḡ = "
            f"{fmt(xi_min, 3)}): this λ is far above Assumption 2's, so Lemma 28 does not cover it"
        )
        if misses
        else ""
    )
    return Outcome(
        verdict,
        "v ∈ S, in the ball, inside the cone",
        f"{outside} outside S, {ball} outside the ball, "
        f"{cone} near a boundary; visited S_ℓ for ℓ ∈ {sorted(x for x in seen if x)}",
        run=tr,
        detail=f"{len(ts)} times in [T1, fit]; Ξ threshold λ_max^(ε/3) = {fmt(xi_a2, 3)}" + finding,
    )


@claim(
    "N13",
    paper=PAPER,
    source="§5, Example 31; D6",
    statement="{k: ν_k > ν*_k} is a prefix; each ν_k − ν*_k changes sign at most once (− → +); ν_d never",
    notion="sign pattern at step boundaries and dense samples",
    instance="SN1",
    tolerance=Exact("sign pattern of ν_k − ν*_k"),
)
def n13(s: Session, p: Problem, tol: Exact) -> Outcome:
    q, pr, tr, ts = _after_T1(s, p, s.profile.samples * 4)
    d = q.d
    prefix_bad, changes = 0, [0] * d
    prev = None
    for t in ts:
        nu = pr.coords(_v(tr.evaluate(t), pr.J_plus))
        above = [nu[k] > pr.nu_star[k] for k in range(d)]
        prefix_bad += any(above[k + 1] and not above[k] for k in range(d - 1))
        if prev is not None:
            for k in range(d):
                changes[k] += above[k] != prev[k]
        prev = above
    ok = prefix_bad == 0 and all(c <= 1 for c in changes) and changes[-1] == 0
    return Outcome(
        Verdict.PASS if ok else Verdict.FAIL,
        "prefix; ≤ 1 change each; none for k = d",
        f"{prefix_bad} non-prefix patterns; sign changes per k {changes}",
        detail=f"{len(ts)} times in [T1, fit]",
        run=tr,
    )


def _vdot_ratio(tr, pr, st):
    """‖v̇ − f(v)‖/‖f(v)‖ with v̇ = Σ_{J_+}(ȧ_j w_j + a_j ẇ_j) from the state (ȧ_j = w_jᵀg_j, ẇ_j = a_j g_j)."""
    ctx, q = tr.ctx, tr.problem
    r = tr.residuals(st)
    X = [[rational(ctx, c) for c in x] for x in q.data.X]
    vdot = [ctx.zero] * q.d
    for j in pr.J_plus:
        g = [ctx.fsum(r[i] * X[i][a] for i in range(q.n) if st.active[j][i]) / q.n for a in range(q.d)]
        adot = ctx.fsum(a * b for a, b in zip(st.W[j], g))
        vdot = [vd + adot * w + st.a[j] ** 2 * gi for vd, w, gi in zip(vdot, st.W[j], g)]
    f = pr.f(_v(st, pr.J_plus))
    return norm(ctx, [a - b for a, b in zip(vdot, f)]) / norm(ctx, f)


@claim(
    "N14",
    paper=PAPER,
    source="Lemma 28(vi); D5",
    statement="‖v̇ − f(v)‖ ≤ 3λ^{ε/2}‖f(v)‖ for t ≥ T1 (f the reduced velocity); heuristically the ratio is "
    "∝ the bundle angle",
    notion="the bound at every λ of the ladder; the heuristic as a log–log slope 1 (within 10 %) of the ratio "
    "against the bundle angle at t = T2_pred along the ladder",
    instance="SN1",
    tolerance=All((Bound("‖v̇ − f(v)‖ ≤ 3λ^(ε/2)‖f(v)‖"), Slope())),
)
def n14(s: Session, p: Problem, tol: All) -> Outcome:
    lams = list(s.profile.sn_limit_lams) + [PHASE_LAMBDA]
    bound_ok, dps, sups, ratios, angles, floors = True, 0, [], [], [], []
    bundle = len(_pr(s, p).J_plus) > 1  # one J_+ neuron is the reduced model itself: no angle, ratio 0
    for ql in _ladder(p, lams):
        trl = _converged(s, ql, power=1)
        prl = _pr(s, ql, trl.digits + 10)
        ctx = trl.ctx
        dps = max(dps, trl.dps)
        bound = 3 * rational(ctx, ql.init.lam) ** (rational(ctx, prl.eps) / 2)
        sup = ctx.zero
        for t in samples(trl, s.profile.samples, lo=prl.T1):
            if t < prl.T1:
                continue
            ratio = _vdot_ratio(trl, prl, trl.evaluate(t))
            sup = max(sup, ratio)
            bound_ok &= tol[0].holds(ratio, bound)
        sups.append(sup)
        st = trl.evaluate(min(_T2_pred(_pr(s, ql)), trl.t_end))  # the bundle is O(1), f is O(1)
        ratios.append(_vdot_ratio(trl, prl, st))
        angles.append(_max_angle(ctx, st, prl.J_plus))
        floors.append(floor(trl))
    parts = [(bound_ok, f"Lemma 28(vi) bound holds at every λ: {bound_ok}")]
    observed = f"sup_t ratio {fmt(sups, 3)}"
    if bundle:
        verdict, slope, det = tol[1].judge(angles, ratios, 1.0, True, floors)
        q2 = [float(r / a**2) for r, a in zip(ratios, angles)]
        parts.append(
            (
                {Verdict.PASS: True, Verdict.FAIL: False}.get(verdict),
                f"at T2_pred: angles {fmt(angles, 3)}, ratios {fmt(ratios, 3)}; ratio against angle: {det}; "
                f"slopes in λ: angle {loglog_slope(lams, angles):.4g}, ratio {loglog_slope(lams, ratios):.4g}; "
                f"ratio/angle² = {fmt(q2, 3)}",
            )
        )
        observed += f"; slope of ratio against angle {slope:.4g}"
    else:
        parts.append((True, "one J_+ neuron: it is the reduced model itself, so the angle heuristic does not apply"))
    verdict, detail = all_of(*parts)
    return Outcome(
        verdict,
        "ratio ≤ 3λ^(ε/2); ratio ∝ bundle angle (slope 1)" if bundle else "ratio ≤ 3λ^(ε/2)",
        observed,
        lam=lam_str(lams),
        dps=dps,
        detail=detail,
    )


def _T2(tr, pr):
    """The first time ν_1 ≥ ν*_1/2 after T1 (bisection on the dense output).  No escape
    within the run, or ν_1 ≥ ν*_1/2 already at T1, is a FAIL under Assumption 1."""
    ctx = tr.ctx
    half = pr.nu_star[0] / 2
    nu1 = lambda t: pr.coords(_v(tr.evaluate(t), pr.J_plus))[0]
    lo, hi = pr.T1, tr.t_end
    what = (
        f"ν_1 ≥ ν*_1/2 already at T1 = {fmt(lo, 5)}"
        if nu1(lo) >= half
        else f"ν_1 never reaches ν*_1/2 = {fmt(half, 5)} after T1 (no escape)"
        if nu1(hi) < half
        else None
    )
    if what:
        raise not_observed(what, tr, _unmet(pr), predicted="T1 < T2 < ∞ (Lemma 32)", tolerance="ν_1 crosses ν*_1/2")
    for _ in range(int(ctx.prec) + 8):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if nu1(mid) < half else (lo, mid)
    return hi


def _T2_pred(pr):
    """The predicted T2 (D3 + D4); a reduced model that never escapes is a FAIL under Assumption 1."""
    try:
        return pr.T2
    except ProblemError as exc:
        unmet = _unmet(pr)
        verdict = Verdict.INCONCLUSIVE if unmet else Verdict.FAIL
        raise NotObserved(
            Outcome(
                verdict,
                "T2_pred finite (D3, D4)",
                f"no T2_pred: {exc}",
                "ν_1 crosses ν*_1/2",
                lam_str(pr.problem.init.lam),
                pr.dps,
                f"the reduced model gives no T2 ({exc})"
                + (
                    "; not applicable, Assumption 1 fails: " + "; ".join(unmet)
                    if unmet
                    else " although Assumption 1 holds"
                ),
            )
        ) from exc


@claim(
    "N15",
    paper=PAPER,
    source="Lemma 32(i)–(iii), Thm 6; D3",
    statement="‖v‖ < 1/2 on [T1, T2], ‖v‖ > ‖γ_[n]‖/(4η_1) after T2; T2 − T1 < ln(1/λ)(4 + ε/2)dΔ²/δ⁶ and "
    "T2 < ln(1/λ)(4 + ε)dΔ²/δ⁶; T2 grows like ln(1/λ)/‖γ_[n]‖",
    notion="bounds at step boundaries and samples; the Lemma 32(ii) bounds at every λ; the slope of T2 in "
    "ln(1/λ) → 1/‖γ_[n]‖ (consecutive slopes within 1e-3), and T2 − T2_D3+D4 → 0 along the ladder",
    instance="SN1",
    tolerance=All(
        (
            Bound("‖v‖ < 1/2 before T2, > ‖γ‖/(4η_1) after; Lemma 32(ii)", strict=True),
            Rel(1e-3),
            Bound("|T2 − T2_pred| < 1e-6 on the lower half of the ladder", strict=True),
        )
    ),
)
def n15(s: Session, p: Problem, tol: All) -> Outcome:
    q, pr, tr, ts = _after_T1(s, p, s.profile.samples)
    ctx = tr.ctx
    T2 = _T2(tr, pr)
    before = sum(1 for t in ts if t <= T2 and norm(ctx, _v(tr.evaluate(t), pr.J_plus)) >= ctx.mpf(1) / 2)
    low = pr.G / (4 * pr.eta[0])
    after = sum(1 for t in ts if t > T2 and norm(ctx, _v(tr.evaluate(t), pr.J_plus)) <= low)
    lams = s.profile.sn_escape_lams
    T2s, gaps, logs = [], [], []
    margins = []  # Lemma 32(ii): observed/bound for T2 − T1 and T2, at every λ

    def bounds(prl, T2l):
        b = prl.T2_bounds
        margins.append((float((T2l - prl.T1) / b["T2_minus_T1"]), float(T2l / b["T2"])))

    bounds(pr, T2)
    for ql in _ladder(p, lams):
        prl = _pr(s, ql)
        T2p = _T2_pred(prl)
        trl = s.solve(ql, digits=30, t_end=math.ceil(float(max(T2p, prl.T1)) + 5))
        T2s.append(_T2(trl, prl))
        bounds(prl, T2s[-1])
        gaps.append(abs(T2s[-1] - T2p))
        logs.append(prl.log_inv_lambda)
    slopes = [(b - a) / (lb - la) for a, b, la, lb in zip(T2s, T2s[1:], logs, logs[1:])]
    target = 1 / pr.G
    slope_ok = abs(slopes[-1] - target) / target < ctx.mpf(str(tol[1].rel))
    worst = max(max(m) for m in margins)
    verdict, detail = all_of(
        (before == 0 and after == 0, f"‖v‖ ≥ 1/2 before T2 at {before} times; ‖v‖ ≤ ‖γ‖/(4η_1) after at {after}"),
        (
            worst < 1,
            f"Lemma 32(ii) at λ = {lam_str(q.init.lam)}, {lam_str(list(lams))}: (T2 − T1)/bound, T2/bound = "
            + ", ".join(f"({a:.3g}, {b:.3g})" for a, b in margins),
        ),
        (slope_ok, f"slopes of T2 in ln(1/λ): {fmt(slopes, 6)} → 1/‖γ_[n]‖ = {fmt(target, 6)}"),
        (
            tol[2].holds(max(gaps[len(gaps) // 2 :]), ctx.mpf("1e-6")),
            f"|T2 − T2_pred| along the ladder: {fmt(gaps, 3)} (T2_pred = t_escape (D3) + the reduced model's offset (D4))",
        ),
    )
    return Outcome(
        verdict,
        f"slope 1/‖γ‖ = {fmt(target, 6)}; T2_pred(λ={lam_str(q.init.lam)}) = {fmt(_T2_pred(pr), 8)}; "
        f"T2 < {fmt(pr.T2_bounds['T2'], 4)}",
        f"T2 = {fmt(T2, 8)}; last slope {fmt(slopes[-1], 6)}; max observed/bound {worst:.3g}",
        "1e-3 relative (slope); bounds strict",
        lam_str(list(lams)),
        tr.dps,
        detail,
    )


@claim(
    "N16",
    paper=PAPER,
    source="Lemma 32(iv),(v), Thm 6; D4",
    statement="after T2: ‖∇L‖² > (2η_d‖γ‖/(5η_1))L, L < (Δ²/2)e^{−(t−T2)2δ⁴/(5Δ²)}, L < (‖γ‖/2)e^{−(t−T2)·PL}; "
    "asymptotic rate 2λ_min((I + v*v*ᵀ)Σ), independent of λ",
    notion="inequalities at samples; late log-slope of L within 1 %",
    instance="SN1",
    tolerance=All((Bound("PL, Thm 6 and the sharp bound on L after T2", strict=True), Rel(0.01))),
)
def n16(s: Session, p: Problem, tol: All) -> Outcome:
    _q, pr, tr, ts = _after_T1(s, p, s.profile.samples)
    ctx = tr.ctx
    T2 = _T2(tr, pr)
    pl, r6, De = pr.pl_rate, pr.thm6_rate, pr.Delta
    bad_pl = bad_thm6 = bad_sharp = 0
    for t in (t for t in ts if t > T2):
        st = tr.evaluate(t)
        L = tr.loss_of(st)
        bad_pl += tr.grad_sq(st) <= pl * L
        bad_thm6 += De**2 / 2 * ctx.exp(-(t - T2) * r6) <= L
        bad_sharp += pr.G / 2 * ctx.exp(-(t - T2) * pl) <= L
    # asymptotic rate: the slope of ln L over the last part of the run, above the resolution
    tail = [t for t in ts if t > T2 + (ts[-1] - T2) / 2]
    t1, t2 = tail[0], tail[-1]
    rate = (ctx.log(tr.loss(t1)) - ctx.log(tr.loss(t2))) / (t2 - t1)
    rel = abs(rate - pr.loss_rate) / pr.loss_rate
    verdict, detail = all_of(
        (bad_pl == bad_thm6 == bad_sharp == 0, f"violations: PL {bad_pl}, Thm 6 {bad_thm6}, sharp bound {bad_sharp}"),
        (rel < ctx.mpf(str(tol[1].rel)), f"late slope of −ln L on [{fmt(t1, 4)}, {fmt(t2, 4)}] = {fmt(rate, 6)}"),
    )
    return Outcome(
        verdict,
        f"2μ = {fmt(pr.loss_rate, 6)}",
        f"{fmt(rate, 6)} (rel. {fmt(rel, 2)})",
        detail=detail,
        run=tr,
    )


@claim(
    "N17",
    paper=PAPER,
    source="Thm 7 (proof)",
    statement="L(θ^∞) = 0; Σ_{J_+} a_j w_j = v*; 1 ≤ Σ_{J_+}‖w_j‖² < 1/(1 − 4λ^ε)",
    notion="converged run (stopped by the loss threshold of limit_options, L ≤ λ²L(0)·1e-10, within the "
    "theory's horizon); residual → 0 at the run's resolution",
    instance="SN1",
    tolerance=All(
        (
            Resolution(slack=3),
            Bound("‖v − v*‖ ≤ 10√(L/η_d); 1 − ‖v − v*‖ ≤ Σ‖w_j‖² < 1/(1 − 4λ^ε)"),
            Resolution(slack=5),
        )
    ),
)
def n17(s: Session, p: Problem, tol: All) -> Outcome:
    q = _phase(p)
    pr = _pr(s, q)
    tr = _converged(s, q, power=1)
    ctx = tr.ctx
    thr = rational(ctx, pr.limit_options(1)["loss_below"])
    res = tol[0].of_run(tr) / ctx.sqrt(thr)  # relative resolution of L there (r to 10^-digits)
    if tr.status.value != "loss_below" or tr.final_loss > thr * (1 + res):
        raise not_observed(
            f"not converged: L = {fmt(tr.final_loss, 3)} > {fmt(thr, 3)}",
            tr,
            _unmet(pr),
            predicted="L → 0; v → v*",
            tolerance=f"L ≤ {fmt(thr, 3)}",
        )
    st = tr.final_state
    v = _v(st, pr.J_plus)
    err = norm(ctx, [a - b for a, b in zip(v, _teacher(ctx, q))])
    w2 = ctx.fsum(ctx.fsum(c * c for c in st.W[j]) for j in pr.J_plus)
    lam = rational(ctx, q.init.lam)
    upper = 1 / (1 - 4 * lam ** rational(ctx, pr.eps))
    scale = ctx.sqrt(tr.final_loss) * 10 / ctx.sqrt(pr.eta[-1])  # ‖v − v*‖ ≤ √(2L/η_d)
    verdict, detail = all_of(
        (
            tol[1].holds(err, scale),
            f"‖v − v*‖ = {fmt(err, 3)} ≤ √(2L/η_d)-scale {fmt(scale, 3)} at L = {fmt(tr.final_loss, 3)}",
        ),
        (
            1 - err - tol[2].of_run(tr) <= w2 < upper,
            f"Σ‖w_j‖² − 1 = {fmt(w2 - 1, 3)}, in [−‖v − v*‖, 1/(1 − 4λ^ε) − 1 = {fmt(upper - 1, 3)}) (at t = ∞: [0, …))",
        ),
    )
    return Outcome(
        verdict,
        "L → 0; v → v*; 1 ≤ Σ‖w_j‖² < 1/(1 − 4λ^ε)",
        f"L = {fmt(tr.final_loss, 3)}; ‖v − v*‖ = {fmt(err, 3)}",
        f"L ≤ {fmt(thr, 3)}; residual at resolution",
        run=tr,
        detail=f"converged ({tr.status.value} at t = {fmt(tr.t_end, 5)}); " + detail,
    )
