"""Proof checks for one teacher neuron with correlated inputs (Chistikov, Englert & Lazić
2023).  Statement numbers are the paper's; claims N1–N24 are the spec's."""

from __future__ import annotations

import sympy as sp

from reluflow.symbolic import formulas

from .core import (
    Outcome,
    all_of,
    arb_positive,
    check,
    positive,
    positive_poly_from,
    zero,
)

tau = sp.Symbol("tau", real=True)
G, r0, b = sp.symbols("G r0 b", positive=True)
c0 = sp.Symbol("c0", real=True)


def _trig(e):
    return sp.simplify(sp.expand_trig(e).rewrite(sp.exp))


def _stage_domain(rng):
    return {
        tau: sp.Rational(rng.randint(0, 40), 9),
        G: sp.Rational(rng.randint(1, 30), 7),
        r0: sp.Rational(rng.randint(1, 30), 7),
        c0: sp.Rational(rng.randint(-95, 95), 100),
    }


@check(
    "P13",
    paper="single-neuron",
    refs="Prop. 13(ii); D1; N5",
    statement="On a stage with constant γ the yardstick norm is ½‖α(t₁)‖[(1 + s cos φ⁺)e^{‖γ‖τ} + "
    "(1 − s cos φ⁺)e^{−‖γ‖τ}] = ‖α(t₁)‖cosh(u₀ + s‖γ‖τ)/cosh u₀, and it solves "
    "d‖α‖/dt = s‖γ‖‖α‖cos φ (the norm part of α̇ = s‖α‖γ)",
    method="SymPy, for s = +1 and s = −1: the two closed forms agree, the ODE and the initial value hold",
)
def prop13() -> Outcome:
    parts = []
    for s in (1, -1):
        c = formulas.yardstick_cos(tau, cos0=c0, G=G, s=s)
        r = formulas.yardstick_norm(tau, r0=r0, cos0=c0, G=G, s=s)
        r13 = formulas.yardstick_norm_prop13(tau, r0=r0, cos0=c0, G=G, s=s)
        parts += [
            zero(r13 - r, f"Prop. 13(ii) − D1 form (s = {s})", simplify=_trig, domain=_stage_domain),
            zero(
                sp.diff(r13, tau) - s * G * r13 * c,
                f"‖α‖' − s‖γ‖‖α‖cos φ (s = {s})",
                simplify=_trig,
                domain=_stage_domain,
            ),
            zero(r13.subs(tau, 0) - r0, f"‖α(t₁)‖ (s = {s})"),
        ]
    return all_of(*parts)


@check(
    "P14vi",
    paper="single-neuron",
    refs="Prop. 14(vi), Prop. 22; N5",
    statement="cos φ(t) = tanh(artanh cos φ⁺ + s‖γ‖(t − t₁)) solves (cos φ)' = s‖γ‖(1 − cos²φ), "
    "the angle part of α̇ = s‖α‖γ",
    method="SymPy, s = ±1: the ODE and the initial value",
)
def prop14_tanh() -> Outcome:
    parts = []
    for s in (1, -1):
        c = formulas.yardstick_cos(tau, cos0=c0, G=G, s=s)
        parts += [
            zero(sp.diff(c, tau) - s * G * (1 - c**2), f"(cos φ)' − s‖γ‖(1 − cos²φ) (s = {s})", domain=_stage_domain),
            zero(c.subs(tau, 0) - c0, f"cos φ(t₁) (s = {s})"),
        ]
    return all_of(*parts)


