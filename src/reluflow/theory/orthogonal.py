"""Closed-form predictions for orthogonal inputs (Boursier, Pillaud-Vivien & Flammarion 2022).

``predict(problem)`` evaluates every closed-form quantity of the spec's table
(``orthogonal_inputs.md`` §4; results R1–R12, claims O1–O22; the paper's own numbers are
unknown and never cited): the classes S_± and directions D_±, per neuron the sets A_j⁰,
P_j, N_j, the λ-free early trajectory ŵ_j(t) by the R3 segment map with its deactivation
times, the growth prefactors K_j, the rescaled jump times T_± and the finite-λ escape and
half-fit times, the plateau losses, the heteroclinic loss curve (logistic for orthonormal
classes, one λ-free solve of the engine per class otherwise), the final rates, the
minimum-norm interpolator θ* with its per-neuron split, and the jump process of R11/R12
(which also covers data where the coverage assumption A3 fails).

The closed forms are the SymPy expressions of :mod:`reluflow.symbolic.formulas` (those the
proof checks verify), evaluated through the code generator in a local mpmath context.

>>> from reluflow.datasets import e1
>>> pr = predict(e1("1e-30"))
>>> pr.fast, [float(v) for v in (pr.T_plus, pr.T_minus)]
('+', [1.2649110640673518, 2.9814239699997196])
>>> [nb.full for nb in pr.neurons], pr.assumptions["A3"]
([True, True, True, True, False, False], True)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from ..precision import context, rational, to_str
from ..problem import Problem, ProblemError, exact, exact_text
from ..symbolic import formulas, to_mpmath

__all__ = ["Deactivation", "Jump", "NeuronTheory", "Prediction", "beta_star_sq", "check_assumptions", "predict"]

# ----------------------------------------------------------------------------- codegen

_tau, _n, _D, _w0, _B, _tN, _lam, _K2, _t, _t0 = sp.symbols("tau n D w0 B t_N lam K2 t t0", real=True)


@functools.lru_cache(maxsize=8)
def _closed_forms(dps: int):
    """The R3/R7 closed forms compiled once per precision into one local context."""
    ctx = context(dps)
    varsigma, _E = formulas.segment(_tau, n=_n, D=_D, w0=_w0, B=_B)
    seg = (_n, _D, _w0, _B)
    return ctx, {
        "varsigma": to_mpmath([_tau, *seg], varsigma, ctx),
        "segment_time": to_mpmath([_tau, *seg], formulas.segment_time(_tau, n=_n, D=_D, w0=_w0, B=_B), ctx),
        "gap": to_mpmath([_tau, *seg], formulas.alignment_gap(_tau, n=_n, D=_D, w0=_w0, B=_B), ctx),
        "C": to_mpmath([*seg, _tN], formulas.alignment_constant(n=_n, D=_D, w0=_w0, B=_B, t_N=_tN), ctx),
        "K": to_mpmath(
            [_w0, _B, _D, _n, _tN], formulas.growth_prefactor(w0=_w0, cos=_B / (_D * _w0), D=_D, n=_n, t_N=_tN), ctx
        ),
        "half_time": to_mpmath([_D, _n, _lam, _K2], formulas.half_time(D=_D, n=_n, lam=_lam, K2=_K2), ctx),
        "radius": to_mpmath([_t, _t0, _D, _n], formulas.logistic_radius(_t, t0=_t0, D=_D, n=_n), ctx),
    }


# ----------------------------------------------------------------------------- results


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


@dataclass(frozen=True)
class Prediction:
    """Every closed-form quantity of the orthogonal-inputs theory for one problem, as
    mpmath numbers of a local context at ``dps`` digits (see :func:`predict`).

    Class quantities take ``+1``/``-1`` (or ``'+'``/``'-'``) through the methods; the
    ``*_plus``/``*_minus`` fields are None for an empty class."""

    problem: Problem = field(repr=False)
    dps: int
    S_plus: tuple[int, ...]
    S_minus: tuple[int, ...]
    D_plus: tuple
    D_minus: tuple
    norm_D_plus: Any
    norm_D_minus: Any
    beta_plus: tuple
    beta_minus: tuple
    norm_beta_plus: Any
    norm_beta_minus: Any
    neurons: tuple[NeuronTheory, ...]
    F_plus: tuple[int, ...]
    F_minus: tuple[int, ...]
    assumptions: dict
    notes: tuple[str, ...]
    fast: str | None
    T_plus: Any
    T_minus: Any
    t_escape_plus: Any
    t_escape_minus: Any
    L0: Any
    L_mid: Any
    mu_plus: Any
    mu_minus: Any
    mu_min_plus: Any
    mu_min_minus: Any
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

    def norm_D(self, sign) -> Any:
        return self.norm_D_plus if self._class(sign) == 1 else self.norm_D_minus

    def T(self, sign) -> Any:
        """Rescaled jump time T_± = n/‖D_±‖ (R6)."""
        return self.T_plus if self._class(sign) == 1 else self.T_minus

    def points(self, sign) -> tuple[int, ...]:
        return self.S_plus if self._class(sign) == 1 else self.S_minus

    def full(self, sign) -> tuple[int, ...]:
        return self.F_plus if self._class(sign) == 1 else self.F_minus

    def mu(self, sign) -> Any:
        """μ_±: the smallest eigenvalue of J_± that the λ → 0 orbit excites (R8)."""
        return self.mu_plus if self._class(sign) == 1 else self.mu_minus

    def tail_exponent(self, sign) -> Any:
        """e with L_±(crossover)/L_±(0) ≍ λ^e: below that level the modes of J_± that the
        λ → 0 orbit leaves out (μ_min < μ_±), excited at finite λ with amplitude λ^q by
        partial neurons and misalignment (q = min(1, limit_exponent)), outlast the μ_± mode:
        e = 2qμ_±/(μ_± − μ_min).  None when no slower mode exists."""
        s = self._class(sign)
        mu, low = self.mu(s), (self.mu_min_plus if s == 1 else self.mu_min_minus)
        if mu is None or mu - low <= mu * self.ctx.mpf(10) ** (-self.dps // 2):
            return None
        q = min(self.ctx.one, self.limit_exponent) if self.limit_exponent is not None else self.ctx.one
        return 2 * q * mu / (mu - low)

    def t_escape(self, sign) -> Any:
        """Finite-λ escape time t_± = t⁰_± = n/(2‖D_±‖) ln(1/(λ² Σ_{F_±} K_j²)) (R6, R7)."""
        return self.t_escape_plus if self._class(sign) == 1 else self.t_escape_minus

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
        growth = max(self.problem.n / v for v in (self.norm_D_plus, self.norm_D_minus) if v)
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
        return max(_dot(self.beta_plus, xv), 0) - max(_dot(self.beta_minus, xv), 0)

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
            beta, nb_ = (
                (self.beta_plus, self.norm_beta_plus) if nb.sign == 1 else (self.beta_minus, self.norm_beta_minus)
            )
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
            "S_plus": list(self.S_plus),
            "S_minus": list(self.S_minus),
            "D_plus": vec(self.D_plus),
            "D_minus": vec(self.D_minus),
            "norm_D_plus": fmt(self.norm_D_plus),
            "norm_D_minus": fmt(self.norm_D_minus),
            "beta_plus": vec(self.beta_plus),
            "beta_minus": vec(self.beta_minus),
            "fast": self.fast,
            "T_plus": fmt(self.T_plus),
            "T_minus": fmt(self.T_minus),
            "t_escape_plus": fmt(self.t_escape_plus),
            "t_escape_minus": fmt(self.t_escape_minus),
            "t_half_plus": None,
            "t_half_minus": None,
            "L0": fmt(self.L0),
            "L_mid": fmt(self.L_mid),
            "fitting_order": [self.fast, "-" if self.fast == "+" else "+"]
            if self.fast and self.S_plus and self.S_minus
            else ([self.fast] if self.fast else []),
            "mu_plus": fmt(self.mu_plus),
            "mu_minus": fmt(self.mu_minus),
            "loss_rate": fmt(self.loss_rate),
            "min_theta_sq": fmt(self.min_theta_sq),
            "min_variation_norm": fmt(self.min_variation_norm),
            "limit_theta_sq": fmt(self.limit_theta_sq),
            "F_plus": list(self.F_plus),
            "F_minus": list(self.F_minus),
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


# ----------------------------------------------------------------------------- heteroclinic


class _Heteroclinic:
    """The λ-free heteroclinic orbit of one class (R5, R7), by the engine: a single balanced
    neuron started exactly along D_± at a tiny scale ε on the class's points (labels |y_k|,
    the other points get label 0 and are orthogonal to it, so they never activate and
    the 1/(2n) normalisation is kept).  β = ‖w‖w is then exactly the R5 group predictor.
    Orbit time τ = t − t⁰ is the engine time plus t_s = n/(2‖D‖) ln ‖β(0)‖."""

    def __init__(self, pr: Prediction, s: int):
        from ..integrate import solve  # the engine (downward: theory uses integrate)
        from ..problem import Dataset, Init

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
            Dv = self.pr.D_plus if self.s == 1 else self.pr.D_minus
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


# ----------------------------------------------------------------------------- predict


def _mp(ctx, v, name):
    if hasattr(v, "_mpf_"):
        return ctx.mpf(v)
    q = exact(v, name)
    return rational(ctx, q)


def _dot(u, v):
    return sum((a * b for a, b in zip(u, v)), 0 * u[0] if u else 0)


def _sq(x) -> Fraction:
    return sum((c * c for c in x), Fraction(0))


def beta_star_sq(data) -> dict[int, Fraction]:
    """‖β*_±‖² = Σ_{k∈S_±} y_k²/‖x_k‖² exactly (orthogonal inputs, R10), keyed by the sign ±1;
    the R10 bound is ‖θ‖² ≥ 2(‖β*₊‖ + ‖β*₋‖).

    >>> from reluflow.datasets import e2
    >>> beta_star_sq(e2().data)
    {1: Fraction(4, 1), -1: Fraction(0, 1)}
    """
    X, y = data.X, data.y
    return {s: sum((y[k] ** 2 / _sq(X[k]) for k in range(len(y)) if s * y[k] > 0), Fraction(0)) for s in (1, -1)}


def _early(ctx, fns, j: int, z, s: int, X, y, n: int) -> NeuronTheory:
    """Run the R3 segment map for neuron j: shed wrong-sign points, then grow along D_j."""
    d = len(z)
    nx = [_sq(x) for x in X]
    Xm = [[rational(ctx, c) for c in x] for x in X]
    A0 = tuple(k for k, x in enumerate(X) if sum((a * b for a, b in zip(z, x)), Fraction(0)) > 0)
    P = tuple(k for k in A0 if s * y[k] > 0)
    N = tuple(k for k in A0 if s * y[k] < 0)
    active = set(A0)
    w = [rational(ctx, c) for c in z]
    t = ctx.zero
    segs, events = [], []
    while True:
        Dq = [sum((s * y[k] * X[k][i] for k in active), Fraction(0)) for i in range(d)]
        Dm = [rational(ctx, c) for c in Dq]
        segs.append(EarlySegment(t, tuple(w), tuple(Dm)))
        wrong = [k for k in active if s * y[k] < 0]
        if not wrong or all(c == 0 for c in Dq):
            break
        nD, nw, B = ctx.sqrt(rational(ctx, _sq(Dq))), ctx.sqrt(_dot(w, w)), _dot(w, Dm)
        if nD * nw + B <= 16 * ctx.eps * nD * nw:  # ŵ_j antiparallel to D_j: it shrinks to 0 along the line
            raise ProblemError(
                f"init.z[{j}]",
                "the neuron's direction becomes antiparallel to D_j while wrong-sign "
                f"points {sorted(active)} are active: it decays to 0 without shedding "
                "them, and the R3 segment map has no finite switch time; perturb z_j",
            )
        # ς_k = û_jk/(|y_k| ‖x_k‖²): the wrong-sign pair with the smallest ς leaves first
        vs = {k: _dot(w, Xm[k]) / (abs(rational(ctx, y[k])) * rational(ctx, nx[k])) for k in wrong}
        k_out = min(wrong, key=lambda k: vs[k])
        t = t + fns["segment_time"](vs[k_out], n, nD, nw, B)
        w = [a + vs[k_out] * b for a, b in zip(w, Dm)]
        u = _dot(w, Xm[k_out]) / rational(ctx, nx[k_out])
        w = [a - u * b for a, b in zip(w, Xm[k_out])]  # exactly on the surface: û_jk = 0
        active.discard(k_out)
        events.append(Deactivation(j, k_out, t))
    Dj = tuple(rational(ctx, sum((abs(y[k]) * X[k][i] for k in P), Fraction(0))) for i in range(d))
    nDj = ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in P)) if P else ctx.zero
    nDs = ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in range(len(X)) if s * y[k] > 0))
    K = C = None
    if P:
        nw, B = ctx.sqrt(_dot(w, w)), _dot(w, Dj)
        K = fns["K"](nw, B, nDj, n, t)
        # C ∝ a − B ≥ 0 (Cauchy–Schwarz, R3c); when ŵ_N is exactly along D_j the difference is
        # pure rounding and may come out a few units negative: it is 0
        C = max(fns["C"](n, nDj, nw, B, t), ctx.zero)
    full = bool(P) and len(P) == sum(1 for v in y if s * v > 0)
    return NeuronTheory(
        index=j,
        sign=s,
        initially_active=A0,
        kept=P,
        wrong=N,
        D=Dj,
        norm_D=nDj,
        coverage=nDj / nDs if nDs else ctx.zero,
        full=full,
        deactivations=tuple(events),
        t_N=t,
        w_N=tuple(w),
        K=K,
        C=C,
        segments=tuple(segs),
    )


def _jump_process(ctx, neurons, X, y, n: int):
    """R11/R12: e_j(0) = −1, ė_j = ‖D_j^U‖/n while e_j < 0 with D_j^U over the kept points
    not yet fitted; a neuron reaching 0 fits its kept unfitted points.  Returns the jumps
    and the piecewise-linear exponent knots."""
    U = set(range(len(X)))
    e = {nb.index: ctx.mpf(-1) for nb in neurons}
    grown: set[int] = set()
    T = ctx.zero
    knots = [(T, dict(e))]
    jumps = []
    nx = [_sq(x) for x in X]

    def rate(nb):
        if nb.index in grown:
            return ctx.zero
        pts = [k for k in nb.kept if k in U]
        return ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in pts)) / n

    tol = ctx.mpf(10) ** (-(ctx.dps - 8))
    while True:
        rates = {nb.index: rate(nb) for nb in neurons}
        cand = [(-e[j] / r, j) for j, r in rates.items() if r > 0]
        if not cand:
            break
        dt = min(c for c, _ in cand)
        T = T + dt
        for j, r in rates.items():
            e[j] = e[j] + r * dt
        now = tuple(sorted(j for c, j in cand if c - dt <= tol * (1 + dt)))
        for j in now:
            e[j] = ctx.zero
        pts = tuple(sorted({k for j in now for k in neurons[j].kept if k in U}))
        grown.update(now)
        U -= set(pts)
        jumps.append(Jump(T, now, pts))
        knots.append((T, dict(e)))
    return tuple(jumps), knots, U


def _jump_groups(neurons, jumps) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(neurons, points) per rank-one group of the R12 limit: within each jump, neurons are
    joined when their fitted sets Q_j = P_j ∩ U overlap (neurons of opposite signs never do)."""
    fitted: set[int] = set()
    out = []
    for jp in jumps:
        groups: list[tuple[set, set]] = []
        for j in jp.neurons:
            g_n, g_p = {j}, {k for k in neurons[j].kept if k not in fitted}
            rest = []
            for gn, gp in groups:
                if gp & g_p:
                    g_n, g_p = g_n | gn, g_p | gp
                else:
                    rest.append((gn, gp))
            groups = [*rest, (g_n, g_p)]
        out.extend((tuple(sorted(gn)), tuple(sorted(gp))) for gn, gp in sorted(groups, key=lambda g: min(g[0])) if gp)
        fitted |= set(jp.points)
    return out


