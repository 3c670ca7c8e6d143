"""Certified enclosures of a solved trajectory (issue 7): every number a ball that provably
contains the true gradient flow's value, or an honest failure.

The engine's dense output x̃(t) (exact rational Taylor polynomials, step by step) is
*validated*, not re-integrated, so there is no wrapping effect: the error e = x − x̃ of the
true flow obeys ė = f(x) − f(x̃) − δ with the defect δ = x̃' − f(x̃), and while x stays in
a tube around x̃, cluster by cluster (neurons that share points, of similar size),

    ‖e_C(t₀ + τ)‖ ≤ e^{∫μ_C⁺} (‖e_C(t₀)‖ + τ sup ‖δ_C‖ + ∫ Σ_D L_CD ρ_D),

where μ_C bounds the largest eigenvalue of the cluster's block of the Jacobian −∇²L over
the tube (proven by an interval LDLᵀ in Arb), L_CD the coupling to the other clusters, and
errors are weighted by each neuron's block exponent 2^{−e_j}, so they are relative per
neuron like the engine's.  Per step:

- **Defect** — computed exactly: the step's polynomials are FLINT rationals, the field on
  the step's pattern is a polynomial in them, and sup_τ |δ| ≤ Σ_k |δ_k| S^k.
- **Tube** (a-priori enclosure, Picard–Lindelöf style): a radius ρ is guessed, μ is bounded
  over the polynomials' range ± ρ, and the step is accepted only if the Gronwall bound
  stays below ρ (bootstrap); the jumps between steps (rounding, normalisation, u set to 0
  at events) are added exactly.
- **Pattern** — every pair's pre-activation ⟨w_j, x_k⟩ is proven to keep its sign over the
  step (polynomial range by Arb with subdivision); a pair resting at 0 is accepted only
  where the structure freezes it (orthogonal inputs, or a neuron with no active point).
- **Sliding modes** are not covered: a trajectory with a sliding step (or a slide /
  repel event) fails with the steps named, never a certificate that ignores them.
- **Events** — in a window around each switch the derivative of ⟨w_j, x_k⟩ is proven
  sign-definite in both patterns (one crossing, no other), and the crossing time is
  enclosed; the pattern mismatch inside that interval is added to the error.

Anything that cannot be proven ends the certificate with status FAILED and the reason;
no interval is reported then.

>>> from reluflow import Problem, Dataset, Init, solve
>>> p = Problem(Dataset([[1, 0], [0, 1]], [1, "-0.5"]), Init("1e-10", [["0.6", "0.8"], ["0.3", "-0.9"]], [1, -1]))
>>> c = certify(solve(p, t_end=40, digits=30))
>>> c.status.value, float(c.loss_ball.rad()) < 1e-25
('certified', True)
"""

from __future__ import annotations

import enum
import itertools
import math
import time
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Context, Decimal
from fractions import Fraction

import flint
import numpy as np
from flint import arb, arb_poly, fmpq, fmpq_poly

from .records import Segment
from .trajectory import Trajectory

__all__ = ["CertStatus", "Certificate", "EventBall", "ball_dict", "certify"]

GUARD_BITS = 64  # Arb precision beyond the run's fixed-point bits
SUBDIVISIONS = 40  # bisection depth of a polynomial sign proof
SIGN_BUDGET = 400  # polynomial range evaluations per sign proof
WINDOW = Fraction(1, 2**20)  # event windows: this fraction of the step at each side of a switch
BOOTSTRAP = 6  # tube-radius guesses per step
PIECES = 2  # sub-intervals of a step with their own growth rates (more: tighter, slower)


class CertStatus(enum.Enum):
    CERTIFIED = "certified"
    FAILED = "failed"


@dataclass(frozen=True)
class EventBall:
    """An activation switch with its time as a proven ball."""

    t: arb
    neuron: int
    point: int
    direction: str
    index: int  # position in the trajectory's event list


