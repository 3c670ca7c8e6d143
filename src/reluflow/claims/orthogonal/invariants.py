"""Claims O1–O3 (exact properties of the flow: invariants, frozen pairs, monotone loss)."""

from __future__ import annotations

from fractions import Fraction

from ...precision import rational
from ...problem import Problem
from ..common import (
    all_of,
    norm,
    precision_checked,
    samples,
)
from ..core import Outcome, Session, claim, fmt
from ..tolerance import All, Exact, Resolution
from ._shared import PAPER, _fit


@claim(
    "O1",
    paper=PAPER,
    source="R1",
    statement="a_j² − ‖w_j‖² is constant (0 for balanced initialisation) and sign a_j(t) = s_j",
    notion="exact: relative to ‖w_j‖², within the integrator's digits at every step boundary",
    instance="E1",
    tolerance=All((Resolution(slack=2, of="‖w_j‖²"), Exact("sign a_j = s_j"))),
)
def o1(s: Session, p: Problem, tol: All) -> Outcome:
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
        bound = tol[0].of_run(tr)
        ok = worst <= bound and bad_sign == 0
        return (
            ok,
            f"max |a_j² − ‖w_j‖²|/‖w_j‖² = {fmt(worst, 3)}, sign flips {bad_sign}",
            f"{len(tr.times)} step boundaries and {s.profile.samples + 1} samples; tolerance {fmt(bound, 2)}",
            tr.dps,
        )

    v, obs, det, dps = precision_checked(measure, s.profile.digits)
    return Outcome(v, "0 and sign a_j = s_j", obs, dps=dps, detail=det)


@claim(
    "O2",
    paper=PAPER,
    source="R1, R2",
    statement="w_j⊥ is constant; u_jk ≤ 0 implies u_jk stays constant; A_j(t) is non-increasing",
    notion="exact: switched-off pairs stay exactly 0, pairs with u < 0 keep their value to the neuron's relative "
    "precision, no re-entry",
    instance="E1-rotated",
    tolerance=All((Resolution(slack=2, of="each ‖w_j‖"), Exact("no re-entry, A_j(t) non-increasing"))),
)
def o2(s: Session, p: Problem, tol: All) -> Outcome:
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
    res = tol[0].of_run(tr)
    dev, moved, grew = ctx.zero, 0, 0
    prev = None
    for t in sorted(set(tr.times + samples(tr, s.profile.samples))):
        t = min(t, tr.t_end)
        st = tr.evaluate(t)
        for j, row in enumerate(st.W):
            size = norm(ctx, row)  # the engine's error control is relative to each neuron
            perp = list(row)
            for x, n2 in zip(Xm, nx):
                c = ctx.fsum(a * b for a, b in zip(row, x)) / rational(ctx, n2)
                perp = [a - c * b for a, b in zip(perp, x)]
            dev = max(dev, norm(ctx, [a - b for a, b in zip(perp, zperp[j])]) / size)
            for k in range(p.n):
                if st0.U[j][k] <= 0 and (
                    st.U[j][k] > 0 or abs(st.U[j][k] - st0.U[j][k]) > res * size * ctx.sqrt(rational(ctx, nx[k]))
                ):
                    moved += 1
                if (j, k) in off and t >= off[(j, k)] and st.U[j][k] != 0:
                    moved += 1
        if prev is not None and any(st.active[j][k] and not prev[j][k] for j in range(p.m) for k in range(p.n)):
            grew += 1
        prev = st.active
    has_perp = any(norm(ctx, z) > 0 for z in zperp)
    verdict, detail = all_of(
        (
            dev <= res,
            f"max ‖w_j⊥(t) − λz_j⊥‖/‖w_j(t)‖ = {fmt(dev, 3)} (tolerance {fmt(res, 2)}, relative per neuron)"
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
        detail=detail,
        run=tr,
    )


@claim(
    "O3",
    paper=PAPER,
    source="R1 (gradient flow)",
    statement="dL/dt = −‖∇L‖² ≤ 0",
    notion="exact: central finite differences of the dense output against ‖∇L‖² from the state",
    instance="E1",
    tolerance=All((Resolution(share=4, unit="dps", of="‖∇L‖²"), Resolution(slack=2, of="L"))),
)
def o3(s: Session, p: Problem, tol: All) -> Outcome:
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
    mono = sum(1 for a, b in zip(tr.times, tr.times[1:]) if tr.loss(b) > tr.loss(a) * (1 + tol[1].of_run(tr)))
    fd_tol = tol[0].of_run(tr)
    verdict, detail = all_of(
        (
            worst <= fd_tol if used >= 10 else None,
            f"{used} resolvable samples; max |dL/dt + ‖∇L‖²|/‖∇L‖² = {fmt(worst, 3)} "
            f"(FD step {fmt(h, 2)}, tolerance {fmt(fd_tol, 2)})",
        ),
        (mono == 0, f"L increased across {mono} of {len(tr.times) - 1} steps"),
    )
    return Outcome(
        verdict,
        "dL/dt = −‖∇L‖²",
        f"max rel. diff {fmt(worst, 3)}; increases {mono}",
        tol[0].describe(fd_tol),
        detail=detail,
        run=tr,
    )
