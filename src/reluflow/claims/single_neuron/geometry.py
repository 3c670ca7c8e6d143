"""Claims N20–N21 of the single-neuron paper (spec ``single_neuron.md`` §3.6, §5): minimum
norm versus rank one (Theorem 8, Example 37), and the helpers N22–N23 share (:mod:`.bounds`:
Remark 38 and the probability of Assumption 1(ii)).  None of them runs the flow: they are
statements about interpolating networks and about random initialisations.

Fixtures: EX37+ (the 𝓜 > 0 family of Example 37, d = 3, b = 16) and EX37− (the 𝓜 < 0
family, d = 4, ξ = 1/4), both exact (:mod:`reluflow.datasets`).  The numbers come from
:mod:`reluflow.theory.norm_geometry` (𝓜 by search with its sign decided exactly by a duality
test, the §3.6 networks checked in Fractions) and :mod:`reluflow.theory.interpolators` (the
minimum of ‖θ‖² over all interpolators, certified by an exact primal network and an exact
dual bound).
"""

from __future__ import annotations

import functools
from fractions import Fraction

import sympy as sp

from ...datasets import example37_negative, example37_positive
from ...linalg import dot
from ...precision import context
from ...problem import Dataset, Problem, ProblemError
from ...theory import interpolators as it
from ...theory import norm_geometry as ng
from ...verdict import Verdict
from ..common import all_of
from ..core import FIXTURES, Outcome, Session, claim, fmt
from ..tolerance import All, Certified, Exact, Resolution

PAPER = "single-neuron"
FIXTURES.update({"EX37+": example37_positive, "EX37-": example37_negative})
DPS = 30
_Q0 = Fraction(0)


# ----------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=32)
def _M(data: Dataset) -> ng.MValue:
    return ng.compute_M(data, dps=DPS)


@functools.lru_cache(maxsize=32)
def _minimum(data: Dataset) -> it.Minimum:
    return it.minimum_norm(data)


def _versus(m: it.Minimum, square: Fraction) -> str:
    """'<', '∈' or '>': where √square lies relative to the certified enclosure (exact)."""
    return {-1: "<", 1: ">", 0: "∈"}[m.theta_sq.locate_sqrt(square)]


def _need_theorem8(p: Problem) -> Dataset:
    """n = d, a teacher, all labels positive (angles < π/2, Remark 38(iii))."""
    data = p.data
    if data.teacher is None:
        raise ProblemError("data.teacher", "the claim is about a teacher v*; give Dataset(X, teacher=v*)")
    if data.n != data.d:
        raise ProblemError("data.X", f"Theorem 8 needs n = d (Assumption 3); here n = {data.n}, d = {data.d}")
    bad = [i for i, y in enumerate(data.y) if y <= 0]
    if bad:
        raise ProblemError(
            f"data.X[{bad[0]}]",
            "makes an angle ≥ π/2 with v* (label 0); Theorem 8 needs all angles below π/2 (Remark 38(iii))",
        )
    return data


# ----------------------------------------------------------------------------- N20: exact, SymPy


_B = sp.Symbol("b", positive=True)


def _sign(expr, symbolic: bool) -> int | None:
    """The sign of ``expr`` (exact): for all b ≥ 11 when symbolic (None if it changes sign or
    SymPy cannot decide), else of the algebraic number."""
    if sp.simplify(expr) == 0:
        return 0
    if not symbolic:
        return 1 if expr.is_positive else -1 if expr.is_negative else None
    dom = sp.Interval(11, sp.oo)
    try:
        if sp.solve_univariate_inequality(expr <= 0, _B, relational=False, domain=dom) == sp.S.EmptySet:
            return 1
        if sp.solve_univariate_inequality(expr >= 0, _B, relational=False, domain=dom) == sp.S.EmptySet:
            return -1
    except (NotImplementedError, ValueError):
        return None
    return None


def _nonneg(expr, symbolic: bool) -> bool | None:
    """expr ≥ 0 (for all b ≥ 11 when symbolic), exactly; None if SymPy cannot decide."""
    if sp.simplify(expr) == 0:
        return True
    if not symbolic:
        return expr.is_nonnegative
    try:
        return (
            sp.solve_univariate_inequality(expr < 0, _B, relational=False, domain=sp.Interval(11, sp.oo))
            == sp.S.EmptySet
        )
    except (NotImplementedError, ValueError):
        return None


