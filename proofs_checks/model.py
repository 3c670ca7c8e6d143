"""Proof checks of the model shared by both papers: invariants and structure of the flow
on every activation pattern (σ'(0) = 0)."""

from __future__ import annotations

import sympy as sp

from reluflow.symbolic import derive, is_zero, patterns, recurrence_residual

from .core import Outcome, Verdict, all_of, check, zero

SYMBOLIC = sp.symbols("m n d", integer=True, positive=True)


@check(
    "M1",
    paper="model",
    refs="orthogonal R1, O1; single-neuron Prop. 1(ii), N1",
    statement="d/dt (a_j² − ‖w_j‖²) = 0 on every activation pattern, so a balanced "
    "initialisation stays balanced: a_j = s_j ‖w_j‖",
    method="SymPy: field derived from the ReLU loss; identity at symbolic sizes m, n, d and "
    "symbolic pattern P (finite sums in canonical form), and on all 16 patterns of m = n = d = 2",
)
def conservation() -> Outcome:
    i, q = sp.symbols("i q", integer=True)
    fl = derive(*SYMBOLIC)
    expr = fl.a[i] * fl.field[fl.a[i]] - sp.Sum(fl.W[i, q] * fl.field[fl.W[i, q]], (q, 1, SYMBOLIC[2]))
    parts = [
        Outcome(
            Verdict.PASS if is_zero(expr) else Verdict.INCONCLUSIVE,
            "symbolic sizes: a_i ȧ_i − Σ_q w_iq ẇ_iq " + ("= 0" if is_zero(expr) else "not reduced to 0"),
        )
    ]
    for P in patterns(2, 2):
        f = derive(2, 2, 2, pattern=P)
        for j in range(2):
            invariant = f.a[j] ** 2 - sum(f.W[j, l] ** 2 for l in range(2))
            parts.append(zero(f.time_derivative(invariant), f"neuron {j}, pattern {P}"))
    return all_of(*parts)


@check(
    "M2",
    paper="model",
    refs="orthogonal O3; single-neuron Prop. 9, N2",
    statement="dL/dt = −‖θ̇‖² along the flow, on every activation pattern; and the field is "
    "−∇L of the ReLU loss wherever the pattern is the sign pattern of the pre-activations",
    method="SymPy: chain rule along the derived field (symbolic pattern, m = n = d = 2); the "
    "gradient of max(u, 0) at rational points inside each pattern's region",
)
def energy() -> Outcome:
    f = derive(2, 2, 2)
    parts = [zero(f.time_derivative(f.loss) + sum(v**2 for v in f.field.values()), "dL/dt + ‖θ̇‖²")]
    # at points in the region of a pattern the ReLU loss is smooth and its gradient is −field
    X, y = [[1, 2], [3, -1]], [1, -2]
    fr = derive(2, 2, 2, X=X, y=y)
    for a, W in [([sp.Rational(1, 2), -1], [[1, 0], [sp.Rational(-1, 4), 2]]), ([2, 3], [[-1, 1], [1, 1]])]:
        point = {fr.a[j]: a[j] for j in range(2)} | {fr.W[j, l]: W[j][l] for j in range(2) for l in range(2)}
        P = [[1 if sum(W[j][l] * X[k][l] for l in range(2)) > 0 else 0 for k in range(2)] for j in range(2)]
        fp = derive(2, 2, 2, pattern=P, X=X, y=y)
        for v in fr.params:
            grad = sp.diff(fr.relu_loss, v).xreplace(point).doit()
            parts.append(zero(grad + fp.field[v].xreplace(point), f"∂L/∂{v} at a point of pattern {P}"))
    return all_of(*parts)


@check(
    "M3",
    paper="model",
    refs="orthogonal R1, R2, O2",
    statement="Orthogonal inputs decouple: u̇_jk = (a_j/n) r_k ‖x_k‖² 1[k ∈ A_j]; an inactive pair "
    "is frozen; w_j^⊥ is constant; ‖w_j‖² = Σ_k u_jk²/‖x_k‖² + ‖w_j^⊥‖²",
    method="SymPy on every pattern of m = 2, n = 2, d = 3 with x_k = c_k e_k (any orthogonal "
    "inputs, after the rotation that the flow is equivariant under)",
)
def orthogonal_decoupling() -> Outcome:
    c = sp.symbols("c0 c1", positive=True)
    X = [[c[0], 0, 0], [0, c[1], 0]]
    parts = []
    for P in patterns(2, 2):
        f = derive(2, 2, 3, pattern=P, X=X)
        for j in range(2):
            for k in range(2):
                u_dot = sum(f.field[f.W[j, l]] * X[k][l] for l in range(3))
                parts.append(zero(u_dot - f.a[j] / 2 * f.residual(k) * c[k] ** 2 * P[j][k], f"u̇_{j}{k} on {P}"))
            parts.append(zero(f.field[f.W[j, 2]], f"ẇ_{j}⊥ on {P}"))
            u = [f.pre_activation(j, k) for k in range(2)]
            norm = sum(f.W[j, l] ** 2 for l in range(3))
            parts.append(zero(norm - u[0] ** 2 / c[0] ** 2 - u[1] ** 2 / c[1] ** 2 - f.W[j, 2] ** 2, "norm split"))
    return all_of(*parts)


@check(
    "M4",
    paper="model",
    refs="engine (integrate.taylor)",
    statement="The Taylor coefficients the engine computes (Cauchy-product recurrence over "
    "r_k, u_jk, a_j) are those of the gradient-flow field",
    method="SymPy: series substitution θ(t) = Σ θ_q t^q into the derived field vs the recurrence, "
    "state, data and pattern all symbols (m = n = d = 2 to order 2; m = n = 2, d = 1 to order 3)",
)
def recurrence() -> Outcome:
    parts = []
    for size, order in (((2, 2, 2), 2), ((2, 2, 1), 3)):
        res = recurrence_residual(derive(*size), order)
        parts.append(
            Outcome(
                Verdict.PASS if all(r == 0 for r in res) else Verdict.FAIL,
                f"m, n, d = {size}, orders 1..{order}: {sum(r != 0 for r in res)} of {len(res)} coefficients differ",
            )
        )
    return all_of(*parts)
