"""Hypothesis strategies for both papers' settings: exact data and initialisations.

Everything is an exact :class:`fractions.Fraction`, so the rows of a generated dataset are
orthogonal **exactly** (``Dataset.is_orthogonal``), not up to rounding:

- :func:`orthogonal_datasets` takes ``n`` rows of a rational rotation Q = (I − A)(I + A)⁻¹
  (the Cayley transform of a random skew-symmetric A with entries k/4, |k| ≤ 4) and scales
  row k by a rational norm c_k, so ‖x_k‖ = c_k exactly; labels are rational with both signs.
- :func:`inits` draws balanced initialisations (directions z_j, signs s_j) for a given
  orthogonal dataset that satisfy the coverage assumption A3 (``coverage=True``), violate
  it while still keeping every point (``coverage=False``, the R12 incremental-learning
  setting), or are unconstrained (``coverage=None``); every direction is generic:
  |⟨z_j, x_k⟩| ≥ margin·‖z_j‖‖x_k‖.
- :func:`orthogonal_problems` combines the two into a :class:`reluflow.Problem`.

For the single-neuron paper (spec ``single_neuron.md``), every instance satisfies the
data and init parts of Assumption 1, as decided exactly by
:mod:`reluflow.theory.single_neuron_assumptions`:

- :func:`teacher_vectors`: exact rational unit vectors v* (inverse stereographic projection);
- :func:`single_neuron_datasets`: x_i = v* + r_i with ‖r_i‖ < 1/√2, labels σ(⟨v*, x_i⟩);
- :func:`single_neuron_inits`, :func:`single_neuron_problems`: generic inits with J_+ ≠ ∅,
  optionally J_− neurons and neurons that never move;
- :func:`example37_problems`: slightly perturbed instances of the paper's Example 37, with
  the sign of 𝓜 certified exactly.

Options are keyword-only and validated when the strategy is built; a bad option raises
:class:`hypothesis.errors.InvalidArgument` naming it.  Numbers, denominators and sizes are
kept small on purpose: the generated problems feed an exact arbitrary-precision engine.
Shrinking goes towards A = 0 (so Q = I), the smallest norms and labels, and few neurons.

>>> from hypothesis import find, settings
>>> ds = find(orthogonal_datasets(), lambda ds: ds.n == 3, settings=settings(database=None))
>>> ds.n, ds.is_orthogonal, {v > 0 for v in ds.y}
(3, True, {False, True})
>>> orthogonal_datasets(min_n=0)
Traceback (most recent call last):
    ...
hypothesis.errors.InvalidArgument: min_n=0 must be an integer ≥ 1 (the number of data points)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .datasets import cayley, example37_negative, example37_positive, perturbed
from .linalg import dot, inverse
from .problem import Dataset, Init, Problem, ProblemError, exact
from .theory.single_neuron_assumptions import data_conditions, gamma, init_conditions

__all__ = [
    "example37_problems",
    "general_problems",
    "inits",
    "orthogonal_datasets",
    "orthogonal_problems",
    "rates_separated",
    "single_neuron_datasets",
    "single_neuron_inits",
    "single_neuron_problems",
    "teacher_vectors",
]

_DEFAULT_NORMS = (Fraction(1, 2), Fraction(2))
_DEFAULT_LABELS = (Fraction(1, 2), Fraction(2))
_GRID = 4  # norms and labels are drawn from the grid k/4 (plus the range's end points)
_SKEW = 4  # skew-symmetric entries k/4 with |k| ≤ 4
_COORD = 8  # neuron coordinates ±k/8, 1 ≤ k ≤ 8, along each x̂_k


# ----------------------------------------------------------------------------- validation


def _check_int(value: Any, name: str, *, at_least: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < at_least:
        raise InvalidArgument(f"{name}={value!r} must be an integer ≥ {at_least} ({what})")
    return value


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")
    return value


def _number(value: Any, name: str) -> Fraction:
    try:
        return exact(value, name)
    except ProblemError as exc:
        raise InvalidArgument(f"{name}={value!r} is not a number: {exc}") from None


def _check_range(value: Any, name: str, *, what: str) -> tuple[Fraction, Fraction]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise InvalidArgument(f"{name}={value!r} must be a pair (low, high) of positive numbers ({what})")
    lo, hi = _number(value[0], f"{name}[0]"), _number(value[1], f"{name}[1]")
    if lo <= 0:
        raise InvalidArgument(f"{name}={value!r}: the low end must be > 0 ({what}), got {lo}")
    if hi < lo:
        raise InvalidArgument(f"{name}={value!r}: the high end {hi} is below the low end {lo}")
    return lo, hi


def _check_int_range(value: Any, name: str, *, what: str) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise InvalidArgument(f"{name}={value!r} must be a pair (low, high) of integers ≥ 0 ({what})")
    lo, hi = value
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InvalidArgument(f"{name}={value!r} must be a pair (low, high) of integers ≥ 0 ({what})")
    if hi < lo:
        raise InvalidArgument(f"{name}={value!r}: the high end {hi} is below the low end {lo}")
    return lo, hi


def _check_coverage(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidArgument(
            f"coverage={value!r} must be True (A3 holds), False (A3 fails, every point still kept) or None (unconstrained)"
        )
    return value


def _check_lam(value: Any) -> Fraction:
    lam = _number(value, "lam")
    if lam <= 0:
        raise InvalidArgument(f"lam={value!r} must be > 0 (the initialisation scale λ)")
    return lam


def _check_margin(value: Any) -> Fraction:
    margin = _number(value, "margin")
    if not 0 <= margin < 1:
        raise InvalidArgument(f"margin={value!r} must be in [0, 1): the least |cos∠(z_j, x_k)| allowed")
    return margin


def _check_widths(min_width: Any, max_width: Any) -> tuple[int, int]:
    _check_int(min_width, "min_width", at_least=1, what="the least number of neurons")
    _check_int(max_width, "max_width", at_least=1, what="the largest number of neurons")
    if max_width < min_width:
        raise InvalidArgument(f"max_width={max_width} < min_width={min_width}")
    return min_width, max_width


# ----------------------------------------------------------------------------- exact linear algebra


def _grid(lo: Fraction, hi: Fraction) -> list[Fraction]:
    """lo, hi and every k/4 strictly between them, ascending."""
    vals = {lo, hi}
    k = math.floor(lo * _GRID) + 1
    while Fraction(k, _GRID) < hi:
        vals.add(Fraction(k, _GRID))
        k += 1
    return sorted(vals)


def _class_norms_sq(X, y) -> tuple[Fraction, Fraction]:
    """(‖D₊‖², ‖D₋‖²) with ‖D_±‖² = Σ_{±y_k>0} y_k²‖x_k‖² (orthogonal rows)."""
    plus = sum((v * v * dot(x, x) for x, v in zip(X, y) if v > 0), Fraction(0))
    minus = sum((v * v * dot(x, x) for x, v in zip(X, y) if v < 0), Fraction(0))
    return plus, minus


def rates_separated(dataset: Dataset, ratio: Any) -> bool:
    """True iff ‖D₊‖/‖D₋‖ is outside [1/ratio, ratio] (spec pitfall 8; a class that is
    empty counts as separated), compared exactly through squares.

    >>> rates_separated(Dataset([[1, 0], [0, 1]], [1, -2]), Fraction(5, 4))
    True
    >>> rates_separated(Dataset([[1, 0], [0, 1]], [1, "-1.2"]), Fraction(5, 4))
    False
    """
    r2 = _number(ratio, "ratio") ** 2
    p, m = _class_norms_sq(dataset.X, dataset.y)
    return not (p <= r2 * m and m <= r2 * p)


# ----------------------------------------------------------------------------- datasets


def orthogonal_datasets(
    *,
    min_n: int = 2,
    max_n: int = 4,
    extra_dims: tuple[int, int] = (0, 1),
    norms: tuple[Any, Any] | None = None,
    labels: tuple[Any, Any] = _DEFAULT_LABELS,
    both_signs: bool = True,
    orthonormal: bool = False,
    min_rate_ratio: Any = None,
) -> st.SearchStrategy[Dataset]:
    """Datasets of ``n`` ∈ [min_n, max_n] exactly orthogonal rational inputs in R^d,
    d = n + e with e ∈ ``extra_dims``.

    The inputs are x_k = c_k q_k where q_k are the first n rows of the Cayley transform
    Q = (I − A)(I + A)⁻¹ of a random skew-symmetric A (entries k/4, |k| ≤ 4), and c_k is
    drawn from ``norms`` (default (1/2, 2); the grid k/4 between the ends, and the ends),
    so ‖x_k‖ = c_k exactly; ``orthonormal=True`` takes c_k = 1 (then ``norms`` must not be
    given).  Labels y_k = ±|y_k| with |y_k| from ``labels`` on the same grid and random
    signs; ``both_signs=True`` makes both signs present.  ``min_rate_ratio=r`` (≥ 1)
    rejects datasets with ‖D₊‖/‖D₋‖ ∈ [1/r, r] (near-equal class growth rates, spec
    pitfall 8), compared exactly.
    """
    _check_int(min_n, "min_n", at_least=1, what="the number of data points")
    _check_int(max_n, "max_n", at_least=1, what="the number of data points")
    if max_n < min_n:
        raise InvalidArgument(f"max_n={max_n} < min_n={min_n}")
    e_lo, e_hi = _check_int_range(extra_dims, "extra_dims", what="how many dimensions d − n beyond the data span")
    _check_bool(both_signs, "both_signs")
    _check_bool(orthonormal, "orthonormal")
    if both_signs and min_n < 2:
        raise InvalidArgument(f"both_signs=True needs min_n ≥ 2 (one point of each sign), got min_n={min_n}")
    if orthonormal and norms is not None:
        raise InvalidArgument(f"norms={norms!r} cannot be combined with orthonormal=True (which sets every ‖x_k‖ = 1)")
    n_lo, n_hi = (
        (Fraction(1), Fraction(1))
        if orthonormal
        else _check_range(_DEFAULT_NORMS if norms is None else norms, "norms", what="the range of ‖x_k‖")
    )
    l_lo, l_hi = _check_range(labels, "labels", what="the range of |y_k|")
    ratio = None
    if min_rate_ratio is not None:
        ratio = _number(min_rate_ratio, "min_rate_ratio")
        if ratio < 1:
            raise InvalidArgument(f"min_rate_ratio={min_rate_ratio!r} must be ≥ 1 (or None for no constraint)")
    norm_grid, label_grid = _grid(n_lo, n_hi), _grid(l_lo, l_hi)

    @st.composite
    def datasets(draw) -> Dataset:
        n = draw(st.integers(min_n, max_n))
        d = n + draw(st.integers(e_lo, e_hi))
        upper = [draw(st.integers(-_SKEW, _SKEW)) for _ in range(d * (d - 1) // 2)]
        A = [[Fraction(0)] * d for _ in range(d)]
        it = iter(upper)
        for i in range(d):
            for j in range(i + 1, d):
                A[i][j] = Fraction(next(it), _SKEW)
                A[j][i] = -A[i][j]
        Q = cayley(A)
        c = [draw(st.sampled_from(norm_grid)) for _ in range(n)]
        X = [[c[k] * v for v in Q[k]] for k in range(n)]
        mags = [draw(st.sampled_from(label_grid)) for _ in range(n)]
        signs = [draw(st.sampled_from((1, -1))) for _ in range(n)]
        if both_signs and len(set(signs)) == 1:
            signs[draw(st.integers(0, n - 1))] *= -1
        y = [s * v for s, v in zip(signs, mags)]
        if ratio is not None:
            p, m = _class_norms_sq(X, y)
            assume(not (p <= ratio**2 * m and m <= ratio**2 * p))
        return Dataset(X, y)

    return datasets()


# ----------------------------------------------------------------------------- initialisations


def _approx_sqrt(q: Fraction) -> Fraction:
    """√q exactly when q is a rational square, else a nearby rational (small denominator)."""
    a, b = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if a * a == q.numerator and b * b == q.denominator:
        return Fraction(a, b)
    return Fraction(math.sqrt(q)).limit_denominator(64)


def _complement_basis(X) -> list[list[Fraction]]:
    """A rational, approximately unit, exactly orthogonal basis of span{x_k}^⊥."""
    d = len(X[0])
    basis = [list(x) for x in X]
    out = []
    for i in range(d):
        if len(basis) == d:
            break
        v = [Fraction(int(i == c)) for c in range(d)]
        for b in basis:
            f = dot(v, b) / dot(b, b)
            v = [a - f * c for a, c in zip(v, b)]
        if any(v):
            basis.append(v)
            out.append(v)
    return [[c / _approx_sqrt(dot(v, v)) for c in v] for v in out]


class _Layout:
    """Precomputed geometry of an orthogonal dataset for building directions z_j with a
    prescribed sign pattern: z = Σ_k v_k r_k x_k/‖x_k‖² + Σ_i b_i p_i, so ⟨z, x_k⟩ = v_k r_k
    with r_k ≈ ‖x_k‖ (exact when ‖x_k‖ is rational) and p_i ⟂ every x_k."""

    def __init__(self, dataset: Dataset):
        self.X = dataset.X
        self.n, self.d = dataset.n, dataset.d
        self.nx = [dot(x, x) for x in self.X]
        self.r = [_approx_sqrt(q) for q in self.nx]
        self.perp = _complement_basis(self.X)
        self.classes = {s: tuple(k for k, v in enumerate(dataset.y) if s * v > 0) for s in (1, -1)}

    def vector(self, v: Sequence[Fraction], b: Sequence[Fraction]) -> tuple[Fraction, ...]:
        z = [Fraction(0)] * self.d
        for k, vk in enumerate(v):
            f = vk * self.r[k] / self.nx[k]
            z = [a + f * c for a, c in zip(z, self.X[k])]
        for bi, p in zip(b, self.perp):
            z = [a + bi * c for a, c in zip(z, p)]
        return tuple(z)

    def generic(self, z: Sequence[Fraction], margin: Fraction) -> bool:
        """⟨z, x_k⟩ ≠ 0 and ⟨z, x_k⟩² ≥ margin² ‖z‖² ‖x_k‖² for every k (exact)."""
        zz = dot(z, z)
        for x, nx in zip(self.X, self.nx):
            u = dot(z, x)
            if u == 0 or u * u < margin * margin * zz * nx:
                return False
        return True


_PERP_MAX = Fraction(1, 2)  # perpendicular coefficients b_i ∈ [−1/2, 1/2] (cover neurons: a quarter of that)


def _at_least(values: list[Fraction], floor: float, count: int | None = None) -> list[Fraction]:
    """The (first ``count``) grid ``values`` at or above ``floor``, or the largest one if
    none reaches it: keeps |cos∠(z, x_k)| ≥ margin without rejection in most cases."""
    kept = [v for v in values if v >= floor] or [max(values)]
    return kept[:count] if count else kept


def _neuron(
    layout: _Layout, margin: Fraction, *, sign=None, positive=(), negative=(), not_all_of=(), cover: bool = False
):
    """One neuron (z, s): sign ``sign`` (random if None); ⟨z, x_k⟩ > 0 on ``positive`` and
    < 0 on ``negative``; random elsewhere, except that not every point of each set in
    ``not_all_of`` (pairs (sign, points)) may be active when s matches.  ``cover=True``
    draws the A3 witness z = Σ_{k ∈ positive} x̂_k + small noise.

    Coordinates along x̂_k are at least ``margin`` times a bound on ‖z‖, so the margin
    rarely rejects; the exact genericity check is still applied."""
    n, p = layout.n, len(layout.perp)
    perp_max = _PERP_MAX / 4 if cover else _PERP_MAX
    big = Fraction(9, 8) if cover else Fraction(1)
    floor = float(margin) * math.sqrt(n * big**2 + p * perp_max**2) * 1.02
    if cover:  # noise off the class: the two smallest of k/16 that clear the margin
        mags = st.sampled_from(_at_least([Fraction(k, 2 * _COORD) for k in range(1, 2 * _COORD - 1)], floor, 2))
    else:
        mags = st.sampled_from(_at_least([Fraction(k, _COORD) for k in range(1, _COORD + 1)], floor))
    steps = int(perp_max * 2 * _COORD)
    perp = st.integers(-steps, steps).map(lambda k: Fraction(k, 2 * _COORD))

    @st.composite
    def neuron(draw):
        s = draw(st.sampled_from((1, -1))) if sign is None else sign
        v = []
        for k in range(n):
            if cover and k in positive:
                mag = 1 + draw(st.sampled_from((0, 1, -1))) * Fraction(draw(st.integers(1, 2)), 2 * _COORD)
            else:
                mag = draw(mags)
            if k in positive:
                sg = 1
            elif k in negative:
                sg = -1
            else:
                sg = draw(st.sampled_from((1, -1)))
            v.append(sg * mag)
        for s_bad, pts in not_all_of:
            if s == s_bad and pts and all(v[k] > 0 for k in pts):
                k = pts[draw(st.integers(0, len(pts) - 1))]
                v[k] = -v[k]
        b = [draw(perp) for _ in layout.perp]
        z = layout.vector(v, b)
        assume(layout.generic(z, margin))
        return z, s

    return neuron()


def _min_width(classes: dict, coverage: bool | None) -> int:
    """Fewest neurons a dataset with these classes needs for the requested coverage."""
    nonempty = sum(1 for pts in classes.values() if pts)
    if coverage is None:
        return 1
    if coverage:
        return max(nonempty, 1)
    return nonempty + 1  # one failing class needs two partial neurons


def inits(
    dataset: Dataset,
    *,
    min_width: int = 1,
    max_width: int = 6,
    lam: Any = "1e-30",
    coverage: bool | None = True,
    margin: Any = Fraction(1, 1000),
) -> st.SearchStrategy[Init]:
    """Balanced initialisations Init(λ, z, s) for the orthogonal ``dataset``, with
    ``min_width`` ≤ m ≤ ``max_width`` neurons (raised to the least width the coverage
    needs), rational z_j and s_j ∈ {±1}.

    Every direction is generic: |⟨z_j, x_k⟩| ≥ ``margin``·‖z_j‖‖x_k‖ (spec pitfall 9),
    checked exactly.  ``coverage``:

    - ``True``: assumption A3 holds: per non-empty class S_±, a neuron with the matching
      sign and z = Σ_{k∈S_±} x_k/‖x_k‖ + small noise (active on all of S_±); the other
      neurons are unconstrained.  Needs ``max_width`` ≥ the number of classes.
    - ``False``: A3 fails for at least one class of ≥ 2 points (no neuron of that sign is
      active on the whole class), yet every point is kept by some neuron of its sign:
      the failing class is split into blocks, one partial neuron each (the R12
      incremental-learning setting); other classes get an A3 witness.  Needs a class
      of ≥ 2 points and ``max_width`` ≥ classes + 1.
    - ``None``: unconstrained (A3 and coverage of points may hold or not).
    """
    if not isinstance(dataset, Dataset):
        raise InvalidArgument(f"dataset={dataset!r} must be a reluflow.Dataset")
    if not dataset.is_orthogonal:
        raise InvalidArgument("dataset: the inputs must be exactly orthogonal (⟨x_k, x_l⟩ = 0 for k ≠ l)")
    min_width, max_width = _check_widths(min_width, max_width)
    lam = _check_lam(lam)
    coverage = _check_coverage(coverage)
    margin = _check_margin(margin)
    if margin * margin * dataset.n >= 1:
        raise InvalidArgument(
            f"margin={margin} is too large for n = {dataset.n} points: Σ_k cos²∠(z, x_k) ≤ 1 needs margin < 1/√n"
        )
    layout = _Layout(dataset)
    classes = layout.classes
    need = _min_width(classes, coverage)
    if coverage is False and not any(len(pts) >= 2 for pts in classes.values()):
        raise InvalidArgument(
            "coverage=False needs a class (labels of one sign) with ≥ 2 points, so that A3 can fail while every "
            "point is still kept; this dataset has none"
        )
    if max_width < need:
        raise InvalidArgument(
            f"max_width={max_width} is too small for coverage={coverage!r} on this dataset: it needs ≥ {need} neurons"
        )

    @st.composite
    def init(draw) -> Init:
        m = draw(st.integers(max(min_width, need), max_width))
        planned = []  # (strategy) for the constrained neurons
        failing: dict[int, tuple[int, ...]] = {}
        if coverage is True:
            for s, pts in classes.items():
                if pts:
                    planned.append(_neuron(layout, margin, sign=s, positive=pts, cover=True))
        elif coverage is False:
            eligible = [s for s, pts in classes.items() if len(pts) >= 2]
            nonempty = [s for s, pts in classes.items() if pts]
            # fail one eligible class, or both when the width allows
            budget = m - len(nonempty)  # extra neurons beyond one per class
            first = draw(st.sampled_from(eligible))
            fail = [first]
            if len(eligible) == 2 and budget >= 2 and draw(st.booleans()):
                fail = eligible
            budget -= len(fail)
            for s in nonempty:
                pts = classes[s]
                if s not in fail:
                    planned.append(_neuron(layout, margin, sign=s, positive=pts, cover=True))
                    continue
                failing[s] = pts
                # split the class into ≥ 2 blocks; one neuron active exactly on each block
                order = draw(st.permutations(pts))
                n_blocks = draw(st.integers(2, min(len(pts), 2 + budget)))
                budget -= n_blocks - 2
                cuts = sorted(
                    draw(
                        st.lists(
                            st.integers(1, len(pts) - 1), min_size=n_blocks - 1, max_size=n_blocks - 1, unique=True
                        )
                    )
                )
                bounds = [0, *cuts, len(pts)]
                for a, b in itertools.pairwise(bounds):
                    block = tuple(order[a:b])
                    rest = tuple(k for k in pts if k not in block)
                    planned.append(_neuron(layout, margin, sign=s, positive=block, negative=rest))
        constraint = tuple(failing.items())
        neurons = [draw(strategy) for strategy in planned]
        while len(neurons) < m:
            neurons.append(draw(_neuron(layout, margin, not_all_of=constraint)))
        order = draw(st.permutations(range(len(neurons))))
        neurons = [neurons[i] for i in order]
        return Init(lam, [z for z, _ in neurons], [s for _, s in neurons])

    return init()


# ----------------------------------------------------------------------------- problems


def orthogonal_problems(
    *,
    min_n: int = 2,
    max_n: int = 4,
    extra_dims: tuple[int, int] = (0, 1),
    norms: tuple[Any, Any] | None = None,
    labels: tuple[Any, Any] = _DEFAULT_LABELS,
    both_signs: bool = True,
    orthonormal: bool = False,
    min_rate_ratio: Any = None,
    min_width: int = 1,
    max_width: int = 6,
    lam: Any = "1e-30",
    coverage: bool | None = True,
    margin: Any = Fraction(1, 1000),
) -> st.SearchStrategy[Problem]:
    """Problems Problem(data, init): a dataset from :func:`orthogonal_datasets` (the data
    options) with an initialisation from :func:`inits` (``min_width``, ``max_width``,
    ``lam``, ``coverage``, ``margin``).  With ``coverage=False`` only datasets with a
    class of ≥ 2 points are drawn."""
    data = orthogonal_datasets(
        min_n=min_n,
        max_n=max_n,
        extra_dims=extra_dims,
        norms=norms,
        labels=labels,
        both_signs=both_signs,
        orthonormal=orthonormal,
        min_rate_ratio=min_rate_ratio,
    )
    min_width, max_width = _check_widths(min_width, max_width)
    _check_lam(lam)
    coverage = _check_coverage(coverage)
    margin_q = _check_margin(margin)
    if margin_q * margin_q * max_n >= 1:
        raise InvalidArgument(f"margin={margin} is too large for max_n = {max_n}: it must be < 1/√max_n")
    two_classes = max_n >= 2
    if coverage is True and two_classes and max_width < 2:
        raise InvalidArgument(f"max_width={max_width}: coverage=True needs a neuron per class, so max_width ≥ 2")
    if coverage is False:
        if max_n < (3 if both_signs else 2):
            raise InvalidArgument(
                f"coverage=False needs a class with ≥ 2 points: max_n={max_n} is too small"
                + (" with both_signs=True (needs max_n ≥ 3)" if both_signs else "")
            )
        if max_width < 3:
            raise InvalidArgument(
                f"max_width={max_width}: coverage=False needs ≥ 3 neurons "
                "(two partial neurons for the failing class, one for the other)"
            )
        data = data.filter(lambda ds: any(sum(1 for v in ds.y if s * v > 0) >= 2 for s in (1, -1)))
    return data.flatmap(
        lambda ds: inits(ds, min_width=min_width, max_width=max_width, lam=lam, coverage=coverage, margin=margin).map(
            lambda init: Problem(ds, init)
        )
    )


# ============================================================================= single neuron
#
# Chistikov, Englert & Lazić (2023), spec ``single_neuron.md``: a unit teacher v*, inputs
# within π/4 of it, labels y_i = σ(⟨v*, x_i⟩), and Assumption 1(i)–(iii), every one
# checked exactly by reluflow.theory.single_neuron_assumptions before a draw is returned.

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

    def generic(z: Sequence[Fraction]) -> bool:
        zz = dot(z, z)
        return all((u := dot(z, x)) != 0 and u * u >= margin * margin * zz * q for x, q in zip(X, nx))

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


# ----------------------------------------------------------------------------- Example 37

_E37_FAMILIES = ("negative", "positive")
_E37_XI = tuple(Fraction(k, 8) for k in range(1, 8))  # ξ grid, capped by the π/4 angle bound
_E37_B = (16, 25, 36, 49, 64, 100)  # b ≥ 11 with √b rational


def _m_sign_certified(data: Dataset, family: str) -> bool:
    """An exact certificate of the family's sign of 𝓜 (spec §3.6), or False.

    ``negative``: ⟨χ_k, χ_i⟩ ≤ 0 for all k ≠ i (the inverse Gram matrix is a Z-matrix), the
    spec's sufficient condition for 𝓜 < 0.  ``positive``: the Example 37 witness K = {1},
    p = χ_1, q = χ_2 (0-based; the paper's χ_2, χ_3) has cos∠(p, q) > sin∠(p, v*), so
    𝓜 > 0; decided through squares: ⟨p, q⟩ > 0 and ⟨p, q⟩²‖v*‖² > ‖q‖²(‖p‖²‖v*‖² − ⟨p, v*⟩²).
    """
    H = inverse([[dot(a, b) for b in data.X] for a in data.X])  # ⟨χ_k, χ_i⟩ for the dual basis
    d = data.d
    if family == "negative":
        return all(H[k][i] <= 0 for k in range(d) for i in range(d) if k != i)
    pq, pp, qq = H[1][2], H[1][1], H[2][2]
    pv = sum((H[1][i] * dot(data.X[i], data.teacher) for i in range(d)), Fraction(0))
    vv = dot(data.teacher, data.teacher)
    return pq > 0 and pq * pq * vv > qq * (pp * vv - pv * pv)


def example37_problems(
    *,
    family: str = "negative",
    d: int | None = None,
    xi: Any = None,
    b: Any = None,
    eps: Any = "1e-3",
    width: int | tuple[int, int] = (2, 4),
    lam: Any = "1e-30",
    j_minus: bool = True,
    idle: bool = True,
    margin: Any = Fraction(1, 1000),
) -> st.SearchStrategy[Problem]:
    """Slightly perturbed instances of the paper's Example 37 (spec §3.6 and §7 pitfall 3)
    that satisfy the data and init parts of Assumption 1 **and** keep the family's sign of 𝓜,
    all checked exactly, for Theorems 6–8 on the two sides of the norm question.

    ``family="negative"`` (𝓜 < 0): :func:`reluflow.datasets.example37_negative` with ``d``
    (a perfect square ≥ 4, default 4, so that v* = s/√d is rational) and ``xi`` (default:
    drawn from k/8 below the π/4 bound √(2(√2 − 1)/(d − 1))).  ``family="positive"``
    (𝓜 > 0): :func:`reluflow.datasets.example37_positive` with ``d`` ≥ 3 (default 3) and ``b``
    (a rational square ≥ 11; default: drawn from 16, 25, 36, 49, 64, 100).  The inputs are
    moved by :func:`reluflow.datasets.perturbed` (‖r_i‖ ≤ ``eps``, seed drawn), which breaks
    the symmetry that makes Example 37 violate Assumption 1(iii); the sign of 𝓜 is then
    certified exactly (negative: the inverse Gram matrix is a Z-matrix; positive: the paper's
    witness χ_2, χ_3 still has cos∠(χ_2, χ_3) > sin∠(χ_2, v*)).  The initialisation comes
    from :func:`single_neuron_inits` (``width`` — Theorem 8 needs m > 1, hence the default
    (2, 4) — ``lam``, ``j_minus``, ``idle``, ``margin``).

    >>> from hypothesis import Phase, find, settings
    >>> from reluflow.theory.single_neuron_assumptions import data_conditions
    >>> quick = settings(database=None, phases=[Phase.generate])  # no shrinking: any valid draw
    >>> p = find(example37_problems(family="positive"), lambda p: True, settings=quick)
    >>> p.d, p.n, p.data.teacher, all(data_conditions(p.data).values())
    (3, 3, (Fraction(4, 5), Fraction(0, 1), Fraction(3, 5)), True)
    >>> example37_problems(family="negative", d=5)
    Traceback (most recent call last):
        ...
    hypothesis.errors.InvalidArgument: d=5 is invalid for family='negative': d: must be a perfect square (4, 9, 16, …) so that v* = s/√d is exact; got d = 5
    """
    if family not in _E37_FAMILIES:
        raise InvalidArgument(f"family={family!r} must be 'negative' (𝓜 < 0) or 'positive' (𝓜 > 0)")
    if d is None:
        d = 4 if family == "negative" else 3
    builder = example37_negative if family == "negative" else example37_positive
    shape, name = ("xi", xi) if family == "negative" else ("b", b)
    other = b if family == "negative" else xi
    if other is not None:
        raise InvalidArgument(
            f"{'b' if family == 'negative' else 'xi'}={other!r} does not apply to family={family!r} (use {shape}=…)"
        )

    def build(value):
        return builder(d, value, lam="1", width=1, seed=0)

    try:
        build(_E37_XI[0] if family == "negative" else _E37_B[0])
    except ProblemError as exc:
        raise InvalidArgument(f"d={d!r} is invalid for family={family!r}: {exc}") from None
    if name is None:
        values = []
        for v in _E37_XI if family == "negative" else _E37_B:
            try:
                build(v)
            except ProblemError:
                continue
            values.append(v)
    else:
        try:
            build(name)
        except ProblemError as exc:
            raise InvalidArgument(f"{shape}={name!r} is invalid for family={family!r}: {exc}") from None
        values = [name]
    e = _number(eps, "eps")
    if e <= 0:
        raise InvalidArgument(f"eps={eps!r} must be > 0 (the size of the perturbation of each input)")
    _init_options(width, lam, j_minus, idle, margin)

    @st.composite
    def problems(draw) -> Problem:
        base = build(draw(st.sampled_from(values)))
        try:
            data = perturbed(base, e, draw(st.integers(0, 2**32 - 1))).data
        except ProblemError:  # ε too large for an angle: another seed may do
            assume(False)
        assume(_all_hold(data_conditions(data)) and _m_sign_certified(data, family))
        init = draw(single_neuron_inits(data, width=width, lam=lam, j_minus=j_minus, idle=idle, margin=margin))
        return Problem(data, init)

    return problems()


# ============================================================================= general data
#
# Outside both papers' assumptions: any correlation, n > d, repeated or parallel inputs,
# labels of both signs.  Here the flow slides (issue 15): the engine must still end every
# run with a normal status.


def general_problems(
    *,
    min_n: int = 2,
    max_n: int = 5,
    min_d: int = 1,
    max_d: int = 5,
    min_width: int = 1,
    max_width: int = 6,
    lam: Any = "1e-3",
    den: int = 4,
) -> st.SearchStrategy[Problem]:
    """Problems on generic data: n ∈ [min_n, max_n] inputs in R^d, d ∈ [min_d, max_d]
    drawn independently (so n > d happens), entries k/den with |k| ≤ 2·den (any
    correlation; equal or parallel rows allowed, zero rows redrawn), labels k/den of
    either sign, and m ∈ [min_width, max_width] neurons with directions of the same kind
    and random signs, at scale ``lam``.

    >>> from hypothesis import find
    >>> p = find(general_problems(min_n=3, max_n=3, min_d=2, max_d=2), lambda p: p.m >= 2)
    >>> (p.n, p.d, p.m)
    (3, 2, 2)
    """
    min_n, max_n = _check_int_range((min_n, max_n), "min_n/max_n", what="the number of inputs")
    min_d, max_d = _check_int_range((min_d, max_d), "min_d/max_d", what="the input dimension")
    if min_n < 1 or min_d < 1:
        raise InvalidArgument(f"min_n={min_n}, min_d={min_d}: a dataset needs at least one input of dimension ≥ 1")
    min_width, max_width = _check_widths(min_width, max_width)
    lam_q = _check_lam(lam)
    den = _check_int(den, "den", at_least=1, what="the denominator of the entries")
    entry = st.integers(-2 * den, 2 * den).map(lambda k: Fraction(k, den))

    def rows(d: int, count: tuple[int, int]) -> st.SearchStrategy:
        row = st.lists(entry, min_size=d, max_size=d).filter(any)
        return st.lists(row, min_size=count[0], max_size=count[1])

    @st.composite
    def problems(draw) -> Problem:
        d = draw(st.integers(min_d, max_d))
        X = draw(rows(d, (min_n, max_n)))
        y = draw(st.lists(entry, min_size=len(X), max_size=len(X)))
        z = draw(rows(d, (min_width, max_width)))
        s = draw(st.lists(st.sampled_from((-1, 1)), min_size=len(z), max_size=len(z)))
        return Problem(Dataset(X, y), Init(lam_q, z, s))

    return problems()
