"""Proof checks for orthogonal inputs (Boursier, Pillaud-Vivien & Flammarion 2022).
Ids are the spec's (R1–R12, O1–O22); the paper's own numbers are unknown."""

from __future__ import annotations

import sympy as sp

from reluflow.symbolic import formulas

from .core import Outcome, all_of, check, positive, zero

tau, t, t0 = sp.symbols("tau t t0", real=True)
n, D, w0 = sp.symbols("n D w0", positive=True)
B = sp.Symbol("B", real=True)


def _segment_domain(rng):
    """(n, ‖D‖, ‖ŵ_i‖, B, τ) with |B| < ‖D‖‖ŵ_i‖ (Cauchy–Schwarz, not antiparallel)."""
    Dv, wv = sp.Rational(rng.randint(1, 40), rng.randint(1, 9)), sp.Rational(rng.randint(1, 40), rng.randint(1, 9))
    frac = sp.Rational(rng.randint(-95, 95), 100)
    return {n: rng.randint(1, 9), D: Dv, w0: wv, B: frac * Dv * wv, tau: sp.Rational(rng.randint(0, 50), 7)}


@check(
    "R3a",
    paper="orthogonal",
    refs="R3 (segment map); O4, O5",
    statement="On a segment with constant D the λ-free early flow ŵ' = (‖ŵ‖/n) D is solved by "
    "ŵ = ŵ_i + ς(t) D with ς(t) = ((E−B)² − ‖D‖²‖ŵ_i‖²)/(2‖D‖²E), "
    "E = e^{‖D‖(t−t_i)/n}(‖D‖‖ŵ_i‖ + B), whose inverse is the stated time formula",
    method="SymPy: ς(t_i) = 0, E' = (‖D‖/n)E, (nς')² = ‖ŵ_i + ςD‖², nς' = (E² + ‖D‖²‖ŵ_i‖² − B²)/(2‖D‖E) > 0 "
    "(Cauchy–Schwarz), inverse time formula ∘ ς = identity; wrong-sign pairs vanish at ς_k",
)
def segment() -> Outcome:
    vs, E = formulas.segment(tau, n=n, D=D, w0=w0, B=B)
    dv = sp.diff(vs, tau)
    norm_sq = w0**2 + 2 * vs * B + vs**2 * D**2  # ‖ŵ_i + ςD‖²
    closed = (E**2 + D**2 * w0**2 - B**2) / (2 * D * E)
    Es, gap = sp.Symbol("E", positive=True), sp.Symbol("CS_gap", nonnegative=True)
    back = formulas.segment_time(vs, n=n, D=D, w0=w0, B=B).xreplace({sp.sqrt(norm_sq): n * dv})
    # deactivation of a wrong-sign point k (orthogonal inputs, ⟨D, x_k⟩ = −|y_k| ‖x_k‖²)
    u0, yk, ck = sp.symbols("u0 y_k c_k", positive=True)
    s_k = u0 / (yk * ck**2)
    return all_of(
        zero(vs.subs(tau, 0), "ς(t_i)", domain=_segment_domain),
        zero(sp.diff(E, tau) - D / n * E, "E' − (‖D‖/n)E", domain=_segment_domain),
        zero((n * dv) ** 2 - norm_sq, "(nς')² − ‖ŵ_i + ςD‖²", domain=_segment_domain),
        zero(n * dv - closed, "nς' − (E² + ‖D‖²‖ŵ_i‖² − B²)/(2‖D‖E)", domain=_segment_domain),
        positive((Es**2 + gap) / (2 * D * Es), "nς' with E > 0 and ‖D‖²‖ŵ_i‖² − B² ≥ 0"),
        zero(back - tau, "segment_time(ς(t)) − (t − t_i)", domain=_segment_domain),
        zero(u0 + s_k * (-yk * ck**2), "û_jk + ς_k⟨D, x_k⟩ at ς_k = û_jk/(|y_k|‖x_k‖²)"),
    )


