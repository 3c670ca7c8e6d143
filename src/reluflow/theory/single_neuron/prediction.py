"""The :class:`Prediction` of the single-neuron theory for one problem: phases, times, the reduced flow and the predicates of §3.4."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ...precision import rational, to_str
from ...problem import Problem, ProblemError, exact_text
from .records import EPS, Crossing
from .reduced import _Reduced, _reduced_model
from .yardstick import _dot, _gamma, _mu, _norm, _unit


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
            from .. import norm_geometry

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
                from .. import norm_geometry

                ce = norm_geometry.counterexample(p.data, mvalue=M, dps=self.dps)
                out["M_counterexample"] = {"a": vec(ce.a), "W": [vec(w) for w in ce.W], "theta_sq": fmt(ce.theta_sq)}
        return out
