"""Closed-form predictions for one teacher neuron with correlated inputs (Chistikov,
Englert & Lazić 2023; spec ``single_neuron.md`` §3–§4, claims N1–N24).

``predict(problem)`` evaluates, in a local mpmath context: γ_I and γ_[n] = Σv*, the spectrum
of Σ = (1/n)Σ x_i x_iᵀ with the sign-fixed teacher coordinates ν*, δ and Δ, the checks of
Assumption 1 (each condition separately) and the Assumption 2 bound (in logarithms: it is
astronomically small), the sets J_±, n_j, the yardsticks in closed form (D1: crossing order,
crossing times τ_j^ℓ, angles, great-circle directions), T0, T1, the escape time T2 (D3,
sharpened by one λ-free run of the engine: the reduced phase-2 model D4 is exactly one
balanced neuron active on every point), the S predicates, the limit network (D2: κ_j split,
rank one, ‖θ‖² = 2, nuclear norm 1), the asymptotic rate 2λ_min((I + v*v*ᵀ)Σ), and for
n = d the quantity 𝓜 of Theorem 8 with its sign (and the counterexample network if 𝓜 > 0).

>>> from reluflow.datasets import sn1
>>> pr = predict(sn1("1e-30"))
>>> pr.J_plus, pr.J_minus, [c.point for c in pr.crossings]
((0, 1, 2), (3, 4), [2, 1, 0, 1, 1, 2, 1])
>>> all(pr.assumption1.values()), round(float(pr.T1_over_eps_log), 6)
(True, 0.229676)
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..precision import context, rational, to_str
from ..problem import Dataset, Init, Problem, ProblemError, exact_text
from .single_neuron_assumptions import data_conditions, gamma, init_conditions, sigma_matrix

__all__ = ["Crossing", "Prediction", "Stage", "Yardstick", "predict"]

EPS = Fraction(1, 4)  # the analysis parameter ε of Assumption 2 (pitfall 12: ε = 1/4)


# ----------------------------------------------------------------------------- results


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


@dataclass(frozen=True)
class Prediction:
    """Every closed-form quantity of the single-neuron paper for one problem (see module
    docstring); numbers are mpmath values of ``ctx``, indices 0-based."""

    problem: Problem
    dps: int
    ctx: Any = field(repr=False)
    teacher: tuple
    gamma: tuple  # γ_[n]
    G: Any  # ‖γ_[n]‖
    eta: tuple  # eigenvalues of Σ, decreasing
    u: tuple  # unit eigenvectors, signed so that ν*_k > 0
    nu_star: tuple
    assumption1: dict
    notes: tuple
    J_plus: tuple[int, ...]
    J_minus: tuple[int, ...]
    yardsticks: dict  # neuron → Yardstick, for j ∈ J_±
    delta: Any
    Delta: Any
    eps: Fraction = EPS

    # ---- spectrum and data ---------------------------------------------------------------
    @property
    def n_cross(self) -> dict:
        return {j: y.n_cross for j, y in self.yardsticks.items()}

    @property
    def crossings(self) -> list[Crossing]:
        out = [c for y in self.yardsticks.values() for c in y.crossings]
        return sorted(out, key=lambda c: (c.neuron, c.stage))

    def gamma_of(self, I) -> list:
        """γ_I = (1/n) Σ_{i∈I} y_i x_i."""
        return _gamma(self.ctx, self.problem.data, I)

    def coords(self, v) -> list:
        """ν_k = u_kᵀv in the sign-fixed eigenbasis (decreasing eigenvalues)."""
        return [_dot(self.ctx, uk, v) for uk in self.u]

    # ---- times -------------------------------------------------------------------------
    @property
    def T0(self) -> Any:
        """max_j τ_j^{n_j} + 1 (Prop. 18)."""
        return max([y.last for y in self.yardsticks.values()], default=self.ctx.zero) + 1

    @property
    def T1_over_eps_log(self) -> Any:
        """1/‖γ_[n]‖: T1 = ε ln(1/λ)/‖γ_[n]‖."""
        return 1 / self.G

    @property
    def T1(self) -> Any:
        return rational(self.ctx, self.eps) * self.log_inv_lambda / self.G

    @property
    def log_inv_lambda(self) -> Any:
        lam = self.problem.init.lam
        return self.ctx.log(lam.denominator) - self.ctx.log(lam.numerator)

    @property
    def kappa_sq(self) -> Any:
        """𝒦² = Σ_{J_+} κ_j²."""
        return self.ctx.fsum(self.yardsticks[j].kappa ** 2 for j in self.J_plus)

    @property
    def t_escape(self) -> Any:
        """D3: (ln(1/λ) − ln 𝒦)/‖γ_[n]‖, the time at which λ²𝒦²e^{2‖γ‖t} reaches 1."""
        return (self.log_inv_lambda - self.ctx.log(self.kappa_sq) / 2) / self.G

    def _T2_or_reason(self) -> tuple[Any, str | None]:
        """(T2, None), or (None, the reason) when there is no J_+ or the reduced model cannot give it."""
        if not self.J_plus:
            return None, None
        try:
            return self.T2, None
        except ProblemError as exc:
            return None, f"T2 is not available: {exc}"

    @property
    def T2(self) -> Any:
        """Predicted T2 = inf{t ≥ T1: ν_1 ≥ ν*_1/2}: t_escape plus the λ-free offset of the
        reduced model's orbit (one engine run, cached)."""
        half = self.nu_star[0] / 2
        red = self._reduced()
        offset = red.T2_offset(self.u[0], half)
        while offset is None and not red.converged:
            red = self._reduced(red.horizon * 2)
            offset = red.T2_offset(self.u[0], half)
        if offset is None:
            raise ProblemError("data", "the reduced model never reaches ν_1 = ν*_1/2")
        return self.t_escape + offset

    @property
    def T2_bounds(self) -> dict:
        """Upper bounds of Lemma 32(ii) and Theorem 6 on T2 − T1 and T2 (they assume the
        astronomically small λ of Assumption 2; reported to show their size)."""
        if not self.delta > 0:
            return None  # δ = 0: the bounds do not exist (see ``notes``)
        e = rational(self.ctx, self.eps)
        d = self.problem.d
        base = self.log_inv_lambda * d * self.Delta**2 / self.delta**6
        return {"T2_minus_T1": (4 + e / 2) * base, "T2": (4 + e) * base}

    # ---- assumption 2 ------------------------------------------------------------------
    @property
    def log10_lambda_max(self) -> Any:
        """log10 of the Assumption 2 bound λ ≤ (m n^{9nΔ²/δ³})^{−3/ε}."""
        ctx, p = self.ctx, self.problem
        if not self.delta > 0:
            return None  # δ = 0: no λ satisfies Assumption 2 (see ``notes``)
        ln = -3 / rational(ctx, self.eps) * (ctx.log(p.m) + 9 * p.n * self.Delta**2 / self.delta**3 * ctx.log(p.n))
        return ln / ctx.log(10)

    # ---- phase 2 -----------------------------------------------------------------------
    def S_predicates(self, v, xi_threshold=None) -> dict:
        """The predicates of §3.4 at v: the ratios ν_k/ν*_k, the index ``S_core`` of the
        S_ℓ whose λ-free predicates (Ω, Φ, Ψ↓, Ψ↑) hold, ``xi`` = v̄ᵀ(Σ(v* − v))‾ and the
        index ``S`` of the S_ℓ containing v (None if v ∉ S): also Ξ, xi > ``xi_threshold``
        (default λ^{ε/3} at the problem's λ)."""
        ctx = self.ctx
        d = self.problem.d
        nu = self.coords(v)
        q = [nu[k] / self.nu_star[k] for k in range(d)]
        eta = list(self.eta)
        if xi_threshold is None:
            xi_threshold = rational(ctx, self.problem.init.lam) ** (rational(ctx, self.eps) / 3)
        g = self.sigma_times([a - b for a, b in zip(self.teacher, v)])
        xi = _dot(ctx, _unit(ctx, v), _unit(ctx, g))
        half = ctx.mpf(1) / 2

        def psi(k, k2):  # Ψ↓_{k,k'} ∧ Ψ↑_{k,k'}
            down = eta[k2] / (2 * eta[k]) * q[k] < q[k2]
            # 1 − (1 − q)^a as −expm1(a·log1p(−q)): no cancellation for the tiny q of phase 1
            up = q[k] <= 1 and (
                (q[k] == 1 and q[k2] < 1)
                or (q[k] < 1 and q[k2] < -ctx.expm1((half + eta[k2] / (2 * eta[k])) * ctx.log1p(-q[k])))
            )
            return down and up

        core = None
        for ell in range(d):  # S_{ℓ+1} in the paper's 1-based numbering
            lo = eta[ell] / (2 * eta[ell - 1]) if ell > 0 else ctx.zero
            ok = all(q[k] > 1 for k in range(ell)) and lo < q[ell] <= 1
            if ok and all(psi(k, k2) for k in range(ell, d) for k2 in range(k + 1, d)):
                core = ell + 1
                break
        return {"ratios": q, "xi": xi, "S_core": core, "S": core if xi > xi_threshold else None}

    def f(self, v) -> list:
        """D4: the reduced velocity ‖v‖(I + v̄v̄ᵀ)Σ(v* − v)."""
        ctx = self.ctx
        g = self.sigma_times([a - b for a, b in zip(self.teacher, v)])
        nv = _norm(ctx, v)
        vb = [c / nv for c in v]
        proj = _dot(ctx, vb, g)
        return [nv * (gi + vi * proj) for gi, vi in zip(g, vb)]

    def reduced_loss(self, v) -> Any:
        """D4: L = ½(v − v*)ᵀΣ(v − v*) along the bundle."""
        diff = [a - b for a, b in zip(v, self.teacher)]
        return _dot(self.ctx, diff, self.sigma_times(diff)) / 2

    def sigma_times(self, v) -> list:
        ctx = self.ctx
        return [ctx.fsum(e * uk[i] * _dot(ctx, uk, v) for e, uk in zip(self.eta, self.u)) for i in range(len(v))]

    def reduced_v(self, t) -> list:
        """The bundle v(t) ≈ v_ref(t − t_escape) predicted by the reduced model (D3, D4)."""
        tau = self.ctx.mpf(t) - self.t_escape
        return self._reduced(tau).v(tau)

    def reduced_loss_at(self, t) -> Any:
        return self.reduced_loss(self.reduced_v(t))

    def _reduced(self, tau=None) -> _Reduced:
        """The reference run of the reduced model, long enough for orbit time ``tau``
        (horizons double from 32/‖γ‖, so a small final rate costs only when asked for)."""
        red = self.__dict__.get("_red")
        if red is None or (tau is not None and not red.covers(tau)):
            horizon = red.horizon * 2 if red is not None else 2 ** math.ceil(math.log2(32 / float(self.G)) + 1)
            while tau is not None and horizon < float(tau):
                horizon *= 2
            red = _reduced_model(self.problem.data, self.dps, horizon)
            self.__dict__["_red"] = red
        return red

    # ---- rates ---------------------------------------------------------------------------
    @property
    def mu(self) -> Any:
        """μ = λ_min((I + v*v*ᵀ)Σ) (D4; real: similar to a symmetric matrix)."""
        return _mu(self.ctx, self.eta, self.u, self.teacher)

    @property
    def loss_rate(self) -> Any:
        """The asymptotic exponent of L: 2μ (independent of λ)."""
        return 2 * self.mu

    @property
    def pl_rate(self) -> Any:
        """Lemma 32(iv)–(v): the PL exponent 2η_d‖γ_[n]‖/(5η_1)."""
        return 2 * self.eta[-1] * self.G / (5 * self.eta[0])

    @property
    def thm6_rate(self) -> Any:
        """Theorem 6: 0.4 δ⁴/Δ² (0 when δ = 0: the theorem then gives no rate)."""
        return self.ctx.mpf(2) / 5 * self.delta**4 / self.Delta**2

    # ---- limit ---------------------------------------------------------------------------
    @property
    def limit_w_sq(self) -> list:
        """‖w_j^∞‖² = κ_j²/𝒦² ‖v*‖ for j ∈ J_+ (D2), 0 for the others."""
        ctx = self.ctx
        K2 = self.kappa_sq
        nv = _norm(ctx, self.teacher)
        return [
            self.yardsticks[j].kappa ** 2 / K2 * nv if j in self.J_plus else ctx.zero for j in range(self.problem.m)
        ]

    @property
    def limit_network(self) -> tuple[list, list]:
        """(a^∞, W^∞) of D2: w_j^∞ = ‖w_j^∞‖ v̄*, a_j^∞ = ‖w_j^∞‖ on J_+, 0 elsewhere."""
        ctx = self.ctx
        vb = _unit(ctx, self.teacher)
        a = [ctx.sqrt(w2) for w2 in self.limit_w_sq]
        return a, [[aj * c for c in vb] for aj in a]

    @property
    def limit_theta_sq(self) -> Any:
        return 2 * self.ctx.fsum(self.limit_w_sq)

    @property
    def limit_nuclear(self) -> Any:
        """‖W^∞‖_* = ‖W^∞‖_F (rank one)."""
        return self.ctx.sqrt(self.ctx.fsum(self.limit_w_sq))

    def limit_options(self, power: float) -> dict:
        """``solve`` options for a run that stands for t = ∞ at this λ when measuring effects
        of size λ^power: the loss is pushed to λ^{2·power}·1e-10 of its start (so ‖v − v*‖
        is far below them), within the escape (D3) plus ten growth times plus the decay at
        2μ with 30 % to spare, at digits that resolve λ^{2·power}."""
        p = self.problem
        L0 = sum((y * y for y in p.data.y), Fraction(0)) / (2 * p.n)
        decades = power * p.log_inv_lambda / math.log(10)
        loss = L0 / Fraction(10) ** int(2 * decades + 10)
        t_end = (
            float(self.t_escape) + 10 / float(self.G) + 1.3 * math.log(float(L0 / loss)) / float(self.loss_rate) + 10
        )
        return {"digits": max(30, math.ceil(2 * decades) + 10), "t_end": math.ceil(t_end), "loss_below": loss}

    @property
    def prob_assumption1_ii(self) -> Any:
        """Lower bound 1 − (3/4)^m on Pr[Assumption 1(ii)] (§2)."""
        return 1 - (self.ctx.mpf(3) / 4) ** self.problem.m

    # ---- Theorem 8 -----------------------------------------------------------------------
    @property
    def M(self):
        """𝓜 of Theorem 8 (n = d only; None otherwise), from :mod:`.norm_geometry`."""
        if self.problem.n != self.problem.d:
            return None
        cache = self.__dict__.get("_M")
        if cache is None:
            from . import norm_geometry

            cache = norm_geometry.compute_M(self.problem.data, dps=self.dps)
            self.__dict__["_M"] = cache
        return cache

    # ---- output ---------------------------------------------------------------------------
    def to_dict(self, digits: int | None = None) -> dict:
        """JSON-ready summary with the issue's field names; numbers as decimal strings,
        indices 0-based, null where undefined."""
        ctx = self.ctx
        fmt = (
            (lambda v: None if v is None else to_str(v))
            if digits is None
            else (lambda v: None if v is None else ctx.nstr(v, digits, strip_zeros=False, min_fixed=-5, max_fixed=5))
        )
        vec = lambda v: [fmt(c) for c in v]
        p = self.problem
        T2, T2_note = self._T2_or_reason()
        out = {
            "schema": "reluflow.prediction.single_neuron/1",
            "lambda": exact_text(p.init.lam),
            "dps": self.dps,
            "eps": str(self.eps),
            "assumption1": dict(self.assumption1),
            "notes": list(self.notes) + ([T2_note] if T2_note else []),
            "teacher": vec(self.teacher),
            "gamma": vec(self.gamma),
            "gamma_norm": fmt(self.G),
            "eta": vec(self.eta),
            "eigenvectors": [vec(uk) for uk in self.u],
            "nu_star": vec(self.nu_star),
            "delta": fmt(self.delta),
            "Delta": fmt(self.Delta),
            "log10_lambda_max_assumption2": fmt(self.log10_lambda_max),
            "J_plus": list(self.J_plus),
            "J_minus": list(self.J_minus),
            "n_j": {str(j): y.n_cross for j, y in self.yardsticks.items()},
            "crossings": [
                {"neuron": c.neuron, "point": c.point, "tau": fmt(c.tau), "direction": c.direction}
                for c in self.crossings
            ],
            "yardsticks": [
                {
                    "neuron": j,
                    "sign": y.sign,
                    "stages": [
                        {
                            "t0": fmt(st.t0),
                            "t1": fmt(st.t1),
                            "active": list(st.active),
                            "cos_start": fmt(ctx.tanh(st.u0)),
                            "direction_start": vec(st.start),
                            "great_circle_towards": vec([c / st.G for c in st.gamma]),
                        }
                        for st in y.stages
                    ],
                    "kappa": fmt(y.kappa),
                }
                for j, y in self.yardsticks.items()
            ],
            "T0": fmt(self.T0),
            "T1": fmt(self.T1),
            "T1_over_eps_log": fmt(self.T1_over_eps_log),
            "t_escape": fmt(self.t_escape) if self.J_plus else None,
            "T2": fmt(T2) if T2 is not None else None,
            "T2_bounds": None if self.T2_bounds is None else {k: fmt(v) for k, v in self.T2_bounds.items()},
            "limit_w_sq": vec(self.limit_w_sq) if self.J_plus else None,
            "limit_theta_sq": fmt(self.limit_theta_sq) if self.J_plus else None,
            "limit_nuclear_norm": fmt(self.limit_nuclear) if self.J_plus else None,
            "mu": fmt(self.mu),
            "loss_rate": fmt(self.loss_rate),
            "pl_rate": fmt(self.pl_rate),
            "theorem6_rate": fmt(self.thm6_rate),
            "prob_assumption1_ii_lower_bound": fmt(self.prob_assumption1_ii),
        }
        if p.n == p.d:
            M = self.M
            out["M"] = fmt(M.value)
            out["M_sign"] = M.sign
            out["M_certified"] = M.certified
            if M.sign > 0:  # Theorem 8(ii): the explicit rank-2 interpolator with ‖θ‖² < 2
                from . import norm_geometry

                ce = norm_geometry.counterexample(p.data, mvalue=M, dps=self.dps)
                out["M_counterexample"] = {"a": vec(ce.a), "W": [vec(w) for w in ce.W], "theta_sq": fmt(ce.theta_sq)}
        return out