@dataclass
class Certificate:
    """Proven enclosures of a trajectory (``status`` CERTIFIED), or why not (FAILED).

    ``events`` carry time balls; ``loss_ball``, ``a_balls``, ``W_balls`` and
    ``invariant_balls`` enclose the flow at ``t_end``; ``radius`` is the largest final
    weighted error bound (relative per neuron), ``max_event_width`` the widest event ball."""

    status: CertStatus
    message: str
    prec: int
    events: list[EventBall] = field(default_factory=list)
    loss_ball: arb | None = None
    a_balls: list = field(default_factory=list)
    W_balls: list = field(default_factory=list)
    invariant_balls: list = field(default_factory=list)
    radius: float = math.inf
    steps: int = 0
    seconds: float = 0.0
    radii: list = field(default_factory=list, repr=False)  # per step, per neuron: absolute tube radius
    windows: dict = field(default_factory=dict, repr=False)  # step → [(t_lo, absolute mismatch per neuron)]
    trajectory: Trajectory | None = field(default=None, repr=False)

    def state(self, t) -> tuple[list, list]:
        """Balls (a, W) that contain the true flow's network at time ``t`` (0 ≤ t ≤ t_end):
        the engine's dense output there, plus the step's proven tube radius.

        >>> from reluflow import Problem, Dataset, Init, solve
        >>> tr = solve(Problem(Dataset([[1]], [1]), Init("1e-10", [[1]], [1])), t_end=30, certify=True)
        >>> a, W = tr.certificate.state("15")
        >>> float(a[0].rad()) < 1e-30
        True
        """
        from ..problem import ProblemError, exact

        if not self.ok or self.trajectory is None:
            raise ProblemError("certificate", f"is {self.status.value}: {self.message}; no proven state to give")
        tr = self.trajectory
        tq = exact(t, "t")
        starts = [Fraction(int(seg.t0)) / 2**tr.F for seg in tr.segments]
        if tq < 0 or tq > Fraction(int(tr.final[0])) / 2**tr.F:
            raise ProblemError("t", f"{t} is outside the certified interval [0, {float(tr.t_end):.6g}]")
        i = max(k for k, s0 in enumerate(starts) if s0 <= tq)
        with flint.ctx.workprec(self.prec):
            D = _Data(tr)  # its Arb constants at the certificate's precision
            st = D.step(tr.segments[i])
            s = min((tq - st.t0) / st.H, st.S)
            rad = [arb(r) for r in self.radii[i]]
            late = tq - (st.t0 + s * st.H)  # t in the hair between the step's end and the next step
            if late > 0:
                f = _field(D, _box(D, st, s, s, [r * float(w) for r, w in zip(self.radii[i], st.weight)]), st.active)
                rad = [r + _arb_q(late) * sum((abs(v) for v in f[j]), arb(0)) for j, r in enumerate(rad)]
            for t_lo, errs in self.windows.get(i, ()):  # the true switch may precede the step's end
                if tq >= t_lo:
                    rad = [r + arb(e) for r, e in zip(rad, errs)]
            A = [_range(st.a[j], s, s) + arb(0, rad[j]) for j in range(D.m)]
            W = [[_range(st.w[j][c], s, s) + arb(0, rad[j]) for c in range(D.d)] for j in range(D.m)]
        return A, W

    @property
    def ok(self) -> bool:
        return self.status is CertStatus.CERTIFIED

    @property
    def max_event_width(self) -> float:
        return max((2 * float(e.t.rad()) for e in self.events), default=0.0)

    def to_dict(self) -> dict:
        return {
            "status": self.status.value,
            "message": self.message,
            "prec_bits": self.prec,
            "radius": self.radius,
            "steps": self.steps,
            "seconds": round(self.seconds, 6),
            "events": [
                {
                    "t_ball": ball_dict(e.t),
                    "neuron": e.neuron,
                    "point": e.point,
                    "direction": e.direction,
                    "index": e.index,
                }
                for e in self.events
            ],
            "loss_ball": None if self.loss_ball is None else ball_dict(self.loss_ball),
            "a_balls": [ball_dict(v) for v in self.a_balls],
            "W_balls": [[ball_dict(v) for v in row] for row in self.W_balls],
            "invariant_balls": [ball_dict(v) for v in self.invariant_balls],
        }


def ball_dict(x: arb, digits: int = 40) -> dict:
    """{"mid", "rad"} as decimal strings that still enclose the ball: the midpoint rounded to
    ``digits`` digits, the radius grown by that rounding and rounded up to 3 digits.

    >>> ball_dict(arb(1, "4.4749"))
    {'mid': '1.000000000000000000000000000000000000000', 'rad': '4.48'}
    """
    mid = x.mid().str(digits, radius=False)
    bits = int(x.mid().man_exp()[0]).bit_length() if x.mid() != 0 else 0  # the midpoint's own precision
    with flint.ctx.workprec(max(flint.ctx.prec, int(digits * 3.33) + 64, bits + 64)):
        rad = x.rad() + abs(arb(mid) - x.mid())  # arb(mid) encloses the decimal (a tiny radius at this precision)
        up = _up(rad)
    if up == 0:
        return {"mid": mid, "rad": "0"}
    return {"mid": mid, "rad": str(Context(prec=3, rounding=ROUND_CEILING).plus(Decimal(up)))}


class _Fail(Exception):
    pass


# ----------------------------------------------------------------------------- exact polynomials of one step


def _q(v) -> fmpq:
    v = Fraction(v)
    return fmpq(v.numerator, v.denominator)


def _poly(coeffs, scale: Fraction) -> fmpq_poly:
    return fmpq_poly([int(c) for c in coeffs]) * _q(scale)


class _Poly:
    """An exact polynomial of a step (FLINT rationals) with its Arb copies for ranges."""

    __slots__ = ("ap", "dap", "q")

    def __init__(self, q: fmpq_poly):
        self.q = q
        self.ap = arb_poly(q)
        self.dap = self.ap.derivative()


@dataclass
class _Step:
    """The step's approximate solution as exact polynomials in the scaled time s ∈ [0, S]."""

    a: list  # a_j(s)
    w: list  # w_j(s): d polynomials each
    u: list  # u_jk(s) = ⟨w_j(s), x_k⟩
    S: Fraction  # s_end / 2^F
    H: Fraction  # time per unit of s
    t0: Fraction
    active: np.ndarray
    weight: list  # ω_j = 2^{-e_j}

    def __post_init__(self):
        self.weight_arb = [_arb_q(w) for w in self.weight]