def _exponents(pr: Prediction, T):
    ctx = pr.ctx
    prev_T, prev = pr.knots[0]
    for Tk, ek in pr.knots[1:]:
        if Tk >= T:
            f = (T - prev_T) / (Tk - prev_T) if Tk > prev_T else ctx.one
            return {j: prev[j] + f * (ek[j] - prev[j]) for j in prev}
        prev_T, prev = Tk, ek
    return dict(prev)


def _limit_exponent(neurons, jumps, knots):
    """λ-exponent of the limit errors (‖θ_∞‖², h_∞, the split), from the jump process
    (R9, R12): a neuron that is still small (e_j < 0) when others fit some of its kept
    points keeps a frozen component of size λ^{−e_j} along them; if it grows later, that
    component changes the outputs at first order (exponent −e_j); if it never grows, it
    contributes its squared norm (exponent −2e_j(∞), = 2(1 − ρ_j) under A3).  None when
    no neuron is left behind."""
    later = {j: i for i, jp in enumerate(jumps) for j in jp.neurons}
    final = knots[-1][1]
    cands = []
    for i, jp in enumerate(jumps):
        e_at = knots[i + 1][1]
        for nb in neurons:
            j = nb.index
            if j in jp.neurons or not set(nb.kept) & set(jp.points) or e_at[j] >= 0:
                continue
            cands.append(-e_at[j] if later.get(j, -1) > i else -2 * final[j])
    return min(cands) if cands else None


