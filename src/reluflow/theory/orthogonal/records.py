"""The parts of a prediction: deactivations, early segments, per-neuron theory, jumps; and the assumptions the theory needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ...precision import rational
from ...problem import Problem, ProblemError, exact


@dataclass(frozen=True)
class Deactivation:
    """Point ``point`` leaves neuron ``neuron``'s active set at the λ-free time ``t`` (R3)."""

    neuron: int
    point: int
    t: Any


@dataclass(frozen=True)
class EarlySegment:
    """One piece of the λ-free early flow: ŵ(t) = ŵ_i + ς(t − t_i) D on [t_i, next t_i)."""

    t0: Any
    w0: tuple
    D: tuple


@dataclass(frozen=True)
class NeuronTheory:
    """Per-neuron early-phase quantities (R3, R4): the sets A_j⁰ (initially active),
    P_j (kept), N_j (wrong sign), the direction D_j = Σ_{P_j} |y_k| x_k, the coverage
    ρ_j = ‖D_j‖/‖D_{s_j}‖, the deactivation events, the last event time t_N and direction
    ŵ_N, the growth prefactor K_j and alignment constant C_j (None when P_j = ∅)."""

    index: int
    sign: int
    initially_active: tuple[int, ...]
    kept: tuple[int, ...]
    wrong: tuple[int, ...]
    D: tuple
    norm_D: Any
    coverage: Any
    full: bool
    deactivations: tuple[Deactivation, ...]
    t_N: Any
    w_N: tuple
    K: Any
    C: Any
    segments: tuple[EarlySegment, ...] = field(repr=False)

    @property
    def alive(self) -> bool:
        """True iff P_j ≠ ∅ (otherwise the neuron keeps norm ≤ λ‖z_j‖: it dies)."""
        return bool(self.kept)


@dataclass(frozen=True)
class ClassTheory:
    """One class's quantities (``sign`` +1 or −1; R3–R9): its points S_±, the direction
    D_± = Σ_{S_±}|y_k|x_k and its norm, β*_± = Σ_{S_±}|y_k|x_k/‖x_k‖² and its norm, the
    full-coverage neurons F_±, the jump time T_± = n/‖D_±‖, the escape time t⁰_± (None
    without a full neuron), μ_± (the smallest eigenvalue of J_± the orbit excites) and the
    smallest eigenvalue μ_min of J_±.  Numbers are None for an empty class."""

    sign: int
    points: tuple[int, ...]
    D: tuple
    norm_D: Any
    beta: tuple
    norm_beta: Any
    full: tuple[int, ...]
    T: Any
    t_escape: Any
    mu: Any
    mu_min: Any


@dataclass(frozen=True)
class Jump:
    """R11/R12 jump process: at rescaled time ``T`` the neurons ``neurons`` reach e_j = 0
    and fit the points ``points`` (removed from the unfitted set)."""

    T: Any
    neurons: tuple[int, ...]
    points: tuple[int, ...]


def check_assumptions(problem: Problem) -> None:
    """Raise :class:`ProblemError` unless the data fit the orthogonal-inputs theory: A1
    (⟨x_k, x_l⟩ = 0 exactly for k ≠ l), non-zero labels, and generic directions
    (⟨z_j, x_k⟩ ≠ 0).  A3 and A4 are reported in ``Prediction.assumptions`` instead."""
    X, y = problem.data.X, problem.data.y
    g = problem.data.gram
    for k in range(problem.n):
        for l in range(k + 1, problem.n):
            if g[k][l] != 0:
                raise ProblemError(
                    "data.X",
                    f"inputs {k} and {l} are not orthogonal (⟨x_{k}, x_{l}⟩ = {g[k][l]}); the orthogonal-inputs "
                    "theory needs ⟨x_k, x_l⟩ = 0 exactly for k ≠ l (assumption A1); give orthogonal inputs, "
                    "e.g. rows of a rational rotation (reluflow.strategies) or scaled unit vectors",
                )
    for k, v in enumerate(y):
        if v == 0:
            raise ProblemError(f"data.y[{k}]", "is 0; the orthogonal-inputs theory needs non-zero labels")
    for j, z in enumerate(problem.init.z):
        for k, x in enumerate(X):
            if sum((a * b for a, b in zip(z, x)), Fraction(0)) == 0:
                raise ProblemError(
                    f"init.z[{j}]",
                    f"is orthogonal to x_{k}, so point {k} is never active for neuron {j}: the theory needs "
                    "generic directions (⟨z_j, x_k⟩ ≠ 0); perturb z_j",
                )


def _mp(ctx, v, name):
    if hasattr(v, "_mpf_"):
        return ctx.mpf(v)
    q = exact(v, name)
    return rational(ctx, q)


def _dot(u, v):
    return sum((a * b for a, b in zip(u, v)), 0 * u[0] if u else 0)


def _sq(x) -> Fraction:
    return sum((c * c for c in x), Fraction(0))
