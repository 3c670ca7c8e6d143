"""The :class:`Prediction` of the orthogonal-inputs theory for one problem, with its heteroclinic loss curves."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ...precision import rational, to_str
from ...problem import Problem, ProblemError, exact_text
from .closed_forms import _closed_forms
from .records import ClassTheory, EarlySegment, Jump, NeuronTheory, _dot, _mp, _sq


@dataclass(frozen=True)
class Prediction:
    """Every closed-form quantity of the orthogonal-inputs theory for one problem, as
    mpmath numbers of a local context at ``dps`` digits (see :func:`predict`).

    Each class's quantities are one :class:`ClassTheory` record, ``plus`` and ``minus``;
    :meth:`of` picks one by sign (``+1``/``-1`` or ``'+'``/``'-'``), and the per-class
    methods (``T(sign)``, ``mu(sign)``, …) read it."""

    problem: Problem = field(repr=False)
    dps: int
    plus: ClassTheory
    minus: ClassTheory
    neurons: tuple[NeuronTheory, ...]
    assumptions: dict
    notes: tuple[str, ...]
    fast: str | None
    L0: Any
    L_mid: Any
    loss_rate: Any
    min_variation_norm: Any
    min_theta_sq: Any
    limit_w_sq: tuple
    jumps: tuple[Jump, ...]
    limit_theta_sq: Any
    limit_exponent: Any
    saddle_coefficient: Any
    prob_A3: Any
    prob_covered: Any
    knots: tuple = field(repr=False)

    # ---- helpers ------------------------------------------------------------------------
    @property
    def ctx(self):
        return _closed_forms(self.dps)[0]

    @property
    def lam(self):
        lam = self.problem.init.lam
        return self.ctx.mpf(lam.numerator) / lam.denominator

    @property
    def log_inv_lambda(self):
        return -self.ctx.log(self.lam)

    def _class(self, sign) -> int:
        s = {"+": 1, "-": -1, 1: 1, -1: -1}.get(sign)
        if s is None:
            raise ProblemError("sign", f"must be +1, -1, '+' or '-', got {sign!r}")
        return s

    def of(self, sign) -> ClassTheory:
        """The class of ``sign`` (+1, −1, '+' or '-')."""
        return self.plus if self._class(sign) == 1 else self.minus

    def norm_D(self, sign) -> Any:
        return self.of(sign).norm_D

    def T(self, sign) -> Any:
        """Rescaled jump time T_± = n/‖D_±‖ (R6)."""
        return self.of(sign).T

    def points(self, sign) -> tuple[int, ...]:
        return self.of(sign).points

    def full(self, sign) -> tuple[int, ...]:
        return self.of(sign).full

    def mu(self, sign) -> Any:
        """μ_±: the smallest eigenvalue of J_± that the λ → 0 orbit excites (R8)."""
        return self.of(sign).mu

    def tail_exponent(self, sign) -> Any:
        """e with L_±(crossover)/L_±(0) ≍ λ^e: below that level the modes of J_± that the
        λ → 0 orbit leaves out (μ_min < μ_±), excited at finite λ with amplitude λ^q by
        partial neurons and misalignment (q = min(1, limit_exponent)), outlast the μ_± mode:
        e = 2qμ_±/(μ_± − μ_min).  None when no slower mode exists."""
        s = self._class(sign)
        mu, low = self.mu(s), self.of(s).mu_min
        if mu is None or mu - low <= mu * self.ctx.mpf(10) ** (-self.dps // 2):
            return None
        q = min(self.ctx.one, self.limit_exponent) if self.limit_exponent is not None else self.ctx.one
        return 2 * q * mu / (mu - low)

    def t_escape(self, sign) -> Any:
        """Finite-λ escape time t_± = t⁰_± = n/(2‖D_±‖) ln(1/(λ² Σ_{F_±} K_j²)) (R6, R7)."""
        return self.of(sign).t_escape

    def class_initial_loss(self, sign) -> Any:
        """L_±(0) = (1/2n) Σ_{S_±} y_k²."""
        ctx, y = self.ctx, self.problem.data.y
        return ctx.fsum(rational(ctx, y[k]) ** 2 for k in self.points(sign)) / (2 * self.problem.n)

    def is_orthonormal_class(self, sign) -> bool:
        return all(_sq(self.problem.data.X[k]) == 1 for k in self.points(sign))

    # ---- early phase (R3, R4, R11) ------------------------------------------------------
    def early_direction(self, j: int, t: Any) -> list:
        """ŵ_j(t): the λ-free early trajectory (w_j(t)/λ → ŵ_j(t) as λ → 0, error O(λ²))."""
        ctx, fns = _closed_forms(self.dps)
        t = _mp(ctx, t, "t")
        seg = self._segment_at(j, t)
        nD = ctx.sqrt(_dot(seg.D, seg.D))
        if nD == 0:
            return list(seg.w0)
        vs = fns["varsigma"](t - seg.t0, self.problem.n, nD, ctx.sqrt(_dot(seg.w0, seg.w0)), _dot(seg.w0, seg.D))
        return [a + vs * b for a, b in zip(seg.w0, seg.D)]

    def alignment_gap(self, j: int, t: Any) -> Any:
        """1 − cos∠(ŵ_j(t), D_j) for t ≥ t_N (closed form of the last segment, R3, O6)."""
        ctx, fns = _closed_forms(self.dps)
        nb = self.neurons[j]
        t = _mp(ctx, t, "t")
        if not nb.alive or t < nb.t_N:
            raise ProblemError("t", f"the closed form holds for alive neurons after t_N = {ctx.nstr(nb.t_N, 8)}")
        return fns["gap"](t - nb.t_N, self.problem.n, nb.norm_D, ctx.sqrt(_dot(nb.w_N, nb.w_N)), _dot(nb.w_N, nb.D))

    def _segment_at(self, j: int, t) -> EarlySegment:
        segs = self.neurons[j].segments
        i = max(i for i, s in enumerate(segs) if s.t0 <= t or i == 0)
        return segs[i]

    def exponent(self, j: int, T: Any) -> Any:
        """e_j(T) = lim ln‖w_j(T ln(1/λ))‖ / ln(1/λ) (R11; the R12 jump process without A3)."""
        ctx = self.ctx
        T = _mp(ctx, T, "T")
        return _exponents(self, T)[j]

    # ---- growth and fitting (R6–R9) -----------------------------------------------------
    def half_time(self, sign) -> Any:
        """t^{1/2}_±: the time at which L_± = L_±(0)/4 along the heteroclinic orbit (R7);
        the closed form n/(2‖D‖) ln(‖D‖/(λ²ΣK²)) for orthonormal classes."""
        s = self._class(sign)
        K2 = self._K2(s)
        if self.is_orthonormal_class(s):
            return _closed_forms(self.dps)[1]["half_time"](self.norm_D(s), self.problem.n, self.lam, K2)
        return self.t_escape(s) + self._heteroclinic(s).half_shift

    def fit_time(self, loss: Any = "1e-20") -> Any:
        """An estimate of the time by which the loss is below ``loss``: each class escapes at
        t⁰_± and then decays like L_±(0)e^{−2μ_±(t − t⁰_±)} (R7, R8); without A3, the last
        R12 jump at T·ln(1/λ) and the slowest final rate.  O(1) terms are left out: it is
        meant for choosing horizons, not as a claim."""
        ctx = self.ctx
        target = _mp(ctx, loss, "loss")
        ends = []
        for s in (1, -1):
            if not self.points(s):
                continue
            start = (
                self.t_escape(s) if self.full(s) else (self.jumps[-1].T * self.log_inv_lambda if self.jumps else None)
            )
            if start is None:
                return None
            ends.append(start + max(ctx.log(self.class_initial_loss(s) / target), 0) / (2 * self.mu(s)))
        return max(ends)

    def fit_horizon(self, loss: Any = "1e-20") -> int | None:
        """A run length that reaches ``loss``: ``fit_time`` with 25 % to spare plus ten growth
        times n/min‖D_±‖ (the engine's generic default can be too short when a final rate μ_±
        is small)."""
        t = self.fit_time(loss)
        if t is None:
            return None
        growth = max(self.problem.n / v for v in (self.plus.norm_D, self.minus.norm_D) if v)
        return math.ceil(1.25 * t + 10 * growth)

    def class_loss(self, sign, t: Any) -> Any:
        """L_±(t) = (1/2n) Σ_{S_±} r_k² predicted by the heteroclinic orbit shifted by t⁰_± (R7)."""
        s = self._class(sign)
        ctx = self.ctx
        t = _mp(ctx, t, "t")
        self._K2(s)
        tt = t - self.t_escape(s)
        if self.is_orthonormal_class(s):
            fns = _closed_forms(self.dps)[1]
            nD = self.norm_D(s)
            rho = fns["radius"](tt, 0, nD, self.problem.n)
            return nD**2 / (2 * self.problem.n) * (1 - rho / nD) ** 2
        return self._heteroclinic(s).loss(tt)

    def loss(self, t: Any) -> Any:
        """L(t) ≈ L_+(t) + L_−(t) along the heteroclinic orbits (R5, R7); needs A3."""
        return self.ctx.fsum(self.class_loss(s, t) for s in (1, -1) if self.points(s))

    def limit_output(self, x: Any) -> Any:
        """h*(x) = σ(⟨β*₊, x⟩) − σ(⟨β*₋, x⟩), the limit function (R9)."""
        ctx = self.ctx
        xv = [_mp(ctx, v, f"x[{i}]") for i, v in enumerate(x)]
        if len(xv) != self.problem.d:
            raise ProblemError("x", f"has {len(xv)} entries; the inputs have d = {self.problem.d}")
        return max(_dot(self.plus.beta, xv), 0) - max(_dot(self.minus.beta, xv), 0)

    def limit_network(self) -> tuple[list, list]:
        """θ* = (a*, W*): w_j* = √(‖β*_±‖) K_j/(Σ_{F_±}K_i²)^{1/2} β̄*_± for j ∈ F_±, else 0 (R9)."""
        ctx = self.ctx
        if not self.assumptions["A3"]:
            raise ProblemError(
                "init", "the minimum-norm limit θ* needs assumption A3 (coverage); " + "; ".join(self.notes)
            )
        a, W = [], []
        for nb, wsq in zip(self.neurons, self.limit_w_sq):
            r = ctx.sqrt(wsq)
            beta, nb_ = self.of(nb.sign).beta, self.of(nb.sign).norm_beta
            W.append([r * v / nb_ for v in beta] if r else [ctx.zero] * self.problem.d)
            a.append(nb.sign * r)
        return a, W

    def residual_exponent(self, j: int) -> Any:
        """Partial neuron: ‖w_j(∞)‖ ≍ λ^{1 − ρ_j} (R9); None for full or dead neurons."""
        nb = self.neurons[j]
        return None if (nb.full or not nb.alive) else 1 - nb.coverage

    @property
    def rho_max(self) -> Any:
        """Largest coverage ratio among partial neurons (0 if there are none)."""
        vals = [nb.coverage for nb in self.neurons if nb.alive and not nb.full]
        return max(vals) if vals else self.ctx.zero

    def _K2(self, s: int):
        F = self.full(s)
        if not F:
            raise ProblemError(
                "init",
                f"class {'+' if s == 1 else '-'} has no full-coverage neuron (A3 fails); "
                "its escape follows the R12 jump process (Prediction.jumps)",
            )
        return self.ctx.fsum(self.neurons[j].K ** 2 for j in F)

    def _heteroclinic(self, s: int) -> _Heteroclinic:
        cache = self.__dict__.setdefault("_het", {})
        if s not in cache:
            cache[s] = _Heteroclinic(self, s)
        return cache[s]

    # ---- output ---------------------------------------------------------------------------
    def to_dict(self, digits: int | None = None) -> dict:
        """JSON-ready summary; numbers as decimal strings (``digits`` significant digits,
        default: all), indices 0-based, null where undefined."""
        ctx = self.ctx
        fmt = (
            (lambda v: None if v is None else to_str(v))
            if digits is None
            else (lambda v: None if v is None else ctx.nstr(v, digits, strip_zeros=False, min_fixed=-5, max_fixed=5))
        )
        vec = lambda v: [fmt(c) for c in v]
        out = {
            "schema": "reluflow.prediction.orthogonal/1",
            "lambda": exact_text(self.problem.init.lam),
            "dps": self.dps,
            "assumptions": dict(self.assumptions),
            "notes": list(self.notes),
            "S_plus": list(self.plus.points),
            "S_minus": list(self.minus.points),
            "D_plus": vec(self.plus.D),
            "D_minus": vec(self.minus.D),
            "norm_D_plus": fmt(self.plus.norm_D),
            "norm_D_minus": fmt(self.minus.norm_D),
            "beta_plus": vec(self.plus.beta),
            "beta_minus": vec(self.minus.beta),
            "fast": self.fast,
            "T_plus": fmt(self.plus.T),
            "T_minus": fmt(self.minus.T),
            "t_escape_plus": fmt(self.plus.t_escape),
            "t_escape_minus": fmt(self.minus.t_escape),
            "t_half_plus": None,
            "t_half_minus": None,
            "L0": fmt(self.L0),
            "L_mid": fmt(self.L_mid),
            "fitting_order": [self.fast, "-" if self.fast == "+" else "+"]
            if self.fast and self.plus.points and self.minus.points
            else ([self.fast] if self.fast else []),
            "mu_plus": fmt(self.plus.mu),
            "mu_minus": fmt(self.minus.mu),
            "loss_rate": fmt(self.loss_rate),
            "min_theta_sq": fmt(self.min_theta_sq),
            "min_variation_norm": fmt(self.min_variation_norm),
            "limit_theta_sq": fmt(self.limit_theta_sq),
            "F_plus": list(self.plus.full),
            "F_minus": list(self.minus.full),
            "K": [fmt(nb.K) if nb.full else None for nb in self.neurons],
            "growth_prefactor": [fmt(nb.K) for nb in self.neurons],
            "coverage": [fmt(nb.coverage) for nb in self.neurons],
            "kept": [list(nb.kept) for nb in self.neurons],
            "wrong": [list(nb.wrong) for nb in self.neurons],
            "deactivation_times": [
                {"neuron": ev.neuron, "point": ev.point, "t": fmt(ev.t)}
                for nb in self.neurons
                for ev in nb.deactivations
            ],
            "limit_w_sq": [fmt(v) for v in self.limit_w_sq],
            "residual_exponent": [fmt(self.residual_exponent(j)) for j in range(len(self.neurons))],
            "jumps": [{"T": fmt(jp.T), "neurons": list(jp.neurons), "points": list(jp.points)} for jp in self.jumps],
            "limit_exponent": fmt(self.limit_exponent),
            "saddle_coefficient": fmt(self.saddle_coefficient),
            "prob_A3_lower_bound": fmt(self.prob_A3),
            "prob_covered_lower_bound": fmt(self.prob_covered),
        }
        if self.assumptions["A3"]:
            for s, key in ((1, "t_half_plus"), (-1, "t_half_minus")):
                if self.points(s):
                    out[key] = fmt(self.half_time(s))
        return out


class _Heteroclinic:
    """The λ-free heteroclinic orbit of one class (R5, R7), by the engine: a single balanced
    neuron started exactly along D_± at a tiny scale ε on the class's points (labels |y_k|,
    the other points get label 0 and are orthogonal to it, so they never activate and
    the 1/(2n) normalisation is kept).  β = ‖w‖w is then exactly the R5 group predictor.
    Orbit time τ = t − t⁰ is the engine time plus t_s = n/(2‖D‖) ln ‖β(0)‖."""

    def __init__(self, pr: Prediction, s: int):
        from ...integrate import solve  # the engine (downward: theory uses integrate)
        from ...problem import Dataset, Init

        p, ctx = pr.problem, pr.ctx
        S = set(pr.points(s))
        y = [abs(v) if k in S else 0 for k, v in enumerate(p.data.y)]
        Dq = [sum((abs(p.data.y[k]) * p.data.X[k][i] for k in S), Fraction(0)) for i in range(p.d)]
        eps = Fraction(1, 10 ** (pr.dps // 2 + 4))
        self.n, self.nD = p.n, pr.norm_D(s)
        self.L_init = pr.class_initial_loss(s)
        self.mu = pr.mu(s)
        sub = Problem(Dataset(p.data.X, y), Init(eps, [Dq], [1]))
        growth = self.n / self.nD
        # run until the class loss is 10^-(dps) of its start (then extrapolate with the final rate)
        t_end = float(growth) * (math.log(1 / float(eps)) + 10) + 30 * float(1 / self.mu)
        self.tr = solve(
            sub,
            digits=pr.dps,
            t_end=math.ceil(t_end),
            loss_below=Fraction(float(self.L_init)) / 10**pr.dps,
            max_steps=1_000_000,
        )
        self.ctx = self.tr.ctx
        beta0 = (ctx.mpf(eps.numerator) / eps.denominator) ** 2 * self.nD**2  # ‖β(0)‖ = ε²‖D‖²
        self.t_s = self.n / (2 * self.nD) * ctx.log(beta0)
        self.pr, self.s = pr, s
        self.half_shift = self._half()

    def _engine_loss(self, tau):
        return self.tr.loss(tau)

    def loss(self, tt):
        """L_±(τ) at orbit time τ (t − t⁰_±)."""
        ctx = self.pr.ctx
        tau = tt - self.t_s
        if tau < 0:  # still linear growth: β = e^{2‖D‖τ/n} D̄ to relative O(‖β‖)
            rho = ctx.exp(2 * self.nD * tt / self.n)
            p = self.pr.problem
            Dv = self.pr.of(self.s).D
            tot = ctx.fsum(
                (abs(rational(ctx, p.data.y[k])) - rho * _dot(Dv, [rational(ctx, c) for c in p.data.X[k]]) / self.nD)
                ** 2
                for k in self.pr.points(self.s)
            )
            return tot / (2 * self.n)
        t_fin = self.tr.t_end
        if tau <= t_fin:
            return ctx.mpf(self._engine_loss(tau))
        return ctx.mpf(self._engine_loss(t_fin)) * ctx.exp(-2 * self.mu * (tau - t_fin))

    def _half(self):
        """Orbit time at which L_± = L_±(0)/4 (bisection; the loss decreases along the flow)."""
        ctx = self.pr.ctx
        target = self.L_init / 4
        lo, hi = ctx.zero, self.tr.t_end
        if self._engine_loss(hi) > target:
            raise ProblemError("heteroclinic", "the class was not half fitted within the λ-free run")
        for _ in range(int(self.pr.dps * 3.33) + 8):
            mid = (lo + hi) / 2
            if self._engine_loss(mid) > target:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2 + self.t_s


def _exponents(pr: Prediction, T):
    ctx = pr.ctx
    prev_T, prev = pr.knots[0]
    for Tk, ek in pr.knots[1:]:
        if Tk >= T:
            f = (T - prev_T) / (Tk - prev_T) if Tk > prev_T else ctx.one
            return {j: prev[j] + f * (ek[j] - prev[j]) for j in prev}
        prev_T, prev = Tk, ek
    return dict(prev)
