"""Claims O9–O14: escapes, plateaus and the saddle-to-saddle sequence."""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from ...integrate.certify import ball_dict
from ...problem import Problem, ProblemError
from ...verdict import Verdict
from ..common import (
    all_of,
    floor,
    samples,
    trend_outcome,
)
from ..core import Outcome, Session, claim, fmt, lam_str
from ..tolerance import All, Certified, Exact, Rel, Slope
from ._shared import PAPER, _class_loss, _fit, _half_fit, _ladder_runs, _need_a3, _need_two_classes, _tail_rate


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
    tolerance=Slope(),
)
def o9(s: Session, p: Problem, tol: Slope) -> Outcome:
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
        v, _slope, det = tol.judge(lams, errs, rate, exact, floors)
        verdicts.append(v)
        parts.append(
            f"class {sign}: {det}; t^(1/2)/ln(1/λ) = {fmt(ratio[0], 6)} vs n/‖D‖ = {fmt(ratio[1], 6)} at λ = {lams[-1]}"
        )
    return Outcome(
        Verdict.combine(verdicts),
        "errors → 0 at the predicted rate",
        "; ".join(p_.split(";")[0] for p_ in parts),
        f"{tol.describe()} (exact rate) or {tol.describe(exact=False)}",
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
    tolerance=Slope(),
)
def o10(s: Session, p: Problem, tol: Slope) -> Outcome:
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
    return trend_outcome(tol, lams, errs, rate, exact, floors, dps, what="sup |L − L_R7|", predicted="sup error → 0")


@claim(
    "O11",
    paper=PAPER,
    source="R6",
    statement="L(t) = L_mid + o(1) for t ∈ [(T_fast+δ) ln(1/λ), (T_slow−δ) ln(1/λ)] (δ = (T_slow − T_fast)/4)",
    notion="sup error ≍ λ^{cδ}, c = min(2μ_fast, 2‖D_slow‖/n) (slope within 10 %)",
    instance="E1",
    tolerance=Slope(),
)
def o11(s: Session, p: Problem, tol: Slope) -> Outcome:
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
        tol, lams, errs, rate, True, floors, dps, what="sup |L − L_mid|", predicted=f"L_mid = {fmt(pr0.L_mid, 8)}"
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
    tolerance=All((Exact("ΔL = −ε²‖D_slow‖/n + O(ε⁴) at a stationary θ⁽¹⁾ (SymPy)"), Slope())),
)
def o12(s: Session, p: Problem, tol: All) -> Outcome:
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
    v, slope, detail = tol[1].judge(lams, errs, rate, True, floors)
    verdict, det = all_of((exact_ok, exact_detail), ({Verdict.PASS: True, Verdict.FAIL: False}.get(v), detail))
    return Outcome(
        verdict,
        f"ΔL coefficient −‖D_slow‖/n = {fmt(pr0.saddle_coefficient, 8)}; ‖∇L‖ slope {rate:.4g}",
        f"exact: {'equal' if exact_ok else 'different'}; slope {slope:.4g}",
        lam=lam_str(lams),
        dps=dps,
        detail=det,
    )


@claim(
    "O13",
    paper=PAPER,
    source="R8",
    statement="L(θ(t)) → 0 (global convergence under A1–A3)",
    notion="L < 1e-20 within the theory's horizon at this λ (escape t⁰_± plus the decay at 2μ_±, +25 %): the run "
    "stops at L = 1e-21 and the certified (Arb) enclosure of its final loss decides, when the run certifies",
    instance="E1",
    tolerance=Certified("final L < 1e-20 (the engine's value where the run does not certify)", hi="1e-20"),
)
def o13(s: Session, p: Problem, tol: Certified) -> Outcome:
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
        b = ball_dict(cert.loss_ball, 6)
        return Outcome(
            tol.judge(cert.loss_ball),
            "L → 0",
            observed + f"; proven L ∈ {b['mid']} ± {b['rad']}",
            detail=f"{tr.message}; certificate: {cert.message} in {cert.seconds:.2f} s",
            certified=True,
            run=tr,
        )
    why = "" if cert is None else f"; not certified ({cert.message}), judged on the engine's value"
    return Outcome(Verdict.PASS if ok else Verdict.FAIL, "L → 0", observed, detail=tr.message + why, run=tr)


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
    tolerance=Rel(0.02),
)
def o14(s: Session, p: Problem, tol: Rel) -> Outcome:
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
                rel <= tol.rel,
                f"class {sign} at λ = {lam_str(lam)}: slope {slope:.6g} vs −2μ = {want:.6g} "
                f"(rel. error {rel:.2g}, {len(pts)} samples)",
            )
        )
    verdict, detail = all_of(*parts)
    return Outcome(
        verdict,
        "slopes −2μ_±",
        f"max rel. error {worst:.2g}",
        lam=", ".join(dict.fromkeys(used)),
        dps=dps,
        detail=detail + f"; tail rate of the total loss as λ → 0: 2 min μ = {fmt(pr0.loss_rate, 6)}",
    )