class _Data:
    """Exact data, and the engine's parametrisation of w (C or U, plus the anchor)."""

    def __init__(self, tr: Trajectory):
        p = tr.problem
        self.F, self.n, self.m, self.d = tr.F, p.n, p.m, p.d
        self.X = p.data.X
        self.y = p.data.y
        self.G = p.data.gram
        self.orthogonal = p.data.is_orthogonal
        lam = p.init.lam
        self.base = []
        for z in p.init.z:
            zp = [lam * c for c in z]
            if self.orthogonal:  # the engine keeps only the part of λz orthogonal to the data
                for x, g in zip(self.X, (self.G[k][k] for k in range(self.n))):
                    coef = sum((a * b for a, b in zip(zp, x)), Fraction(0)) / g
                    zp = [a - coef * b for a, b in zip(zp, x)]
            self.base.append(zp)
        self.init = p.init
        self.xnorm = [arb(_q(self.G[k][k])).sqrt() for k in range(self.n)]
        self.Xa = [[arb(_q(c)) for c in x] for x in self.X]  # the inputs as (exact) Arb numbers

    def residuals(self, box, active: np.ndarray) -> list:
        """r_k = y_k − Σ_{j active on k} a_j u_jk over a :func:`_box`."""
        A, _, U = box
        return [
            arb(_q(self.y[k])) - sum((A[j] * U[j][k] for j in range(self.m) if active[j, k]), arb(0))
            for k in range(self.n)
        ]

    def step(self, seg: Segment) -> _Step:
        F, n, d = self.F, self.n, self.d
        a, w, u = [], [], []
        for j in range(self.m):
            sc = Fraction(2) ** (seg.e[j] - F)
            a.append(_poly(seg.Y[:, j, 0], sc))
            if self.orthogonal:
                coef = [_poly(seg.Y[:, j, 1 + k], sc) / _q(self.G[k][k]) for k in range(n)]
            else:
                coef = [_poly(seg.Y[:, j, 1 + n + k], sc) for k in range(n)]
            wj = []
            for c in range(d):
                acc = fmpq_poly([_q(self.base[j][c])])
                for k in range(n):
                    if self.X[k][c]:
                        acc += coef[k] * _q(self.X[k][c])
                wj.append(acc)
            u.append(
                [
                    _Poly(sum((wj[c] * _q(self.X[k][c]) for c in range(d) if self.X[k][c]), fmpq_poly([])))
                    for k in range(n)
                ]
            )
            w.append([_Poly(v) for v in wj])
        a = [_Poly(v) for v in a]
        one = Fraction(2) ** F
        return _Step(
            a,
            w,
            u,
            Fraction(int(seg.s_end)) / one,
            Fraction(int(seg.H)) / one,
            Fraction(int(seg.t0)) / one,
            seg.active,
            [Fraction(2) ** (-e) for e in seg.e],
        )


def _sup(poly: fmpq_poly, S: fmpq) -> float:
    """A float ≥ sup over s ∈ [0, S] of |poly(s)|: Σ |c_k| S^k, evaluated exactly by FLINT."""
    return _up(arb(fmpq_poly([abs(c) for c in poly.coeffs()])(S)))


def _defect(D: _Data, st: _Step) -> list[float]:
    """Per neuron, a float ≥ sup_s ‖ω_j δ_j(s)‖ (scaled time: δ = x̃' − H f(x̃)), from the
    exact defect polynomials."""
    n, m = D.n, D.m
    act = st.active
    h = _q(st.H) / n
    r = []
    for k in range(n):
        acc = fmpq_poly([_q(D.y[k])])
        for j in range(m):
            if act[j, k]:
                acc -= st.a[j].q * st.u[j][k].q
        r.append(acc)
    S = _q(st.S)
    out = []
    for j in range(m):
        ks = [k for k in range(n) if act[j, k]]
        da = st.a[j].q.derivative() - h * sum((r[k] * st.u[j][k].q for k in ks), fmpq_poly([]))
        dw2 = _sup(da, S) ** 2
        for c in range(D.d):
            g = sum((r[k] * _q(D.X[k][c]) for k in ks if D.X[k][c]), fmpq_poly([]))
            dwc = st.w[j][c].q.derivative() - h * st.a[j].q * g
            dw2 += _sup(dwc, S) ** 2
        out.append(math.sqrt(dw2) * (1 + 1e-12) * float(st.weight[j]))
    return out


# ----------------------------------------------------------------------------- Arb: ranges, Jacobian, signs


def _lower_q(x: arb) -> Fraction:
    """A rational ≤ every point of the ball."""
    return Fraction(_down(x))


def _exp(x: float) -> float:
    """e^x, +inf instead of an OverflowError (an unbounded error fails the step honestly)."""
    return math.exp(x) if x < 700 else math.inf


def _arb_q(v: Fraction) -> arb:
    return arb(_q(v))


def _up(x: arb) -> float:
    """A float ≥ every point of the ball (+inf for a NaN ball: failing safe)."""
    v = float(x.upper())
    return math.inf if math.isnan(v) else math.nextafter(v, math.inf)


def _sq(x: arb) -> arb:
    """x² by multiplication (Arb's ``**`` goes through exp/log: NaN on a ball around 0)."""
    return x * x


def _norm_up(sq: arb) -> float:
    """A float ≥ √(every point of the ball ``sq`` of squares)."""
    return math.nextafter(math.sqrt(max(_up(sq), 0.0)), math.inf)


def _down(x: arb) -> float:
    """A float ≤ every point of the ball (−inf for a NaN ball: failing safe)."""
    v = float(x.lower())
    return -math.inf if math.isnan(v) else math.nextafter(v, -math.inf)


