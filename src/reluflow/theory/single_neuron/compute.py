"""``predict``: every closed-form quantity of the single-neuron theory for one problem."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from ...precision import context, rational
from ...problem import Dataset, Problem, ProblemError
from ..single_neuron_assumptions import data_conditions, init_conditions, sigma_matrix
from .prediction import Prediction
from .records import EPS
from .yardstick import _X, _arc_min, _dot, _gamma, _norm, _unit, _yardstick


def _eig(ctx, data: Dataset) -> tuple[list, list]:
    """Eigenvalues of Σ (decreasing) and unit eigenvectors signed so that ν*_k ≥ 0."""
    d = data.d
    E, Q = ctx.eigsy(ctx.matrix([[rational(ctx, c) for c in row] for row in sigma_matrix(data)]))
    order = sorted(range(d), key=lambda k: -E[k])
    vs = [rational(ctx, c) for c in data.teacher]
    eta, u = [], []
    for k in order:
        vec = [Q[i, k] for i in range(d)]
        if _dot(ctx, vec, vs) < 0:
            vec = [-c for c in vec]
        eta.append(max(E[k], ctx.zero))  # Σ is PSD: a negative eigenvalue is the rounding of 0
        u.append(vec)
    return eta, u


def predict(problem: Problem, dps: int = 30, eps: Any = EPS) -> Prediction:
    """Evaluate the single-neuron theory at ``dps`` digits (local context).  Needs a
    teacher (``Dataset(X, teacher=v*)``); violated parts of Assumption 1 are reported in
    ``assumption1`` and every quantity that does not need them is still computed."""
    if not isinstance(problem, Problem):
        raise ProblemError("problem", f"expected a reluflow.Problem, got {type(problem).__name__}")
    data = problem.data
    if data.teacher is None:
        raise ProblemError("data.teacher", "the single-neuron theory needs the teacher v*; give [data] teacher")
    eps = Fraction(eps)
    if not 0 < eps <= Fraction(1, 4):
        raise ProblemError("eps", f"must lie in (0, 1/4] (Assumption 2), got {eps}")
    ctx = context(dps)
    X = _X(ctx, data)
    n, d, m = problem.n, problem.d, problem.m
    conds = {**data_conditions(data), **init_conditions(problem)}
    notes = [c.message for c in conds.values() if not c.holds]
    assumption1 = {k: c.holds for k, c in conds.items()}
    teacher = tuple(rational(ctx, c) for c in data.teacher)
    gamma = tuple(_gamma(ctx, data, range(n)))
    G = _norm(ctx, gamma)
    if not any(data.y):
        raise ProblemError(
            "data.teacher",
            "σ(⟨v*, x_k⟩) = 0 on every input, so every label is 0: nothing is learned "
            "and the theory (built on γ = Σ y_k x_k ≠ 0) does not apply; give a "
            "teacher positive on some input",
        )
    eta, u = _eig(ctx, data)
    nu_star = tuple(_dot(ctx, uk, teacher) for uk in u)
    z = [[rational(ctx, c) for c in zj] for zj in problem.init.z]
    moving = [j for j in range(m) if any(_dot(ctx, z[j], x) > 0 for x in X)]
    J_plus = tuple(j for j in moving if problem.init.s[j] == 1)
    J_minus = tuple(j for j in moving if problem.init.s[j] == -1)
    yard = {}
    for j in moving:
        yard[j] = _yardstick(ctx, data, X, j, z[j], problem.init.s[j], G)
    assumption1["iv_single_crossings"] = _single_crossings(ctx, yard, dps, notes)
    assumption1["v_deactivated_stay"] = True  # built into the flow with σ'(0) = 0 (pitfall 4)
    delta = _delta(ctx, X, z, eta, nu_star, yard, d)
    if not delta > 0:
        notes.append(
            f"δ = {ctx.nstr(delta, 5)} ≤ 0 (a repeated or degenerate quantity in its definition, e.g. two "
            "crossings at one instant or a point on a yardstick's arc): the Assumption 2 bound λ_max and "
            "the Lemma 32(ii) bounds on T2 do not exist; Theorem 6 gives no rate"
        )
    Delta = max([_norm(ctx, x) for x in X] + [_norm(ctx, zj) for zj in z] + [ctx.one])
    if not J_plus:
        notes.append("J_+ is empty: no neuron grows (Assumption 1(ii)); the limit and phase-2 quantities are undefined")
    return Prediction(
        problem,
        dps,
        ctx,
        teacher,
        gamma,
        G,
        tuple(eta),
        tuple(tuple(c) for c in u),
        nu_star,
        assumption1,
        tuple(notes),
        J_plus,
        J_minus,
        yard,
        delta,
        Delta,
        eps,
    )


def _single_crossings(ctx, yard: dict, dps: int, notes: list) -> bool:
    """Assumption 1(iv): no two points cross a yardstick at one instant (to dps/2 digits);
    a note for each yardstick where two crossings (nearly) coincide."""
    tie = ctx.mpf(10) ** (-(dps // 2))
    single = True
    for y in yard.values():
        ts = [y.stages[0].t0] + [c.tau for c in y.crossings]
        if any(b - a <= tie * (1 + abs(b)) for a, b in itertools.pairwise(ts)):
            single = False
            notes.append(
                f"init.z[{y.neuron}]: two crossings of the yardstick (nearly) coincide; "
                "Assumption 1(iv) asks |I_0(α_j^t)| ≤ 1 — perturb z_j"
            )
    return single


def _delta(ctx, X, z, eta, nu_star, yard: dict, d: int):
    """δ of §1: the smallest of the data's and the yardsticks' margins (norms, angles,
    eigenvalue gaps, the teacher's components, arcs and crossing gaps)."""
    xbar = [_unit(ctx, x) for x in X]
    parts = [
        min(_norm(ctx, x) for x in X),
        min(_dot(ctx, a, b) for a in xbar for b in xbar),
        ctx.sqrt(eta[-1]),
        min(nu_star) * ctx.sqrt(d),
        min(_norm(ctx, zj) for zj in z),
    ]
    parts += [(ctx.sqrt(eta[k]) - ctx.sqrt(eta[k + 1])) * (d - 1) for k in range(d - 1)]
    for j, y in yard.items():
        c0 = ctx.tanh(y.stages[0].u0)  # cos φ_j^0, φ the angle to γ_{I_+(z_j)}
        parts.append(c0 if y.sign == 1 else ctx.sqrt(1 - c0 * c0))
        for ell, st in enumerate(y.stages):
            excluded = {c.point for c in y.crossings if c.stage in (ell, ell + 1)}
            am = _arc_min(ctx, st, y.sign, xbar, excluded)
            if am is not None:
                parts.append(am)
        if y.sign == -1 and y.crossings:
            parts.append(_dot(ctx, _unit(ctx, z[j]), xbar[y.crossings[0].point]))
        ts = [ctx.zero] + [c.tau for c in y.crossings]
        parts += [b - a for a, b in itertools.pairwise(ts)]
    return min(parts)
