"""𝓜 itself (:func:`compute_M`): its value by search over the subsets K, its sign certified,
also by the §3.6 network (:func:`counterexample`: an exact interpolator below the rank-one
norm when 𝓜 > 0)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import numpy as np

from ...linalg import dot
from ...precision import context, rational, to_str
from ...problem import Dataset, ProblemError, exact
from .dual import _Q0, _chi_exact, _dataset
from .duality import DualCertificate, dual_certificate
from .search import _ascend, _evaluate_mp, _Geometry, _objective_float


@dataclass(frozen=True)
class MValue:
    """𝓜 of one dataset (see :func:`compute_M`).

    ``value``: the mp value of cos∠(p, q) − sin∠(p, v*) at the best (K, p, q) the search
    found — a lower bound of 𝓜 exact to ``dps`` digits (the search may miss a higher
    maximum).  ``numeric_sign``: the sign the search alone supports (+1 when value > 0 —
    a feasible point proves it —, −1 when value < −``margin``, 0 in between, where 𝓜 ≈ 0 is
    ill-conditioned).  ``sign``: the sign of 𝓜 decided exactly by :func:`dual_certificate`
    (0 only when 𝓜 = 0 exactly, or when the two disagree, which is reported in ``how``).
    ``certified`` is True when the sign is proven; ``how`` names the certificates:
    'counterexample' (an exactly interpolating §3.6 network with ‖θ‖² < 2‖v*‖ decided in
    Fractions), 'Z-matrix' / 'orthogonal' (the spec's sufficient conditions for 𝓜 < 0,
    checked exactly, with all labels positive) and 'duality' (always, when consistent).
    ``p`` and ``q`` are unit vectors, ``b`` and ``c`` their coefficients on χ_K and
    χ_{[d]∖K}."""

    value: Any
    sign: int
    numeric_sign: int
    margin: Fraction
    certified: bool
    how: str
    K: tuple[int, ...]
    p: tuple
    q: tuple
    b: tuple
    c: tuple
    cos_pq: Any
    cos_pv: Any
    sin_pv: Any
    by_subset: tuple  # ((K, value), ...) best value found on each subset
    z_matrix: bool
    orthogonal: bool
    angles_below_pi4: bool
    labels_positive: bool
    dps: int
    starts: int
    seed: int
    dual: DualCertificate | None = field(default=None, repr=False)
    counterexample: Counterexample | None = field(default=None, repr=False)

    @property
    def value_str(self) -> str:
        return to_str(self.value)

    def to_dict(self) -> dict:
        return {
            "schema": "reluflow.norm_geometry.M/1",
            "value": to_str(self.value),
            "sign": self.sign,
            "numeric_sign": self.numeric_sign,
            "margin": str(self.margin),
            "certified": self.certified,
            "how": self.how,
            "K": list(self.K),
            "p": [to_str(v) for v in self.p],
            "q": [to_str(v) for v in self.q],
            "cos_pq": to_str(self.cos_pq),
            "cos_pv": to_str(self.cos_pv),
            "sin_pv": to_str(self.sin_pv),
            "by_subset": [[list(k), to_str(v)] for k, v in self.by_subset],
            "z_matrix": self.z_matrix,
            "orthogonal": self.orthogonal,
            "angles_below_pi4": self.angles_below_pi4,
            "labels_positive": self.labels_positive,
            "dps": self.dps,
            "starts": self.starts,
            "seed": self.seed,
            "kappa_sq_over_rho_sq": None if self.dual is None else str(self.dual.kappa_sq / self.dual.rho_sq),
            "counterexample": None if self.counterexample is None else self.counterexample.to_dict(),
        }


def angles_below_pi4(ds: Dataset) -> bool:
    """cos∠(v*, x_i) > 1/√2 for all i, exactly: ⟨v*,x_i⟩ > 0 and 2⟨v*,x_i⟩² > ‖v*‖²‖x_i‖²."""
    r2 = dot(ds.teacher, ds.teacher)
    return all(y > 0 and 2 * y * y > r2 * dot(x, x) for x, y in zip(ds.X, ds.y))


def compute_M(
    data, teacher=None, *, dps: int = 30, starts: int = 12, seed: int = 0, margin: Any = "1e-8", certify: bool = True
) -> MValue:
    """𝓜 of Theorem 8 for a dataset with n = d and a teacher (spec §3.6, pitfall 11).

    ``data``: a Dataset with a teacher (or a Problem), or input rows with ``teacher=``.
    For each subset K: ``starts`` random starts (Dirichlet, ``numpy.random.default_rng(seed)``),
    the extreme rays, the centroid and the duality witnesses, each followed by projected
    gradient ascent; the best point of each K is re-evaluated at ``dps`` digits.  The sign
    is decided exactly by :func:`dual_certificate`; with ``certify`` and 𝓜 > 0 the §3.6
    network is built and checked exactly (:class:`MValue`, :class:`Counterexample`).

    >>> from reluflow import Dataset
    >>> m = compute_M(Dataset([[1, 0], [1, 1]], teacher=["0.8", "0.6"]))
    >>> m.sign, m.how, round(float(m.value), 6)
    (-1, 'Z-matrix, duality', -1.507107)
    """
    ds = _dataset(data, teacher)
    margin = exact(margin, "margin")
    if margin < 0:
        raise ProblemError("margin", f"must be ≥ 0, got {margin}")
    ctx = context(dps)
    g = _Geometry(ds)
    dual = dual_certificate(ds)
    d = ds.d
    evaluated = _search(g, ctx, dual, d, int(starts), int(seed))
    val, K, Q, bb, cc, cos_pq, cos_pv = max(evaluated, key=lambda t: t[0])
    chi = [[rational(ctx, v) for v in row] for row in g.chi]
    p = tuple(ctx.fsum(bb[j] * chi[K[j]][i] for j in range(len(K))) for i in range(d))
    q = tuple(ctx.fsum(cc[j] * chi[Q[j]][i] for j in range(len(Q))) for i in range(d))
    zmat = all(g.H[k][i] <= 0 for k in range(d) for i in range(k))
    orth = ds.is_orthogonal
    positive = all(y > 0 for y in ds.y)
    numeric = 1 if val > 0 else -1 if val < -rational(ctx, margin) else 0
    mv = MValue(
        value=val,
        sign=dual.sign,
        numeric_sign=numeric,
        margin=margin,
        certified=True,
        how="duality",
        K=tuple(K),
        p=p,
        q=q,
        b=tuple(bb),
        c=tuple(cc),
        cos_pq=cos_pq,
        cos_pv=cos_pv,
        sin_pv=ctx.sqrt(max(1 - cos_pv**2, ctx.zero)),
        by_subset=tuple((e[1], e[0]) for e in evaluated),
        z_matrix=zmat,
        orthogonal=orth,
        angles_below_pi4=angles_below_pi4(ds),
        labels_positive=positive,
        dps=int(dps),
        starts=int(starts),
        seed=int(seed),
        dual=dual,
    )
    how = ["duality"]
    ce = None
    if dual.sign > 0 and numeric > 0 and certify:
        try:
            ce = _counterexample(ds, mv, ctx)
        except ProblemError:
            ce = None
        if ce is not None and ce.certified:
            how.insert(0, "counterexample")
    if dual.sign < 0 and zmat and positive:
        how.insert(0, "orthogonal" if orth else "Z-matrix")
    sign, certified = dual.sign, True
    if (dual.sign <= 0 and numeric > 0) or (dual.sign > 0 and numeric < 0):
        sign, certified = 0, False
        how = [f"inconsistent: duality gives sign {dual.sign}, the search {numeric} (value {ctx.nstr(val, 8)})"]
    return replace(mv, sign=sign, certified=certified, how=", ".join(how), counterexample=ce)


def _search(g: _Geometry, ctx, dual: DualCertificate, d: int, starts: int, seed: int) -> list[tuple]:
    """Per subset K: the best point of projected-gradient ascent from the extreme rays, the
    centroid, the duality witnesses and ``starts`` Dirichlet starts (``default_rng(seed)``),
    re-evaluated in the local mp context: (value, K, Q, b, c, cos∠(p, q), cos∠(p, v*))."""
    seeds: dict = {}
    for D, _s, coeffs in dual.witnesses:
        seeds.setdefault(D, []).append(np.array([float(v) for v in coeffs]))
    rng = np.random.default_rng(seed)
    best_per_K = []
    for size in range(1, d):
        for K in itertools.combinations(range(d), size):
            Q = [i for i in range(d) if i not in K]
            Kl = list(K)
            fun = lambda b, Kl=Kl, Q=Q: _objective_float(g, Kl, Q, b)
            if size == 1:
                best_b, best_f = np.ones(1), fun(np.ones(1))[0]
            else:
                inits = [np.eye(size)[k] for k in range(size)] + [np.full(size, 1.0 / size)]
                inits += [w / w.sum() for w in seeds.get(K, []) if w.sum() > 0]
                inits += [rng.dirichlet(np.full(size, 1.0 if t % 2 == 0 else 0.3)) for t in range(starts)]
                best_b, best_f = None, -math.inf
                for b0 in inits:
                    b, f = _ascend(fun, b0)
                    if f > best_f:
                        best_b, best_f = b, f
            best_per_K.append((best_f, K, Q, best_b))
    evaluated = []  # every subset's best point, re-evaluated in the local mp context
    for _, K, Q, b in best_per_K:
        val, bb, cc, cos_pq, cos_pv = _evaluate_mp(g, ctx, list(K), Q, b)
        evaluated.append((val, K, Q, bb, cc, cos_pq, cos_pv))
    return evaluated


@dataclass(frozen=True)
class Counterexample:
    """The rank-2 network of the §3.6 table for a maximiser (K, p, q) with
    cos∠(p, q) > sin∠(p, v*).

    ``a``, ``W``, ``xi``, ``theta_sq`` and ``bound`` (= ‖v*‖(2 − ξ²)) are mp numbers of the
    table's network (v* scaled to unit norm, then both layers by √‖v*‖); ``residual`` is
    its largest |h(x_i) − y_i|, evaluated 20 digits above ``dps`` (the entries are rounded
    to ``dps`` digits).  ``exact_a``, ``exact_W`` are the same construction from rational
    (p, q, ξ) and rational layer balances: it interpolates exactly (``exact_residual`` is
    a Fraction, 0) and ``certified`` says ‖θ‖² = ``exact_theta_sq`` < 2‖v*‖, decided
    exactly.  ``case``: 'acute' (∠(p, v*) ≤ π/2) or 'obtuse'."""

    case: str
    K: tuple[int, ...]
    xi: Any
    a: tuple
    W: tuple
    theta_sq: Any
    bound: Any
    reference: Any  # 2‖v*‖, the norm of every network in Θ_{v*}
    residual: Any
    exact_a: tuple[Fraction, ...]
    exact_W: tuple[tuple[Fraction, ...], ...]
    exact_theta_sq: Fraction
    exact_residual: Fraction
    certified: bool
    dps: int

    def to_dict(self) -> dict:
        return {
            "case": self.case,
            "K": list(self.K),
            "xi": to_str(self.xi),
            "a": [to_str(v) for v in self.a],
            "W": [[to_str(v) for v in row] for row in self.W],
            "theta_sq": to_str(self.theta_sq),
            "bound": to_str(self.bound),
            "reference": to_str(self.reference),
            "residual": to_str(self.residual),
            "exact_theta_sq": str(self.exact_theta_sq),
            "exact_residual": str(self.exact_residual),
            "certified": self.certified,
            "dps": self.dps,
        }


def _rat(v, denom: int = 10**15) -> Fraction:
    return exact(v, "value").limit_denominator(denom)


def _relu(v):
    return v if v > 0 else v * 0


def _exact_network(ds: Dataset, mv, chi, K: list, Q: list, case: str, xi, sr, ctx) -> tuple:
    """The §3.6 network rebuilt in rationals from rational (p', q'), so that it interpolates
    exactly: (built, a, W, ‖θ‖², max residual), the last two −1 when it could not be built."""
    d = ds.d
    # exact rational version: p' = Σ b'_k χ_k, q' = Σ c'_k χ_k, r' = p' − (⟨p',q'⟩/‖q'‖²) q'
    bq = [_rat(v) for v in mv.b]
    cq = [_rat(v) for v in mv.c]
    pe = [sum((bq[j] * chi[K[j]][i] for j in range(len(K))), _Q0) for i in range(d)]
    qe = [sum((cq[j] * chi[Q[j]][i] for j in range(len(Q))), _Q0) for i in range(d)]
    pq, qq = dot(pe, qe), dot(qe, qe)
    exact_ok = pq > 0 and qq > 0
    ea: tuple = ()
    eW: tuple = ()
    eth, eres = Fraction(-1), Fraction(-1)
    if exact_ok:
        re_ = [pi - pq / qq * qi for pi, qi in zip(pe, qe)]
        npe = ctx.sqrt(rational(ctx, dot(pe, pe)))
        xe = _rat(xi / npe * sr * sr)  # ξ p̄ in units of p', for the teacher as given (norm ρ)
        if case == "acute":
            cap = [ds.y[k] / bq[j] for j, k in enumerate(K) if bq[j] > 0]
            xe = min([xe] + cap)
            w1 = [v - xe * pi for v, pi in zip(ds.teacher, pe)]
            sgn2 = 1
        else:
            w1 = [v + xe * pi for v, pi in zip(ds.teacher, pe)]
            sgn2 = -1
        u2 = [xe * v for v in re_]
        t1 = _rat(ctx.sqrt(ctx.sqrt(rational(ctx, dot(w1, w1)))), 10**12)
        t2 = _rat(ctx.sqrt(ctx.sqrt(rational(ctx, dot(u2, u2)))), 10**12)
        exact_ok = xe > 0 and t1 > 0 and t2 > 0
        if exact_ok:
            ea = (t1, sgn2 * t2)
            eW = (tuple(v / t1 for v in w1), tuple(v / t2 for v in u2))
            eth = sum((v * v for v in ea), _Q0) + sum((v * v for row in eW for v in row), _Q0)
            outs = [sum((aj * max(dot(wj, x), _Q0) for aj, wj in zip(ea, eW)), _Q0) for x in ds.X]
            eres = max(abs(o - y) for o, y in zip(outs, ds.y))
    return exact_ok, ea, eW, eth, eres


def _counterexample(ds: Dataset, mv, ctx) -> Counterexample:
    """The §3.6 network at ``mv``'s (K, p, q) (an MValue or any object with K, p, q, b, c)."""
    d = ds.d
    K = list(mv.K)
    Q = [i for i in range(d) if i not in K]
    chi = _chi_exact(ds.X)
    rho2 = dot(ds.teacher, ds.teacher)
    rho = ctx.sqrt(rational(ctx, rho2))
    vbar = [rational(ctx, v) / rho for v in ds.teacher]
    ybar = [rational(ctx, y) / rho for y in ds.y]
    p = list(mv.p)
    q = list(mv.q)
    cos_pq = ctx.fsum(a * b for a, b in zip(p, q))
    sin_pq = ctx.sqrt(max(1 - cos_pq**2, ctx.zero))
    cos_pv = ctx.fsum(a * b for a, b in zip(p, vbar))
    sin_pv = ctx.sqrt(max(1 - cos_pv**2, ctx.zero))
    if not cos_pq > sin_pv:
        raise ProblemError(
            "mvalue",
            "the §3.6 network needs a maximiser with cos∠(p, q) > sin∠(p, v*) (𝓜 > 0); "
            f"here cos∠(p, q) − sin∠(p, v*) = {ctx.nstr(cos_pq - sin_pv, 6)}",
        )
    r = [pi - qi * cos_pq for pi, qi in zip(p, q)]
    nr = ctx.sqrt(ctx.fsum(v * v for v in r))
    bK = dict(zip(K, mv.b))
    if cos_pv >= 0:
        case = "acute"
        ratios = [ybar[k] / bK[k] for k in K if bK[k] > 0]
        xi = min(ratios + [cos_pv - sin_pq])
        a = [ctx.one, ctx.sqrt(xi * nr)]
        W = [[v - xi * pi for v, pi in zip(vbar, p)], [ctx.sqrt(xi / nr) * v for v in r]]
    else:
        case = "obtuse"
        xi = -cos_pv - sin_pq
        a = [ctx.one, -ctx.sqrt(xi * nr)]
        W = [[v + xi * pi for v, pi in zip(vbar, p)], [ctx.sqrt(xi / nr) * v for v in r]]
    if not xi > 0:
        raise ProblemError("mvalue", f"ξ = {ctx.nstr(xi, 6)} ≤ 0: the §3.6 construction needs positive labels on K")
    sr = ctx.sqrt(rho)
    a = [v * sr for v in a]
    W = [[v * sr for v in row] for row in W]
    theta_sq = ctx.fsum(v * v for v in a) + ctx.fsum(v * v for row in W for v in row)
    hi = context(ctx.dps + 20)
    Xh = [[rational(hi, c) for c in x] for x in ds.X]
    res = max(
        abs(
            hi.fsum(hi.mpf(aj) * _relu(hi.fsum(hi.mpf(w) * c for w, c in zip(wj, x))) for aj, wj in zip(a, W))
            - rational(hi, y)
        )
        for x, y in zip(Xh, ds.y)
    )
    exact_ok, ea, eW, eth, eres = _exact_network(ds, mv, chi, K, Q, case, xi, sr, ctx)
    certified = exact_ok and eres == 0 and eth * eth < 4 * rho2
    return Counterexample(
        case=case,
        K=tuple(K),
        xi=xi,
        a=tuple(a),
        W=tuple(tuple(row) for row in W),
        theta_sq=theta_sq,
        bound=rho * (2 - xi * xi),
        reference=2 * rho,
        residual=ctx.mpf(res),
        exact_a=tuple(ea),
        exact_W=tuple(eW),
        exact_theta_sq=eth,
        exact_residual=eres,
        certified=bool(certified),
        dps=int(ctx.dps),
    )