def _interval(lo: Fraction, hi: Fraction) -> tuple[arb, arb | None, arb | None]:
    """(midpoint, the interval as a ball, [−r, r]) for :func:`_range`; None when lo = hi."""
    mid, rad = (lo + hi) / 2, (hi - lo) / 2
    if rad == 0:
        return arb(_q(mid)), None, None
    return arb(_q(mid)), arb(_q(mid), _q(rad)), arb(0, _q(rad))


def _range(P: _Poly, lo: Fraction, hi: Fraction, iv=None) -> arb:
    """An enclosure of P over s ∈ [lo, hi]: Horner on the interval, intersected with the
    mean-value form P(mid) + P'([lo, hi])·[−r, r] (tight near a root)."""
    mid, ball, r = iv if iv is not None else _interval(lo, hi)
    if ball is None:
        return P.ap(mid)
    return P.ap(ball).intersection(P.ap(mid) + P.dap(ball) * r)


def _drange(P: _Poly, lo: Fraction, hi: Fraction) -> arb:
    """An enclosure of P' over s ∈ [lo, hi]."""
    mid, ball, _ = _interval(lo, hi)
    return P.dap(mid if ball is None else ball)


def _box(D: _Data, st: _Step, lo: Fraction, hi: Fraction, rho: list[float]):
    """Enclosures of a_j, w_j, u_jk over s ∈ [lo, hi] and every state within weighted
    distance rho_j of neuron j's polynomials."""
    A, W, U = [], [], []
    iv = _interval(lo, hi)
    for j in range(D.m):
        e = arb(0, arb(rho[j]) / st.weight_arb[j])  # |error of a component| ≤ ρ_j/ω_j
        A.append(_range(st.a[j], lo, hi, iv) + e)
        W.append([_range(st.w[j][c], lo, hi, iv) + e for c in range(D.d)])
        U.append([_range(st.u[j][k], lo, hi, iv) + e * D.xnorm[k] for k in range(D.n)])
    return A, W, U


def _hessian(D: _Data, active: np.ndarray, box) -> np.ndarray:
    """n·∇²L of the pattern over the box, in Arb: Σ_k ∇r_k∇r_kᵀ + r_k∇²r_k, with the
    coordinates (a_j, w_j) neuron by neuron."""
    A, _W, U = box
    n, m, d = D.n, D.m, D.d
    N = m * (d + 1)
    X = D.Xa
    r = D.residuals(box, active)
    g = np.empty((n, N), dtype=object)  # ∇r_k
    g[...] = arb(0)
    for k in range(n):
        for j in range(m):
            if active[j, k]:
                g[k, j * (d + 1)] = -U[j][k]
                for c in range(d):
                    g[k, j * (d + 1) + 1 + c] = -A[j] * X[k][c]
    Hs = g.T.dot(g)
    for j in range(m):  # ∂²r_k/∂a_j∂w_jc = −x_kc on active pairs
        for c in range(d):
            v = -sum((r[k] * X[k][c] for k in range(n) if active[j, k]), arb(0))
            Hs[j * (d + 1), j * (d + 1) + 1 + c] += v
            Hs[j * (d + 1) + 1 + c, j * (d + 1)] += v
    return Hs


def _lmax(B: np.ndarray) -> float:
    """A float ≥ the largest eigenvalue of every symmetric matrix in the Arb box ``B``:
    λ̂ of the midpoint (LAPACK), plus the radii's Frobenius norm and a margin, proven by
    an interval LDLᵀ of (λ̂ + margin)I − B with positive pivots; Gershgorin if that fails."""
    k = B.shape[0]
    mid = np.array([[float(B[i, j].mid()) for j in range(k)] for i in range(k)])
    rad = math.sqrt(sum(_up(B[i, j].rad()) ** 2 for i in range(k) for j in range(k)))
    lam = float(np.linalg.eigvalsh((mid + mid.T) / 2)[-1])
    scale = max(float(np.abs(mid).max()), 1e-300)
    margin = rad + 1e-12 * scale
    for _ in range(4):
        c = lam + margin
        M = [[(arb(c) if i == j else arb(0)) - B[i, j] for j in range(k)] for i in range(k)]
        ok = True
        for p in range(k):  # LDLᵀ: M ← Schur complement; every pivot must be > 0
            piv = M[p][p]
            if not piv > 0:
                ok = False
                break
            for i in range(p + 1, k):
                f = M[i][p] / piv
                for j in range(p + 1, k):
                    M[i][j] = M[i][j] - f * M[p][j]
        if ok:
            return math.nextafter(c, math.inf)
        margin *= 8
    return max(_up(B[i, i] + sum((abs(B[i, j]) for j in range(k) if j != i), arb(0))) for i in range(k))


CLUSTER_BITS = 6  # neurons in one cluster differ in size by at most 2^CLUSTER_BITS


def _clusters(st: _Step) -> list[list[int]]:
    """Neurons that share an active point and have sizes within 2^CLUSTER_BITS, grouped
    (greedily, largest first): their joint Hessian block keeps the cancellations (two
    neurons fitting the same points have a flat direction) that a neuron-by-neuron bound
    would lose."""
    e = [-round(math.log2(float(w))) for w in st.weight]  # block exponents
    out: list[list[int]] = []
    for j in sorted(range(len(e)), key=lambda j: -e[j]):
        for c in out:
            if min(e[i] for i in c) - e[j] <= CLUSTER_BITS and any((st.active[i] & st.active[j]).any() for i in c):
                c.append(j)
                break
        else:
            out.append([j])
    return out


