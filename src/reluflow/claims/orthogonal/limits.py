"""Claims O15–O19: the limit t → ∞ then λ → 0 and the minimum-norm interpolator."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import sympy as sp

from ...precision import rational
from ...problem import Problem
from ...summary import angle_gap
from ...theory import orthogonal as theory_orthogonal
from ...verdict import Verdict
from ..common import (
    all_of,
    floor,
    norm,
    trend_outcome,
)
from ..core import Outcome, Session, claim, fmt, lam_str
from ..tolerance import All, Certified, Resolution, Slope
from ._shared import PAPER, _ladder, _limit_run, _need_a3, _tail_rate


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
    pts = [[float(c) for c in x] for x in p.data.X] + [[float(c) for c in b] for b in (pr.plus.beta, pr.minus.beta)]
    pts += np.random.default_rng(20221).normal(size=(count, p.d)).tolist()
    return [[c / math.sqrt(sum(v * v for v in x)) for c in x] for x in pts if any(x)]


@claim(
    "O15",
    paper=PAPER,
    source="R9",
    statement="h_{θ_λ(∞)} → h_{θ*} uniformly on bounded sets",
    notion="sup over probe points of the unit sphere ≍ λ^{2(1−ρ_max)} (slope within 10 %), or at least λ¹",
    instance="E1",
    tolerance=Slope(),
)
def o15(s: Session, p: Problem, tol: Slope) -> Outcome:
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
        tol, lams, errs, rate, exact, floors, dps, what="sup |h − h*|", note=f"{len(probes)} probe points; "
    )


@claim(
    "O16",
    paper=PAPER,
    source="R9, R10",
    statement="‖θ_λ(∞)‖² → 2(‖β*₊‖ + ‖β*₋‖) = min_{L=0} ‖θ‖²",
    notion="|‖θ‖² − min| ≍ λ^{2(1−ρ_max)} (slope within 10 %), or at least λ¹",
    instance="E1",
    tolerance=Slope(),
)
def o16(s: Session, p: Problem, tol: Slope) -> Outcome:
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
        tol,
        lams,
        errs,
        rate,
        exact,
        floors,
        dps,
        what="|‖θ‖² − min|",
        predicted=f"min ‖θ‖² = {fmt(pr0.min_theta_sq, 10)}",
    )


@claim(
    "O17",
    paper=PAPER,
    source="R9",
    statement="rank one per class: cos∠(w_j(∞), β*_±) → 1 for j ∈ F_±; partial and dead neurons → 0",
    notion="1 − cos ≍ λ^{4(1−ρ_max)} (or ≥ λ²); partial ‖w_j‖² ≍ λ^{2(1−ρ_j)}; dead ‖w_j‖ ≤ λ‖z_j‖",
    instance="E1",
    tolerance=All((Slope(), Slope(), Resolution(slack=2, of="λ‖z_j‖ for dead neurons"))),
)
def o17(s: Session, p: Problem, tol: All) -> Outcome:
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
            max(angle_gap(ctx, st.W[j], pr.plus.beta if pr.neurons[j].sign == 1 else pr.minus.beta) for j in full)
        )
        if partial:
            top = max(partial, key=lambda nb: nb.coverage)
            part_errs.append(ctx.fsum(v * v for v in st.W[top.index]))
        lam = rational(ctx, q.init.lam)
        dead_bad += sum(
            1
            for j in dead
            if norm(ctx, st.W[j]) > lam * norm(ctx, [rational(ctx, c) for c in q.init.z[j]]) * (1 + tol[2].of_run(tr))
        )
    v1, s1, d1 = tol[0].judge(lams, cos_errs, 2 * rate, exact, floors)
    parts = [({Verdict.PASS: True, Verdict.FAIL: False}.get(v1), "full neurons' 1 − cos: " + d1)]
    if partial:
        top = max(partial, key=lambda nb: nb.coverage)
        v2, _s2, d2 = tol[1].judge(lams, part_errs, float(2 * (1 - top.coverage)), True)
        parts.append(({Verdict.PASS: True, Verdict.FAIL: False}.get(v2), f"partial neuron {top.index} ‖w‖²: " + d2))
    parts.append((dead_bad == 0, f"dead neurons {dead}: ‖w_j(∞)‖ ≤ λ‖z_j‖ violated {dead_bad} times"))
    verdict, detail = all_of(*parts)
    return Outcome(
        verdict,
        f"1 − cos slope {2 * rate:.4g}",
        f"slope {s1:.4g}; last 1 − cos {fmt(cos_errs[-1], 3)}",
        lam=lam_str(lams),
        dps=dps,
        detail=detail,
    )


@claim(
    "O18",
    paper=PAPER,
    source="R9",
    statement="‖w_j*‖² = ‖β*_±‖K_j²/Σ_{F_±}K_i² for j ∈ F_±",
    notion="max relative error → 0 at the rate λ^{2(1−ρ_max)} (within 10 %), or at least λ¹",
    instance="E1",
    tolerance=Slope(),
)
def o18(s: Session, p: Problem, tol: Slope) -> Outcome:
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
        tol,
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
    tolerance=Certified("every slack ≥ 0 (Arb balls; exact zeros by SymPy), = 0 for the rank-one network"),
)
def o19(s: Session, p: Problem, tol: Certified) -> Outcome:
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
        dps=60,
        detail=detail,
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
