"""Claims N22 and N23: Remark 38’s bound against random interpolators, and the probability of Assumption 1(ii) by Monte Carlo."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np

from ...datasets import cayley
from ...linalg import dot
from ...precision import context
from ...problem import Dataset, Problem, ProblemError
from ...theory import norm_geometry as ng
from ...verdict import Verdict
from ..common import all_of
from ..core import Outcome, Session, claim, fmt
from ..tolerance import All, Certified, Confidence, Exact, Resolution
from .geometry import _M, _Q0, DPS, PAPER, _minimum, _need_theorem8, _versus


def _random_interpolator(data: Dataset, chi, rng: random.Random):
    """A random network (a, W) with exact rational entries and zero loss: random output weights
    and pre-activations t_ji at the data, w_j = Σ_i t_ji χ_i (so ⟨w_j, x_i⟩ = t_ji exactly), one
    positive neuron per point absorbing the residual.  Unbalanced on purpose."""
    d = data.d
    ymax = max(data.y)
    while True:
        m = rng.randint(1, 2 * d)
        a = [Fraction(rng.randint(1, 40), 20) * (1 if j == 0 else rng.choice((1, -1))) for j in range(m)]
        T = [[ymax * Fraction(rng.randint(-30, 30), 20) / abs(a[j]) for _ in range(d)] for j in range(m)]
        posj = [j for j in range(m) if a[j] > 0]
        ok = True
        for i in range(d):
            k = rng.choice(posj)
            rest = sum((a[j] * max(T[j][i], _Q0) for j in range(m) if j != k), _Q0)
            T[k][i] = (data.y[i] - rest) / a[k]
            ok &= T[k][i] > 0
        if ok:
            W = [[sum((T[j][i] * chi[i][c] for i in range(d)), _Q0) for c in range(d)] for j in range(m)]
            outs = [sum((aj * max(dot(wj, x), _Q0) for aj, wj in zip(a, W)), _Q0) for x in data.X]
            assert outs == list(data.y)
            return a, W


def _rank_one(data: Dataset, rng: random.Random):
    """A member of Θ_{v*} with rational entries: w_j = c_j v*, a_j = c_j‖v*‖-scaled, Σ c_j² = 1 from
    Pythagorean triples (‖θ‖² = 2‖v*‖ when ‖v*‖ = 1)."""
    u, w = rng.randint(1, 9), rng.randint(1, 9)
    c = [Fraction(2 * u * w, u * u + w * w), Fraction(abs(u * u - w * w), u * u + w * w)]
    c = [v for v in c if v > 0]
    a = list(c)
    W = [[v * t for t in data.teacher] for v in c]
    return a, W


def _theta_sq(a, W) -> Fraction:
    return sum((v * v for v in a), _Q0) + sum((v * v for row in W for v in row), _Q0)


def _generated(kind: str, rng: random.Random, d: int) -> Dataset:
    """d = 2 data with all angles < π/4 (x_i = c_i(v* + r_i), ‖r_i‖ < 1/√2), or orthogonal data
    x_i = c_i Q_i (Q an exact Cayley rotation) with a teacher at angles < π/2 from every x_i."""
    rat = lambda lo, hi: Fraction(rng.randint(int(lo * 1000), int(hi * 1000)), 1000)
    while True:
        if kind == "d2":
            t = rat(-0.95, 0.95)
            v = [(1 - t * t) / (1 + t * t), 2 * t / (1 + t * t)]
            X = [[rat(0.5, 2) * (vi + rat(-0.49, 0.49)) for vi in v] for _ in range(2)]
        else:
            A = [[_Q0] * d for _ in range(d)]
            for i in range(d):
                for j in range(i + 1, d):
                    A[i][j] = rat(-1, 1)
                    A[j][i] = -A[i][j]
            Q = cayley(A)
            X = [[c * q for q in row] for c, row in zip([rat(0.3, 3) for _ in range(d)], Q)]
            alpha = [rat(0.1, 1) for _ in range(d)]
            v = [sum((alpha[i] * Q[i][c] for i in range(d)), _Q0) for c in range(d)]
        try:
            data = Dataset(X, teacher=v)
            ng.dual_basis(data)
        except ProblemError:
            continue
        if all(y > 0 for y in data.y) and (kind != "d2" or ng.angles_below_pi4(data)):
            return data


@claim(
    "N22",
    paper=PAPER,
    source="Remark 38",
    statement="every interpolator has ‖θ‖² ≥ 2 max_i cos∠(v*, x_i) > √2; for d = 2 or orthogonal data 𝓜 < 0",
    notion="exact inequality on random exact interpolators, members of Θ_{v*}, the §3.6 network and the "
    "certified minimiser; for every interpolator at once: the certified minimum's lower end above the "
    "bound (Arb); 𝓜's sign on generated d = 2 and orthogonal instances",
    instance="EX37+",
    tolerance=All(
        (
            Exact("θ⁴‖x_i‖² ≥ 4y_i² on rational networks; sign of 𝓜 by duality"),
            Certified("the certified minimum above the bound"),
            Resolution(slack=5, unit="dps"),
        )
    ),
)
def n22(s: Session, p: Problem, tol: All) -> Outcome:
    data = _need_theorem8(p)
    ctx = context(DPS)
    rho2 = dot(data.teacher, data.teacher)
    B = ng.remark38_bound(data, ctx=ctx)
    nx = [dot(x, x) for x in data.X]
    pi4 = ng.angles_below_pi4(data)
    above_root2 = any(2 * y * y > rho2 * n for y, n in zip(data.y, nx))  # 2 max cos > √2 ⇔ some cos² > 1/2

    def exact_ok(theta: Fraction) -> bool:  # θ² ≥ 2 y_i/‖x_i‖ for every i ⇔ θ⁴ ‖x_i‖² ≥ 4 y_i²
        return all(theta * theta * n >= 4 * y * y for y, n in zip(data.y, nx))

    rng = random.Random(22)
    chi = ng.dual_basis(data)
    count = s.profile.interpolators
    nets = [_random_interpolator(data, chi, rng) for _ in range(count)] + [_rank_one(data, rng) for _ in range(5)]
    exact_vals = [_theta_sq(a, W) for a, W in nets]
    mv = _M(data)
    if mv.counterexample is not None and mv.counterexample.certified:
        exact_vals.append(mv.counterexample.exact_theta_sq)
    found = _minimum(data)
    exact_vals.append(found.theta_sq.hi)  # the certified minimiser, an exact rational network
    bad_exact = sum(not exact_ok(v) for v in exact_vals)
    bound_sq = max(4 * y * y / n for y, n in zip(data.y, nx))  # B² = (2 max_i ⟨v*, x_i⟩/‖x_i‖)², exact
    below = _versus(found, bound_sq)  # '<' iff B < lo: every interpolator is above the bound
    closest = min(float(v) for v in exact_vals)
    # d = 2 and orthogonal instances: 𝓜 < 0
    k = max(3, s.profile.samples // 6)
    insts = [("d = 2", _generated("d2", rng, 2)) for _ in range(k)]
    insts += [(f"orthogonal d = {dd}", _generated("orth", rng, dd)) for dd in [2, 3, 4] * max(1, k // 3)]
    wrong, inconclusive, worst = [], 0, -math.inf
    for name, inst in insts:
        m = ng.compute_M(inst, dps=DPS, starts=6, seed=22, certify=False)
        worst = max(worst, float(m.value))
        if m.sign != -1 or m.numeric_sign == 1:
            wrong.append(f"{name}: sign {m.sign}, value {fmt(m.value, 6)}")
        inconclusive += m.numeric_sign == 0
    verdict, detail = all_of(
        (
            bad_exact == 0,
            f"{len(exact_vals)} exact rational interpolators ({count} random, unbalanced; 5 in Θ_v*"
            f"{'; the exact §3.6 network' if mv.counterexample is not None else ''}; the certified "
            f"minimiser): {bad_exact} below the bound",
        ),
        (
            below == "<",
            f"every interpolator: certified min ‖θ‖² ≥ {found.theta_sq.to_dict(10)['lo']} "
            f"{'>' if below == '<' else '≯'} the bound",
        ),
        (
            abs(B * B - ctx.mpf(bound_sq.numerator) / bound_sq.denominator) <= tol[2].bound(ctx, DPS),
            f"remark38_bound = {fmt(B, 12)} agrees with the exact (2 max_i ⟨v*, x_i⟩/‖x_i‖)² to 1e-25",
        ),
        (
            above_root2,
            f"2 max_i cos∠(v*, x_i) = {fmt(B, 10)} {'>' if above_root2 else '≤'} √2‖v*‖ (exact; all angles "
            f"< π/4: {pi4})",
        ),
        (
            not wrong,
            f"{len(insts)} generated instances (d = 2 with angles < π/4; orthogonal, d = 2..4): 𝓜 < 0 on all "
            f"(largest value {worst:.4g}, numeric search alone inconclusive on {inconclusive})"
            + ("" if not wrong else "; WRONG: " + "; ".join(wrong[:3])),
        ),
    )
    return Outcome(
        verdict,
        f"‖θ‖² ≥ {fmt(B, 8)} > √2 for every interpolator; 𝓜 < 0 for d = 2 / orthogonal",
        f"smallest ‖θ‖² among the checked interpolators {fmt(closest, 8)}; {len(insts)} instances with 𝓜 < 0",
        "exact (Fractions) for rational networks, Arb for the certified minimum; sign of 𝓜 exact (duality)",
        dps=DPS,
        detail=detail,
    )


def _assumption_1ii(data: Dataset, Z: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Assumption 1(ii) for each draw (rows of Z: m directions; S: signs); near-ties (|⟨z, x⟩| or
    the angle to γ below 1e-12 relative) are decided exactly on the floats' binary values.
    Returns (holds, some z_j has I_+(z_j) ≠ ∅ per neuron, exact re-checks)."""
    X = np.array([[float(c) for c in x] for x in data.X])
    gamma_q = [sum((y * x[c] for x, y in zip(data.X, data.y)), _Q0) / data.n for c in range(data.d)]
    gamma = np.array([float(c) for c in gamma_q])
    P = Z @ X.T  # (N, m, n)
    scale = np.linalg.norm(Z, axis=2)[..., None] * np.linalg.norm(X, axis=1)[None, None, :]
    near = np.abs(P) <= 1e-12 * scale
    cosg = (Z @ gamma) / (np.linalg.norm(Z, axis=2) * np.linalg.norm(gamma))
    near_g = cosg >= 1 - 1e-12
    rechecked = 0
    plus = P > 0
    zero = P == 0
    aligned = np.zeros(cosg.shape, bool)
    for idx in zip(*np.nonzero(near.any(axis=2) | near_g)):
        rechecked += 1
        z = [Fraction(float(v)) for v in Z[idx]]
        u = [dot(z, x) for x in data.X]
        plus[idx] = [v > 0 for v in u]
        zero[idx] = [v == 0 for v in u]
        zz, gg, zg = dot(z, z), dot(gamma_q, gamma_q), dot(z, gamma_q)
        aligned[idx] = zg > 0 and zg * zg == zz * gg  # z a positive multiple of γ
    active = plus.any(axis=2)  # I_+(z_j) ≠ ∅
    jplus = (active & (S > 0)).any(axis=1)
    no_zero = ~zero.any(axis=(1, 2))
    jminus_ok = ~(active & (S < 0) & aligned).any(axis=1)
    return jplus & no_zero & jminus_ok, active, rechecked


