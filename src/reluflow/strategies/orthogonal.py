"""Orthogonal-inputs instances: exactly orthogonal datasets, initialisations with or without coverage (A3), problems."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..datasets import cayley
from ..linalg import dot
from ..problem import Dataset, Init, Problem
from ._validation import (
    _COORD,
    _DEFAULT_LABELS,
    _DEFAULT_NORMS,
    _SKEW,
    _check_bool,
    _check_coverage,
    _check_int,
    _check_int_range,
    _check_lam,
    _check_margin,
    _check_range,
    _check_widths,
    _class_norms_sq,
    _grid,
    _number,
)


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


def _plan_failing(draw, layout: _Layout, margin: Fraction, classes: dict, m: int) -> tuple[list, dict]:
    """coverage=False: fail one eligible class (≥ 2 points), or both when the width allows,
    by splitting it into ≥ 2 blocks with one neuron active exactly on each; the other classes
    get an A3 witness.  Returns the planned neuron strategies and the failing classes."""
    planned: list = []
    failing: dict[int, tuple[int, ...]] = {}
    eligible = [s for s, pts in classes.items() if len(pts) >= 2]
    nonempty = [s for s, pts in classes.items() if pts]
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
        order = draw(st.permutations(pts))
        n_blocks = draw(st.integers(2, min(len(pts), 2 + budget)))
        budget -= n_blocks - 2
        cuts = sorted(
            draw(st.lists(st.integers(1, len(pts) - 1), min_size=n_blocks - 1, max_size=n_blocks - 1, unique=True))
        )
        bounds = [0, *cuts, len(pts)]
        for a, b in itertools.pairwise(bounds):
            block = tuple(order[a:b])
            rest = tuple(k for k in pts if k not in block)
            planned.append(_neuron(layout, margin, sign=s, positive=block, negative=rest))
    return planned, failing


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
            planned, failing = _plan_failing(draw, layout, margin, classes, m)
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
