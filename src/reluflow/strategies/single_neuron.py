"""Single-neuron instances (Chistikov, Englert & Lazić 2023; spec ``single_neuron.md``): a
unit teacher v*, inputs within π/4 of it, labels y_i = σ(⟨v*, x_i⟩), and Assumption
1(i)–(iii), every one checked exactly by :mod:`reluflow.theory.single_neuron_assumptions`
before a draw is returned."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..linalg import dot
from ..problem import Dataset, Init, Problem
from ..theory.single_neuron_assumptions import data_conditions, gamma, init_conditions
from ._validation import _check_bool, _check_int, _check_lam, _check_margin, _number

_STEREO_DEN = 4  # stereographic coordinates t_k = a/4 with |a| ≤ 8, so |t_k| ≤ 2
_STEREO_MAX = 8
_R_COORD = 4  # perturbation directions: integer vectors with entries |k| ≤ 4
_R_STEPS = 8  # perturbation lengths (k/8)·max_radius, 1 ≤ k ≤ 7
_DEFAULT_RADIUS = Fraction(2, 3)
_Z_DEN = 8  # neuron directions: entries k/8 with |k| ≤ 8
_IDLE_COORD = 4  # idle neurons: −v* + p, entries of p are k/(8⌈√d⌉) with |k| ≤ 4, so ‖p‖ ≤ 1/2


def _check_size(value: Any, name: str, *, at_least: int, what: str) -> tuple[int, int]:
    """An integer, or a pair (low, high) of integers, all ≥ ``at_least``: the range drawn from."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise InvalidArgument(f"{name}={value!r} must be an integer or a pair (low, high) of integers ({what})")
        lo = _check_int(value[0], f"{name}[0]", at_least=at_least, what=what)
        hi = _check_int(value[1], f"{name}[1]", at_least=at_least, what=what)
        if hi < lo:
            raise InvalidArgument(f"{name}={value!r}: the high end {hi} is below the low end {lo}")
        return lo, hi
    v = _check_int(value, name, at_least=at_least, what=what)
    return v, v


def _all_hold(conditions: dict) -> bool:
    return all(c.holds for c in conditions.values())


def _unit_from_stereo(t: Sequence[Fraction]) -> list[Fraction]:
    """Inverse stereographic projection (2t, 1 − ‖t‖²)/(1 + ‖t‖²): a rational unit vector."""
    tt = sum((c * c for c in t), Fraction(0))
    q = 1 + tt
    return [2 * c / q for c in t] + [(1 - tt) / q]


def teacher_vectors(*, d: int) -> st.SearchStrategy[tuple[Fraction, ...]]:
    """Exact rational unit teachers v* ∈ R^d (``d`` ≥ 2): the inverse stereographic
    projection (2t, 1 − ‖t‖²)/(1 + ‖t‖²) of a rational t ∈ R^{d−1} with entries a/4,
    |a| ≤ 8, then a random sign on that last coordinate and a random permutation of the
    coordinates.  So ‖v*‖ = 1 exactly and every denominator divides 16 + Σa² ≤ 16 + 64(d − 1).
    Shrinks towards v* = e_d.

    >>> from hypothesis import find, settings
    >>> v = find(teacher_vectors(d=3), lambda v: all(v), settings=settings(database=None))
    >>> sum(c * c for c in v), all(c.denominator <= 16 + 64 * 2 for c in v)
    (Fraction(1, 1), True)
    >>> teacher_vectors(d=1)
    Traceback (most recent call last):
        ...
    hypothesis.errors.InvalidArgument: d=1 must be an integer ≥ 2 (the input dimension; Assumption 1(i) needs d > 1)
    """
    _check_int(d, "d", at_least=2, what="the input dimension; Assumption 1(i) needs d > 1")
    coord = st.integers(-_STEREO_MAX, _STEREO_MAX).map(lambda a: Fraction(a, _STEREO_DEN))

    @st.composite
    def teacher(draw) -> tuple[Fraction, ...]:
        v = _unit_from_stereo([draw(coord) for _ in range(d - 1)])
        v[-1] *= draw(st.sampled_from((1, -1)))
        perm = draw(st.permutations(range(d)))
        return tuple(v[k] for k in perm)

    return teacher()


def _check_radius(value: Any) -> Fraction:
    R = _number(value, "max_radius")
    if R <= 0 or 2 * R * R >= 1:
        raise InvalidArgument(
            f"max_radius={value!r} must be in (0, 1/√2): inputs x_i = v* + r_i with ‖r_i‖ < 1/√2 keep ∠(v*, x_i) < π/4"
        )
    return R


def _ceil_sqrt(k: int) -> int:
    s = math.isqrt(k)
    return s if s * s == k else s + 1


