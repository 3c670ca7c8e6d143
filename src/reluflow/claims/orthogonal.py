"""Claims O1–O22 of the orthogonal-inputs paper (spec ``orthogonal_inputs.md`` §5), each
checked against the exact flow under the spec's tolerance notion.

Default fixtures: E1 (orthogonal, non-unit norms, both signs, A3, partial neurons with
coverage 0.316 and 0.949 — so limits converge like λ^0.103 and need λ down to 1e-160),
E1-rotated (E1 turned in R⁵, with components outside the data span), B1 (orthonormal)
and E2 (A3 fails).  Limits are trends along λ ladders; rates come from the theory
(spec R3, R6–R9) and are compared within 10 % unless stated.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import sympy as sp

from ..datasets import b1, e1, e1_rotated, e2
from ..precision import rational
from ..problem import Problem, ProblemError
from ..summary import angle_gap
from ..theory import orthogonal as theory_orthogonal
from ..verdict import Verdict
from .common import (
    all_of,
    ball_verdict,
    floor,
    frac,
    judge_trend,
    not_observed,
    precision_checked,
    resolving_digits,
    samples,
    trend_outcome,
)
from .core import FIXTURES, Outcome, Session, claim, fmt, lam_str

PAPER = "orthogonal"
FIXTURES.update({"E1": e1, "E1-rotated": e1_rotated, "B1": b1, "E2": e2})
EPS = Fraction(1, 2)  # the window parameter ε of R4 / O6–O8


# ----------------------------------------------------------------------------- helpers


def _norm(ctx, v):
    return ctx.sqrt(ctx.fsum(c * c for c in v))


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


def _lam(p: Problem) -> str:
    return lam_str(p.init.lam)


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


# ----------------------------------------------------------------------------- O1–O3: exact


@claim(
    "O1",
    paper=PAPER,
    source="R1",
    statement="a_j² − ‖w_j‖² is constant (0 for balanced initialisation) and sign a_j(t) = s_j",
    notion="exact: relative to ‖w_j‖², within the integrator's digits at every step boundary",
    instance="E1",
)
def o1(s: Session, p: Problem) -> Outcome:
    s.predict(p)  # the paper's setting: A1, non-zero labels, generic directions

    def measure(digits):
        tr = _fit(s, p, digits=digits)
        ctx = tr.ctx
        worst, bad_sign = ctx.zero, 0
        for t in tr.times + samples(tr, s.profile.samples):
            st = tr.evaluate(min(t, tr.t_end))
            for j, (a, row) in enumerate(zip(st.a, st.W)):
                w2 = ctx.fsum(v * v for v in row)
                worst = max(worst, abs(a * a - w2) / w2)
                bad_sign += (a > 0) != (p.init.s[j] > 0)
        tol = ctx.mpf(10) ** (-(tr.digits - 2))
        ok = worst <= tol and bad_sign == 0
        return (
            ok,
            f"max |a_j² − ‖w_j‖²|/‖w_j‖² = {fmt(worst, 3)}, sign flips {bad_sign}",
            f"{len(tr.times)} step boundaries and {s.profile.samples + 1} samples; tolerance {fmt(tol, 2)}",
            tr.dps,
        )

    v, obs, det, dps = precision_checked(measure, s.profile.digits)
    return Outcome(v, "0 and sign a_j = s_j", obs, "≤ 10^-(digits−2) relative", _lam(p), dps, det)


@claim(
    "O2",
    paper=PAPER,
    source="R1, R2",
    statement="w_j⊥ is constant; u_jk ≤ 0 implies u_jk stays constant; A_j(t) is non-increasing",
    notion="exact: switched-off pairs stay exactly 0, pairs with u < 0 keep their value to the neuron's relative "
    "precision, no re-entry",
    instance="E1-rotated",
)
def o2(s: Session, p: Problem) -> Outcome:
    s.predict(p)  # A1 and genericity
    tr = _fit(s, p)
    ctx = tr.ctx
    X = p.data.X
    nx = [sum((c * c for c in x), Fraction(0)) for x in X]
    lam = p.init.lam
    zperp = []
    for z in p.init.z:
        v = list(z)
        for x, n2 in zip(X, nx):
            c = sum((a * b for a, b in zip(z, x)), Fraction(0)) / n2
            v = [a - c * b for a, b in zip(v, x)]
        zperp.append([rational(ctx, lam * a) for a in v])
    Xm = [[rational(ctx, c) for c in x] for x in X]
    st0 = tr.evaluate(0)
    off = {(e.neuron, e.point): e.t for e in tr.events if e.direction == "off"}
    ons = [e for e in tr.events if e.direction == "on"]
    tol = ctx.mpf(10) ** (-(tr.digits - 2))
    dev, moved, grew = ctx.zero, 0, 0
    prev = None
    for t in sorted(set(tr.times + samples(tr, s.profile.samples))):
        t = min(t, tr.t_end)
        st = tr.evaluate(t)
        for j, row in enumerate(st.W):
            size = _norm(ctx, row)  # the engine's error control is relative to each neuron
            perp = list(row)
            for x, n2 in zip(Xm, nx):
                c = ctx.fsum(a * b for a, b in zip(row, x)) / rational(ctx, n2)
                perp = [a - c * b for a, b in zip(perp, x)]
            dev = max(dev, _norm(ctx, [a - b for a, b in zip(perp, zperp[j])]) / size)
            for k in range(p.n):
                if st0.U[j][k] <= 0 and (
                    st.U[j][k] > 0 or abs(st.U[j][k] - st0.U[j][k]) > tol * size * ctx.sqrt(rational(ctx, nx[k]))
                ):
                    moved += 1
                if (j, k) in off and t >= off[(j, k)] and st.U[j][k] != 0:
                    moved += 1
        if prev is not None and any(st.active[j][k] and not prev[j][k] for j in range(p.m) for k in range(p.n)):
            grew += 1
        prev = st.active
    has_perp = any(_norm(ctx, z) > 0 for z in zperp)
    verdict, detail = all_of(
        (
            dev <= tol,
            f"max ‖w_j⊥(t) − λz_j⊥‖/‖w_j(t)‖ = {fmt(dev, 3)} (tolerance {fmt(tol, 2)}, relative per neuron)"
            + ("" if has_perp else "; the data span R^d, so w⊥ = 0 is trivial here"),
        ),
        (
            moved == 0,
            f"{moved} frozen-pair violations (u ≤ 0 must stay put to the neuron's relative precision and "
            "never turn positive; u = 0 after a switch must stay exactly 0)",
        ),
        (not ons and grew == 0, f"{len(ons)} re-entries, {grew} samples where A_j(t) grew"),
    )
    return Outcome(
        verdict,
        "w⊥ = λz⊥; frozen pairs constant; A_j non-increasing",
        f"w⊥ deviation {fmt(dev, 3)}, frozen-pair violations {moved}, re-entries {len(ons) + grew}",
        "exact (rounding only)",
        _lam(p),
        tr.dps,
        detail,
    )


@claim(
    "O3",
    paper=PAPER,
    source="R1 (gradient flow)",
    statement="dL/dt = −‖∇L‖² ≤ 0",
    notion="exact: central finite differences of the dense output against ‖∇L‖² from the state",
    instance="E1",
)
def o3(s: Session, p: Problem) -> Outcome:
    s.predict(p)  # the paper's setting
    tr = _fit(s, p, digits=s.profile.digits + 10)
    ctx = tr.ctx
    h = ctx.mpf(10) ** (-(tr.dps // 3))
    worst, used = ctx.zero, 0
    for t in samples(tr, s.profile.samples * 4, lo=h * 2, hi=tr.t_end - 2 * h):
        st = tr.evaluate(t)
        g2, L = tr.grad_sq(st), tr.loss_of(st)
        if g2 <= h * L:  # FD cannot resolve a derivative this small against L (plateaus)
            continue
        fd = (tr.loss(t + h) - tr.loss(t - h)) / (2 * h)
        worst = max(worst, abs(fd + g2) / g2)
        used += 1
    mono = sum(
        1 for a, b in zip(tr.times, tr.times[1:]) if tr.loss(b) > tr.loss(a) * (1 + ctx.mpf(10) ** -(tr.digits - 2))
    )
    tol = ctx.mpf(10) ** (-(tr.dps // 4))
    verdict, detail = all_of(
        (
            worst <= tol if used >= 10 else None,
            f"{used} resolvable samples; max |dL/dt + ‖∇L‖²|/‖∇L‖² = {fmt(worst, 3)} "
            f"(FD step {fmt(h, 2)}, tolerance {fmt(tol, 2)})",
        ),
        (mono == 0, f"L increased across {mono} of {len(tr.times) - 1} steps"),
    )
    return Outcome(
        verdict,
        "dL/dt = −‖∇L‖²",
        f"max rel. diff {fmt(worst, 3)}; increases {mono}",
        f"≤ {fmt(tol, 2)} relative",
        _lam(p),
        tr.dps,
        detail,
    )


# ----------------------------------------------------------------------------- O4–O8: early phase


def _t_star(pr):
    """A fixed time after every λ-free deactivation (R3), for O4 and O5."""
    return max(1, math.ceil(1.25 * max(float(nb.t_N) for nb in pr.neurons) * 4) / 4)


def _early_ladder(s: Session, pr, t_star) -> tuple[str, ...]:
    """The profile's early-phase ladder, moved to smaller λ when t_star lies outside the
    R3 window at its top: the O(λ²) corrections grow like λ²e^{2 max‖D_±‖t/n}, so the ladder
    starts where t_star ≤ ε n ln(1/λ)/max‖D_±‖ (ε = 1/2) — found by Hypothesis: an instance
    with late deactivations was still pre-asymptotic at λ = 1e-3."""
    top = max(v for v in (pr.norm_D_plus, pr.norm_D_minus) if v is not None)
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
)
def o4(s: Session, p: Problem) -> Outcome:
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
            e = max(e, _norm(ctx, [a / lam - b for a, b in zip(st.W[j], w_hat)]) / _norm(ctx, w_hat))
        errs.append(e)
    return trend_outcome(
        lams, errs, 2.0, True, floors, dps, what="max_j ‖w_j/λ − ŵ_j‖/‖ŵ_j‖", note=f"at t = {t_star}: "
    )


@claim(
    "O5",
    paper=PAPER,
    source="R3",
    statement="wrong-sign pairs deactivate at the λ-free times of R3; the final active set is P_j",
    notion="event times converge with error O(λ²) (slope 2 within 10 %); active sets exact",
    instance="E1",
)
def o5(s: Session, p: Problem) -> Outcome:
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
        verdict_t, slope, detail = judge_trend(lams, errs, 2.0, True, floors)
    else:
        verdict_t, slope, detail = Verdict.PASS, math.nan, "no wrong-sign pairs: nothing to deactivate"
    verdict, det2 = all_of(
        ({Verdict.PASS: True, Verdict.FAIL: False}.get(verdict_t), detail),
        (missing == 0, f"{missing} (neuron, point) switches predicted but not seen, or seen but not predicted"),
        (
            not wrong_sets,
            f"final A_j ≠ P_j for neurons {wrong_sets}"
            if wrong_sets
            else f"final active sets equal P_j for all {p.m} neurons (run at λ = {_lam(p)})",
        ),
    )
    return Outcome(
        verdict,
        f"{len(predicted)} switches, slope 2; A_j(∞) = P_j",
        f"slope {slope:.4g}; set mismatches {missing}; active-set mismatches {len(wrong_sets)}",
        "±10 % of the rate; sets exact",
        lam_str(lams) + f"; {_lam(p)}",
        full.dps,
        det2,
    )


def _window(pr):
    """(t_1, t_w): T_1 = ε n ln(1/λ)/max‖D_±‖ and the window end (1 − ε) n ln(1/λ)/max‖D_±‖."""
    top = max(v for v in (pr.norm_D_plus, pr.norm_D_minus) if v is not None)
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
)
def o6(s: Session, p: Problem) -> Outcome:
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
            excess += gap > bound * (1 + ctx.mpf(10) ** -6) + resolution
        if nb.norm_D > top / 2:
            checked.append(nb.index)
            at_t1 = max(at_t1, angle_gap(ctx, tr.evaluate(t1).W[nb.index], nb.D) / lam_eps)
    tol = 1 + ctx.mpf(10) ** -6
    verdict, detail = all_of(
        (
            ratio <= tol and excess == 0,
            f"max over alive neurons of (1 − cos)/(C_j e^(−2‖D_j‖t/n)) = {fmt(ratio, 8)} "
            f"(≤ 1 + 1e-6; {excess} samples above the bound plus the resolution {fmt(resolution, 2)})",
        ),
        (at_t1 <= 1, f"at T_1: max (1 − cos)/λ^ε = {fmt(at_t1, 3)} over neurons {checked} (≤ 1)"),
    )
    return Outcome(
        verdict,
        "ratio ≤ 1; (1 − cos)/λ^ε ≤ 1",
        f"{fmt(ratio, 8)}; {fmt(at_t1, 3)}",
        "≤ 1 (+1e-6)",
        _lam(p),
        tr.dps,
        detail,
    )


@claim(
    "O7",
    paper=PAPER,
    source="R4 (inferred form)",
    statement="‖w_j(T_1)‖ ≤ 2‖z_j‖λ^{1−ε} with T_1 = ε n ln(1/λ)/max‖D_±‖ (ε = 1/2)",
    notion="inequality at this λ",
    instance="E1",
)
def o7(s: Session, p: Problem) -> Outcome:
    pr = s.predict(p)
    tr = _fit(s, p)
    ctx = tr.ctx
    t1, _, _ = _window(pr)
    st = tr.evaluate(t1)
    lam = rational(ctx, p.init.lam)
    bound = lam ** (1 - EPS.numerator / ctx.mpf(EPS.denominator))
    worst = max(
        _norm(ctx, st.W[j]) / (2 * _norm(ctx, [rational(ctx, c) for c in p.init.z[j]]) * bound) for j in range(p.m)
    )
    return Outcome(
        Verdict.PASS if worst <= 1 else Verdict.FAIL,
        "ratio ≤ 1",
        f"max ‖w_j(T_1)‖/(2‖z_j‖λ^(1−ε)) = {fmt(worst, 4)}",
        "≤ 1",
        _lam(p),
        tr.dps,
        f"T_1 = {fmt(t1 / pr.log_inv_lambda, 5)} (t = {fmt(t1, 6)})",
    )


@claim(
    "O8",
    paper=PAPER,
    source="R3",
    statement="ln‖w_j(t)‖ − ln(λK_j) − ‖D_j‖t/n → 0 on the alignment window [T_1, (1−ε)n ln(1/λ)/max‖D_±‖]",
    notion="limit λ → 0: sup error ≍ λ^{2ε min_j ‖D_j‖/max‖D_±‖} (slope within 10 %)",
    instance="E1",
)
def o8(s: Session, p: Problem) -> Outcome:
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
                    e = max(e, abs(ctx.log(_norm(ctx, st.W[nb.index])) - ctx.log(lam * nb.K) - nb.norm_D * t / q.n))
        errs.append(e)
    return trend_outcome(lams, errs, rate, True, floors, dps, what="sup |ln‖w_j‖ − ln(λK_j) − ‖D_j‖t/n|")


# ----------------------------------------------------------------------------- O9–O14: saddles


def _classrational(pr, sign) -> tuple[float, bool]:
    """Rate of finite-λ corrections of a class's escape (O9): the class's largest partial
    neuron gives λ^{2(1−ρ)}; misalignment of order λ gives λ¹ (R3)."""
    rhos = [nb.coverage for nb in pr.neurons if nb.sign == pr._class(sign) and nb.alive and not nb.full]
    partial = float(2 * (1 - max(rhos))) if rhos else math.inf
    return (partial, True) if partial < 1 else (1.0, False)


@claim(
    "O9",
    paper=PAPER,
    source="R6, R7",
    statement="t^{1/2}_±/ln(1/λ) → n/‖D_±‖, compared with the finite-λ half-fit time t^{1/2}_± of the "
    "heteroclinic orbit (the ratio alone has a slow O(1/ln(1/λ)) bias)",
    notion="|t_obs − t_pred| → 0 at the rate of the class's corrections (λ^{2(1−ρ_max)}, or at least λ¹)",
    instance="E1",
)
def o9(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    lams = s.profile.escape_lams
    verdicts, parts, dps = [], [], 0
    for sign in ("+", "-"):
        if not pr0.points(sign):
            continue
        errs, floors, ratio = [], [], None
        rate, exact = _classrational(pr0, sign)
        for _q, pr, tr in _ladder_runs(s, p, lams, rate):
            dps = max(dps, tr.dps)
            t_obs = _half_fit(tr, pr.points(sign), pr.class_initial_loss(sign), sign)
            t_pred = pr.half_time(sign)
            errs.append(abs(t_obs - t_pred))
            floors.append(floor(tr, t_pred))
            ratio = (t_obs / pr.log_inv_lambda, pr.T(sign))
        v, _slope, det = judge_trend(lams, errs, rate, exact, floors)
        verdicts.append(v)
        parts.append(
            f"class {sign}: {det}; t^(1/2)/ln(1/λ) = {fmt(ratio[0], 6)} vs n/‖D‖ = {fmt(ratio[1], 6)} at λ = {lams[-1]}"
        )
    verdict = (
        Verdict.FAIL
        if Verdict.FAIL in verdicts
        else Verdict.INCONCLUSIVE
        if Verdict.INCONCLUSIVE in verdicts
        else Verdict.PASS
    )
    return Outcome(
        verdict,
        "errors → 0 at the predicted rate",
        "; ".join(p_.split(";")[0] for p_ in parts),
        "±10 % of the rate (exact) or ≥ 0.9 × rate",
        lam_str(lams),
        dps,
        " | ".join(parts),
    )


@claim(
    "O10",
    paper=PAPER,
    source="R7",
    statement="orthonormal inputs: the whole loss curve matches the logistic heteroclinic prediction of R7",
    notion="sup-norm error → 0 as λ ↓, at the rate λ^{2(1−ρ_max)} of the largest partial neuron (or ≥ λ¹)",
    instance="B1",
)
def o10(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    if not all(pr0.is_orthonormal_class(c) for c in ("+", "-") if pr0.points(c)):
        raise ProblemError("data.X", "O10 is stated for orthonormal inputs (‖x_k‖ = 1)")
    lams = s.profile.curve_lams
    rate, exact = _tail_rate(pr0)
    errs, floors, dps = [], [], 0
    for _q, pr, tr in _ladder_runs(s, p, lams, rate):
        dps = max(dps, tr.dps)
        floors.append(floor(tr, pr.L0))
        errs.append(max(abs(tr.loss(t) - pr.loss(t)) for t in samples(tr, s.profile.samples * 5)))
    return trend_outcome(lams, errs, rate, exact, floors, dps, what="sup |L − L_R7|", predicted="sup error → 0")


@claim(
    "O11",
    paper=PAPER,
    source="R6",
    statement="L(t) = L_mid + o(1) for t ∈ [(T_fast+δ) ln(1/λ), (T_slow−δ) ln(1/λ)] (δ = (T_slow − T_fast)/4)",
    notion="sup error ≍ λ^{cδ}, c = min(2μ_fast, 2‖D_slow‖/n) (slope within 10 %)",
    instance="E1",
)
def o11(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    _need_two_classes(pr0)
    lams = s.profile.escape_lams
    Tf, Ts = pr0.T(pr0.fast), pr0.T("-" if pr0.fast == "+" else "+")
    delta = (Ts - Tf) / 4
    slow = "-" if pr0.fast == "+" else "+"
    rate = float(delta * min(2 * pr0.mu(pr0.fast), 2 * pr0.norm_D(slow) / p.n))
    errs, floors, dps = [], [], 0
    for _q, pr, tr in _ladder_runs(s, p, lams, rate):
        dps = max(dps, tr.dps)
        floors.append(floor(tr, pr.L0))
        L = pr.log_inv_lambda
        errs.append(
            max(
                abs(tr.loss(t) - pr.L_mid)
                for t in samples(tr, s.profile.samples, lo=(Tf + delta) * L, hi=(Ts - delta) * L)
            )
        )
    return trend_outcome(
        lams, errs, rate, True, floors, dps, what="sup |L − L_mid|", predicted=f"L_mid = {fmt(pr0.L_mid, 8)}"
    )


def _saddle_expansion(p: Problem, pr) -> tuple[bool, str]:
    """Exact (SymPy): θ⁽¹⁾ — one neuron fitting the fast class along β̄*_fast with ‖w‖² =
    ‖β*_fast‖, all others 0 — is stationary (σ'(0) = 0), and adding (sε, εD̄_slow) gives
    ΔL = −ε²‖D_slow‖/n + O(ε⁴)."""
    X = [sp.Matrix([sp.Rational(c.numerator, c.denominator) for c in x]) for x in p.data.X]
    y = [sp.Rational(v.numerator, v.denominator) for v in p.data.y]
    n = p.n
    sf = 1 if pr.fast == "+" else -1
    fast = [k for k in range(n) if sf * y[k] > 0]
    slow = [k for k in range(n) if sf * y[k] < 0]
    beta = sum((abs(y[k]) / X[k].dot(X[k]) * X[k] for k in fast), sp.zeros(p.d, 1))
    nb = sp.sqrt(beta.dot(beta))
    w = sp.sqrt(nb) * beta / nb
    a = sf * sp.sqrt(nb)
    relu = lambda u: sp.Max(u, 0)

    def residuals(neurons):
        return [y[k] - sum(aj * relu(wj.dot(X[k])) for aj, wj in neurons) for k in range(n)]

    r = [sp.nsimplify(sp.radsimp(v)) for v in residuals([(a, w)])]
    grad_a = -sum(r[k] * relu(w.dot(X[k])) for k in range(n)) / n
    grad_w = -a * sum((r[k] * X[k] for k in range(n) if sp.simplify(w.dot(X[k])) > 0), sp.zeros(p.d, 1)) / n
    stationary = sp.simplify(grad_a) == 0 and all(sp.simplify(g) == 0 for g in grad_w)
    eps = sp.Symbol("epsilon", positive=True)
    D = sum((abs(y[k]) * X[k] for k in slow), sp.zeros(p.d, 1))
    nD = sp.sqrt(D.dot(D))
    new = (-sf * eps, eps * D / nD)
    loss = lambda rs: sum(v**2 for v in rs) / (2 * n)
    dL = sp.expand(loss(residuals([(a, w), new])) - loss(residuals([(a, w)])))
    poly = sp.Poly(sp.radsimp(dL), eps)
    c = {i: sp.radsimp(poly.coeff_monomial(eps**i)) for i in range(4)}
    want = -nD / n
    ok = stationary and c[0] == 0 and c[1] == 0 and sp.simplify(c[2] - want) == 0 and c[3] == 0
    return ok, (
        f"θ⁽¹⁾ stationary: {stationary}; ΔL = {sp.nsimplify(c[2])}·ε² + {c[3]}·ε³ + O(ε⁴), "
        f"predicted −‖D_slow‖/n = {sp.nsimplify(want)} (exact SymPy)"
    )


@claim(
    "O12",
    paper=PAPER,
    source="R6",
    statement="θ⁽¹⁾ is stationary and ‖∇L‖ → 0 on the plateau; the descent direction of R6 gives "
    "ΔL = −ε²‖D_slow‖/n + O(ε⁴)",
    notion="exact expansion (SymPy) plus a limit: ‖∇L‖ at mid-plateau ≍ λ^c, "
    "c = min(μ_fast(T_mid − T_fast), 1 − ‖D_slow‖T_mid/n) (slope within 10 %)",
    instance="E1",
)
def o12(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    _need_two_classes(pr0)
    exact_ok, exact_detail = _saddle_expansion(p, pr0)
    slow = "-" if pr0.fast == "+" else "+"
    Tf, Ts = pr0.T(pr0.fast), pr0.T(slow)
    Tm = (Tf + Ts) / 2
    lams = s.profile.escape_lams
    rate = float(min(pr0.mu(pr0.fast) * (Tm - Tf), 1 - pr0.norm_D(slow) * Tm / p.n))
    errs, floors, dps = [], [], 0
    for _q, pr, tr in _ladder_runs(s, p, lams, rate):
        dps = max(dps, tr.dps)
        floors.append(floor(tr))
        errs.append(tr.ctx.sqrt(tr.grad_sq(tr.evaluate(Tm * pr.log_inv_lambda))))
    v, slope, detail = judge_trend(lams, errs, rate, True, floors)
    verdict, det = all_of((exact_ok, exact_detail), ({Verdict.PASS: True, Verdict.FAIL: False}.get(v), detail))
    return Outcome(
        verdict,
        f"ΔL coefficient −‖D_slow‖/n = {fmt(pr0.saddle_coefficient, 8)}; ‖∇L‖ slope {rate:.4g}",
        f"exact: {'equal' if exact_ok else 'different'}; slope {slope:.4g}",
        "exact; ±10 % of the rate",
        lam_str(lams),
        dps,
        det,
    )


@claim(
    "O13",
    paper=PAPER,
    source="R8",
    statement="L(θ(t)) → 0 (global convergence under A1–A3)",
    notion="L < 1e-20 within the theory's horizon at this λ (escape t⁰_± plus the decay at 2μ_±, +25 %): the run "
    "stops at L = 1e-21 and the certified (Arb) enclosure of its final loss decides, when the run certifies",
    instance="E1",
)
def o13(s: Session, p: Problem) -> Outcome:
    pr = s.predict(p)
    _need_a3(pr)
    tr = _fit(s, p, loss="1e-21")  # a decade below the tolerance, so that a proven ball can decide
    ok = tr.status.value == "loss_below"
    observed = (
        f"L = {fmt(tr.final_loss, 4)} at t = {fmt(tr.t_end, 6)} (T = {fmt(tr.t_end / pr.log_inv_lambda, 4)}); "
        f"status {tr.status.value}"
    )
    cert = s.certify(tr) if ok else None
    if cert is not None and cert.ok:
        from ..integrate.certify import ball_dict

        b = ball_dict(cert.loss_ball, 6)
        return Outcome(
            ball_verdict(cert.loss_ball, hi="1e-20"),
            "L → 0",
            observed + f"; proven L ∈ {b['mid']} ± {b['rad']}",
            "< 1e-20",
            _lam(p),
            tr.dps,
            f"{tr.message}; certificate: {cert.message} in {cert.seconds:.2f} s",
            certified=True,
        )
    why = "" if cert is None else f"; not certified ({cert.message}), judged on the engine's value"
    return Outcome(
        Verdict.PASS if ok else Verdict.FAIL, "L → 0", observed, "< 1e-20", _lam(p), tr.dps, tr.message + why
    )


def _tail_lambda(pr, sign) -> Fraction | None:
    """A λ at which the λ → 0 tail rate of the class is observable on the window down to
    1e-22: (i) partial neurons of size λ^{q/2} (q = limit_exponent) take part in the final
    linear dynamics and shift the rate by O(λ^q), so λ^q ≤ 1e-3; (ii) the modes the λ → 0
    orbit leaves out, excited at finite λ, take over below L_±(0)λ^e (``tail_exponent``), so
    that level lies below the window.  The instance's own λ when it satisfies both, else
    the largest power of ten that does (None beyond 1e-300).  Both found by Hypothesis."""
    decades = [round(-math.log10(float(pr.problem.init.lam)))]
    if pr.limit_exponent is not None:
        decades.append(math.ceil(3 / float(pr.limit_exponent)))
    e = pr.tail_exponent(sign)
    if e is not None:
        decades.append(math.ceil((26 + float(pr.ctx.log10(pr.class_initial_loss(sign)))) / float(e)))
    if max(decades) > 300:
        return None
    return min(pr.problem.init.lam, Fraction(1, 10 ** max(decades)))


@claim(
    "O14",
    paper=PAPER,
    source="R8",
    statement="after the last jump of each class, ln L_± decays with slope −2μ_± (μ_± the smallest eigenvalue of "
    "J_± that the orbit excites)",
    notion="relative error of the fitted slope ≤ 2 % on the window 1e-10·L_±(0) > L_± > 1e-22, at a λ where slower "
    "modes left out by the orbit stay below the window",
    instance="E1",
)
def o14(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    parts, worst, dps, used = [], 0.0, 0, []
    for sign in ("+", "-"):
        if not pr0.points(sign):
            continue
        lam = _tail_lambda(pr0, sign)
        if lam is None:
            parts.append((None, f"class {sign}: the slower modes would need λ below 1e-300"))
            continue
        q = p.with_lambda(lam)
        pr = s.predict(q)
        tr = _fit(s, q, loss="1e-26")
        ctx = tr.ctx
        dps = max(dps, tr.dps)
        used.append(lam_str(lam))
        S, L0 = pr.points(sign), pr.class_initial_loss(sign)
        pts = []
        for t in samples(tr, s.profile.samples * 20):
            L = _class_loss(tr, tr.evaluate(t), S)
            if ctx.mpf("1e-22") < L < L0 * ctx.mpf("1e-10"):
                pts.append((float(t), float(ctx.log(L))))
        if len(pts) < 10:
            parts.append((None, f"class {sign}: only {len(pts)} samples in the tail window"))
            continue
        mx, my = sum(a for a, _ in pts) / len(pts), sum(b for _, b in pts) / len(pts)
        slope = sum((a - mx) * (b - my) for a, b in pts) / sum((a - mx) ** 2 for a, _ in pts)
        want = -2 * float(pr.mu(sign))
        rel = abs(slope / want - 1)
        worst = max(worst, rel)
        parts.append(
            (
                rel <= 0.02,
                f"class {sign} at λ = {lam_str(lam)}: slope {slope:.6g} vs −2μ = {want:.6g} "
                f"(rel. error {rel:.2g}, {len(pts)} samples)",
            )
        )
    verdict, detail = all_of(*parts)
    return Outcome(
        verdict,
        "slopes −2μ_±",
        f"max rel. error {worst:.2g}",
        "≤ 2 %",
        ", ".join(dict.fromkeys(used)),
        dps,
        detail + f"; tail rate of the total loss as λ → 0: 2 min μ = {fmt(pr0.loss_rate, 6)}",
    )


# ----------------------------------------------------------------------------- O15–O19: limit


def _limit_states(s: Session, p: Problem, lams, rate: float):
    """(problem, prediction, trajectory, final state) per λ, resolving errors λ^rate."""
    out = []
    for q in _ladder(p, lams):
        tr = _limit_run(s, q, rate)
        out.append((q, s.predict(q, dps=tr.digits + 5), tr, tr.final_state))
    return out


def _probe_points(p: Problem, pr, count: int) -> list[list[float]]:
    """Points of the unit sphere where h is compared: the data directions, β̄*_±, and
    ``count`` Gaussian points (fixed seed)."""
    pts = [[float(c) for c in x] for x in p.data.X] + [[float(c) for c in b] for b in (pr.beta_plus, pr.beta_minus)]
    pts += np.random.default_rng(20221).normal(size=(count, p.d)).tolist()
    return [[c / math.sqrt(sum(v * v for v in x)) for c in x] for x in pts if any(x)]


@claim(
    "O15",
    paper=PAPER,
    source="R9",
    statement="h_{θ_λ(∞)} → h_{θ*} uniformly on bounded sets",
    notion="sup over probe points of the unit sphere ≍ λ^{2(1−ρ_max)} (slope within 10 %), or at least λ¹",
    instance="E1",
)
def o15(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    rate, exact = _tail_rate(pr0)
    lams = s.profile.limit_lams
    probes = _probe_points(p, pr0, 50)
    errs, floors, dps = [], [], 0
    for q, pr, tr, st in _limit_states(s, p, lams, rate):
        ctx = tr.ctx
        dps = max(dps, tr.dps)
        floors.append(floor(tr))
        e = ctx.zero
        for x in probes:
            xm = [ctx.mpf(c) for c in x]
            h = ctx.fsum(st.a[j] * max(ctx.fsum(w * c for w, c in zip(st.W[j], xm)), 0) for j in range(q.m))
            e = max(e, abs(h - pr.limit_output(x)))
        errs.append(e)
    return trend_outcome(
        lams, errs, rate, exact, floors, dps, what="sup |h − h*|", note=f"{len(probes)} probe points; "
    )


@claim(
    "O16",
    paper=PAPER,
    source="R9, R10",
    statement="‖θ_λ(∞)‖² → 2(‖β*₊‖ + ‖β*₋‖) = min_{L=0} ‖θ‖²",
    notion="|‖θ‖² − min| ≍ λ^{2(1−ρ_max)} (slope within 10 %), or at least λ¹",
    instance="E1",
)
def o16(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    rate, exact = _tail_rate(pr0)
    lams = s.profile.limit_lams
    errs, floors, dps = [], [], 0
    for _q, pr, tr, st in _limit_states(s, p, lams, rate):
        dps = max(dps, tr.dps)
        floors.append(floor(tr, pr.min_theta_sq))
        errs.append(abs(tr.theta_sq(st) - pr.min_theta_sq))
    return trend_outcome(
        lams, errs, rate, exact, floors, dps, what="|‖θ‖² − min|", predicted=f"min ‖θ‖² = {fmt(pr0.min_theta_sq, 10)}"
    )


@claim(
    "O17",
    paper=PAPER,
    source="R9",
    statement="rank one per class: cos∠(w_j(∞), β*_±) → 1 for j ∈ F_±; partial and dead neurons → 0",
    notion="1 − cos ≍ λ^{4(1−ρ_max)} (or ≥ λ²); partial ‖w_j‖² ≍ λ^{2(1−ρ_j)}; dead ‖w_j‖ ≤ λ‖z_j‖",
    instance="E1",
)
def o17(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    rate, exact = _tail_rate(pr0)
    lams = s.profile.limit_lams
    full = [nb.index for nb in pr0.neurons if nb.full]
    partial = [nb for nb in pr0.neurons if nb.alive and not nb.full]
    dead = [nb.index for nb in pr0.neurons if not nb.alive]
    cos_errs, floors, part_errs, dead_bad, dps = [], [], [], 0, 0
    for q, pr, tr, st in _limit_states(s, p, lams, 2 * rate):
        ctx = tr.ctx
        dps = max(dps, tr.dps)
        floors.append(floor(tr) ** 2)  # 1 − cos = chord²/2 with the chord resolved to the digits
        cos_errs.append(
            max(angle_gap(ctx, st.W[j], pr.beta_plus if pr.neurons[j].sign == 1 else pr.beta_minus) for j in full)
        )
        if partial:
            top = max(partial, key=lambda nb: nb.coverage)
            part_errs.append(ctx.fsum(v * v for v in st.W[top.index]))
        lam = rational(ctx, q.init.lam)
        dead_bad += sum(
            1
            for j in dead
            if _norm(ctx, st.W[j])
            > lam * _norm(ctx, [rational(ctx, c) for c in q.init.z[j]]) * (1 + ctx.mpf(10) ** -(tr.digits - 2))
        )
    v1, s1, d1 = judge_trend(lams, cos_errs, 2 * rate, exact, floors)
    parts = [({Verdict.PASS: True, Verdict.FAIL: False}.get(v1), "full neurons' 1 − cos: " + d1)]
    if partial:
        top = max(partial, key=lambda nb: nb.coverage)
        v2, _s2, d2 = judge_trend(lams, part_errs, float(2 * (1 - top.coverage)), True)
        parts.append(({Verdict.PASS: True, Verdict.FAIL: False}.get(v2), f"partial neuron {top.index} ‖w‖²: " + d2))
    parts.append((dead_bad == 0, f"dead neurons {dead}: ‖w_j(∞)‖ ≤ λ‖z_j‖ violated {dead_bad} times"))
    verdict, detail = all_of(*parts)
    return Outcome(
        verdict,
        f"1 − cos slope {2 * rate:.4g}",
        f"slope {s1:.4g}; last 1 − cos {fmt(cos_errs[-1], 3)}",
        "±10 % of the rates",
        lam_str(lams),
        dps,
        detail,
    )


@claim(
    "O18",
    paper=PAPER,
    source="R9",
    statement="‖w_j*‖² = ‖β*_±‖K_j²/Σ_{F_±}K_i² for j ∈ F_±",
    notion="max relative error → 0 at the rate λ^{2(1−ρ_max)} (within 10 %), or at least λ¹",
    instance="E1",
)
def o18(s: Session, p: Problem) -> Outcome:
    pr0 = s.predict(p)
    _need_a3(pr0)
    rate, exact = _tail_rate(pr0)
    lams = s.profile.limit_lams
    errs, floors, dps = [], [], 0
    for _q, pr, tr, st in _limit_states(s, p, lams, rate):
        ctx = tr.ctx
        dps = max(dps, tr.dps)
        floors.append(floor(tr))
        errs.append(
            max(
                abs(ctx.fsum(v * v for v in st.W[nb.index]) / pr.limit_w_sq[nb.index] - 1)
                for nb in pr.neurons
                if nb.full
            )
        )
    return trend_outcome(
        lams,
        errs,
        rate,
        exact,
        floors,
        dps,
        what="relative error",
        predicted=f"split ∝ K_j² ({fmt(list(pr0.limit_w_sq), 6)})",
    )


def random_interpolator(p: Problem, rng: random.Random) -> tuple[list[Fraction], list[list[Fraction]]]:
    """An exact interpolating network (rational weights) for orthogonal data: random
    neurons, then per point k correctors along x_k, which are active on x_k only."""
    X, y = p.data.X, p.data.y
    grid = lambda lo, hi, den: Fraction(rng.randint(lo * den, hi * den), den)
    a, W = [], []
    for _ in range(rng.randint(0, 4)):
        a.append(grid(-2, 2, 8) or Fraction(1))
        W.append([grid(-2, 2, 8) for _ in range(p.d)])
    for k, x in enumerate(X):
        h = sum(
            (aj * max(sum((u * v for u, v in zip(wj, x)), Fraction(0)), Fraction(0)) for aj, wj in zip(a, W)),
            Fraction(0),
        )
        r = y[k] - h
        pieces = rng.randint(1, 2)
        for _i in range(pieces):
            share = r / pieces
            if share == 0:
                continue
            c = Fraction(rng.randint(1, 16), 8)
            n2 = sum((v * v for v in x), Fraction(0))
            a.append(share / (c * n2))
            W.append([c * v for v in x])
    return a, W


def _attaining(p: Problem) -> tuple[list[Fraction], list[list[Fraction]]]:
    """The rank-one interpolator (a, w) = (±1, β*_±), β*_± = Σ_{S_±}|y_k|x_k/‖x_k‖² (R10): its
    balanced rescaling attains ‖θ‖² = 2(‖β*₊‖ + ‖β*₋‖)."""
    X, y = p.data.X, p.data.y
    a, W = [], []
    for sg in (1, -1):
        S = [k for k in range(p.n) if sg * y[k] > 0]
        if S:
            nx = {k: sum((c * c for c in X[k]), Fraction(0)) for k in S}
            a.append(Fraction(sg))
            W.append([sum((abs(y[k]) / nx[k] * X[k][i] for k in S), Fraction(0)) for i in range(p.d)])
    return a, W


@claim(
    "O19",
    paper=PAPER,
    source="R10",
    statement="every interpolating network has Σ_{a_j>0} a_j‖w_j‖ ≥ ‖β*₊‖ and Σ_{a_j<0} |a_j|‖w_j‖ ≥ ‖β*₋‖, "
    "hence ‖θ‖² ≥ 2(‖β*₊‖ + ‖β*₋‖); the rank-one network (±1, β*_±), balanced, attains all three",
    notion="exact inequality, certified with Arb balls on random exact interpolators; exact equality (SymPy) "
    "for the bound-attaining network, so a bound off either way fails",
    instance="E1",
)
def o19(s: Session, p: Problem) -> Outcome:
    pr = s.predict(p)
    X, y = p.data.X, p.data.y
    bsq = theory_orthogonal.beta_star_sq(p.data)  # the theory's bound, ‖β*_±‖²

    def slacks(a, W):
        """Each slack Σ c_i √q_i − Σ d_i √r_i (rationals); the balanced rescaling (same function)
        has ‖θ‖² = 2Σ|a_j|‖w_j‖ (R1)."""
        outs = [
            sum(
                (aj * max(sum((u * v for u, v in zip(wj, x)), Fraction(0)), Fraction(0)) for aj, wj in zip(a, W)),
                Fraction(0),
            )
            for x in X
        ]
        assert outs == list(y), "the constructed network must interpolate exactly"
        wsq = [sum((v * v for v in wj), Fraction(0)) for wj in W]
        theta = sum((aj * aj for aj in a), Fraction(0)) + sum(wsq, Fraction(0))
        bound = [(Fraction(2), bsq[1]), (Fraction(2), bsq[-1])]
        out = {
            f"class {'+' if sg == 1 else '−'}": (
                [(abs(aj), q) for aj, q in zip(a, wsq) if sg * aj > 0],
                [(Fraction(1), bsq[sg])],
            )
            for sg in (1, -1)
        }
        out["‖θ‖²"] = ([(theta, Fraction(1))], bound)
        out["balanced ‖θ‖²"] = ([(2 * abs(aj), q) for aj, q in zip(a, wsq)], bound)
        return out

    rng = random.Random(19)
    count = s.profile.interpolators
    worst, violated, undecided, equal = math.inf, 0, 0, 0
    for _ in range(count):
        for plus, minus in slacks(*random_interpolator(p, rng)).values():
            sign, low = _sign_of_root_sum(plus, minus)
            violated += sign is not None and sign < 0
            undecided += sign is None
            equal += sign == 0
            worst = min(worst, low)
    tight = {k: _sign_of_root_sum(*v) for k, v in slacks(*_attaining(p)).items() if k != "‖θ‖²"}
    off = {k: low for k, (sign, low) in tight.items() if sign != 0}
    verdict, detail = all_of(
        (
            None if undecided else violated == 0,
            f"{count} random exact interpolators (seed 19), {4 * count} slacks: {violated} negative, {equal} exactly 0, "
            f"{undecided} undecided; smallest ≥ {fmt(worst, 4)}",
        ),
        (
            None if any(v[0] is None for v in tight.values()) else not off,
            "the rank-one network (±1, β*_±) and its balanced rescaling attain the bound: "
            + (
                "every slack exactly 0 (SymPy)"
                if not off
                else ", ".join(f"{k} slack {'<' if v < 0 else '>'} 0 ({fmt(v, 4)})" for k, v in off.items())
            ),
        ),
    )
    return Outcome(
        verdict,
        f"slacks ≥ 0, = 0 for the rank-one network (min ‖θ‖² = {fmt(pr.min_theta_sq, 8)})",
        f"smallest random slack ≥ {fmt(worst, 4)}; rank-one slacks "
        + ", ".join(f"{fmt(low, 3)}" for _, low in tight.values()),
        "exact (Arb balls decide each sign; equalities are decided exactly by SymPy)",
        _lam(p),
        60,
        detail,
    )


def _sign_of_root_sum(plus, minus) -> tuple[int | None, float]:
    """Sign of Σ c_i √q_i − Σ d_i √r_i (rationals ≥ 0), certified: an Arb ball that excludes 0
    decides; one that contains 0 is settled exactly by SymPy (0 when the square roots cancel),
    then by a 2000-bit ball; None if nothing decides.  Also a lower bound of the value."""
    from flint import arb, fmpq
    from flint import ctx as fctx

    for prec in (200, 2000):
        with fctx.workprec(prec):
            q = lambda v: arb(fmpq(v.numerator, v.denominator))
            ball = sum((q(c) * q(v).sqrt() for c, v in plus), arb(0)) - sum(
                (q(c) * q(v).sqrt() for c, v in minus), arb(0)
            )
            low = float(ball.mid() - ball.rad())
            if ball > 0:
                return 1, low
            if ball < 0:
                return -1, low
        if prec == 200:
            R = lambda v: sp.Rational(v.numerator, v.denominator)
            exact_value = sum(R(c) * sp.sqrt(R(v)) for c, v in plus) - sum(R(c) * sp.sqrt(R(v)) for c, v in minus)
            if sp.nsimplify(sp.radsimp(exact_value)) == 0:
                return 0, 0.0
    return None, low


# ----------------------------------------------------------------------------- O20–O22


@claim(
    "O20",
    paper=PAPER,
    source="R12 (heuristic)",
    statement="without A3 the flow interpolates, ‖θ_∞‖² → 2Σ_Q‖β_Q‖ > min ‖θ‖², and the jumps follow the "
    "R12 rule (incremental learning)",
    notion="limit: interpolation; ‖θ‖² and jump-time errors shrink monotonically as λ ↓; "
    "the limit norm exceeds the minimum",
    instance="E2",
)
def o20(s: Session, p: Problem) -> Outcome:
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
    v1, s1, d1 = judge_trend(lams, norm_errs, rate, exact, floors)
    # jump times in T carry an O(1) shift in t, i.e. O(1/ln(1/λ)) in T: slope 1 against 1/ln(1/λ)
    inv_log = [1 / s.predict(q).log_inv_lambda for q in _ladder(p, lams)]
    v2, s2, d2 = judge_trend(inv_log, jump_errs, 1.0, True)
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
        "±10 % of the rates",
        lam_str(lams),
        dps,
        detail,
    )


@claim(
    "O21",
    paper=PAPER,
    source="R6",
    statement="the class with the larger ‖D_±‖ is fitted first",
    notion="order of the observed half-fit times at this λ",
    instance="E1",
)
def o21(s: Session, p: Problem) -> Outcome:
    pr = s.predict(p)
    _need_a3(pr)  # R6 needs A3 and A4
    _need_two_classes(pr)
    tr = _fit(s, p)
    t = {c: _half_fit(tr, pr.points(c), pr.class_initial_loss(c), c) for c in ("+", "-")}
    first = min(t, key=lambda c: t[c])
    return Outcome(
        Verdict.PASS if first == pr.fast else Verdict.FAIL,
        f"class {pr.fast} first (‖D_+‖ = {fmt(pr.norm_D_plus, 6)}, ‖D_−‖ = {fmt(pr.norm_D_minus, 6)})",
        f"class {first} first (T_half: + {fmt(t['+'] / pr.log_inv_lambda, 5)}, − {fmt(t['-'] / pr.log_inv_lambda, 5)})",
        "order",
        _lam(p),
        tr.dps,
    )


@claim(
    "O22",
    paper=PAPER,
    source="(derived)",
    statement="replacing L by cL rescales all times by 1/c",
    notion="exact: cL is the loss of the data (γx_k, γy_k) with γ² = c (same θ); events and states "
    "agree to the working digits",
    instance="E1",
)
def o22(s: Session, p: Problem) -> Outcome:
    from ..problem import Dataset

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
            scale = abs(a.a[j]) + _norm(ctx, a.W[j])
            worst = max(worst, (abs(a.a[j] - b.a[j]) + _norm(ctx, [u - v for u, v in zip(a.W[j], b.W[j])])) / scale)
    tol = ctx.mpf(10) ** -(tr.digits - 3)
    verdict, detail = all_of(
        (same, f"same switch sequence: {same}"),
        (ev <= tol, f"max |c·t'_e − t_e|/max(1, t_e) = {fmt(ev, 3)}"),
        (worst <= tol, f"max relative state difference θ'(t/c) vs θ(t) = {fmt(worst, 3)}"),
    )
    return Outcome(
        verdict,
        f"times × 1/c (c = {c})",
        f"events {fmt(ev, 3)}, states {fmt(worst, 3)}",
        f"≤ {fmt(tol, 2)}",
        _lam(p),
        tr.dps,
        detail,
    )
