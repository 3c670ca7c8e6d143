"""Sliding modes: the minimum-norm Clarke selection on an activation surface.

On a surface u_jk = ⟨w_j, x_k⟩ = 0 the subgradient of σ is [0, 1], so neuron j may use any
c_k r_k x_k there.  The flow is the minimum-norm selection θ̇ = −∂⁰L(θ): for a set S of
pairs of neuron j held on their surfaces ("sliding"),

    ẇ_j = (a_j/n) P⊥_S Σ_{l∈A_j} r_l x_l = (a_j/n) (Σ_{A_j} r_l x_l + Σ_{l∈S} μ_l x_l),
    μ_S = −G_SS⁻¹ G_SA r_A,        c_l = μ_l / r_l ∈ [0, 1],

with P⊥_S the projection off span{x_l : l ∈ S} and G the Gram matrix: a constant exact
rational matrix, so the field stays a cubic polynomial and the Taylor jets carry over.
Sliding pairs keep u_jk = 0 exactly; ȧ_j and the residuals do not see them (σ(0) = 0).
The mode ends at a polynomial event of the residual jets (see :func:`exit_jets`): a
multiplier reaches 0 or 1 (the pair leaves to the inactive or the active side), or the
residual vanishes and the surface turns from attracting to repelling.  At such an event
the exact flow has u̇_jk = 0, so the engine sets that first-order coefficient, which is
rounding noise of the located time, to exactly 0 and decides the pair by its next order
(``State.pinned``; never a coefficient above 2^(F/2) units).

Dependent inputs: the projector is built on a maximal independent subset B of S (exact
rational rank test); a pair whose x_k lies in span{x_B} is held on its surface by the
projection itself (u_jk = Σ β_l u_jl = 0).  A held pair whose input is a multiple β x_b
of one basis input (repeated or parallel points, the common case) shares that pair's
multiplier range: the group's multipliers fit iff Σ min(0, β_i r_i) ≤ μ_b ≤ Σ max(0,
β_i r_i).  Other held pairs keep multiplier 0 (conservative: the mode may end a little
early, and the pairs are then decided afresh).

Written here rather than taken from a QP library because everything is exact fixed point
on the engine's own integers: the projector is an exact rational inverse rounded once.
From a step's compiled jets the exit quantities are computed by the kernel in GMP memory
(``kernel.exits``), the same integers as the object-array path here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from mpmath.libmp import MPZ

from ..linalg import independent
from . import kernel
from .events import Short, first_nonzero, first_roots, near

__all__ = [
    "Exit",
    "Projector",
    "compiled_projector",
    "exit_jets",
    "first_exits",
    "leaving_now",
    "parallel",
    "project",
    "projector",
    "sliding_sets",
]


@dataclass(frozen=True)
class Projector:
    """P⊥_S for one set S of surface pairs: its independent basis B (in S's order), the
    pairs of S held by dependence, and G_BB⁻¹ and G_B· as F-bit fixed-point integers."""

    basis: tuple[int, ...]
    held: tuple[int, ...]
    ginv: np.ndarray  # (|B|, |B|)
    gb: np.ndarray  # (|B|, n)


def projector(fx, S: tuple[int, ...]) -> Projector:
    """The projector of the sliding set ``S`` (point indices, sorted), cached on ``fx``."""
    cache = fx.cache
    key = ("proj", S)
    if key in cache:
        return cache[key]
    basis, held, inv = independent(fx.gram, S)
    F = fx.F
    nb = len(basis)
    ginv = np.empty((nb, nb), dtype=object)
    for a in range(nb):
        for b in range(nb):
            ginv[a, b] = MPZ(round(inv[a][b] * (1 << F)))
    gb = fx.G[basis, :] if nb else np.zeros((0, fx.n), dtype=object)
    out = Projector(tuple(basis), tuple(held), ginv, gb)
    cache[key] = out
    return out


def compiled_projector(fx, S: tuple[int, ...]):
    """The projector of the sliding set ``S`` as the compiled kernel reads it (a
    ``_kernel.Projector``: S, its basis, G_BB⁻¹ and G_B· in GMP memory), made once per set
    and cached on ``fx``.  A generic run holds ~90 sliding sets, whose matrices (~3,700
    integers) every jets call reads: converted once, not per call."""
    key = ("kernel_proj", S)
    if key not in fx.cache:
        P = projector(fx, S)
        fx.cache[key] = kernel.projector(
            fx.n, S, P.basis, [int(v) for v in P.ginv.ravel()], [int(v) for v in P.gb.ravel()]
        )
    return fx.cache[key]


def sliding_sets(sliding: np.ndarray, neuron: int | None = None) -> list[tuple[int, tuple[int, ...]]]:
    """(neuron, its sliding points) for every neuron with at least one sliding pair (only
    ``neuron``'s when given)."""
    if neuron is not None:
        ks = np.flatnonzero(sliding[neuron]).tolist()
        return [(int(neuron), tuple(ks))] if ks else []
    js, ks = np.nonzero(sliding)  # row-major: by neuron, then point
    cuts = [0, *(np.flatnonzero(js[1:] != js[:-1]) + 1).tolist(), js.size]  # where the neuron changes
    jl, kl = js.tolist(), ks.tolist()
    return [(jl[a], tuple(kl[a:b])) for a, b in itertools.pairwise(cuts) if b > a]


def project(fx, sliding: np.ndarray, Ck: np.ndarray, Uk: np.ndarray) -> None:
    """Apply the sliding projection to one order of the jets, in place: Ck (m, n) are the
    coefficients of ẇ_j in the data basis from the active pairs, Uk = Ck·G their
    pre-activations.  Adds the multiplier terms Ċ_B = −G_BB⁻¹ U̇_B and sets every sliding
    pair's U̇ to exactly 0 (the exact flow keeps it on its surface)."""
    F = fx.F
    for j, S in sliding_sets(sliding):
        P = projector(fx, S)
        if P.basis:
            delta = -(P.ginv.dot(Uk[j, list(P.basis)]) >> F)
            Ck[j, list(P.basis)] += delta
            Uk[j] += delta.dot(P.gb) >> F
        Uk[j, list(S)] = 0


def _scaled(jet: np.ndarray, sh: int) -> list:
    jet = np.asarray(jet, dtype=object)
    return list(jet >> sh if sh > 0 else jet << -sh)


def _lead(jet: list, tol: int, short: bool = False) -> tuple[int, int] | None:
    """(order, sign) of the first significant coefficient: order 0 counts only beyond the
    noise level ``tol`` (a value within it is "at 0"), higher orders when non-zero.  Of a
    prefix (``short``), :class:`.events.Short` when none of its orders tells."""
    if abs(jet[0]) > tol:
        return 0, (1 if jet[0] > 0 else -1)
    q = first_nonzero(jet[1:])
    if q is None and short:
        raise Short
    return None if q is None else (q[0] + 1, q[1])


def parallel(fx, b: int, h: int) -> Fraction | None:
    """β with x_h = β x_b exactly, or None when x_h is not a multiple of x_b."""
    g = fx.gram
    if g[h][b] * g[h][b] != g[h][h] * g[b][b]:
        return None
    return g[h][b] / g[b][b]


def _times(jet: np.ndarray, q: Fraction) -> np.ndarray:
    jet = np.asarray(jet, dtype=object)
    return jet if q == 1 else (jet * q.numerator) // q.denominator  # β = 1: every generic group


class Exit(NamedTuple):
    """The exit quantities of one sliding group of neuron ``neuron``: a basis pair and the
    held pairs whose inputs are multiples β x_b of its input (``members``: (point, β), the
    basis first with β = 1).  Each quantity is a jet in the scaled time that stays > 0
    while the mode goes on; ``tol`` is their noise level.  (A named tuple: a generic run
    makes about a million of them, and a frozen dataclass's construction cost a fifth of
    the exit quantities' time.)"""

    neuron: int
    members: tuple[tuple[int, Fraction], ...]
    quantities: dict
    tol: int
    short: bool = False  # from prefix jets (:func:`.taylor.jets` with ``upto``)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return [(self.neuron, k) for k, _ in self.members]

    def leading(self) -> int | None:
        """The order of the first quantity that leads negative (0: beyond its noise level at
        once, as after a change of the active set; ≥ 1: at its bound, as at a located exit),
        or None when the mode goes on."""
        leads = (_lead(v, self.tol, self.short) for v in self.quantities.values())
        orders = [q[0] for q in leads if q is not None and q[1] < 0]
        return min(orders) if orders else None


def exit_jets(fx, st, J, neuron: int | None = None) -> list[Exit]:
    """The exit quantities of every sliding group (see :class:`Exit`), or only of
    ``neuron``'s groups when given (a per-neuron check need not pay for all of them).

    With r the residuals, μ_b the basis pair's multiplier term and σ_i = sign r_i, the
    group's multipliers can match μ_b iff lo ≤ μ_b ≤ hi, lo = Σ min(0, β_i r_i), hi =
    Σ max(0, β_i r_i) (for one pair: c = μ/r ∈ [0, 1]).  The quantities:

    - ``low`` = μ_b − lo and ``high`` = hi − μ_b: a multiplier reaches a bound;
    - ``attract`` = −sign(a_j) Σ|β_i| r_i: the surface attracts (the field above it minus the
      field below it points down); at 0 the residual vanishes and it turns repelling;
    - ``member<i>`` = σ_i r_i (groups of two or more): a member's residual changes sign,
      which changes the formula of lo and hi (not the mode).

    Linear in the residual jets, so their roots are simple; one shift per group gives its
    largest jet about F bits (residuals may be small late in a run), measured on the orders
    below ``J.measured`` (DECIDE_ORDER, or the prefix order of a step whose float64 tail may
    start earlier: :func:`.taylor.jets`), so that prefix jets (``J.decides`` > their order)
    read the same integers and the same noise level as the full ones.  A quantity at its
    bound by a located exit (``st.pinned``) has its value set to exactly 0.  Held pairs that
    are not multiples of one basis input keep multiplier 0 and have no quantity.

    Those of every group are kept on ``J`` for the state's pattern and pins: a step that
    settles nothing reads them twice (:func:`leaving_now`, then :func:`first_exits`)."""
    if neuron is None:
        key = ("exits", st.pattern_key())
        if key not in J.memo:
            J.memo[key] = _exit_jets(fx, st, J, None)
        return J.memo[key]
    return _exit_jets(fx, st, J, neuron)


def _exit_jets(fx, st, J, neuron: int | None) -> list[Exit]:
    """:func:`exit_jets`, computed: from compiled jets in GMP memory (``kernel.exits``, the
    same integers), else on object arrays."""
    noise = _Noise(fx.F, near(J.decides), J.decides > J.order, min(J.order, J.measured))
    sets = [(j, S, P) for j, S in sliding_sets(st.sliding, neuron) if (P := projector(fx, S)).basis]
    signs = [1 if st.a[j] > 0 else -1 for j, _, _ in sets]  # sign a_j per set
    groups = [(j, sign, members) for (j, _, P), sign in zip(sets, signs) for members in _groups(fx, P)]
    if J.series is None:
        mus = [mu for block in _multiplier_terms(fx, st, J, sets) for mu in block]
        single = [(j, members[0][0], mu, sign_a) for (j, sign_a, members), mu in zip(groups, mus) if len(members) == 1]
        batch = iter(_single_exits(st, J.R, single, noise) if single else [])
        return [
            next(batch) if len(members) == 1 else _group_exit(st, J.R, j, members, mu, sign_a, noise)
            for (j, sign_a, members), mu in zip(groups, mus)
        ]
    rows = kernel.exits(
        J.series,
        [(j, compiled_projector(fx, S)) for j, S, _ in sets],
        np.ascontiguousarray(st.active, dtype=np.uint8).tobytes(),
        signs,
        [len(members) == 1 for _, _, members in groups],
        [_pin_bits(st.pinned.get((j, members[0][0])) or ()) for j, _, members in groups]
        if st.pinned
        else [0] * len(groups),
        noise.low,
        noise.reached,
        noise.short,
    )
    if rows is None:
        raise Short  # a prefix cannot tell the sign of some group's residual
    out = []
    for (j, sign_a, members), row in zip(groups, rows):
        if len(members) == 1:
            tol, low, high, attract = row
            out.append(Exit(j, members, {"low": low, "high": high, "attract": attract}, tol, noise.short))
        else:
            out.append(_group_exit(st, J.R, j, members, np.array(row, dtype=object), sign_a, noise))
    return out


def _groups(fx, P: Projector) -> tuple[tuple[tuple[int, Fraction], ...], ...]:
    """The members of each basis pair's group (:class:`Exit`), cached on ``fx``."""
    key = ("groups", P.basis, P.held)
    if key not in fx.cache:
        fx.cache[key] = tuple(
            ((b, _ONE),) + tuple((h, beta) for h in P.held if (beta := parallel(fx, b, h)) is not None) for b in P.basis
        )
    return fx.cache[key]


def _pin_bits(names) -> int:
    """A single group's pins as ``kernel.exits`` reads them: bit 0 its residual's value is
    noise (member0 or attract pinned), bits 1-3 low, high, attract at their bound."""
    return (
        ("member0" in names or "attract" in names)
        | ("low" in names) << 1
        | ("high" in names) << 2
        | ("attract" in names) << 3
    )


_ONE = Fraction(1)


@dataclass(frozen=True)
class _Noise:
    """What scales the exit quantities of one set of jets: F, the "reached" level of their
    roots, whether they are a prefix, and the orders the shift is measured on."""

    F: int
    reached: int
    short: bool
    low: int

    def shift(self, top: int) -> tuple[int, int]:
        """The shift giving a group's largest jet (``top`` bits) about F + 8 bits, and the
        group's noise level at that scale (rounding of r, μ, the roots)."""
        sh = top - (self.F + 8)
        return sh, max(self.reached, self.reached << -sh if sh < 0 else self.reached >> sh)


def _bits(values) -> int:
    return int(np.abs(np.asarray(values, dtype=object)).max()).bit_length()


def _multiplier_terms(fx, st, J, sets: list) -> list[np.ndarray]:
    """μ_B = −G_BB⁻¹ G_BA r_A of each neuron's basis pairs (``sets``: (neuron, S, its
    projector) with a non-empty basis B), as jets (|B|, p), on object arrays; the
    products G_BA r_A of all neurons in one product."""
    F = fx.F
    js = np.array([j for j, _, P in sets for _ in P.basis], dtype=int)
    bs = np.array([b for _, _, P in sets for b in P.basis], dtype=int)
    W = fx.G[bs] * st.active[js]  # (rows, n): G_bl on the active l, else 0
    V = W.dot(J.R.T) >> F  # (rows, p): G_BA r_A
    starts = np.cumsum([0] + [len(P.basis) for _, _, P in sets])
    # a one-pair basis (most groups) in one product: G_bb⁻¹ V_b, as P.ginv.dot would
    ones = [i for i, (_, _, P) in enumerate(sets) if len(P.basis) == 1]
    single = -((np.array([sets[i][2].ginv[0, 0] for i in ones], dtype=object)[:, None] * V[starts[ones]]) >> F)
    out: list = [None] * len(sets)
    for row, i in zip(single, ones):
        out[i] = row[None, :]
    for i, (_, _, P) in enumerate(sets):
        if out[i] is None:
            out[i] = -(P.ginv.dot(V[starts[i] : starts[i + 1]]) >> F)
    return out


def _group_exit(st, R: np.ndarray, j: int, members: tuple, mu: np.ndarray, sign_a: int, noise: _Noise) -> Exit:
    """The :class:`Exit` of one group (any number of members), quantity by quantity."""
    b = members[0][0]
    parts = [_times(R[:, k], beta) for k, beta in members]  # β_i r_i
    sh, tol = noise.shift(max(_bits(jet[: noise.low]) for jet in parts + [mu]))
    pins = st.pinned.get((j, b), set())
    lo = np.zeros(R.shape[0], dtype=object)
    hi = np.zeros(R.shape[0], dtype=object)
    q: dict = {}
    for m, part in enumerate(parts):
        rs = _scaled(part, sh)
        if f"member{m}" in pins or ("attract" in pins and len(members) == 1):  # attract ∝ r then
            rs[0] = 0
        lead = _lead(rs, tol, noise.short)
        if lead is not None and lead[1] > 0:
            hi = hi + part
        elif lead is not None:
            lo = lo + part
        if len(members) > 1 and lead is not None:
            q[f"member{m}"] = [lead[1] * c for c in rs]
    q["low"] = _scaled(mu - lo, sh)
    q["high"] = _scaled(hi - mu, sh)
    q["attract"] = _scaled(
        -sign_a * sum((_times(R[:, k], abs(beta)) for k, beta in members), np.zeros(R.shape[0], dtype=object)),
        sh,
    )
    _pin(q, pins)
    return Exit(j, members, q, tol, noise.short)


def _pin(q: dict, pins: set) -> None:
    """Set the value of each pinned quantity to exactly 0: at its bound by the located
    event, as u = 0 after a switch."""
    for name in pins:
        if name in q:
            q[name][0] = 0


def _single_exits(st, R: np.ndarray, single: list, noise: _Noise) -> list[Exit]:
    """:func:`_group_exit` of every single-pair group (the generic case: no other surface
    input is a multiple of the basis input) at once, on (groups, orders) arrays: the same
    integers, without a dozen small object-array operations per group (a generic run has
    up to ~200 such groups, checked several times per step)."""
    rb = R[:, [b for _, b, _, _ in single]].T  # (groups, p): r_b
    mu = np.empty_like(rb)
    mu[...] = [jet for _, _, jet, _ in single]
    low = noise.low
    tops = np.maximum(np.abs(rb[:, :low]).max(axis=1), np.abs(mu[:, :low]).max(axis=1))
    shifts, tols = zip(*(noise.shift(int(top).bit_length()) for top in tops))
    rs = _scaled_rows(rb, shifts)
    signs = np.zeros((len(single), 1), dtype=object)  # +1: r_b counts in hi, −1: in lo
    pins = [st.pinned.get((j, b), set()) for j, b, _, _ in single]
    for g, (row, tol, pin) in enumerate(zip(rs, tols, pins)):
        if "member0" in pin or "attract" in pin:  # attract ∝ r then
            row = row.copy()
            row[0] = 0
        lead = _lead(row, tol, noise.short)
        signs[g, 0] = 0 if lead is None else lead[1]
    lows = _scaled_rows(mu - rb * (signs < 0), shifts)
    highs = _scaled_rows(rb * (signs > 0) - mu, shifts)
    attracts = _scaled_rows(rb * np.array([[-sign_a] for *_, sign_a in single], dtype=object), shifts)
    out = []
    rows = zip(single, lows.tolist(), highs.tolist(), attracts.tolist())  # three conversions, not 3 per group
    for g, ((j, b, _, _), low, high, attract) in enumerate(rows):
        q = {"low": low, "high": high, "attract": attract}
        _pin(q, pins[g])
        out.append(Exit(j, ((b, _ONE),), q, tols[g], noise.short))
    return out


def _scaled_rows(rows: np.ndarray, shifts) -> np.ndarray:
    """:func:`_scaled` of each row by its own shift."""
    sh = np.array(shifts, dtype=object)[:, None]
    out = np.empty_like(rows)
    right = np.array([s > 0 for s in shifts], dtype=bool)
    if right.any():
        out[right] = rows[right] >> sh[right]
    if not right.all():
        out[~right] = rows[~right] << -sh[~right]
    return out


def leaving_now(fx, st, J) -> tuple[list[tuple[int, int]], bool] | None:
    """The pairs of a sliding group whose mode ends at the start of the step, and whether
    it ends at a bound (its first-order rates are then rounding noise, to be pinned), or
    None when every mode goes on.  A mode ends when a multiplier is out of its range (``low`` or
    ``high`` leads negative: the active set of the neuron changed, a located exit, or a
    real excursion) or when its surface repels (``attract`` leads negative, after the
    residual changed sign: a mode there would be the unstable minimum-norm one, and the
    engine's rule for repelling surfaces applies).  A quantity that only touches 0 (its
    first non-zero order positive) keeps the mode."""
    for ex in exit_jets(fx, st, J):
        order = ex.leading()
        if order is not None:
            return ex.pairs, order > 0
    return None


def first_exits(fx, st, J, s_end: int) -> list[tuple[int, int, int, frozenset]]:
    """The earliest event (s, j, b, names) of every sliding group that has one in
    (0, s_end], earliest first: ``names`` are the group's quantities that reach 0 there
    (within 2^(−F/2) of the step of the first: when a residual vanishes, μ and the bounds
    vanish with it).  The engine takes the first, with any others that round to the
    same instant (aligned neurons sliding on one point leave together)."""
    F = fx.F
    exits = exit_jets(fx, st, J)
    moving = []  # (exit, name, φ / s^order): quantities at their bound but moving inward
    for x, ex in enumerate(exits):
        for name, phi in ex.quantities.items():
            q = _lead(phi, ex.tol)
            if q is not None and q[1] > 0:
                moving.append((x, name, phi[q[0] :] if q[0] else phi))
    found_all = first_roots([phi for _, _, phi in moving], s_end, F)  # one batched screen
    hits: dict[int, dict] = {}  # exit → {name: its root}, the exits in exit_jets order
    for (x, name, _), r in zip(moving, found_all):
        if r is not None:
            hits.setdefault(x, {})[name] = r
    out = []
    for x, roots in hits.items():
        s = min(roots.values())
        names = frozenset(n for n, r in roots.items() if r - s <= (s_end >> (F // 2)))
        out.append((s, exits[x].neuron, exits[x].members[0][0], names))
    out.sort(key=lambda hit: hit[0])  # stable: groups in exit_jets order at equal times
    return out