@check(
    "P14x",
    paper="single-neuron",
    refs="Prop. 14(x); N5",
    statement="The great-circle formula ᾱ(t) = (sin φ_t ᾱ(t₁) + sin(φ⁺ − φ_t) γ̄)/sin φ⁺, with the norm of "
    "Prop. 13(ii) and the angle of Prop. 14(vi), solves α̇ = s‖α‖γ",
    method="SymPy in the plane span{ᾱ(t₁), γ̄} (where the stage moves, since α̇ ∥ γ): γ̄ = e₁, "
    "ᾱ(t₁) = (cos φ⁺, sin φ⁺); chain rule with the reduced (norm, angle) ODEs of P13, P14vi",
)
def prop14_circle() -> Outcome:
    c, r = sp.symbols("c r", positive=True)  # cos φ (φ ∈ (0, π/2) in the samples), ‖α‖
    S0 = sp.sqrt(1 - c0**2)
    e1, e2 = sp.Matrix([1, 0]), sp.Matrix([0, 1])
    abar = formulas.great_circle(cos_t=c, cos0=c0, alpha0=c0 * e1 + S0 * e2, gamma=e1)
    parts = [
        zero(abar[0] - c, "great circle, e₁ component − cos φ_t"),
        zero(abar[1] - sp.sqrt(1 - c**2), "great circle, e₂ component − sin φ_t"),
    ]
    for s in (1, -1):
        rt, ct = sp.Function("r")(tau), sp.Function("c")(tau)
        alpha = rt * sp.Matrix([ct, sp.sqrt(1 - ct**2)])
        flow = {sp.Derivative(rt, tau): s * G * rt * ct, sp.Derivative(ct, tau): s * G * (1 - ct**2)}
        residual = (sp.diff(alpha, tau).subs(flow) - s * rt * G * e1).subs({rt: r, ct: c})
        parts += [
            zero(
                comp,
                f"α̇ − s‖α‖γ, component {i} (s = {s})",
                domain=lambda rng: {
                    r: sp.Rational(rng.randint(1, 50), 7),
                    c: sp.Rational(rng.randint(1, 99), 100),
                    G: rng.randint(1, 9),
                },
            )
            for i, comp in enumerate(residual)
        ]
    return all_of(*parts)