def _rates(D: _Data, st: _Step, active: np.ndarray, box, clusters) -> tuple[list[float], list[list[float]]]:
    """Per cluster C (common weight ω_C = its largest neuron's): μ_C ≥ the largest
    eigenvalue of J = −∇²L on C's coordinates (proven by :func:`_lmax`), and
    L_CD ≥ ‖ω_C J_CD ω_D⁻¹‖ (Frobenius), over the box."""
    Hs = _hessian(D, active, box)
    b = D.d + 1
    idx = [[j * b + c for j in cl for c in range(b)] for cl in clusters]
    wts = [min(st.weight[j] for j in cl) for cl in clusters]
    mu, L = [], [[0.0] * len(clusters) for _ in clusters]
    absup = None
    for p, ip in enumerate(idx):
        mu.append(_lmax(-Hs[np.ix_(ip, ip)] / D.n))
        if len(idx) > 1 and absup is None:  # |H| rounded up, for the Frobenius norms in floats
            absup = np.array([[_up(abs(v)) for v in row] for row in Hs])
        for q, iq in enumerate(idx):
            if q != p:
                blk = absup[np.ix_(ip, iq)]
                # float sums of squares: relative rounding ≤ N·2^-53, covered by the factor
                fro = math.sqrt(float((blk * blk).sum())) * (1 + 1e-9)
                L[p][q] = fro * float(wts[p] / wts[q]) * (1 + 1e-12) / D.n
    return mu, L


def _sign(poly: _Poly, lo: Fraction, hi: Fraction, margin: arb, sign: int) -> bool:
    """True if sign·poly(s) > margin for every s ∈ [lo, hi], proven by Arb ranges on a
    bisection that refines only where undecided (at most SUBDIVISIONS pieces deep and
    SIGN_BUDGET evaluations)."""
    todo, evals = [(lo, hi, 0)], 0
    while todo:
        a, b, depth = todo.pop()
        v = _range(poly, a, b) * sign - margin
        evals += 1
        if v > 0:
            continue
        if depth >= SUBDIVISIONS or evals > SIGN_BUDGET or not (v.upper() > 0):
            return False
        mid = (a + b) / 2
        todo += [(a, mid, depth + 1), (mid, b, depth + 1)]
    return True


def _field(D: _Data, box, active: np.ndarray) -> list:
    """The field −∇L on the box for a pattern, as Arb vectors per neuron [ȧ_j, ẇ_j...]."""
    A, _W, U = box
    n = D.n
    X = D.Xa
    r = D.residuals(box, active)
    out = []
    for j in range(D.m):
        ks = [k for k in range(n) if active[j, k]]
        out.append(
            [sum((r[k] * U[j][k] for k in ks), arb(0)) / n]
            + [A[j] * sum((r[k] * X[k][c] for k in ks), arb(0)) / n for c in range(D.d)]
        )
    return out


def _udot(D: _Data, box, active: np.ndarray, j: int, k: int) -> arb:
    """d/dt ⟨w_j, x_k⟩ = (a_j/n) Σ_{l active} r_l G_lk on the box."""
    A, _W, _U = box
    r = D.residuals(box, active)
    return A[j] * sum((r[l] * _arb_q(D.G[l][k]) for l in range(D.n) if active[j, l]), arb(0)) / D.n


# ----------------------------------------------------------------------------- the certificate


def _value(poly: _Poly, s: Fraction) -> Fraction:
    v = poly.q(_q(s))
    return Fraction(int(v.p), int(v.q))


def _jump(D: _Data, st_prev: _Step, st_next: _Step) -> list[float]:
    """Per neuron, ω'_j‖x̃_next(0) − x̃_prev(S)‖ (rounding, normalisation, u set to 0 at events)."""
    out = []
    S, zero = _q(st_prev.S), fmpq(0)
    for j in range(D.m):
        sq = (st_next.a[j].q(zero) - st_prev.a[j].q(S)) ** 2
        for c in range(D.d):
            sq += (st_next.w[j][c].q(zero) - st_prev.w[j][c].q(S)) ** 2
        out.append(_norm_up(arb(sq)) * _up(st_next.weight_arb[j]))
    return out


def _initial_error(D: _Data, st: _Step) -> list[float]:
    """Per neuron, ω_j‖x̃(0) − x(0)‖: the engine rounds the exact initial state once."""
    out = []
    lam = D.init.lam
    for j, (z, s) in enumerate(zip(D.init.z, D.init.s)):
        a0 = s * (_arb_q(lam * lam * sum((c * c for c in z), Fraction(0)))).sqrt()
        da = _arb_q(_value(st.a[j], Fraction(0))) - a0
        sq = da * da + _arb_q(
            sum(((_value(st.w[j][c], Fraction(0)) - lam * z[c]) ** 2 for c in range(D.d)), Fraction(0))
        )
        out.append(_norm_up(sq) * _up(_arb_q(st.weight[j])))
    return out