@check(
    "R3b",
    paper="orthogonal",
    refs="R3 (growth), O8",
    statement="After the last event the norm grows like K_j e^{‖D_j‖t/n} with "
    "K_j = e^{−‖D_j‖t_N/n} ‖ŵ_N‖ (1 + cos∠(ŵ_N, D_j))/2, and K_j ≤ ‖ŵ_N‖ e^{−‖D_j‖t_N/n}",
    method="SymPy limit of ‖ŵ(t)‖ e^{−‖D‖(t−t_N)/n} as t → ∞ along the segment map; the bound from cos ≤ 1",
)
def growth() -> Outcome:
    vs, _ = formulas.segment(tau, n=n, D=D, w0=w0, B=B)
    norm = n * sp.diff(vs, tau)  # = ‖ŵ(t)‖ (R3a)
    lim = sp.limit(norm * sp.exp(-D * tau / n), tau, sp.oo)
    tN = sp.Symbol("t_N", nonnegative=True)
    K = formulas.growth_prefactor(w0=w0, cos=B / (D * w0), D=D, n=n, t_N=tN)
    cos = sp.Symbol("cos", real=True)
    bound = sp.exp(-D * tN / n) * w0 - formulas.growth_prefactor(w0=w0, cos=cos, D=D, n=n, t_N=tN)
    return all_of(
        zero(lim * sp.exp(-D * tN / n) - K, "lim ‖ŵ‖e^{−‖D‖τ/n} · e^{−‖D‖t_N/n} − K_j", domain=_segment_domain),
        zero(bound - sp.exp(-D * tN / n) * w0 * (1 - cos) / 2, "‖ŵ_N‖e^{−‖D‖t_N/n} − K_j = ‖ŵ_N‖e^{…}(1 − cos)/2 ≥ 0"),
    )


@check(
    "R3c",
    paper="orthogonal",
    refs="R3 (alignment), R4; O6",
    statement="On a segment with constant D, 1 − cos∠(ŵ(t), D) = 2(a² − B²)/(E² + a² − B²) with a = ‖D‖‖ŵ_i‖; "
    "after the last event 1 − cos∠(ŵ_j(t), D_j) ≤ C_j e^{−2‖D_j‖t/n} with "
    "C_j = 2(a − B)/(a + B) e^{2‖D_j‖t_N/n}, and gap · e^{2‖D_j‖t/n} → C_j as t → ∞",
    method="SymPy: the gap identity from ŵ = ŵ_i + ςD and ‖ŵ‖ = nς' (R3a); C e^{−2‖D‖t/n} − gap = "
    "2(a − B)²(a + B)²/(E²(E² + a² − B²)), positive for |B| < a (so E > 0); SymPy limit",
)
def alignment() -> Outcome:
    vs, E = formulas.segment(tau, n=n, D=D, w0=w0, B=B)
    norm = n * sp.diff(vs, tau)  # = ‖ŵ_i + ςD‖ (R3a)
    tN = sp.Symbol("t_N", nonnegative=True)

    def domain(rng):  # a segment's point plus the time t_N ≥ 0 of the last event
        return {**_segment_domain(rng), tN: sp.Rational(rng.randint(0, 30), 7)}

    gap = formulas.alignment_gap(tau, n=n, D=D, w0=w0, B=B)
    C = formulas.alignment_constant(n=n, D=D, w0=w0, B=B, t_N=tN)
    a = D * w0
    cos = (B + vs * D**2) / (norm * D)  # ⟨ŵ_i + ςD, D⟩/(‖ŵ‖‖D‖) with ⟨ŵ_i, D⟩ = B
    bound = C * sp.exp(-2 * D * (tN + tau) / n)  # at t = t_N + τ

    def excess(e):
        return 2 * (a - B) ** 2 * (a + B) ** 2 / (e**2 * (e**2 + a**2 - B**2))

    # |B| < a: p = a − B > 0, r = a + B > 0, and E = e^{‖D‖τ/n}(a + B) > 0
    p, r, Es = sp.symbols("p r E", positive=True)
    lim = sp.limit(gap * sp.exp(2 * D * (tN + tau) / n), tau, sp.oo)
    return all_of(
        zero(1 - cos - gap, "1 − ⟨ŵ, D⟩/(‖ŵ‖‖D‖) − alignment_gap", domain=_segment_domain),
        zero(
            bound - gap - excess(E), "C e^{−2‖D‖(t_N+τ)/n} − gap − 2(a − B)²(a + B)²/(E²(E² + a² − B²))", domain=domain
        ),
        zero(
            excess(Es).subs({B: (r - p) / 2, w0: (r + p) / (2 * D)}) - 2 * p**2 * r**2 / (Es**2 * (Es**2 + p * r)),
            "the excess in p = a − B, r = a + B",
        ),
        positive(2 * p**2 * r**2 / (Es**2 * (Es**2 + p * r)), "2p²r²/(E²(E² + pr)) with p, r, E > 0"),
        zero(lim - C, "lim gap · e^{2‖D‖(t_N+τ)/n} − C (τ → ∞)", domain=domain),
    )


