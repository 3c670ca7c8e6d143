"""The closed forms of both papers as SymPy expressions, in one place.

The proof checks (``proofs_checks/``) verify these very expressions, and the theory
modules evaluate them through ``codegen``; so a formula proved here is the formula used.
Ids: orthogonal-inputs results R1–R12 (spec ``orthogonal_inputs.md``), single-neuron
statements by the paper's numbers (spec ``single_neuron.md``).

>>> tau = sp.Symbol("tau")
>>> varsigma, E = segment(tau, n=1, D=1, w0=1, B=0)
>>> sp.simplify(varsigma.subs(tau, 0))
0
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "alignment_constant",
    "alignment_gap",
    "example37_margin",
    "example37_negative",
    "example37_positive",
    "great_circle",
    "growth_prefactor",
    "half_time",
    "logistic_loss",
    "logistic_radius",
    "min_theta_sq",
    "remark38_bound",
    "segment",
    "segment_time",
    "theorem8_network",
    "yardstick_cos",
    "yardstick_norm",
    "yardstick_norm_prop13",
]


# ---------------------------------------------------------------- orthogonal inputs (R3, R7, R10)


def segment(tau, *, n, D, w0, B):
    """R3 segment map of the λ-free early flow ŵ' = (‖ŵ‖/n) D on a segment with constant
    D (``D`` = ‖D‖), started at ŵ_i with ‖ŵ_i‖ = ``w0`` and B = ⟨ŵ_i, D⟩, ``tau`` = t − t_i:
    ŵ = ŵ_i + ς D.  Returns (ς, E)."""
    E = sp.exp(D * tau / n) * (D * w0 + B)
    varsigma = ((E - B) ** 2 - D**2 * w0**2) / (2 * D**2 * E)
    return varsigma, E


def segment_time(varsigma, *, n, D, w0, B):
    """R3 inverse map: the time t − t_i at which the segment reaches ς."""
    norm = sp.sqrt(w0**2 + 2 * varsigma * B + varsigma**2 * D**2)  # ‖ŵ_i + ς D‖
    return n / D * sp.log((D * norm + D**2 * varsigma + B) / (D * w0 + B))


def growth_prefactor(*, w0, cos, D, n, t_N):
    """R3 growth prefactor K_j = e^{−‖D_j‖ t_N/n} ‖ŵ_N‖ (1 + cos∠(ŵ_N, D_j)) / 2."""
    return sp.exp(-D * t_N / n) * w0 * (1 + cos) / 2


def alignment_gap(tau, *, n, D, w0, B):
    """R3 (O6): 1 − cos∠(ŵ(t), D) on a segment with constant D, from the segment map:
    2(a² − B²)/(E² + a² − B²) with a = ‖D‖‖ŵ_i‖ and E as in :func:`segment`."""
    _, E = segment(tau, n=n, D=D, w0=w0, B=B)
    a = D * w0
    return 2 * (a**2 - B**2) / (E**2 + a**2 - B**2)


def alignment_constant(*, n, D, w0, B, t_N):
    """R3 (O6): C_j with 1 − cos∠(ŵ_j(t), D_j) ≤ C_j e^{−2‖D_j‖t/n} for t ≥ t_N (and → equality):
    C_j = 2(a − B)/(a + B) e^{2‖D_j‖t_N/n}, a = ‖D_j‖‖ŵ_N‖, B = ⟨ŵ_N, D_j⟩."""
    a = D * w0
    return 2 * (a - B) / (a + B) * sp.exp(2 * D * t_N / n)


def logistic_radius(t, *, t0, D, n):
    """R7, orthonormal inputs: ρ(t) = ‖D‖ / (1 + ‖D‖ e^{−2‖D‖(t − t0)/n})."""
    return D / (1 + D * sp.exp(-2 * D * (t - t0) / n))


def logistic_loss(rho, *, D, n):
    """R7: the class's loss ‖D‖²/(2n) (1 − ρ/‖D‖)² along the logistic curve."""
    return D**2 / (2 * n) * (1 - rho / D) ** 2


def half_time(*, D, n, lam, K2):
    """R7: t^{1/2} = n/(2‖D‖) ln(‖D‖/(λ² Σ K_j²)), where ρ = ‖D‖/2."""
    return n / (2 * D) * sp.log(D / (lam**2 * K2))


def min_theta_sq(beta_plus, beta_minus):
    """R9/R10: min ‖θ‖² over interpolators = 2(‖β*₊‖ + ‖β*₋‖)."""
    return 2 * (beta_plus + beta_minus)


# ---------------------------------------------------------------- single neuron (Props. 13, 14)


def yardstick_cos(tau, *, cos0, G, s):
    """Prop. 14(vi): cos φ(t) = tanh(artanh cos φ⁺ + s ‖γ‖ (t − t₁))."""
    return sp.tanh(sp.atanh(cos0) + s * G * tau)