def certify(tr: Trajectory) -> Certificate:
    """Validate ``tr`` (see the module docstring): a :class:`Certificate` with proven balls,
    or status FAILED and the first thing that could not be proven."""
    t_start = time.perf_counter()
    prec = tr.F + GUARD_BITS
    with flint.ctx.workprec(prec):
        try:
            cert = _certify(tr, prec)
        except _Fail as exc:
            cert = Certificate(CertStatus.FAILED, str(exc), prec)
    cert.seconds = time.perf_counter() - t_start
    return cert


# The error state: layers (their bounds add up), each a list of disjoint groups
# (members, ω, E) meaning ‖ω·e restricted to the members‖ ≤ E, with ω one weight per group.


def _singletons(vals: list[float], weights: list[Fraction]) -> list:
    return [((j,), w, v) for j, (v, w) in enumerate(zip(vals, weights))]


def _regroup(layers: list, clusters: list[list[int]], wts: list[Fraction]) -> list[float]:
    """Bounds of ‖ω_C e|_C‖ for the new clusters: per layer the disjoint groups combine in
    quadrature (rescaled by ω_C/ω_G), and the layers add (triangle inequality)."""
    out = []
    for cl, wc in zip(clusters, wts):
        members = set(cl)
        tot = 0.0
        for layer in layers:
            tot += math.sqrt(sum((e * float(wc / w)) ** 2 for g, w, e in layer if members.intersection(g)))
        out.append(tot * (1 + 1e-12))
    return out


def _per_neuron(layers: list, weights: list[Fraction]) -> list[float]:
    """Per-neuron bounds ω_j‖e_j‖ ≤ Σ_layers E_G ω_j/ω_G."""
    out = [0.0] * len(weights)
    for layer in layers:
        for g, w, e in layer:
            for j in g:
                out[j] += e * float(weights[j] / w)
    return [v * (1 + 1e-12) for v in out]


def _tube(
    D: _Data, st: _Step, i: int, layers: list, delta: list[float], guess: float = 0.0
) -> tuple[list[float], list, float]:
    """Per-neuron tube radii over the step, the end-of-step error layer (one group per
    cluster) and the step's largest growth exponent ∫μ⁺, by bootstrap over the
    :func:`_clusters` of the step.  The step is cut into PIECES sub-intervals with their
    own μ_C and L_CD over the tube; then E_C(s) ≤ e^{H∫μ_C⁺}(E_C(0) + sδ_C + H∫Σ_D L_CD ρ_D)
    must stay below ρ_C (comparison principle for ė_C ≤ μ_C e_C + Σ_D L_CD e_D + δ_C), with
    errors weighted by the cluster's ω_C."""
    S, H = float(st.S), float(st.H)
    clusters = _clusters(st)
    wts = [min(st.weight[j] for j in cl) for cl in clusters]
    e_c = _regroup(layers, clusters, wts)
    d_c = _regroup([_singletons(delta, st.weight)], clusters, wts)
    cuts = [st.S * Fraction(q, PIECES) for q in range(PIECES + 1)]
    rho = [2 * _exp(guess) * (e + S * dl) + 1e-300 for e, dl in zip(e_c, d_c)]  # guess: the last growth
    nc = len(clusters)
    for _ in range(BOOTSTRAP):
        per_neuron = [0.0] * D.m
        for cl, r, wc in zip(clusters, rho, wts):
            for j in cl:
                per_neuron[j] = r * float(st.weight[j] / wc)
        expo, drive = [0.0] * nc, [0.0] * nc
        for lo, hi in itertools.pairwise(cuts):
            mu, L = _rates(D, st, st.active, _box(D, st, lo, hi, per_neuron), clusters)
            w = float(hi - lo) * H
            for p in range(nc):
                expo[p] += max(mu[p], 0.0) * w
                drive[p] += w * sum(L[p][q] * rho[q] for q in range(nc) if q != p)
        bound = [_exp(expo[p]) * (e_c[p] + S * d_c[p] + drive[p]) * (1 + 1e-12) for p in range(nc)]
        if not all(math.isfinite(b) for b in bound) or not all(math.isfinite(r) for r in rho):
            break
        if all(b <= r for b, r in zip(bound, rho)):
            return per_neuron, [(tuple(cl), wc, bd) for cl, wc, bd in zip(clusters, wts, bound)], max(expo)
        rho = [max(r, 4 * b) for r, b in zip(rho, bound)]
    raise _Fail(
        f"step {i} (t = {float(st.t0):.6g}): no tube validates (the step is too large for its Taylor "
        f"polynomial, or the error grew too much: defect {max(delta):.3g}, error {max(e_c):.3g})"
    )