def _n20_network(d: int, bval: Fraction | None) -> dict:
    """The §3.6 network for p = χ₂, q = χ₃ on the Example 37 𝓜 > 0 data (d inputs), in SymPy:
    at b = bval exactly, or for symbolic b (statements for all b ≥ 11).  Returns the checks."""
    symbolic = bval is None
    b = _B if symbolic else sp.Rational(bval.numerator, bval.denominator)
    rb = sp.sqrt(b)
    e = lambda i: sp.Matrix([1 if c == i else 0 for c in range(d)])
    xs = [b * e(0), b * e(0) - rb * e(1) + e(2), b * e(0) + rb * e(1) + e(2)] + [b * e(0) + e(i) for i in range(3, d)]
    v = sp.Rational(4, 5) * e(0) + sp.Rational(3, 5) * e(2)
    inv = sp.simplify(sp.Matrix.hstack(*xs).T.inv())  # columns: χ_k, with χ_kᵀx_i = δ_ki
    chi = [inv[:, k] for k in range(d)]
    duality = all(sp.simplify(chi[k].dot(xs[i]) - (1 if k == i else 0)) == 0 for k in range(d) for i in range(d))
    norm = lambda u: sp.sqrt(sp.factor(sp.simplify(u.dot(u))))
    p, q = chi[1], chi[2]
    pbar, qbar = p / norm(p), q / norm(q)
    cos_pq, cos_pv = sp.simplify(pbar.dot(qbar)), sp.simplify(pbar.dot(v))
    sin_pq, sin_pv = sp.simplify(sp.sqrt(1 - cos_pq**2)), sp.sqrt(1 - cos_pv**2)
    closed = (b - 1) / (b + 1) - sp.sqrt(1 - sp.Rational(9, 25) * b / (b + 1))
    lower = sp.Rational(5, 6) - sp.sqrt(sp.Rational(67, 100))
    ys = [v.dot(x) for x in xs]
    b2 = 1 / norm(p)  # p̄ = b₂ χ₂
    geom = sp.simplify(cos_pv - sin_pq)  # the second candidate of ξ in the table's first case
    cap = sp.simplify(ys[1] / b2)  # min over K of y_k / b_k, K = {2}
    r = pbar - qbar * cos_pq
    out = {
        "duality": duality,
        "acute": _sign(cos_pv, symbolic),  # ∠(p, v*) < π/2: the table's first case
        "gap_identity": sp.simplify(cos_pq - sin_pv - closed) == 0,
        "gap_closed": closed,
        "norm_r": sp.simplify(r.dot(r) - sin_pq**2) == 0,
        "xi_is_geom": _nonneg(cap - geom, symbolic),  # ξ = cos∠(p,v*) − sin∠(p,q) is the min
        "xi_positive": _sign(geom, symbolic),
    }
    xi = geom if out["xi_is_geom"] else cap
    nr = sin_pq
    a = [sp.Integer(1), sp.sqrt(xi * nr)]
    W = [v - xi * pbar, sp.sqrt(xi / nr) * r]
    z1 = [sp.simplify(W[0].dot(x)) for x in xs]
    z2 = [sp.simplify(r.dot(x)) for x in xs]  # w₂ ∝ r with a positive factor
    s1 = [_sign(z, symbolic) for z in z1]
    s2 = [_sign(z, symbolic) for z in z2]
    out["signs_decided"] = None not in s1 + s2
    if out["signs_decided"]:
        outs = [(z1[i] if s1[i] > 0 else 0) + (a[1] * sp.sqrt(xi / nr) * z2[i] if s2[i] > 0 else 0) for i in range(d)]
        out["interpolates"] = all(sp.simplify(o - y) == 0 for o, y in zip(outs, ys))
    else:
        out["interpolates"] = None
    theta = sp.simplify(a[0] ** 2 + a[1] ** 2 + W[0].dot(W[0]) + W[1].dot(W[1]))
    out["theta_le_bound"] = _nonneg(2 - xi**2 - theta, symbolic)
    out["bound_below_2"] = None if out["xi_positive"] is None else out["xi_positive"] != 0  # ξ² > 0 ⇔ ξ ≠ 0
    if symbolic:
        out["gap_ge_lower"] = _nonneg(closed - lower, True)  # on [11, ∞)
        out["gap_at_11"] = sp.simplify(closed.subs(_B, 11) - lower) == 0
    else:
        out["gap_ge_lower"] = _nonneg(closed - lower, False)
    out["lower_positive"] = _sign(lower, False)
    out.update(xi=xi, theta=theta, gap=cos_pq - sin_pv)
    return out