# ----------------------------------------------------------------------------- vectors


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


# ----------------------------------------------------------------------------- yardstick


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


# ----------------------------------------------------------------------------- reduced model


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
    from ..integrate import solve  # the engine (downward: theory uses integrate)

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


# ----------------------------------------------------------------------------- prediction


def _eig(ctx, data: Dataset) -> tuple[list, list]:
    """Eigenvalues of Σ (decreasing) and unit eigenvectors signed so that ν*_k ≥ 0."""
    d = data.d
    E, Q = ctx.eigsy(ctx.matrix([[rational(ctx, c) for c in row] for row in sigma_matrix(data)]))
    order = sorted(range(d), key=lambda k: -E[k])
    vs = [rational(ctx, c) for c in data.teacher]
    eta, u = [], []
    for k in order:
        vec = [Q[i, k] for i in range(d)]
        if _dot(ctx, vec, vs) < 0:
            vec = [-c for c in vec]
        eta.append(max(E[k], ctx.zero))  # Σ is PSD: a negative eigenvalue is the rounding of 0
        u.append(vec)
    return eta, u


def predict(problem: Problem, dps: int = 30, eps: Any = EPS) -> Prediction:
    """Evaluate the single-neuron theory at ``dps`` digits (local context).  Needs a
    teacher (``Dataset(X, teacher=v*)``); violated parts of Assumption 1 are reported in
    ``assumption1`` and every quantity that does not need them is still computed."""
    if not isinstance(problem, Problem):
        raise ProblemError("problem", f"expected a reluflow.Problem, got {type(problem).__name__}")
    data = problem.data
    if data.teacher is None:
        raise ProblemError("data.teacher", "the single-neuron theory needs the teacher v*; give [data] teacher")
    eps = Fraction(eps)
    if not 0 < eps <= Fraction(1, 4):
        raise ProblemError("eps", f"must lie in (0, 1/4] (Assumption 2), got {eps}")
    ctx = context(dps)
    X = _X(ctx, data)
    n, d, m = problem.n, problem.d, problem.m
    conds = {**data_conditions(data), **init_conditions(problem)}
    notes = [c.message for c in conds.values() if not c.holds]
    assumption1 = {k: c.holds for k, c in conds.items()}
    teacher = tuple(rational(ctx, c) for c in data.teacher)
    gamma = tuple(_gamma(ctx, data, range(n)))
    G = _norm(ctx, gamma)
    if not any(data.y):
        raise ProblemError(
            "data.teacher",
            "σ(⟨v*, x_k⟩) = 0 on every input, so every label is 0: nothing is learned "
            "and the theory (built on γ = Σ y_k x_k ≠ 0) does not apply; give a "
            "teacher positive on some input",
        )
    eta, u = _eig(ctx, data)
    nu_star = tuple(_dot(ctx, uk, teacher) for uk in u)
    z = [[rational(ctx, c) for c in zj] for zj in problem.init.z]
    moving = [j for j in range(m) if any(_dot(ctx, z[j], x) > 0 for x in X)]
    J_plus = tuple(j for j in moving if problem.init.s[j] == 1)
    J_minus = tuple(j for j in moving if problem.init.s[j] == -1)
    yard = {}
    for j in moving:
        yard[j] = _yardstick(ctx, data, X, j, z[j], problem.init.s[j], G)
    # Assumption 1(iv): single crossings — no two points cross a yardstick at one instant
    tie = ctx.mpf(10) ** (-(dps // 2))
    single = True
    for y in yard.values():
        ts = [y.stages[0].t0] + [c.tau for c in y.crossings]
        if any(b - a <= tie * (1 + abs(b)) for a, b in itertools.pairwise(ts)):
            single = False
            notes.append(
                f"init.z[{y.neuron}]: two crossings of the yardstick (nearly) coincide; "
                "Assumption 1(iv) asks |I_0(α_j^t)| ≤ 1 — perturb z_j"
            )
    assumption1["iv_single_crossings"] = single
    assumption1["v_deactivated_stay"] = True  # built into the flow with σ'(0) = 0 (pitfall 4)
    # δ and Δ (§1)
    xbar = [_unit(ctx, x) for x in X]
    parts = [
        min(_norm(ctx, x) for x in X),
        min(_dot(ctx, a, b) for a in xbar for b in xbar),
        ctx.sqrt(eta[-1]),
        min(nu_star) * ctx.sqrt(d),
        min(_norm(ctx, zj) for zj in z),
    ]
    parts += [(ctx.sqrt(eta[k]) - ctx.sqrt(eta[k + 1])) * (d - 1) for k in range(d - 1)]
    for j, y in yard.items():
        c0 = ctx.tanh(y.stages[0].u0)  # cos φ_j^0, φ the angle to γ_{I_+(z_j)}
        parts.append(c0 if y.sign == 1 else ctx.sqrt(1 - c0 * c0))
        for ell, st in enumerate(y.stages):
            excluded = {c.point for c in y.crossings if c.stage in (ell, ell + 1)}
            am = _arc_min(ctx, st, y.sign, xbar, excluded)
            if am is not None:
                parts.append(am)
        if y.sign == -1 and y.crossings:
            parts.append(_dot(ctx, _unit(ctx, z[j]), xbar[y.crossings[0].point]))
        ts = [ctx.zero] + [c.tau for c in y.crossings]
        parts += [b - a for a, b in itertools.pairwise(ts)]
    delta = min(parts)
    if not delta > 0:
        notes.append(
            f"δ = {ctx.nstr(delta, 5)} ≤ 0 (a repeated or degenerate quantity in its definition, e.g. two "
            "crossings at one instant or a point on a yardstick's arc): the Assumption 2 bound λ_max and "
            "the Lemma 32(ii) bounds on T2 do not exist; Theorem 6 gives no rate"
        )
    Delta = max([_norm(ctx, x) for x in X] + [_norm(ctx, zj) for zj in z] + [ctx.one])
    if not J_plus:
        notes.append("J_+ is empty: no neuron grows (Assumption 1(ii)); the limit and phase-2 quantities are undefined")
    return Prediction(
        problem,
        dps,
        ctx,
        teacher,
        gamma,
        G,
        tuple(eta),
        tuple(tuple(c) for c in u),
        nu_star,
        assumption1,
        tuple(notes),
        J_plus,
        J_minus,
        yard,
        delta,
        Delta,
        eps,
    )
