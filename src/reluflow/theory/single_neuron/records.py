"""The parts of a single-neuron prediction: crossings, stages and the yardstick of one neuron; ε."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

EPS = Fraction(1, 4)  # the analysis parameter ε of Assumption 2 (pitfall 12: ε = 1/4)


@dataclass(frozen=True)
class Crossing:
    """Point ``point`` crosses neuron ``neuron``'s activation boundary at yardstick time
    ``tau`` (stage ``stage`` ends there): it enters (``"on"``, s_j = +1) or exits (``"off"``)."""

    neuron: int
    point: int
    tau: Any
    stage: int
    direction: str


@dataclass(frozen=True)
class Stage:
    """One yardstick stage (D1): on [t0, t1] the active set is ``active``, γ = γ_active, and
    ᾱ moves on the great circle from ``start`` towards ±γ̄ with cos φ = tanh(u0 + s‖γ‖(t − t0))."""

    t0: Any
    t1: Any  # None for the last stage of a positive neuron (it lasts forever)
    active: tuple[int, ...]
    gamma: tuple
    G: Any
    start: tuple  # ᾱ(t0)
    r0: Any  # ‖α(t0)‖
    u0: Any  # artanh(ᾱ(t0)ᵀγ̄)


@dataclass(frozen=True)
class Yardstick:
    """The λ-free yardstick α_j of a moving neuron (α̇ = s_j‖α‖γ_{I_+(α)}, α(0) = z_j): its
    stages, crossings and, for j ∈ J_+, κ_j = lim ‖α_j(t)‖ e^{−‖γ_[n]‖t} (D2)."""

    neuron: int
    sign: int
    stages: tuple[Stage, ...]
    crossings: tuple[Crossing, ...]
    kappa: Any  # None for j ∈ J_−

    @property
    def n_cross(self) -> int:
        """n_j, the number of points that enter (s = +1) or exit (s = −1)."""
        return len(self.crossings)

    @property
    def last(self) -> Any:
        """τ_j^{n_j} (0 when nothing crosses)."""
        return self.crossings[-1].tau if self.crossings else self.stages[0].t0

    def _stage(self, t):
        for st in self.stages:
            if st.t1 is None or t <= st.t1:
                return st
        return self.stages[-1]

    def state(self, ctx, t) -> tuple[Any, list]:
        """(‖α(t)‖, ᾱ(t)) from the closed form (Prop. 13(ii), 14(vi),(x)); a negative
        neuron is frozen after its last exit."""
        t = ctx.mpf(t)
        st = self._stage(t)
        if st.t1 is not None and t > st.t1:  # past a negative neuron's deactivation
            t = st.t1
        u = st.u0 + self.sign * st.G * (t - st.t0)
        norm = st.r0 * ctx.cosh(u) / ctx.cosh(st.u0)
        g = [c / st.G for c in st.gamma]
        # ᾱ = (sin φ ᾱ₀ + sin(φ₀ − φ) γ̄)/sin φ₀ with sin φ = sech u, cos φ = tanh u
        a = ctx.cosh(st.u0) / ctx.cosh(u)
        b = (ctx.sinh(u) - ctx.sinh(st.u0)) / ctx.cosh(u)
        direction = [a * s0 + b * gi for s0, gi in zip(st.start, g)]
        return norm, direction