def _family37_positive(p: Problem) -> tuple[int, Fraction]:
    """(d, b) when the problem's data is exactly an Example 37 𝓜 > 0 instance."""
    data = p.data
    if data.teacher is None or data.n != data.d or data.d < 3:
        raise ProblemError("data", "N20 is about the Example 37 𝓜 > 0 family (d ≥ 3, n = d, teacher (4/5, 0, 3/5, …))")
    b = data.X[0][0]
    try:
        ref = example37_positive(d=data.d, b=b).data
    except ProblemError as exc:
        raise ProblemError("data", f"not an Example 37 𝓜 > 0 instance ({exc})") from None
    if ref.X != data.X or ref.teacher != data.teacher:
        raise ProblemError(
            "data",
            "N20 is about the Example 37 𝓜 > 0 family: the inputs or the teacher differ "
            "(use datasets.example37_positive)",
        )
    return data.d, b


@claim(
    "N20",
    paper=PAPER,
    source="Thm 8(ii), Ex. 37, §3.6 table",
    statement="𝓜 > 0 family, p = χ₂, q = χ₃: the §3.6 network interpolates with ‖θ‖² ≤ 2 − ξ² < 2, and "
    "cos∠(χ₂,χ₃) − sin∠(χ₂,v*) = (b−1)/(b+1) − √(1 − 9b/(25(b+1))) ≥ 5/6 − √0.67 > 0",
    notion="exact (SymPy): at the fixture's b and for symbolic b ≥ 11, at the fixture's d",
    instance="EX37+",
    tolerance=All(
        (
            Exact("SymPy: identities simplify to 0, signs decided on b ∈ [11, ∞)"),
            Resolution(slack=5, unit="dps"),
        )
    ),
)
def n20(s: Session, p: Problem, tol: All) -> Outcome:
    d, b = _family37_positive(p)
    at_b = _n20_network(d, b)
    sym = _n20_network(d, None)

    def both(key, accept):  # the check at the fixture's b and for symbolic b; None if SymPy could not decide
        vals = [at_b.get(key, sym.get(key)), sym.get(key, at_b.get(key))]
        return None if None in vals else all(accept(v) for v in vals)

    pos = lambda v: v == 1
    true = lambda v: v is True
    checks = [
        (both("duality", true), "χ_kᵀx_i = δ_ki"),
        (both("acute", pos), "∠(χ₂, v*) < π/2 (the table's first case)"),
        (both("gap_identity", true), "cos∠(χ₂,χ₃) − sin∠(χ₂,v*) = (b−1)/(b+1) − √(1 − 9b/(25(b+1)))"),
        (both("norm_r", true), "‖r‖ = sin∠(p, q)"),
        (both("xi_is_geom", true), "ξ = cos∠(p,v*) − sin∠(p,q) ≤ y₂/b₂"),
        (both("xi_positive", pos), "ξ > 0"),
        (both("interpolates", true), "h(x_i) = y_i for every i (pre-activation signs decided exactly)"),
        (both("theta_le_bound", true), "‖θ‖² ≤ 2 − ξ²"),
        (both("bound_below_2", true), "2 − ξ² < 2"),
        (both("gap_ge_lower", true), "gap ≥ 5/6 − √0.67 (at b, and for all b ≥ 11)"),
        (both("gap_at_11", true), "equality at b = 11"),
        (both("lower_positive", pos), "5/6 − √0.67 > 0"),
    ]
    verdict, detail = all_of(*checks)
    # numbers for the report, and the comparison with 𝓜 (which is ≥ the gap by definition)
    mv = _M(p.data)
    ctx = context(DPS)
    gap = ctx.mpf(str(sp.N(at_b["gap"], DPS + 5)))
    closed = ng.example37_gap(b, ctx)
    m_ok = mv.value >= gap - tol[1].bound(ctx, DPS) and mv.sign == 1
    if not m_ok and verdict is Verdict.PASS:
        verdict = Verdict.FAIL
    xi = sp.N(at_b["xi"], 12)
    theta = sp.N(at_b["theta"], 12)
    failed = [t for v, t in checks if v is False]
    return Outcome(
        verdict,
        "‖θ‖² ≤ 2 − ξ² < 2; gap ≥ 5/6 − √0.67 ≈ 0.0147980",
        f"b = {b}: ξ = {xi}, ‖θ‖² = {theta}, 2 − ξ² = {sp.N(2 - at_b['xi'] ** 2, 12)}, gap = {fmt(closed, 10)}; "
        f"𝓜 = {fmt(mv.value, 10)} "
        f"({mv.how}; maximiser K = {tuple(k + 1 for k in mv.K)})",
        "exact (SymPy): identities simplify to 0, signs decided on [11, ∞) by solve_univariate_inequality",
        dps=DPS,
        detail=("all exact checks hold: " if not failed else "FAILED: " + "; ".join(failed) + " — checked: ")
        + detail
        + f"; 𝓜 ≥ gap at b = {b}: {m_ok} (𝓜 − gap = {fmt(mv.value - gap, 3)})",
    )


