"""The yardstick of one neuron (Prop. 13–14): its stages, crossings and norm split, in mpmath vectors."""

from __future__ import annotations

from typing import Any

from ...precision import rational
from ...problem import Dataset, ProblemError
from ..single_neuron_assumptions import gamma
from .records import Crossing, Stage, Yardstick


def _dot(ctx, u, v):
    return ctx.fsum(a * b for a, b in zip(u, v))


def _norm(ctx, v):
    return ctx.sqrt(_dot(ctx, v, v))


def _unit(ctx, v):
    nv = _norm(ctx, v)
    return [c / nv for c in v]


def _X(ctx, data: Dataset) -> list:
    return [[rational(ctx, c) for c in x] for x in data.X]


def _gamma(ctx, data: Dataset, I) -> list:
    """γ_I (exact, :func:`.single_neuron_assumptions.gamma`) in the context."""
    return [rational(ctx, c) for c in gamma(data, I)]


def _mu(ctx, eta, u, teacher) -> Any:
    """λ_min((I + vvᵀ)Σ) = λ_min(Σ^{1/2}(I + vvᵀ)Σ^{1/2}), a symmetric eigenproblem."""
    d = len(eta)
    # in the eigenbasis: Σ^{1/2} = diag(√η), v ↦ ν
    nu = [_dot(ctx, uk, teacher) for uk in u]
    root = [ctx.sqrt(e) for e in eta]
    A = ctx.matrix(d, d)
    for a in range(d):
        for b in range(d):
            A[a, b] = root[a] * ((1 if a == b else 0) + nu[a] * nu[b]) * root[b]
    return min(ctx.eigsy(A, eigvals_only=True))


def _yardstick(ctx, data: Dataset, X, j: int, z, s: int, G_all) -> Yardstick:
    """D1: the yardstick of neuron j in closed form, stage by stage."""
    n = data.n
    xbar = [_unit(ctx, x) for x in X]
    r = _norm(ctx, z)
    start = [c / r for c in z]
    active = sorted(i for i in range(n) if _dot(ctx, z, X[i]) > 0)
    t = ctx.zero
    stages, crossings = [], []
    while True:
        gam = _gamma(ctx, data, active)
        G = _norm(ctx, gam)
        if not G:
            raise ProblemError(
                f"init.z[{j}]",
                f"γ_I = 0 on the neuron's active set {sorted(active)} (every label "
                "there is 0): its yardstick does not move and D1 is undefined",
            )
        gbar = [c / G for c in gam]
        c0 = _dot(ctx, start, gbar)
        if not -1 < c0 < 1:
            raise ProblemError(
                f"init.z[{j}]",
                "the yardstick is parallel to γ_I (φ = 0 or π): Assumption 1(ii) asks ∠(z_j, γ_[n]) > 0; perturb z_j",
            )
        u0 = ctx.atanh(c0)
        candidates = [i for i in range(n) if (i not in active) == (s == 1)]
        best = None
        for i in candidates:
            a, g = _dot(ctx, start, xbar[i]), _dot(ctx, gbar, xbar[i])
            if g == 0:
                continue
            rho = a / g
            if (s == 1 and rho >= 0) or (s == -1 and rho <= 0):
                continue  # this great circle never reaches point i's boundary
            u_end = ctx.asinh(ctx.sinh(u0) - rho * ctx.cosh(u0))
            dt = s * (u_end - u0) / G
            if best is None or dt < best[0]:
                best = (dt, i, u_end)
        if best is None:
            if s == -1:
                raise ProblemError(
                    f"init.z[{j}]",
                    "a negative neuron's yardstick does not deactivate (its data violate the teacher assumptions)",
                )
            stages.append(Stage(t, None, tuple(active), tuple(gam), G, tuple(start), r, u0))
            break
        dt, i, u_end = best
        t1 = t + dt
        stages.append(Stage(t, t1, tuple(active), tuple(gam), G, tuple(start), r, u0))
        crossings.append(Crossing(j, i, t1, len(stages), "on" if s == 1 else "off"))
        # the state at the crossing
        a = ctx.cosh(u0) / ctx.cosh(u_end)
        b = (ctx.sinh(u_end) - ctx.sinh(u0)) / ctx.cosh(u_end)
        start = _unit(ctx, [a * s0 + b * gi for s0, gi in zip(start, gbar)])
        r = r * ctx.cosh(u_end) / ctx.cosh(u0)
        t = t1
        active = sorted(set(active) | {i}) if s == 1 else [k for k in active if k != i]
        if not active:  # a negative neuron deactivated: frozen from here on
            break
    kappa = None
    if s == 1:
        st = stages[-1]
        kappa = (st.r0 * (1 + ctx.tanh(st.u0)) / 2) * ctx.exp(-G_all * st.t0)
    return Yardstick(j, s, tuple(stages), tuple(crossings), kappa)


def _arc_min(ctx, st: Stage, sign: int, xbar, excluded) -> Any:
    """min |ᾱ(t)ᵀx̄_i| over the stage and the points not crossing at its ends: f(u) =
    (A + g sinh u)/cosh u changes monotonicity at most once and keeps its sign, so the
    minimum of |f| is at an end of the stage."""
    gbar = [c / st.G for c in st.gamma]
    ends = [st.u0] if st.t1 is None else [st.u0, st.u0 + sign * st.G * (st.t1 - st.t0)]
    out = []
    for i, xb in enumerate(xbar):
        if i in excluded:
            continue
        a, g = _dot(ctx, st.start, xb), _dot(ctx, gbar, xb)
        A = a * ctx.cosh(st.u0) - g * ctx.sinh(st.u0)
        out += [abs((A + g * ctx.sinh(u)) / ctx.cosh(u)) for u in ends]
        if st.t1 is None:  # the last stage of a positive neuron: ᾱ → γ̄
            out.append(abs(g))
    return min(out) if out else None