@claim(
    "N23",
    paper=PAPER,
    source="§3 text (Assumption 1(ii))",
    statement="Pr[Assumption 1(ii)] ≥ 1 − (3/4)^m for z_j ~ N(0, I/(dm)) and uniform signs",
    notion="Monte Carlo with 99.9 % Wilson intervals per m: FAIL only if an upper confidence limit is below "
    "1 − (3/4)^m",
    instance="EX37+",
    tolerance=Confidence(3.2905, "FAIL only if an upper confidence limit is below 1 − (3/4)^m"),
)
def n23(s: Session, p: Problem, tol: Confidence) -> Outcome:
    data = p.data
    if data.teacher is None:
        raise ProblemError("data.teacher", "Assumption 1(ii) needs the labels y_i = σ(⟨v*, x_i⟩) of a teacher")
    n_draws = 100 * s.profile.samples
    rng = np.random.default_rng(23)
    rows, fails, tight = [], [], []
    q_hits = q_total = 0
    rechecks = 0
    for m in (1, 2, 3, 5, 8):
        Z = rng.normal(0.0, 1.0 / math.sqrt(data.d * m), size=(n_draws, m, data.d))
        S = rng.choice((-1, 1), size=(n_draws, m))
        holds, active, rc = _assumption_1ii(data, Z, S)
        rechecks += rc
        q_hits += int(active.sum())
        q_total += active.size
        k = int(holds.sum())
        lo, hi = tol.interval(k, n_draws)
        bound = 1 - 0.75**m
        rows.append(f"m = {m}: {k}/{n_draws} = {k / n_draws:.4f} [{lo:.4f}, {hi:.4f}] vs bound {bound:.4f}")
        if hi < bound:
            fails.append(m)
        if lo <= bound:
            tight.append(m)
    q = q_hits / q_total
    verdict = Verdict.FAIL if fails else Verdict.PASS
    return Outcome(
        verdict,
        "Pr ≥ 1 − (3/4)^m for m = 1, 2, 3, 5, 8",
        f"Pr[I_+(z) ≠ ∅] ≈ {q:.4f} (≥ 1/2 by symmetry), so Pr ≈ 1 − (1 − q/2)^m; "
        + (
            "all frequencies consistent with the bound"
            if not fails
            else f"significantly below the bound for m = {fails}"
        ),
        dps=15,
        detail="; ".join(rows)
        + (
            f"; not significantly above the bound for m = {tight}"
            if tight
            else "; significantly above the bound for every m"
        )
        + f" (the bound is attained only when q = 1/2, i.e. the data's polar cone is a half-space); {rechecks} near-ties "
        f"rechecked exactly; {n_draws} draws per m (100 × profile samples), seed 23",
    )