@check(
    "R7",
    paper="orthogonal",
    refs="R5, R7; O10",
    statement="Orthonormal inputs: β = ρ D̄ with the logistic ρ(t) = ‖D‖/(1 + ‖D‖e^{−2‖D‖(t−t⁰)/n}) "
    "solves the group ODE β̇ = ‖β‖(I + β̄β̄ᵀ)(1/n)Σ_k(|y_k| − ⟨β, x_k⟩)x_k; its loss is "
    "‖D‖²/(2n)(1 − ρ/‖D‖)²; ρ ~ e^{2‖D‖(t−t⁰)/n} as t → −∞; ρ = ‖D‖/2 at t^{1/2}",
    method="SymPy: the vector ODE for a class of three orthonormal points in R⁴ with symbolic labels, "
    "the logistic ODE, the loss, a limit, and the half-time formula",
)
def logistic() -> Outcome:
    ys = sp.symbols("y1:4", positive=True)
    e = [sp.eye(4)[:, i] for i in range(4)]
    Dvec = sum((yk * ek for yk, ek in zip(ys, e)), sp.zeros(4, 1))
    Dn = sp.sqrt(sum(yk**2 for yk in ys))
    Ds = sp.Symbol("D", positive=True)
    rho = formulas.logistic_radius(t, t0=t0, D=Ds, n=n)
    beta = rho * Dvec / Dn
    drive = sum(((yk - (beta.T * ek)[0]) * ek for yk, ek in zip(ys, e)), sp.zeros(4, 1)) / n
    bbar = Dvec / Dn
    rhs = rho * (sp.eye(4) + bbar * bbar.T) * drive  # ‖β‖ = ρ > 0
    ode = (sp.diff(beta, t) - rhs).subs(Ds, Dn)
    loss = sum(((yk - (beta.T * ek)[0]) ** 2 for yk, ek in zip(ys, e))) / (2 * n)
    lam, K2 = sp.symbols("lambda K2", positive=True)
    t0_val = n / (2 * Ds) * sp.log(1 / (lam**2 * K2))
    t_half = formulas.half_time(D=Ds, n=n, lam=lam, K2=K2)
    return all_of(
        *[zero(c, f"β̇ − RHS, component {i}") for i, c in enumerate(ode)],
        zero(sp.diff(rho, t) - 2 * rho * (Ds - rho) / n, "ρ' − 2ρ(‖D‖ − ρ)/n"),
        zero((loss - formulas.logistic_loss(rho, D=Ds, n=n)).subs(Ds, Dn), "loss − ‖D‖²/(2n)(1 − ρ/‖D‖)²"),
        zero(sp.limit(rho * sp.exp(-2 * Ds * (t - t0) / n), t, -sp.oo) - 1, "lim ρ e^{−2‖D‖(t−t⁰)/n} − 1 (t → −∞)"),
        zero(rho.subs(t0, t0_val).subs(t, t_half) - Ds / 2, "ρ(t^{1/2}) − ‖D‖/2"),
    )