def _rates(ctx, X, y, S, n: int, norm_beta):
    """μ_± (R8): the smallest eigenvalue of J_± = ‖β*‖(I + β̄*β̄*ᵀ)(1/n)Σ x_k x_kᵀ that the
    orbit excites.  In the basis x_k/‖x_k‖ of span{x_k : k ∈ S}, J is similar to the
    symmetric M = ‖β*‖G^{1/2}(I + bbᵀ)G^{1/2}, G = diag(‖x_k‖²/n), b = β̄*.  The orbit
    starts along D̄ and, on each group of points with equal norms, keeps its coordinates
    proportional to |y_k| (the R5 field preserves this), so it lives in the span V of the
    group vectors u_g = (|y_k|)_{k∈g}; V is invariant under J and M, and μ is the smallest
    eigenvalue of M on V (generic within V).  One group (e.g. orthonormal inputs): V is the
    line of β̄* and μ = 2‖β*‖‖x‖²/n (R8's orthonormal exception).  Returns (μ, λ_min(J)):
    at finite λ the modes outside V are excited at a small amplitude and show at low loss."""
    S = list(S)
    nx = [_sq(X[k]) for k in S]
    g = [ctx.sqrt(rational(ctx, v) / n) for v in nx]
    b = [abs(rational(ctx, y[k])) / ctx.sqrt(rational(ctx, v)) / norm_beta for k, v in zip(S, nx)]
    groups = [[i for i in range(len(S)) if nx[i] == v] for v in sorted(set(nx))]
    U = ctx.matrix(len(S), len(groups))  # orthonormal basis of V (disjoint supports)
    for c, grp in enumerate(groups):
        w = ctx.sqrt(ctx.fsum(rational(ctx, y[S[i]]) ** 2 for i in grp))
        for i in grp:
            U[i, c] = abs(rational(ctx, y[S[i]])) / w
    M = ctx.matrix(len(S), len(S))
    for i in range(len(S)):
        for l in range(len(S)):
            M[i, l] = norm_beta * g[i] * ((1 if i == l else 0) + b[i] * b[l]) * g[l]
    return min(ctx.eigsy(U.T * M * U, eigvals_only=True)), min(ctx.eigsy(M, eigvals_only=True))