def single_neuron_datasets(
    *,
    d: int | tuple[int, int] = (2, 4),
    n: int | tuple[int, int] | None = None,
    max_radius: Any = _DEFAULT_RADIUS,
) -> st.SearchStrategy[Dataset]:
    """Teacher datasets ``Dataset(X, teacher=v*)`` satisfying every condition of
    :func:`~reluflow.theory.single_neuron_assumptions.data_conditions` (Assumption 1(i),
    (iii) and the π/4 angles), checked exactly.

    ``d`` (an integer ≥ 2, or a range (low, high)) is the dimension and ``n`` the number of
    inputs (default: n = d, the setting of Theorem 8; an integer or a range, ≥ every d).
    v* comes from :func:`teacher_vectors`, and x_i = v* + r_i where r_i = (k/8)·max_radius·u/⌈‖u‖⌉
    for an integer vector u with entries in [−4, 4] and 1 ≤ k ≤ 7, so ‖r_i‖ < ``max_radius``
    < 1/√2 and every angle is below π/4 by construction (spec §1); span, distinct
    directions, distinct eigenvalues of Σ and a generic teacher hold for almost every draw
    and are verified (the rare degenerate draw is rejected).  Labels are σ(⟨v*, x_i⟩) > 0.

    >>> from hypothesis import Phase, find, settings
    >>> from reluflow.theory.single_neuron_assumptions import data_conditions
    >>> quick = settings(database=None, phases=[Phase.generate])  # no shrinking: any valid draw
    >>> ds = find(single_neuron_datasets(d=3, n=4), lambda ds: True, settings=quick)
    >>> (ds.d, ds.n), all(data_conditions(ds).values()), min(ds.y) > 0
    ((3, 4), True, True)
    >>> single_neuron_datasets(d=3, n=2)
    Traceback (most recent call last):
        ...
    hypothesis.errors.InvalidArgument: n=2 is below d=3: span{x_i} = R^d (Assumption 1(i)) needs n ≥ d for every d drawn
    """
    d_lo, d_hi = _check_size(d, "d", at_least=2, what="the input dimension; Assumption 1(i) needs d > 1")
    n_range = None
    if n is not None:
        n_range = _check_size(n, "n", at_least=1, what="the number of inputs")
        if n_range[0] < d_hi:
            raise InvalidArgument(
                f"n={n!r} is below d={d!r}: span{{x_i}} = R^d (Assumption 1(i)) needs n ≥ d for every d drawn"
            )
    R = _check_radius(max_radius)
    direction = st.integers(-_R_COORD, _R_COORD)

    @st.composite
    def datasets(draw) -> Dataset:
        dd = draw(st.integers(d_lo, d_hi))
        nn = dd if n_range is None else draw(st.integers(*n_range))
        v = draw(teacher_vectors(d=dd))
        X = []
        for i in range(nn):
            # offsets from a base that is valid for v* = e_d, where shrinking ends: u_i = e_{i mod d}
            # (+ ⌊i/d⌋ e_{i+1 mod d} beyond the first d), lengths (1 + i mod 7)/8 of max_radius
            u = [draw(direction) + (c == i % dd) + (i // dd) * (c == (i + 1) % dd) for c in range(dd)]
            s = _ceil_sqrt(sum(k * k for k in u))
            step = 1 + (i + draw(st.integers(0, _R_STEPS - 2))) % (_R_STEPS - 1)
            scale = Fraction(step, _R_STEPS) * R / s if s else Fraction(0)
            X.append([a + scale * k for a, k in zip(v, u)])
        ds = Dataset(X, teacher=v)
        assume(_all_hold(data_conditions(ds)))
        return ds

    return datasets()


def _init_options(width: Any, lam: Any, j_minus: Any, idle: Any, margin: Any):
    w = _check_size(width, "width", at_least=1, what="the number of neurons m")
    lam = _check_lam(lam)
    _check_bool(j_minus, "j_minus")
    _check_bool(idle, "idle")
    return w, lam, _check_margin(margin)


def _positively_parallel(u: Sequence[Fraction], v: Sequence[Fraction]) -> bool:
    uv = dot(u, v)
    return uv > 0 and uv * uv == dot(u, u) * dot(v, v)


def _generic(z: Sequence[Fraction], X, nx: list[Fraction], margin: Fraction) -> bool:
    """|⟨z, x_i⟩| ≥ margin·‖z‖‖x_i‖ for every input (so no pre-activation is 0), exactly."""
    zz = dot(z, z)
    return all((u := dot(z, x)) != 0 and u * u >= margin * margin * zz * q for x, q in zip(X, nx))


def single_neuron_inits(
    data: Dataset,
    *,
    width: int | tuple[int, int] = (1, 4),
    lam: Any = "1e-30",
    j_minus: bool = True,
    idle: bool = True,
    margin: Any = Fraction(1, 1000),
) -> st.SearchStrategy[Init]:
    """Balanced initialisations Init(λ, z, s) for the teacher dataset ``data`` that satisfy
    every condition of :func:`~reluflow.theory.single_neuron_assumptions.init_conditions`
    (Assumption 1(ii)), checked exactly.

    ``width`` (an integer ≥ 1, or a range) is the number of neurons m.  One neuron is in
    J_+ (s_j = +1, active on some input); each other neuron is, at random, in J_+, in J_−
    (s_j = −1, active on some input; ``j_minus=True``), or never moves (no input active,
    either sign; ``idle=True``, built as −v* + p with ‖p‖ ≤ 1/2, which is inactive on every
    input within π/4 of a unit v*).  Moving directions have entries k/8, |k| ≤ 8 (v* in
    place of the zero vector), negated when no input is active; every direction is generic, |⟨z_j, x_i⟩| ≥ ``margin``·‖z_j‖‖x_i‖
    (so I_0(z_j) = ∅), and no J_− direction is a positive multiple of γ_[n].  Part (iv) of
    Assumption 1 fails only on a null set of directions and is not checked.

    >>> from hypothesis import Phase, find, settings
    >>> from reluflow import Dataset, Problem
    >>> from reluflow.theory.single_neuron_assumptions import J_sets
    >>> data = Dataset([[1, 1], [1, 2]], teacher=["3/5", "4/5"])
    >>> quick = settings(database=None, phases=[Phase.generate])  # no shrinking: any valid draw
    >>> init = find(single_neuron_inits(data, width=3), lambda i: True, settings=quick)
    >>> init.lam, len(init.z), len(J_sets(Problem(data, init))[0]) >= 1
    (Fraction(1, 1000000000000000000000000000000), 3, True)
    >>> single_neuron_inits(data, width=0)
    Traceback (most recent call last):
        ...
    hypothesis.errors.InvalidArgument: width=0 must be an integer ≥ 1 (the number of neurons m)
    """
    if not isinstance(data, Dataset):
        raise InvalidArgument(f"data={data!r} must be a reluflow.Dataset")
    if data.teacher is None:
        raise InvalidArgument("data has no teacher v*: build it as Dataset(X, teacher=v*)")
    (w_lo, w_hi), lam, margin = _init_options(width, lam, j_minus, idle, margin)
    X, d = data.X, data.d
    nx = [dot(x, x) for x in X]
    g = gamma(data)
    base = tuple(-c for c in data.teacher) if all(dot(data.teacher, x) > 0 for x in X) else None
    kinds = ["plus"] + (["minus"] if j_minus else []) + (["idle"] if idle and base is not None else [])

    generic = lambda z: _generic(z, X, nx, margin)
    coords = st.lists(st.integers(-_Z_DEN, _Z_DEN), min_size=d, max_size=d)
    idle_den = _Z_DEN * _ceil_sqrt(d)

    @st.composite
    def neuron(draw, kind: str) -> tuple[tuple[Fraction, ...], int]:
        if kind == "idle":
            p = [Fraction(draw(st.integers(-_IDLE_COORD, _IDLE_COORD)), idle_den) for _ in range(d)]
            z = tuple(a + b for a, b in zip(base, p))
            assume(any(z) and all(dot(z, x) < 0 for x in X) and generic(z))
            return z, draw(st.sampled_from((1, -1)))
        ks = draw(coords)
        z = tuple(Fraction(k, _Z_DEN) for k in ks) if any(ks) else data.teacher  # (0 ↦ v*: where shrinking ends)
        assume(generic(z))
        if not any(dot(z, x) > 0 for x in X):  # all inputs inactive: −z has all of them active
            z = tuple(-c for c in z)
        if kind == "minus":
            assume(not _positively_parallel(z, g))
            return z, -1
        return z, 1

    @st.composite
    def init(draw) -> Init:
        m = draw(st.integers(w_lo, w_hi))
        neurons = [draw(neuron("plus"))]
        neurons += [draw(neuron(draw(st.sampled_from(kinds)))) for _ in range(m - 1)]
        order = draw(st.permutations(range(m)))
        out = Init(lam, [neurons[i][0] for i in order], [neurons[i][1] for i in order])
        assume(_all_hold(init_conditions(Problem(data, out))))
        return out

    return init()


def single_neuron_problems(
    *,
    d: int | tuple[int, int] = (2, 4),
    n: int | tuple[int, int] | None = None,
    max_radius: Any = _DEFAULT_RADIUS,
    width: int | tuple[int, int] = (1, 4),
    lam: Any = "1e-30",
    j_minus: bool = True,
    idle: bool = True,
    margin: Any = Fraction(1, 1000),
) -> st.SearchStrategy[Problem]:
    """Problems Problem(data, init) satisfying the data and init parts of Assumption 1: a
    dataset from :func:`single_neuron_datasets` (``d``, ``n``, ``max_radius``) with an
    initialisation from :func:`single_neuron_inits` (``width``, ``lam``, ``j_minus``,
    ``idle``, ``margin``).

    >>> from hypothesis import Phase, find, settings
    >>> quick = settings(database=None, phases=[Phase.generate])  # no shrinking: any valid draw
    >>> p = find(single_neuron_problems(d=2, width=(2, 3)), lambda p: True, settings=quick)
    >>> p.d, p.n, 2 <= p.m <= 3
    (2, 2, True)
    """
    data = single_neuron_datasets(d=d, n=n, max_radius=max_radius)
    _init_options(width, lam, j_minus, idle, margin)
    return data.flatmap(
        lambda ds: single_neuron_inits(
            ds,
            width=width,
            lam=lam,
            j_minus=j_minus,
            idle=idle,
            margin=margin,
        ).map(lambda init: Problem(ds, init))
    )