@check(
    "R10",
    paper="orthogonal",
    refs="R9, R10; O16, O19",
    statement="Every interpolator has Σ_{a_j>0} a_j‖w_j‖ ≥ ‖β*₊‖ and Σ_{a_j<0} |a_j|‖w_j‖ ≥ ‖β*₋‖, so "
    "‖θ‖² ≥ 2(‖β*₊‖ + ‖β*₋‖); equality needs every neuron active on its whole class and "
    "parallel to β*_±; the two-neuron network along β*_± interpolates and attains it",
    method="SymPy: Lagrange's identity (Cauchy–Schwarz as a sum of squares, zero iff parallel), the "
    "orthogonal norm identity, AM–GM as a square, and the minimiser's outputs and norm "
    "(classes of 2 and 1 points, symbolic norms and labels)",
)
def min_norm() -> Outcome:
    w = sp.symbols("w1:4", real=True)
    v = sp.symbols("v1:4", real=True)
    dot = sum(a * b for a, b in zip(w, v))
    lagrange = sum((w[i] * v[j] - w[j] * v[i]) ** 2 for i in range(3) for j in range(i + 1, 3))
    cs = zero(
        sum(a**2 for a in w) * sum(b**2 for b in v) - dot**2 - lagrange,
        "‖w‖²‖v‖² − ⟨w,v⟩² − Σ_{i<j}(w_i v_j − w_j v_i)²",
    )
    # Σ_{k∈A} α_k x_k with α_k = y_k/‖x_k‖², x_k = c_k e_k: its norm² is Σ_{k∈A} y_k²/‖x_k‖² ≤ ‖β*‖²
    c = sp.symbols("c1:4", positive=True)
    y = sp.symbols("y1:4", positive=True)
    vec = [y[k] / c[k] ** 2 * c[k] for k in range(2)] + [0]  # A = {1, 2} ⊂ S₊ = {1, 2, 3}
    orth = zero(
        sum(x**2 for x in vec) - (y[0] ** 2 / c[0] ** 2 + y[1] ** 2 / c[1] ** 2), "‖Σ_A α_k x_k‖² − Σ_A y_k²/‖x_k‖²"
    )
    a, wn = sp.symbols("a wn", real=True)
    amgm = zero(a**2 + wn**2 - 2 * a * wn - (a - wn) ** 2, "a² + ‖w‖² − 2a‖w‖ − (a − ‖w‖)²")
    # minimiser: S₊ = {1, 2}, S₋ = {3}, x_k = c_k e_k, labels y₁, y₂ > 0, y₃ = −|y₃|
    e = [sp.eye(3)[:, i] for i in range(3)]
    X = [c[k] * e[k] for k in range(3)]
    labels = [y[0], y[1], -y[2]]
    beta_p = sum((y[k] / c[k] ** 2 * X[k] for k in range(2)), sp.zeros(3, 1))
    beta_m = y[2] / c[2] ** 2 * X[2]
    bp, bm = sp.sqrt((beta_p.T * beta_p)[0]), sp.sqrt((beta_m.T * beta_m)[0])
    W = [sp.sqrt(bp) * beta_p / bp, sp.sqrt(bm) * beta_m / bm]
    A = [sp.sqrt(bp), -sp.sqrt(bm)]
    outputs = [sum(A[j] * sp.Max((W[j].T * X[k])[0], 0) for j in range(2)) - labels[k] for k in range(3)]
    theta_sq = sum(x**2 for x in A) + sum((wj.T * wj)[0] for wj in W)
    return all_of(
        cs,
        orth,
        amgm,
        *[zero(o, f"h(x_{k + 1}) − y_{k + 1} for the minimiser") for k, o in enumerate(outputs)],
        zero(theta_sq - formulas.min_theta_sq(bp, bm), "‖θ‖² − 2(‖β*₊‖ + ‖β*₋‖) for the minimiser"),
    )