# ----------------------------------------------------------------------------- N21: optimisation search


@claim(
    "N21",
    paper=PAPER,
    source="Thm 8(i)",
    statement="𝓜 < 0 (or χ_kᵀχ_i ≤ 0): no interpolating network has ‖θ‖² < 2 (Θ_{v*} is norm-minimal)",
    notion="certified minimum (interpolators.minimum_norm: the convex program over all activation patterns, "
    "an exact interpolator above and an exact dual bound below) must enclose 2‖v*‖ with 2‖v*‖ ≤ hi; "
    "the exact duality bound 2μᵀy/κ must equal 2‖v*‖; control: on EX37+ (𝓜 > 0) the certified "
    "minimum is below 2‖v*‖",
    instance="EX37-",
    tolerance=All(
        (
            Certified("2‖v*‖ inside the certified enclosure of min ‖θ‖²"),
            Resolution(slack=5, unit="dps"),
        )
    ),
)
def n21(s: Session, p: Problem, tol: All) -> Outcome:
    data = _need_theorem8(p)
    mv = _M(data)
    if mv.sign >= 0:
        raise ProblemError("data", f"N21 needs 𝓜 < 0; here the sign is {mv.sign} ({mv.how}, value {fmt(mv.value, 6)})")
    ctx = context(DPS)
    ref = 2 * ctx.sqrt(ctx.mpf(dot(data.teacher, data.teacher).numerator) / dot(data.teacher, data.teacher).denominator)
    found = _minimum(data)
    where = _versus(found, 4 * dot(data.teacher, data.teacher))
    lower = mv.dual.theta_sq_lower(ctx)
    plus = FIXTURES["EX37+"]().data
    control = _minimum(plus)
    c_where = _versus(control, 4 * dot(plus.teacher, plus.teacher))
    enc, cenc = found.theta_sq.to_dict(15), control.theta_sq.to_dict(12)
    parts = [
        (
            where == "∈" if found.certified else None,
            f"certified min ‖θ‖² ∈ [{enc['lo']}, {enc['hi']}] ({found.blocks} pattern blocks, minimiser of rank "
            f"{found.rank} with {found.neurons} neurons); 2‖v*‖ = {fmt(ref, 15)} {where} the enclosure",
        ),
        (
            abs(lower - ref) <= tol[1].bound(ctx, DPS),
            f"exact duality bound 2μᵀy/κ = {fmt(lower, 15)} (every interpolator is above it)",
        ),
        (
            c_where == ">",
            f"control on EX37+ (𝓜 > 0): certified min ∈ [{cenc['lo']}, {cenc['hi']}] {'<' if c_where == '>' else '≮'} 2",
        ),
    ]
    verdict, detail = all_of(*parts)
    return Outcome(
        verdict,
        "min ‖θ‖² = 2‖v*‖ over interpolators (attained on Θ_{v*})",
        f"min ‖θ‖² ∈ [{enc['lo']}, {enc['hi']}]; 𝓜 = {fmt(mv.value, 8)} (sign {mv.sign}: {mv.how})",
        f"certified enclosure (relative width ≤ {found.rtol:g}); duality bound to 1e-25",
        dps=DPS,
        detail=detail,
    )
