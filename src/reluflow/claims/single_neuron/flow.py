"""Claims N1–N5: the flow itself (a_j = s_j‖w_j‖, monotone loss) and the data's constants (γ, the cone, the yardstick)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from ...linalg import dot
from ...precision import rational
from ...problem import Problem, ProblemError
from ...theory.single_neuron_assumptions import gamma, sigma_matrix
from ...verdict import Verdict
from ..common import all_of, norm, samples
from ..core import Outcome, Session, claim, fmt
from ..tolerance import All, Bound, Exact, Resolution
from ._shared import PAPER, _converged, _pr


@claim(
    "N1",
    paper=PAPER,
    source="Prop. 1(ii)",
    statement="a_j(t) = s_j‖w_j(t)‖ along the flow; signs never flip",
    notion="integrator tolerance: |a_j − s_j‖w_j‖| ≤ 10^-(digits−5)·max(‖w_j‖, λ‖z_j‖)",
    instance="SN1",
    tolerance=All((Resolution(slack=5, of="‖w_j‖"), Exact("sign a_j = s_j"))),
)
def n1(s: Session, p: Problem, tol: All) -> Outcome:
    _pr(s, p)
    tr = _converged(s, p.with_lambda("1e-10") if p.init.lam > Fraction(1, 10**10) else p, power=1)
    ctx = tr.ctx
    bound = tol[0].of_run(tr)
    worst, flips = ctx.zero, 0
    for t in sorted(set(tr.times + samples(tr, s.profile.samples))):
        st = tr.evaluate(t)
        for j, sj in enumerate(p.init.s):
            nw = norm(ctx, st.W[j])
            worst = max(worst, abs(st.a[j] - sj * nw) / nw)
            flips += st.a[j] * sj <= 0
    verdict = Verdict.PASS if worst <= bound and flips == 0 else Verdict.FAIL
    return Outcome(
        verdict,
        "a_j − s_j‖w_j‖ = 0, sign s_j",
        f"max rel. {fmt(worst, 3)}; {flips} sign flips",
        f"≤ {fmt(bound, 2)}",
        run=tr,
        detail=f"{len(tr.times)} step boundaries and {s.profile.samples + 1} samples up to t = {fmt(tr.t_end, 4)}",
    )


@claim(
    "N2",
    paper=PAPER,
    source="Prop. 9",
    statement="dL/dt = −‖θ̇‖² ≤ 0",
    notion="central finite differences of the dense output against ‖∇L‖² = ‖θ̇‖² from the state",
    instance="SN1",
    tolerance=Resolution(share=4, of="‖∇L‖²"),
)
def n2(s: Session, p: Problem, tol: Resolution) -> Outcome:
    _pr(s, p)
    tr = _converged(s, p.with_lambda("1e-10") if p.init.lam > Fraction(1, 10**10) else p, power=1)
    ctx = tr.ctx
    h = ctx.mpf(10) ** (-(tr.digits // 3))  # FD error ~ h² + 10^-digits/h, relative to the step's digits
    worst, used = ctx.zero, 0
    for t in samples(tr, s.profile.samples * 4, lo=h * 2, hi=tr.t_end - 2 * h):
        st = tr.evaluate(t)
        g2, L = tr.grad_sq(st), tr.loss_of(st)
        if g2 <= h * L:
            continue
        fd = (tr.loss(t + h) - tr.loss(t - h)) / (2 * h)
        worst = max(worst, abs(fd + g2) / g2)
        used += 1
    bound = tol.of_run(tr)
    verdict, detail = all_of(
        (worst <= bound if used >= 10 else None, f"{used} resolvable samples; FD step {fmt(h, 2)}")
    )
    return Outcome(
        verdict, "dL/dt = −‖θ̇‖²", f"max rel. diff {fmt(worst, 3)}", tol.describe(bound), detail=detail, run=tr
    )


@claim(
    "N3",
    paper=PAPER,
    source="Props. 16, 17",
    statement="γ_[n] = Σv* = Σ_k η_k ν*_k u_k; η_1 ≤ Δ², η_{k+1}/η_k ≤ (1 − δ/((d−1)Δ))², "
    "δ^{5/2}|I|/(√2 n) ≤ ‖γ_I‖ ≤ Δ²|I|/n, δ² ≤ ‖γ_[n]‖",
    notion="exact (Fractions) for γ = Σv*; the spectral form to 10^-(dps−5); inequalities",
    instance="SN1",
    tolerance=All((Exact("γ_[n] = Σv*"), Resolution(slack=5, unit="dps"), Bound("Props. 16, 17"))),
)
def n3(s: Session, p: Problem, tol: All) -> Outcome:
    pr = _pr(s, p, 40)
    ctx, data, n, d = pr.ctx, p.data, p.n, p.d
    gam_q = list(gamma(data))  # (1/n)Σ y_i x_i
    sv = [dot(row, data.teacher) for row in sigma_matrix(data)]  # Σv*
    spectral = [ctx.fsum(pr.eta[k] * pr.nu_star[k] * pr.u[k][i] for k in range(d)) for i in range(d)]
    err = max(abs(a - rational(ctx, b)) for a, b in zip(spectral, gam_q))
    bound = tol[1].bound(ctx, pr.dps)
    De, de = pr.Delta, pr.delta
    ratio_ok = all(pr.eta[k + 1] / pr.eta[k] <= (1 - de / ((d - 1) * De)) ** 2 for k in range(d - 1))
    worst_lo, worst_hi = math.inf, math.inf
    for mask in range(1, 2**n):
        I = [i for i in range(n) if mask >> i & 1]
        g = norm(ctx, pr.gamma_of(I))
        worst_lo = min(worst_lo, float(g / (de ** ctx.mpf(2.5) * len(I) / (ctx.sqrt(2) * n))))
        worst_hi = min(worst_hi, float(De**2 * len(I) / n / g))
    verdict, detail = all_of(
        (gam_q == sv, "γ_[n] = Σv* exactly (Fractions)"),
        (err <= bound, f"spectral form error {fmt(err, 3)}"),
        (pr.eta[0] <= De**2, f"η_1 = {fmt(pr.eta[0])} ≤ Δ² = {fmt(De**2)}"),
        (ratio_ok, "eigenvalue ratios below (1 − δ/((d−1)Δ))²"),
        (
            worst_lo > 1 and worst_hi >= 1,
            f"over all {2**n - 1} sets I: min ‖γ_I‖/lower = {worst_lo:.4g}, min upper/‖γ_I‖ = {worst_hi:.4g}",
        ),
        (de**2 <= pr.G, f"δ² = {fmt(de**2)} ≤ ‖γ_[n]‖ = {fmt(pr.G)}"),
    )
    return Outcome(
        verdict,
        "identities and bounds hold",
        f"spectral error {fmt(err, 3)}; bound margins {worst_lo:.3g}, {worst_hi:.3g}",
        f"exact / {tol[1].describe(bound)}",
        dps=pr.dps,
        detail=detail,
    )


@claim(
    "N4",
    paper=PAPER,
    source="Prop. 24",
    statement="u_1 ∈ int cone{x_i} (n = d: X⁻ᵀu_1 > 0)",
    notion="strict positivity of the cone coordinates (well above 10^-(dps−5))",
    instance="SN1",
    tolerance=Resolution(slack=5, unit="dps"),  # the coordinates must stand clear of it
)
def n4(s: Session, p: Problem, tol: Resolution) -> Outcome:
    pr = _pr(s, p, 40)
    if p.n != p.d:
        raise ProblemError("data.X", "N4 is checked for n = d (cone coordinates unique)")
    ctx = pr.ctx
    A = ctx.matrix([[rational(ctx, p.data.X[i][a]) for i in range(p.n)] for a in range(p.d)])  # columns x_i
    c = ctx.lu_solve(A, ctx.matrix(list(pr.u[0])))
    coords = [c[i] for i in range(p.n)]
    floor = tol.bound(ctx, pr.dps)
    verdict = Verdict.PASS if min(coords) > floor else Verdict.FAIL
    return Outcome(
        verdict,
        "all cone coordinates > 0",
        f"coordinates {fmt(coords, 5)}",
        f"> {fmt(floor, 2)}",
        dps=pr.dps,
        detail="u_1 = Σ c_i x_i solved at the prediction's precision",
    )


@claim(
    "N5",
    paper=PAPER,
    source="Props. 12, 14, 17(vi)",
    statement="yardstick: s_jα_jᵀx_i increasing; single crossings in the Prop. 14(i) order; D1 matches "
    "integration; max τ < 4n ln n/δ³",
    notion="event times to 10^-(dps−10): the engine at λ = 10^-(dps/2+5), where w/λ is the yardstick "
    "to 10^-dps; the order by the Prop. 14(i) rule, independent of D1's",
    instance="SN1",
    tolerance=Resolution(slack=10, unit="dps"),
)
def n5(s: Session, p: Problem, tol: Resolution) -> Outcome:
    dps = 40
    q = p.with_lambda(Fraction(1, 10 ** (dps // 2 + 5)))
    pr = _pr(s, q, dps + 10)
    ctx = pr.ctx
    tr = s.solve(q, digits=dps, t_end=math.ceil(float(pr.T0)))
    X = [[rational(ctx, c) for c in x] for x in p.data.X]
    xbar = [[c / norm(ctx, x) for c in x] for x in X]
    worst, order_ok, mono_ok, n_events = ctx.zero, True, True, 0
    for j, y in pr.yardsticks.items():
        ev = [e for e in tr.events if e.neuron == j]
        n_events += len(ev)
        if [(e.point, e.direction) for e in ev] != [(c.point, c.direction) for c in y.crossings]:
            order_ok = False
            continue
        worst = max([worst] + [abs(e.t - c.tau) for e, c in zip(ev, y.crossings)])
        # Prop. 14(i): the next point is argmin −s ᾱᵀx̄_i / γ̄ᵀx̄_i over the points not yet crossed
        crossed: list[int] = []
        for st, c in zip(y.stages, y.crossings):
            gbar = [g / st.G for g in st.gamma]
            cand = [i for i in range(p.n) if i not in crossed and (i in st.active) == (y.sign == -1)]
            key = lambda i: (
                -y.sign * sum(a * b for a, b in zip(st.start, xbar[i])) / sum(a * b for a, b in zip(gbar, xbar[i]))
            )
            order_ok &= min(cand, key=key) == c.point
            crossed.append(c.point)
        for t0, t1 in zip([ctx.zero] + [c.tau for c in y.crossings], [c.tau for c in y.crossings] + [pr.T0]):
            vals = []
            for k in range(9):
                r, u = y.state(ctx, t0 + (t1 - t0) * k / 8)
                vals.append([y.sign * r * sum(a * b for a, b in zip(u, x)) for x in X])
            if y.sign == -1 and t0 >= y.last:
                continue  # frozen after deactivation
            mono_ok &= all(b[i] > a[i] for a, b in itertools.pairwise(vals) for i in range(p.n))
    bound = 4 * p.n * math.log(p.n) / pr.delta**3
    tmax = max(y.last for y in pr.yardsticks.values())
    res = tol.bound(ctx, dps)
    verdict, detail = all_of(
        (order_ok, f"{n_events} engine events in D1's order, and each D1 crossing is the Prop. 14(i) argmin"),
        (worst <= res, f"max |t_engine − τ_D1| = {fmt(worst, 3)}"),
        (mono_ok, "s_jα_jᵀx_i strictly increasing at 9 points per stage"),
        (tmax < bound, f"max τ = {fmt(tmax)} < 4n ln n/δ³ = {fmt(bound)}"),
    )
    return Outcome(
        verdict,
        f"{len(pr.crossings)} crossings at D1 times",
        f"max gap {fmt(worst, 3)}",
        tol.describe(res),
        detail=detail,
        run=tr,
    )