def counterexample(data, teacher=None, mvalue: MValue | None = None, *, at=None, dps: int = 30) -> Counterexample:
    """The §3.6 rank-2 network (Theorem 8(ii)) for the maximiser of 𝓜 (``mvalue``, computed
    with :func:`compute_M` when omitted), or for a chosen point ``at=(K, b)``: p = Σ_k b_k χ_k
    over k ∈ K (b ≥ 0), q its best partner in cone{χ_k}_{k∉K}.  Raises ProblemError ('mvalue')
    when cos∠(p, q) ≤ sin∠(p, v*) there (𝓜 ≤ 0 as far as the search found).

    >>> from reluflow.datasets import example37_positive
    >>> ce = counterexample(example37_positive(d=3, b=16).data)
    >>> ce.certified, ce.exact_residual, ce.exact_theta_sq < 2, float(ce.theta_sq) <= float(ce.bound) < 2
    (True, Fraction(0, 1), True, True)
    >>> counterexample(example37_positive(d=3, b=16).data, at=((1,), [1])).case  # p = χ₂ (0-based 1)
    'acute'
    """
    ds = _dataset(data, teacher)
    ctx = context(dps)
    if at is not None:
        if mvalue is not None:
            raise ProblemError("at", "give either mvalue or at, not both")
        try:
            K = tuple(int(k) for k in at[0])
            b = [float(exact(v, "at")) for v in at[1]]
        except (TypeError, IndexError):
            raise ProblemError(
                "at", "expected (K, b): a tuple of 0-based indices and one coefficient b_k ≥ 0 each"
            ) from None
        if not K or len(set(K)) != len(K) or len(K) >= ds.d or min(K) < 0 or max(K) >= ds.d:
            raise ProblemError("at", f"K = {K} must be a proper non-empty subset of 0..{ds.d - 1}")
        if len(b) != len(K) or min(b) < 0 or not any(b):
            raise ProblemError("at", "b must have one coefficient ≥ 0 per index of K, not all 0")
        K = tuple(sorted(K))
        b = [b[list(at[0]).index(k)] for k in K] if list(K) != list(at[0]) else b
        g = _Geometry(ds)
        Q = [i for i in range(ds.d) if i not in K]
        _val, bb, cc, _cpq, _cpv = _evaluate_mp(g, ctx, list(K), Q, b)
        chi = [[rational(ctx, v) for v in row] for row in g.chi]
        point = SimpleNamespace(
            K=K,
            b=tuple(bb),
            c=tuple(cc),
            p=tuple(ctx.fsum(bb[j] * chi[K[j]][i] for j in range(len(K))) for i in range(ds.d)),
            q=tuple(ctx.fsum(cc[j] * chi[Q[j]][i] for j in range(len(Q))) for i in range(ds.d)),
        )
        return _counterexample(ds, point, ctx)
    mv = mvalue if mvalue is not None else compute_M(ds, dps=dps, certify=False)
    return _counterexample(ds, mv, ctx)