def _certify(tr: Trajectory, prec: int) -> Certificate:
    D = _Data(tr)
    if not tr.segments:
        raise _Fail("the trajectory has no steps to certify")
    slides = [i for i, seg in enumerate(tr.segments) if seg.sliding is not None]
    if slides or any(ev.direction not in ("on", "off") for ev in tr.events):
        where = f"steps {slides[0]}–{slides[-1]} ({len(slides)} of {len(tr.segments)})" if slides else "its events"
        raise _Fail(
            f"the trajectory slides in {where}: sliding modes (the projected field and their "
            "exits) are not covered by the validator, so nothing is certified"
        )
    steps = [D.step(seg) for seg in tr.segments]
    bounds = {nxt.t0: i for i, nxt in enumerate(steps[1:])}  # boundary time → the step it ends
    by_boundary: dict[int, list] = {}
    ev_out: list[EventBall] = []
    for index, ev in enumerate(tr.events):
        man, exp = ev.t.man_exp
        tq = Fraction(int(man)) * Fraction(2) ** int(exp)
        i = bounds.get(tq)
        if i is None:
            if tq == 0 and ev.direction == "on":  # a pair entering at t = 0 from u = 0 exactly
                ev_out.append(EventBall(arb(0), ev.neuron, ev.point, ev.direction, index))
                continue
            raise _Fail(f"event at t = {float(tq):.6g} is not at an interior step boundary")
        by_boundary.setdefault(i, []).append((index, ev))
    layers = [_singletons(_initial_error(D, steps[0]), steps[0].weight)]
    growth = 0.0
    radii = []  # per step: absolute error bounds per neuron (ρ_j/ω_j), for state balls
    windows: dict = {}  # per step ending in switches: their lower time ends and mismatch errors
    for i, st in enumerate(steps):
        ends = [ev for _, ev in by_boundary.get(i, [])]
        starts = [ev for _, ev in by_boundary.get(i - 1, [])]
        rho, end, growth = _tube(D, st, i, layers, _defect(D, st), growth)
        radii.append([r / float(w) for r, w in zip(rho, st.weight)])
        _check_signs(D, st, i, rho, ends, starts)
        if i + 1 == len(steps):
            layers = [end]
            break
        nxt = steps[i + 1]
        jump = _jump(D, st, nxt)
        base = _per_neuron([end], nxt.weight)
        rho_next = [2 * (b + jp) + 1e-300 for b, jp in zip(base, jump)]  # for nxt's event windows
        for _ in range(BOOTSTRAP):
            extra, balls = [0.0] * D.m, []
            for index, ev in by_boundary.get(i, []):  # the event window: crossing time and pattern mismatch
                ball, mismatch = _event(D, st, nxt, ev, rho, rho_next)
                balls.append(EventBall(ball, ev.neuron, ev.point, ev.direction, index))
                windows.setdefault(i, []).append(
                    (_lower_q(ball), [m / float(w) * 2 for m, w in zip(mismatch, st.weight)])
                )
                # the part of the mismatch inside st still grows over the window: ≤ e^{growth·WINDOW}
                extra = [x + y * _exp(growth * float(WINDOW)) for x, y in zip(extra, mismatch)]
            gap = nxt.t0 - (st.t0 + st.S * st.H)  # the engine's step ends a hair before nxt.t0
            if gap:
                f = _field(D, _box(D, st, st.S, st.S, rho), st.active)
                for j in range(D.m):
                    speed = _norm_up(sum((_sq(v * st.weight_arb[j]) for v in f[j]), arb(0)))
                    extra[j] += speed * _up(_arb_q(gap))
            layers = [end, _singletons(extra, st.weight), _singletons(jump, nxt.weight)]
            eps_next = _per_neuron(layers, nxt.weight)
            if not ends or all(e * (1 + 1e-6) <= r for e, r in zip(eps_next, rho_next)):
                break
            rho_next = [max(r, 2 * e) for r, e in zip(rho_next, eps_next)]
        else:
            raise _Fail(f"step {i}: the error after the switch exceeds every radius its window was proven for")
        ev_out += balls
    eps = _per_neuron(layers, steps[-1].weight)
    out = _final_balls(D, steps[-1], eps)
    ev_out.sort(key=lambda e: e.index)
    return Certificate(
        CertStatus.CERTIFIED,
        f"{len(steps)} steps and {len(ev_out)} events proven",
        prec,
        ev_out,
        out[0],
        out[1],
        out[2],
        out[3],
        max(eps),
        len(steps),
        radii=radii,
        windows=windows,
        trajectory=tr,
    )


def _u_margin(D: _Data, st: _Step, j: int, k: int, rho: float) -> arb:
    """|⟨e_wj, x_k⟩| ≤ ‖x_k‖ ρ_j/ω_j (ρ_j: neuron j's weighted radius)."""
    return D.xnorm[k] * arb(rho) / st.weight_arb[j]


def _frozen(D: _Data, st: _Step, j: int, k: int) -> bool:
    """An inactive pair that the true flow cannot move, so no sign proof is needed.
    Orthogonal inputs: d⟨w_j, x_k⟩/dt = (a_j/n)Σ_{l∈A_j} r_l⟨x_l, x_k⟩ = 0 when k ∉ A_j, so the
    pre-activation keeps its exact value: λ⟨z_j, x_k⟩ < 0 if it never was active, and 0
    after its (certified) switch-off.  Any data: a neuron with no active point does not move
    (ȧ_j = 0, ẇ_j = 0), so its pairs keep the signs proven up to its last switch-off (0
    for that pair) and none can enter."""
    if st.active[j, k]:
        return False
    return D.orthogonal or not st.active[j].any()


def _check_signs(D: _Data, st: _Step, i: int, rho: list[float], ends, starts) -> None:
    """Every pair keeps its sign over the step, outside the event windows at its ends."""
    win_end = {(e.neuron, e.point) for e in ends}
    win_start = {(e.neuron, e.point) for e in starts}
    for j in range(D.m):
        for k in range(D.n):
            if _frozen(D, st, j, k):
                continue
            sign = 1 if st.active[j, k] else -1
            lo, hi = Fraction(0), st.S
            if (j, k) in win_start:
                lo = st.S * WINDOW
            if (j, k) in win_end:
                hi = st.S - st.S * WINDOW
            if (j, k) in win_start and (j, k) in win_end:
                raise _Fail(f"step {i}: pair ({j}, {k}) switches at both ends of one step")
            if not _sign(st.u[j][k], lo, hi, _u_margin(D, st, j, k, rho[j]), sign):
                raise _Fail(
                    f"step {i} (t = {float(st.t0):.6g}): cannot prove the sign of ⟨w_{j}, x_{k}⟩ over the "
                    f"step (tube radius {rho[j]:.3g})"
                )