def yardstick_norm(tau, *, r0, cos0, G, s):
    """D1: ‖α(t)‖ = ‖α(t₁)‖ cosh(u₀ + s‖γ‖τ) / cosh u₀ with u₀ = artanh cos φ⁺."""
    u0 = sp.atanh(cos0)
    return r0 * sp.cosh(u0 + s * G * tau) / sp.cosh(u0)


def yardstick_norm_prop13(tau, *, r0, cos0, G, s):
    """Prop. 13(ii): ‖α(t)‖ = ½‖α(t₁)‖[(1 + s cos φ⁺)e^{‖γ‖τ} + (1 − s cos φ⁺)e^{−‖γ‖τ}]."""
    return r0 / 2 * ((1 + s * cos0) * sp.exp(G * tau) + (1 - s * cos0) * sp.exp(-G * tau))


def great_circle(*, cos_t, cos0, alpha0, gamma):
    """Prop. 14(x): ᾱ(t) = (sin φ_t ᾱ(t₁) + sin(φ⁺ − φ_t) γ̄) / sin φ⁺, with φ ∈ (0, π);
    ``alpha0``, ``gamma`` unit vectors (SymPy matrices)."""
    sin_t, sin0 = sp.sqrt(1 - cos_t**2), sp.sqrt(1 - cos0**2)
    sin_diff = sin0 * cos_t - cos0 * sin_t  # sin(φ⁺ − φ_t)
    return (sin_t * alpha0 + sin_diff * gamma) / sin0


# ---------------------------------------------------------------- Example 37, Theorem 8, Remark 38


def example37_negative(xi, d: int):
    """Example 37, 𝓜 < 0 family: x_i = ξ e_i + (1 − ξ)/d · s (rows), v* = s/√d, and the
    claimed dual rows χ_k = (e_k − (1 − ξ)/d · s)/ξ.  Returns (X, v*, χ)."""
    s = sp.ones(d, 1)
    X = sp.Matrix.vstack(*[(xi * sp.eye(d)[:, i] + (1 - xi) / d * s).T for i in range(d)])
    chi = sp.Matrix.vstack(*[((sp.eye(d)[:, k] - (1 - xi) / d * s) / xi).T for k in range(d)])
    return X, s / sp.sqrt(d), chi


def example37_positive(b, d: int):
    """Example 37, 𝓜 > 0 family (d ≥ 3, b ≥ 11): x₁ = b e₁, x_{2,3} = b e₁ ∓ √b e₂ + e₃,
    x_i = b e₁ + e_i (i ≥ 4), v* = (4/5) e₁ + (3/5) e₃, and the claimed χ_{2,3} =
    ∓ e₂/(2√b) + e₃/2.  Returns (X, v*, (χ₂, χ₃)) with 1-based names, 0-based rows."""
    e = lambda i: sp.eye(d)[:, i]
    rows = [b * e(0), b * e(0) - sp.sqrt(b) * e(1) + e(2), b * e(0) + sp.sqrt(b) * e(1) + e(2)]
    rows += [b * e(0) + e(i) for i in range(3, d)]
    v = sp.Rational(4, 5) * e(0) + sp.Rational(3, 5) * e(2)
    chi2 = -e(1) / (2 * sp.sqrt(b)) + e(2) / 2
    chi3 = e(1) / (2 * sp.sqrt(b)) + e(2) / 2
    return sp.Matrix.vstack(*[r.T for r in rows]), v, (chi2, chi3)


def example37_margin(b):
    """Example 37: cos∠(χ₂, χ₃) − sin∠(χ₂, v*) = (b − 1)/(b + 1) − √(1 − (9/25) b/(b + 1))."""
    return (b - 1) / (b + 1) - sp.sqrt(1 - sp.Rational(9, 25) * b / (b + 1))


def theorem8_network(*, v, p_bar, r, xi, obtuse: bool = False):
    """Theorem 8(ii) rank-two network (other neurons 0): a₁ = 1, w₁ = v* ∓ ξ p̄,
    a₂ = ±√(ξ‖r‖), w₂ = √(ξ/‖r‖) r (upper signs when ∠(p, v*) ≤ π/2).  Returns (a, W)."""
    rn = sp.sqrt((r.T * r)[0])
    sign = -1 if not obtuse else 1
    w1 = v + sign * xi * p_bar
    a2 = sp.sqrt(xi * rn) * (1 if not obtuse else -1)
    w2 = sp.sqrt(xi / rn) * r
    return [sp.Integer(1), a2], [w1, w2]


def remark38_bound(cos_angle):
    """Remark 38(i): every interpolator has ‖θ‖² ≥ 2 cos∠(v*, x_i)."""
    return 2 * cos_angle