@check(
    "P16",
    paper="single-neuron",
    refs="Prop. 16; N3",
    statement="γ_[n] = (1/n)Σ y_i x_i = Σ v* = Σ_k η_k ν*_k u_k when y_i = ⟨v*, x_i⟩",
    method="SymPy: symbolic inputs (n = 3, d = 2) and teacher; Σ = Σ_k η_k u_k u_kᵀ with a symbolic rotation",
)
def prop16() -> Outcome:
    X = sp.Matrix(3, 2, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    v = sp.Matrix(sp.symbols("v0 v1", real=True))
    gamma = sum((((X[i, :] * v)[0]) * X[i, :].T for i in range(3)), sp.zeros(2, 1)) / 3
    Sigma = X.T * X / 3
    th, e1, e2 = sp.symbols("theta eta1 eta2", real=True)
    u = [sp.Matrix([sp.cos(th), sp.sin(th)]), sp.Matrix([-sp.sin(th), sp.cos(th)])]
    Sig_spec = e1 * u[0] * u[0].T + e2 * u[1] * u[1].T
    spectral = Sig_spec * v - sum(((eta * (uk.T * v)[0]) * uk for eta, uk in zip((e1, e2), u)), sp.zeros(2, 1))
    return all_of(
        *[zero(g, f"γ − Σv*, component {i}") for i, g in enumerate(gamma - Sigma * v)],
        *[zero(g, f"Σv* − Σ η_k ν*_k u_k, component {i}") for i, g in enumerate(spectral)],
    )


@check(
    "E37neg",
    paper="single-neuron",
    refs="Example 37 (𝓜 < 0 family); Thm 8(i); N20, N21",
    statement="x_i = ξe_i + (1−ξ)/d·s: χ_k = (e_k − (1−ξ)/d·s)/ξ are the dual rows, χ_kᵀχ_i = "
    "−(1−ξ)(1+ξ)/(ξ²d) < 0 (so 𝓜 < 0), ‖x_i‖² = 1/d + (d−1)ξ²/d, cos∠(v*, x_i) > "
    "1/(1 + ½(d−1)ξ²), and all angles < π/4 when ξ ≤ √(2(√2−1)/(d−1))",
    method="SymPy with symbolic ξ for d = 2…6 (dual basis, Gram entries, norms); the angle bounds with "
    "symbolic d and ξ: (1 + a/2)² − (1 + a) = a²/4 > 0",
)
def example37_negative() -> Outcome:
    xi = sp.Symbol("xi", positive=True)
    parts = []
    for d in range(2, 7):
        X, v, chi = formulas.example37_negative(xi, d)
        parts.append(zero(sp.Matrix(chi * X.T - sp.eye(d)).norm() ** 2, f"d = {d}: χ_kᵀx_i − δ_ki"))
        parts.append(zero((chi[0, :] * chi[1, :].T)[0] + (1 - xi) * (1 + xi) / (xi**2 * d), f"d = {d}: χ₁ᵀχ₂"))
        parts.append(
            zero((X[0, :] * X[0, :].T)[0] - (sp.Rational(1, d) + sp.Rational(d - 1, d) * xi**2), f"d = {d}: ‖x_i‖²")
        )
        cos = (X[0, :] * v)[0] / sp.sqrt((X[0, :] * X[0, :].T)[0])
        parts.append(zero(cos**2 - 1 / (1 + (d - 1) * xi**2), f"d = {d}: cos²∠(v*, x_i) − 1/(1 + (d−1)ξ²)"))
    a = sp.Symbol("a", positive=True)  # a = (d − 1)ξ²
    parts.append(zero((1 + a / 2) ** 2 - (1 + a) - a**2 / 4, "(1 + a/2)² − (1 + a) − a²/4"))
    parts.append(positive(a**2 / 4, "a²/4 with a = (d−1)ξ² > 0"))
    # ξ² ≤ 2(√2−1)/(d−1) ⇒ 1 + (d−1)ξ²/2 ≤ √2 ⇒ cos > 1/√2
    parts.append(zero(1 + sp.Rational(1, 2) * 2 * (sp.sqrt(2) - 1) - sp.sqrt(2), "1 + ½(d−1)ξ²_max − √2"))
    z, dd = sp.symbols("z d", positive=True)  # ξ = 1/(1 + z) ranges over (0, 1)
    parts.append(
        positive(((1 - xi) * (1 + xi) / (xi**2 * dd)).subs(xi, 1 / (1 + z)), "(1−ξ)(1+ξ)/(ξ²d) for ξ ∈ (0, 1)")
    )
    return all_of(*parts)


@check(
    "E37pos",
    paper="single-neuron",
    refs="Example 37 (𝓜 > 0 family); Thm 8(ii); N20",
    statement="For every b ≥ 11 (d = 3…6): χ_{2,3} = ∓e₂/(2√b) + e₃/2 are dual rows, every "
    "cos∠(v*, x_i) ≥ 4b/(5√(b²+b+1)) ≥ 11/15 > 1/√2, and cos∠(χ₂,χ₃) − sin∠(χ₂,v*) = "
    "(b−1)/(b+1) − √(1 − (9/25)·b/(b+1)) ≥ 5/6 − √0.67 > 0",
    method="SymPy with symbolic b: dual basis, angle identities; monotonicity in b from the signs of "
    "derivatives; polynomial positivity on [11, ∞) (shifted coefficients ≥ 0); exact value at "
    "b = 11 and an Arb enclosure of 5/6 − √0.67",
)
def example37_positive() -> Outcome:
    parts = []
    for d in range(3, 7):
        X, v, (chi2, chi3) = formulas.example37_positive(b, d)
        for name, chi, k in (("χ₂", chi2, 1), ("χ₃", chi3, 2)):
            parts.append(
                zero(
                    sum(((X[i, :] * chi)[0] - (1 if i == k else 0)) ** 2 for i in range(d)), f"d = {d}: {name}ᵀx_i − δ"
                )
            )
    X, v, (chi2, chi3) = formulas.example37_positive(b, 4)
    nrm = lambda u: sp.sqrt((u.T * u)[0])
    cos_pq = (chi2.T * chi3)[0] / (nrm(chi2) * nrm(chi3))
    cos_pv = (chi2.T * v)[0] / nrm(chi2)
    margin = formulas.example37_margin(b)
    parts.append(zero(cos_pq - sp.sqrt(1 - cos_pv**2) - margin, "cos∠(χ₂,χ₃) − sin∠(χ₂,v*) − margin(b)"))
    # cos∠(v*, x_i) ≥ 4b/(5√(b²+b+1)): squared, cleared of denominators, per input type
    bound_sq = 16 * b**2 / (25 * (b**2 + b + 1))
    for i in range(4):
        cos_sq = (X[i, :] * v)[0] ** 2 / (X[i, :] * X[i, :].T)[0]
        num, den = sp.fraction(sp.factor(cos_sq - bound_sq))
        parts.append(positive_poly_from(sp.expand(num), b, 11, f"x_{i + 1}: numerator of cos² − bound²"))
        parts.append(positive_poly_from(sp.expand(den), b, 11, f"x_{i + 1}: denominator of cos² − bound²"))
    # 4b/(5√(b²+b+1)) ≥ 11/15 ⇔ 144b² − 121(b²+b+1) ≥ 0 on [11, ∞)
    parts.append(positive_poly_from(144 * b**2 - 121 * (b**2 + b + 1), b, 11, "144b² − 121(b²+b+1), b ≥ 11"))
    parts.append(positive(sp.Rational(11, 15) ** 2 - sp.Rational(1, 2), "(11/15)² − 1/2"))
    # monotone: (b−1)/(b+1) increases, 9b/(25(b+1)) increases so the root decreases
    parts.append(positive(sp.diff((b - 1) / (b + 1), b), "d/db (b−1)/(b+1)"))
    parts.append(positive(sp.diff(sp.Rational(9, 25) * b / (b + 1), b), "d/db (9/25)b/(b+1)"))
    parts.append(
        zero(margin.subs(b, 11) - (sp.Rational(5, 6) - sp.sqrt(sp.Rational(67, 100))), "margin(11) − (5/6 − √0.67)")
    )
    parts.append(positive(sp.Rational(25, 36) - sp.Rational(67, 100), "(5/6)² − 0.67"))
    parts.append(arb_positive(sp.Rational(5, 6) - sp.sqrt(sp.Rational(67, 100)), "5/6 − √0.67"))
    return all_of(*parts)


@check(
    "T8",
    paper="single-neuron",
    refs="Theorem 8(ii), Example 37; N20",
    statement="The rank-two networks of Theorem 8(ii) interpolate exactly and have ‖θ‖² = "
    "2 − ξ(2c − ξ), c = cos∠(p,v*) − sin∠(p,q) (and 2 − ξ² when ∠(p,v*) > π/2); on the "
    "𝓜 > 0 family (p = χ₂, q = χ₃) this is < 2",
    method="SymPy on the construction's inner products (generic points in and outside K, both "
    "cases), then the explicit networks for Example 37 at b = 11, 16, 25 (d = 3, 4): exact "
    "outputs with σ = max(·, 0) and exact norms",
)
def theorem8() -> Outcome:
    xi, yi, bi, ci = sp.symbols("xi y_i b_i c_i", positive=True)
    cpq = sp.Symbol("c_pq", positive=True)  # cos∠(p, q) > sin∠(p, v*) ≥ 0
    spq = sp.Symbol("s_pq", positive=True)  # sin∠(p, q) = ‖r‖ > 0
    Ppv = sp.Symbol("P_pv", real=True)  # cos∠(p, v*)
    parts = []
    for obtuse in (False, True):
        sgn = 1 if obtuse else -1
        a2 = (-1 if obtuse else 1) * sp.sqrt(xi * spq)
        w2_scale = sp.sqrt(xi / spq)
        # i ∈ K: ⟨w₁,x_i⟩ = y_i ∓ ξb_i (≥ 0 in case 1 since ξ ≤ y_i/b_i), ⟨w₂,x_i⟩ = √(ξ/‖r‖) b_i ≥ 0
        in_K = (yi + sgn * xi * bi) + a2 * w2_scale * bi - yi
        # i ∉ K: ⟨w₁,x_i⟩ = y_i > 0, ⟨w₂,x_i⟩ = −√(ξ/‖r‖) c_i cos∠(p,q) < 0, so σ = 0
        out_K = sp.Max(yi, 0) + a2 * sp.Max(-w2_scale * ci * cpq, 0) - yi
        norm_sq = 1 + (1 + 2 * sgn * xi * Ppv + xi**2) + a2**2 + w2_scale**2 * spq**2
        c = Ppv - spq
        target = 2 - xi**2 if obtuse else 2 - xi * (2 * c - xi)
        if obtuse:
            norm_sq = norm_sq.subs(xi, -Ppv - spq)
            target = target.subs(xi, -Ppv - spq)
        case = "∠(p,v*) > π/2" if obtuse else "∠(p,v*) ≤ π/2"
        parts += [
            zero(in_K, f"{case}: h(x_i) − y_i, i ∈ K"),
            zero(out_K, f"{case}: h(x_i) − y_i, i ∉ K"),
            zero(norm_sq - target, f"{case}: ‖θ‖² − stated value"),
        ]
        parts.append(positive(w2_scale * ci * cpq, f"{case}: −⟨w₂,x_i⟩ for i ∉ K (so σ = 0)"))
    for d in (3, 4):
        for bv in (11, 16, 25):
            parts.append(_example37_network(sp.Integer(bv), d))
    return all_of(*parts)


def _example37_network(bv, d: int) -> Outcome:
    X, v, (chi2, chi3) = formulas.example37_positive(bv, d)
    nrm = lambda u: sp.sqrt(sp.expand((u.T * u)[0]))
    p_bar, q_bar = chi2 / nrm(chi2), chi3 / nrm(chi3)
    r = p_bar - q_bar * (q_bar.T * p_bar)[0]
    cos_pv, cos_pq = (p_bar.T * v)[0], (p_bar.T * q_bar)[0]
    c = cos_pv - sp.sqrt(1 - cos_pq**2)
    y = [sp.expand((X[i, :] * v)[0]) for i in range(d)]
    b2 = (X[1, :] * p_bar)[0]
    xi = sp.Min(y[1] / b2, c)
    a, W = formulas.theorem8_network(v=v, p_bar=p_bar, r=r, xi=xi)
    h = [sum(a[j] * sp.Max(sp.radsimp(sp.expand((W[j].T * X[i, :].T)[0])), 0) for j in range(2)) for i in range(d)]
    theta_sq = sum(aj**2 for aj in a) + sum((wj.T * wj)[0] for wj in W)
    where = f"Example 37, b = {bv}, d = {d}"
    return all_of(
        *[zero(h[i] - y[i], f"{where}: h(x_{i + 1}) − y_{i + 1}") for i in range(d)],
        zero(theta_sq - (2 - xi * (2 * c - xi)), f"{where}: ‖θ‖² − (2 − ξ(2c − ξ))"),
        arb_positive(2 - theta_sq, f"{where}: 2 − ‖θ‖²"),
    )


@check(
    "R38",
    paper="single-neuron",
    refs="Remark 38(i), (ii); N22",
    statement="Every interpolator has ‖θ‖² ≥ 2 cos∠(v*, x_i) for each i (> √2 under the angle "
    "assumption); for d = 2, χ₁ᵀχ₂ < 0, so ∠(χ₁,χ₂) > π/2 and 𝓜 < 0",
    method="SymPy: σ(⟨w,x⟩) ≤ ‖w‖‖x‖ by Lagrange's identity, |a|‖w‖ ≤ (a² + ‖w‖²)/2 as a square, "
    "so y_i ≤ ½‖θ‖²‖x_i‖ with y_i = ‖x_i‖cos∠(v*,x_i); the 2×2 inverse Gram matrix",
)
def remark38() -> Outcome:
    w = sp.symbols("w1:4", real=True)
    x = sp.symbols("x1:4", real=True)
    dot = sum(p * q for p, q in zip(w, x))
    lagrange = sum((w[i] * x[j] - w[j] * x[i]) ** 2 for i in range(3) for j in range(i + 1, 3))
    a, wn, xn, cos = sp.symbols("a wn xn cos", positive=True)
    # chain: y_i = xn·cos ≤ Σ|a_j|‖w_j‖ xn ≤ ½‖θ‖² xn  ⇒  ‖θ‖² ≥ 2cos = remark38_bound(cos)
    Xc = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"x{j}{i}", real=True))  # columns are x₁, x₂
    chis = Xc.inv()  # rows are χ₁, χ₂ (χ_kᵀ x_i = δ_ki)
    g12 = (Xc[:, 0].T * Xc[:, 1])[0]
    cross = (chis[0, :] * chis[1, :].T)[0]
    det = Xc.det()
    return all_of(
        zero(
            sum(p**2 for p in w) * sum(q**2 for q in x) - dot**2 - lagrange, "‖w‖²‖x‖² − ⟨w,x⟩² − Σ(w_i x_j − w_j x_i)²"
        ),
        zero((a**2 + wn**2) / 2 - a * wn - (a - wn) ** 2 / 2, "(a² + ‖w‖²)/2 − |a|‖w‖ − (|a| − ‖w‖)²/2"),
        zero(formulas.remark38_bound(cos) * xn / 2 - xn * cos, "½·(2cos)·‖x_i‖ − y_i"),
        positive(
            formulas.remark38_bound(1 / sp.sqrt(2) + sp.Symbol("eps", positive=True)) - sp.sqrt(2),
            "2cos − √2 for cos > 1/√2",
        ),
        zero(cross + g12 / det**2, "χ₁ᵀχ₂ + ⟨x₁,x₂⟩/det(X)² (so < 0 when ⟨x₁,x₂⟩ > 0)"),
    )