def _event(D: _Data, st: _Step, nxt: _Step, ev, rho: list[float], rho_next: list[float]) -> tuple[arb, list[float]]:
    """Enclose the true switch time of ``ev`` (at the boundary between ``st`` and ``nxt``):
    in the windows [S(1 − WINDOW), S] of st and [0, S'·WINDOW] of nxt the derivative of
    ⟨w_j, x_k⟩ has one sign in both patterns, so there is exactly one crossing; the
    crossing lies where |ũ| ≤ the error margin.  Returns the time ball and the weighted
    error that the pattern mismatch around the crossing can add."""
    j, k = ev.neuron, ev.point
    sgn = -1 if ev.direction == "off" else 1  # the sign of the derivative at the crossing
    wl, wr = st.S * WINDOW, nxt.S * WINDOW
    boxes = [(_box(D, st, st.S - wl, st.S, rho), st), (_box(D, nxt, Fraction(0), wr, rho_next), nxt)]
    approach = ev.direction == "off"  # the pair is active on the approach side of an off switch
    c = None
    for box, _s in boxes:
        for pat in (st.active, nxt.active):
            for on in (True, False):
                p2 = pat.copy()
                p2[j, k] = on
                v = _udot(D, box, p2, j, k) * sgn
                strict = on == approach  # approach side: a transversal crossing; far side: no return
                if not (v > 0 if strict else v >= 0):
                    raise _Fail(
                        f"event ({j}, {k}) at t = {float(nxt.t0):.6g}: cannot prove a single transversal crossing"
                    )
                if strict:
                    c = _down(v) if c is None else min(c, _down(v))
    margin = _up(_u_margin(D, st, j, k, rho[j]))
    # before the window: sgn·ũ < −margin proves no crossing
    if not _sign(st.u[j][k], Fraction(0), st.S - wl, arb(margin), -sgn):
        raise _Fail(f"event ({j}, {k}): the pre-activation is not away from 0 before the window")
    # in the window sgn·ũ increases at least at rate c_s (per unit s): crossing after s_lo
    c_s = _down(_drange(st.u[j][k], st.S - wl, st.S) * sgn)
    g_end = _range(st.u[j][k], st.S, st.S) * sgn
    if not c_s > 0:
        raise _Fail(f"event ({j}, {k}): the step's polynomial is not monotone in the window")
    s_lo = st.S - Fraction(max(_up(g_end + margin), 0.0) / c_s) * (1 + Fraction(1, 10**9))
    if s_lo < st.S - wl:
        raise _Fail(f"event ({j}, {k}): the crossing may lie before the window")
    t_lo = st.t0 + s_lo * st.H
    # after: the true sgn·u rises at least at rate c (per unit time) from ≥ g(S) − margin
    t_hi = nxt.t0 + Fraction(max(_up(margin - g_end), 0.0) / c) * (1 + Fraction(1, 10**9))
    if t_hi > nxt.t0 + wr * nxt.H:
        raise _Fail(f"event ({j}, {k}): the crossing may lie beyond the certified window")
    ball = arb(_q((t_lo + t_hi) / 2), _q((t_hi - t_lo) / 2))
    # pattern mismatch on [t_lo, t_hi]: |f_P − f_P'| on the windows' boxes, weighted, per neuron
    worst = [0.0] * D.m
    for box, _s in boxes:
        f1 = _field(D, box, st.active)
        f2 = _field(D, box, nxt.active)
        for jj in range(D.m):
            w = _arb_q(st.weight[jj])  # in st's weights: the mismatch joins st's error before reweighting
            tot = sum((_sq((a1 - a2) * w) for a1, a2 in zip(f1[jj], f2[jj])), arb(0))
            worst[jj] = max(worst[jj], _norm_up(tot))
    return ball, [v * float(t_hi - t_lo) * (1 + 1e-9) for v in worst]


def _final_balls(D: _Data, st: _Step, eps: list[float]):
    """Loss, a, W and invariants at the end of the last step, as balls."""
    S = st.S
    A, W = [], []
    for j in range(D.m):
        e = arb(0, arb(eps[j]) / _arb_q(st.weight[j]))
        A.append(_range(st.a[j], S, S) + e)
        W.append([_range(st.w[j][c], S, S) + e for c in range(D.d)])
    X = D.Xa
    loss = arb(0)
    for k in range(D.n):  # the pattern is proven over the last step: σ(u_jk) = u_jk on active pairs, else 0
        h = sum(
            (A[j] * sum((W[j][c] * X[k][c] for c in range(D.d)), arb(0)) for j in range(D.m) if st.active[j, k]), arb(0)
        )
        r = _arb_q(D.y[k]) - h
        loss += r * r
    loss /= 2 * D.n
    inv = [A[j] * A[j] - sum((v * v for v in W[j]), arb(0)) for j in range(D.m)]
    return loss, A, W, inv