def predict(problem: Problem, *, dps: int = 30) -> Prediction:
    """Every closed-form quantity of the orthogonal-inputs theory for ``problem`` at ``dps``
    digits, in a local mpmath context (``mpmath.mp`` is never touched).

    Raises :class:`ProblemError` if the inputs are not exactly orthogonal (A1), a label is 0,
    or some ⟨z_j, x_k⟩ = 0.  A3 (coverage) and A4 (distinct rates) are reported in
    ``assumptions`` with ``notes``; quantities that need them are None.

    >>> from reluflow.datasets import e1
    >>> pr = predict(e1("1e-30"), dps=20)
    >>> [(ev.neuron, ev.point, pr.ctx.nstr(ev.t, 10)) for nb in pr.neurons for ev in nb.deactivations]
    [(0, 3, '0.8932852273'), (1, 2, '1.022982684'), (2, 1, '0.1243547089'), (3, 0, '1.856759382')]
    >>> pr.ctx.nstr(pr.min_theta_sq, 15), pr.ctx.nstr(pr.L_mid, 5)
    ('7.1748101905387', '0.3125')
    """
    if not isinstance(problem, Problem):
        raise ProblemError("problem", f"expected a reluflow.Problem, got {type(problem).__name__}")
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ProblemError("dps", f"must be an integer ≥ 15, got {dps!r}")
    check_assumptions(problem)
    ctx, fns = _closed_forms(dps)
    X, y, n = problem.data.X, problem.data.y, problem.n
    nx = [_sq(x) for x in X]
    S = {1: tuple(k for k in range(n) if y[k] > 0), -1: tuple(k for k in range(n) if y[k] < 0)}
    Dv = {
        s: tuple(rational(ctx, sum((abs(y[k]) * X[k][i] for k in S[s]), Fraction(0))) for i in range(problem.d))
        for s in S
    }
    nD = {
        s: ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in S[s])) if S[s] else None
        for s in S
    }
    beta = {
        s: tuple(rational(ctx, sum((abs(y[k]) / nx[k] * X[k][i] for k in S[s]), Fraction(0))) for i in range(problem.d))
        for s in S
    }
    nbeta = {s: ctx.sqrt(rational(ctx, q)) for s, q in beta_star_sq(problem.data).items()}
    neurons = tuple(
        _early(ctx, fns, j, z, sg, X, y, n) for j, (z, sg) in enumerate(zip(problem.init.z, problem.init.s))
    )
    F = {s: tuple(nb.index for nb in neurons if nb.sign == s and nb.full) for s in S}

    notes = []
    A3 = all(F[s] or not S[s] for s in S)
    for s in S:
        if S[s] and not F[s]:
            notes.append(
                f"A3 fails for class {'+' if s == 1 else '-'}: no neuron with s_j = {s:+d} is active on all of "
                f"S_{'+' if s == 1 else '-'} = {list(S[s])} at initialisation (incremental learning, R12)"
            )
    both = bool(S[1]) and bool(S[-1])
    A4 = (not both) or nD[1] != nD[-1]
    if not both:
        notes.append("labels of one sign only: no L_mid plateau (R6 needs both signs for two jumps)")
    elif not A4:
        notes.append("A4 fails: ‖D_+‖ = ‖D_−‖, the two jumps merge into one")
    covered = all(any(k in nb.kept for nb in neurons) for k in range(n))
    if not covered:
        notes.append(
            "some point is not kept by any correct-sign neuron: it is never fitted (the loss does not reach 0)"
        )
    T = {s: (n / nD[s] if S[s] else None) for s in S}
    fast = None
    if both and A4:
        fast = "+" if nD[1] > nD[-1] else "-"
    elif not both:
        fast = "+" if S[1] else "-"
    lam = rational(ctx, problem.init.lam)
    t_esc = {}
    for s in S:
        t_esc[s] = None
        if S[s] and F[s]:
            K2 = ctx.fsum(neurons[j].K ** 2 for j in F[s])
            t_esc[s] = n / (2 * nD[s]) * ctx.log(1 / (lam**2 * K2))
    L0 = ctx.fsum(rational(ctx, v) ** 2 for v in y) / (2 * n)
    L_mid = None
    if both and A4:
        slow = -1 if fast == "+" else 1
        L_mid = ctx.fsum(rational(ctx, y[k]) ** 2 for k in S[slow]) / (2 * n)
    rates = {s: (_rates(ctx, X, y, S[s], n, nbeta[s]) if S[s] else (None, None)) for s in S}
    mu = {s: rates[s][0] for s in S}
    loss_rate = 2 * min(v for v in mu.values() if v is not None)
    limit_w_sq = []
    for nb in neurons:
        if A3 and nb.full:
            K2 = ctx.fsum(neurons[i].K ** 2 for i in F[nb.sign])
            limit_w_sq.append(nbeta[nb.sign] * nb.K**2 / K2)
        else:
            limit_w_sq.append(ctx.zero)
    jumps, knots, unfitted = _jump_process(ctx, neurons, X, y, n)
    # R12 limit: each group fits β_Q with ‖θ‖² contribution 2‖β_Q‖; a group is a set of neurons
    # of one jump whose fitted points Q_j overlap (simultaneous jumps of neurons with disjoint
    # Q_j, e.g. both classes when A4 fails, are separate rank-one groups)
    groups = _jump_groups(neurons, jumps)
    norm_bq = [ctx.sqrt(ctx.fsum(rational(ctx, y[k] ** 2 / nx[k]) for k in Q)) for _, Q in groups]
    limit_theta_sq = ctx.fsum(2 * bq for bq in norm_bq)
    if not A3:
        limit_w_sq = [ctx.zero] * len(neurons)
        for (group, _), bq in zip(groups, norm_bq):
            K2 = ctx.fsum(neurons[j].K ** 2 for j in group)
            for j in group:
                limit_w_sq[j] = bq * neurons[j].K ** 2 / K2
    saddle = -(nD[-1 if fast == "+" else 1]) / n if (both and A4) else None
    m = problem.m
    prob_A3 = 1 - sum((1 - ctx.mpf(2) ** (-len(S[s]) - 1)) ** m for s in S if S[s])
    prob_cov = 1 - n * (ctx.mpf(3) / 4) ** m
    return Prediction(
        problem=problem,
        dps=dps,
        S_plus=S[1],
        S_minus=S[-1],
        D_plus=Dv[1],
        D_minus=Dv[-1],
        norm_D_plus=nD[1],
        norm_D_minus=nD[-1],
        beta_plus=beta[1],
        beta_minus=beta[-1],
        norm_beta_plus=nbeta[1],
        norm_beta_minus=nbeta[-1],
        neurons=neurons,
        F_plus=F[1],
        F_minus=F[-1],
        assumptions={"A1": True, "A3": A3, "A4": A4, "covered": covered, "both_signs": both},
        notes=tuple(notes),
        fast=fast,
        T_plus=T[1],
        T_minus=T[-1],
        t_escape_plus=t_esc[1],
        t_escape_minus=t_esc[-1],
        L0=L0,
        L_mid=L_mid,
        mu_plus=mu[1],
        mu_minus=mu[-1],
        mu_min_plus=rates[1][1],
        mu_min_minus=rates[-1][1],
        loss_rate=loss_rate,
        min_variation_norm=nbeta[1] + nbeta[-1],
        min_theta_sq=2 * (nbeta[1] + nbeta[-1]),
        limit_w_sq=tuple(limit_w_sq),
        jumps=jumps,
        limit_theta_sq=limit_theta_sq if not unfitted else None,
        limit_exponent=_limit_exponent(neurons, jumps, knots),
        knots=tuple(knots),
        saddle_coefficient=saddle,
        prob_A3=prob_A3,
        prob_covered=prob_cov,
    )
