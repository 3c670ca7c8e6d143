"""The reduced model (D4): the flow of the bundle v alone, solved once by the engine for T2’s offset."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...precision import context, rational
from ...problem import Dataset, Init, Problem, ProblemError
from ..single_neuron_assumptions import gamma
from .yardstick import _dot, _norm


@dataclass
class _Reduced:
    """The λ-free orbit of the reduced phase-2 model (D4), by the engine: one balanced
    neuron started along γ_[n] at a tiny scale ε is active on every point (Prop. 27), so its
    v = ‖w‖w solves v̇ = ‖v‖(I + v̄v̄ᵀ)Σ(v* − v) exactly.  Orbit time τ = t − t_escape,
    where its own t_escape is (ln(1/ε) − ln ‖γ‖)/‖γ‖ (κ = ‖γ‖ for α(0) = γ).  The run
    covers τ ≤ ``horizon`` (or stops earlier once converged to the working precision)."""

    tr: Any
    shift: Any
    horizon: int

    @property
    def converged(self) -> bool:
        return self.tr.status.value == "loss_below"

    def covers(self, tau) -> bool:
        return self.converged or tau + self.shift <= self.tr.t_end

    def v(self, tau) -> list:
        t = tau + self.shift
        if t < 0:
            raise ProblemError("t", "before the start of the reduced model's reference run")
        if t > self.tr.t_end and not self.converged:
            raise ProblemError("t", "past the end of the reduced model's reference run")
        st = self.tr.evaluate(min(t, self.tr.t_end))  # past a converged run's end: v = v* to precision
        return [st.a[0] * c for c in st.W[0]]

    def T2_offset(self, u1, half) -> Any:
        """τ at which ν_1 = u_1ᵀv first reaches ``half`` (bisection; ν_1 increases along the
        orbit until it passes ν*_1), or None if the run ends before."""
        ctx = self.tr.ctx
        nu1 = lambda t: (lambda st: st.a[0] * _dot(ctx, u1, st.W[0]))(self.tr.evaluate(t))
        lo, hi = ctx.zero, self.tr.t_end
        if nu1(hi) < half:
            return None
        for _ in range(int(ctx.prec) + 8):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if nu1(mid) < half else (lo, mid)
        return hi - self.shift


REDUCED_MAX_STEPS = 2_000  # SN1's reference run takes 71 steps; badly scaled data would take hours


@functools.lru_cache(maxsize=32)
def _reduced_model(data: Dataset, dps: int, horizon: int) -> _Reduced:
    """The reference run to orbit time τ = ``horizon`` (an integer, for the cache)."""
    from ...integrate import solve  # the engine (downward: theory uses integrate)

    ctx = context(dps)
    n = data.n
    g = list(gamma(data))
    eps = Fraction(1, 10 ** (dps // 2 + 4))
    G = _norm(ctx, [rational(ctx, c) for c in g])
    sub = Problem(Dataset(data.X, data.y), Init(eps, [g], [1]))
    shift = (ctx.log(eps.denominator) - ctx.log(G)) / G
    L0 = sum((v * v for v in data.y), Fraction(0)) / (2 * n)
    tr = solve(
        sub,
        digits=dps,
        t_end=math.ceil(float(shift)) + horizon,
        loss_below=L0 / Fraction(10) ** (2 * dps),
        max_steps=REDUCED_MAX_STEPS,
    )
    if not tr.status.ok:
        raise ProblemError("data", f"the reduced-model reference run ended early ({tr.status.value}): {tr.message}")
    return _Reduced(tr, shift, horizon)
