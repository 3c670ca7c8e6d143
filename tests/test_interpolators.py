"""reluflow.theory.interpolators: the certified minimum-norm and rank-one interpolators against
the closed forms of both papers (R10 on orthogonal data, Theorem 8 and Example 37 on teacher
data), against exact interpolators built independently here (weak duality), and the exact
bookkeeping of the results (exact fit, exact ‖θ‖², outward rounding, errors naming the field).

Pinned regressions (first found by these tests): ``checks`` is None where its enclosures do not
decide and absent outside Theorem 8's hypotheses, and an empty rank-one set whose solve stalls
is still proven empty (a Farkas ray from its own LP)."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction

import flint
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from reluflow.datasets import example37_negative, example37_positive, sn1
from reluflow.linalg import inverse
from reluflow.problem import Dataset, ProblemError
from reluflow.strategies import (
    example37_problems,
    orthogonal_datasets,
    single_neuron_datasets,
    teacher_vectors,
)
from reluflow.theory import norm_geometry as ng
from reluflow.theory.interpolators import (
    MAX_POINTS,
    Enclosure,
    Minimum,
    interpolate,
    minimum_norm,
    rank_one_minimum,
)
from reluflow.theory.interpolators.interpolation import _interpolation

F = Fraction
SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much], deadline=None)


# ----------------------------------------------------------------------------- exact helpers (independent of the module)


def dot(u, v):
    return sum((F(a) * F(b) for a, b in zip(u, v)), F(0))


def relu(t):
    return t if t > 0 else F(0)


def outputs(a, W, X):
    """h(x_i) = Σ_j a_j σ(⟨w_j, x_i⟩) for every input, exactly."""
    return [sum((aj * relu(dot(w, x)) for aj, w in zip(a, W)), F(0)) for x in X]


def theta_sq(a, W):
    return sum((aj * aj + dot(w, w) for aj, w in zip(a, W)), F(0))


def solve_exact(A, b):
    """Some solution z of A z = b over the rationals (free unknowns 0), or None if inconsistent."""
    rows, cols = len(A), len(A[0])
    M = [[F(v) for v in row] + [F(r)] for row, r in zip(A, b)]
    pivots, r = [], 0
    for c in range(cols):
        p = next((i for i in range(r, rows) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        M[r] = [v / M[r][c] for v in M[r]]
        for i in range(rows):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [u - f * v for u, v in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
    if any(M[i][cols] != 0 for i in range(r, rows)):
        return None
    z = [F(0)] * cols
    for i, c in enumerate(pivots):
        z[c] = M[i][cols]
    return z


def balanced(a, W):
    """The same network with each neuron rescaled (a t, w/t) by a rational t ≈ √(‖w‖/|a|):
    still an exact interpolator, with ‖θ‖² close to 2Σ|a_j|‖w_j‖."""
    out_a, out_W = [], []
    for aj, w in zip(a, W):
        if aj == 0 or not any(w):
            continue
        t = max(F(math.sqrt(math.sqrt(float(dot(w, w))) / abs(float(aj)))).limit_denominator(1000), F(1, 1000))
        out_a.append(aj * t)
        out_W.append([c / t for c in w])
    return out_a, out_W


def random_interpolator(data, rnd):
    """An exact interpolator from random integer directions: the output layer solves
    σ(XWᵀ) a = y exactly (None when these directions cannot fit the labels)."""
    m = 2 * data.n + 2
    W = [[F(rnd.randint(-3, 3)) for _ in range(data.d)] for _ in range(m)]
    A = [[relu(dot(w, x)) for w in W] for x in data.X]
    a = solve_exact(A, data.y)
    return None if a is None else balanced(a, W)


def dual_basis_interpolator(data):
    """One neuron per point along its dual vector χ_k (⟨χ_k, x_i⟩ = δ_ki), a_k = y_k: exact
    whenever the inputs are linearly independent (Gram matrix invertible), else None."""
    G = inverse([[dot(u, v) for v in data.X] for u in data.X])
    if G is None:
        return None
    chi = [[sum((G[k][l] * data.X[l][c] for l in range(data.n)), F(0)) for c in range(data.d)] for k in range(data.n)]
    return balanced(list(data.y), chi)


def assert_exact_network(res, data):
    """The result's minimiser is exact, interpolates exactly and has ‖θ‖² = hi exactly."""
    assert all(isinstance(v, Fraction) for v in res.a)
    assert all(isinstance(c, Fraction) for row in res.W for c in row)
    assert len(res.a) == len(res.W) == res.neurons
    assert outputs(res.a, res.W, data.X) == list(data.y)
    assert theta_sq(res.a, res.W) == res.theta_sq.hi
    assert res.theta_sq.lo <= res.theta_sq.hi
    assert res.rank <= min(res.neurons, data.d)


def sign_directions(res):
    """{sign of a_j: the neurons' directions of that sign}: rank one means each sign's rows are
    positive multiples of one vector."""
    out = {}
    for aj, w in zip(res.a, res.W):
        out.setdefault(1 if aj > 0 else -1, []).append(w)
    return out


def positively_parallel(u, v):
    return dot(u, v) > 0 and dot(u, v) ** 2 == dot(u, u) * dot(v, v)


# ----------------------------------------------------------------------------- 1. orthogonal data: R10's closed form


AXES = Dataset([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 2, -2])
ORTHOGONAL = st.one_of(
    orthogonal_datasets(min_n=1, max_n=4, extra_dims=(0, 1), both_signs=False),
    orthogonal_datasets(min_n=5, max_n=5, extra_dims=(0, 0), both_signs=False),
    orthogonal_datasets(min_n=2, max_n=4, extra_dims=(0, 1), both_signs=True),
)


@SLOW
@given(ORTHOGONAL)
@example(AXES)
@example(Dataset([[2, 0], [0, 3]], [F(1, 2), F(3, 4)]))  # one class only: one neuron
@example(Dataset([[F(3, 5), F(4, 5)]], [-2]))  # a single point of negative label
def test_orthogonal_minimum_is_the_closed_form(data):
    assert data.is_orthogonal and data.n <= 5 and data.d <= 5 and all(data.y)
    r = interpolate(data)
    assert r.checks["closed_form_in_minimum"] is True
    assert r.checks["closed_form_in_rank_one"] is True
    assert r.minimum.certified and r.rank_one.certified and r.minimum.feasible and r.rank_one.feasible
    classes = len({v > 0 for v in data.y})
    # the minimiser puts one direction on each class (β*₊ ⟂ β*₋): rank = number of label signs ≤ 2
    assert r.minimum.rank == classes <= 2
    assert r.rank_one.rank == classes
    assert_exact_network(r.minimum, data)
    assert_exact_network(r.rank_one, data)
    # the closed form, recomputed here: 2(‖β*₊‖ + ‖β*₋‖), ‖β*±‖² = Σ_{±y_i>0} y_i²/‖x_i‖²
    parts = [sum((y * y / dot(x, x) for x, y in zip(data.X, data.y) if s * y > 0), F(0)) for s in (1, -1)]
    with flint.ctx.workprec(256):
        closed = 2 * sum((flint.arb(flint.fmpq(p.numerator, p.denominator)).sqrt() for p in parts), flint.arb(0))
        assert r.minimum.theta_sq.locate(closed) == 0
    assert r.strict_gap is False  # the rank-one network is optimal here: the enclosures overlap


# ----------------------------------------------------------------------------- 2. teacher data: Theorem 8, Example 37


@st.composite
def teacher_datasets(draw):
    """n = d ∈ {2, 3, 4}, a rational unit teacher, small integer inputs turned to the teacher's
    side (⟨v*, x_i⟩ > 0, so every label is positive), X invertible.  No angle condition, so
    both signs of 𝓜 occur often."""
    d = draw(st.integers(2, 4))
    v = draw(teacher_vectors(d=d))
    X = []
    for _ in range(d):
        x = draw(st.lists(st.integers(-3, 3), min_size=d, max_size=d))
        ip = dot(v, x)
        assume(ip != 0)
        X.append(x if ip > 0 else [-c for c in x])
    assume(inverse(X) is not None)
    return Dataset(X, teacher=v)


def check_theorem8(data):
    assert data.n == data.d and inverse(data.X) is not None and min(data.y) > 0
    r = interpolate(data)
    two_v = 4 * dot(data.teacher, data.teacher)  # (2‖v*‖)²
    sign = ng.dual_certificate(data).sign
    assert r.M_sign == sign
    assert r.minimum.certified and r.rank_one.certified
    assert_exact_network(r.minimum, data)
    # rank one: every label is positive, so v₊ is active everywhere and c v₊ = v* (X invertible): 2‖v*‖
    assert r.rank_one.theta_sq.locate_sqrt(two_v) == 0 and r.rank_one.rank == 1
    assert r.rank_one.neurons == 1 and r.rank_one.a[0] > 0 and positively_parallel(r.rank_one.W[0], data.teacher)
    if sign != 0:
        assert r.checks["theorem8"] is True
    if sign < 0:
        assert r.minimum.theta_sq.locate_sqrt(two_v) == 0  # min = 2‖v*‖
        assert r.strict_gap is False
    if sign > 0:
        assert r.minimum.theta_sq.locate_sqrt(two_v) == 1  # min < 2‖v*‖, certified
        assert r.checks["below_counterexample"] is True
        assert r.minimum.theta_sq.hi <= ng.counterexample(data).exact_theta_sq
        assert r.strict_gap is True and r.to_dict()["strictly_below_rank_one"] is True
        assert r.minimum.rank >= 2  # Theorem 8(ii): the minimiser is not rank one
    return r


@SLOW
@given(teacher_datasets())
@example(example37_positive(d=3, b=16).data)
@example(example37_negative(d=4, xi="1/4").data)
@example(sn1().data)
@example(Dataset([[1, 0], [-1, 1]], teacher=[F(3, 5), F(4, 5)]))  # 𝓜 > 0 in d = 2
def test_theorem8_agrees_with_the_sign_of_M(data):
    check_theorem8(data)


@settings(SLOW, max_examples=max(4, settings.default.max_examples // 4))
@given(single_neuron_datasets(d=(2, 4)))
def test_theorem8_on_datasets_satisfying_assumption_1(data):
    check_theorem8(data)


@settings(SLOW, max_examples=max(4, settings.default.max_examples // 5))
@given(st.sampled_from(["negative", "positive"]).flatmap(lambda fam: example37_problems(family=fam, width=2)))
def test_theorem8_on_perturbed_example37(problem):
    r = check_theorem8(problem.data)
    assert r.M_sign in (1, -1)  # the strategy certifies the family's sign


@pytest.mark.parametrize("xi", ["1/8", "1/4", "3/8", "1/2"])
def test_example37_negative_minimum_is_two(xi):
    data = example37_negative(d=4, xi=xi).data
    r = interpolate(data)
    assert r.M_sign == -1 and r.checks == {"theorem8": True}
    assert r.minimum.certified and r.minimum.theta_sq.locate(2) == 0
    assert r.rank_one.theta_sq.locate(2) == 0
    assert_exact_network(r.minimum, data)


@pytest.mark.parametrize("b", [16, 25, "121/4"])
@pytest.mark.parametrize("d", [3, 4, 5])
def test_example37_positive_minimum_is_below_two(d, b):
    data = example37_positive(d=d, b=b).data
    r = interpolate(data)
    assert r.M_sign == 1 and r.checks == {"theorem8": True, "below_counterexample": True}
    m = r.minimum
    assert m.certified and m.theta_sq.hi < 2 and m.rank >= 2
    assert r.rank_one.certified and r.rank_one.theta_sq.locate(2) == 0
    assert r.strict_gap is True
    assert m.theta_sq.hi <= r.counterexample_theta_sq < 2
    assert_exact_network(m, data)


# ----------------------------------------------------------------------------- 3. general data: exactness and weak duality


@st.composite
def small_datasets(draw):
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    X = [draw(st.lists(st.integers(-2, 2), min_size=d, max_size=d)) for _ in range(n)]
    y = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    try:
        data = Dataset(X, y)
    except ProblemError:
        assume(False)
    return data


# x₁ = −x₄, both with label 2: no single direction v₊ is active on both, so the rank-one set is
# empty; Clarabel proves 511 of its 512 programs infeasible and stalls on one (InsufficientProgress)
STALLED = Dataset([[0, -2, 0], [0, -2, 2], [0, 0, 2], [0, 2, 0], [2, 0, 2], [2, 1, 0]], [2, 0, 0, 2, -1, 0])
RANK_ONE_EMPTY = Dataset([[1, 0], [0, 1], [1, 1]], [1, 1, 3])  # h(x₃) = h(x₁) + h(x₂) for one active direction


@SLOW
@given(small_datasets(), st.randoms(use_true_random=False))
@example(RANK_ONE_EMPTY, random.Random(0))
@example(Dataset([[1, 0], [0, 2]], [1, -1]), random.Random(1))
@example(Dataset([[1, 1], [-2, -2], [1, -1]], [1, 3, 0]), random.Random(2))  # x and −x: any labels
@example(Dataset([[1, 0], [2, 0], [0, 1]], [1, 2, -1]), random.Random(3))  # proportional labels
@example(STALLED, random.Random(4))
def test_minimiser_is_exact_and_below_every_interpolator(data, rnd):
    try:
        m = minimum_norm(data)
    except ProblemError as exc:  # positive multiples with non-proportional labels: nothing interpolates
        assert exc.field == "data.y"
        assume(False)
    r = rank_one_minimum(data)
    assert m.feasible and m.certified
    assert_exact_network(m, data)
    if not any(data.y):
        assert m.theta_sq == Enclosure(F(0), F(0)) and m.neurons == 0
    if r.feasible and r.theta_sq.hi is None:  # not proven empty, none restored (a solver stall): a lower bound only
        assert not r.certified and r.a == () and r.theta_sq.lo >= 0
    elif r.feasible:
        assert r.certified
        assert_exact_network(r, data)
        assert r.theta_sq.hi >= m.theta_sq.lo  # the rank-one set is a subset: its minimum is not below
        assert r.rank <= 2
        for rows in sign_directions(r).values():  # one direction per label sign
            assert all(positively_parallel(rows[0], w) for w in rows[1:])
        signs = {1 if a > 0 else -1 for a in r.a}
        assert signs <= {1 if v > 0 else -1 for v in data.y if v}
    else:
        assert r.theta_sq is None and r.a == () and r.certified
    # weak duality: every exact interpolator built here has ‖θ‖² ≥ the proven lower bound
    built = [dual_basis_interpolator(data)] + [random_interpolator(data, rnd) for _ in range(3)]
    for net in built:
        if net is None:
            continue
        a, W = net
        assert outputs(a, W, data.X) == list(data.y)
        assert theta_sq(a, W) >= m.theta_sq.lo
    # and so does the minimiser rescaled off balance (a t, w/t)
    if m.neurons:
        t = F(3, 2)
        assert theta_sq([v * t for v in m.a], [[c / t for c in w] for w in m.W]) >= m.theta_sq.hi


# ----------------------------------------------------------------------------- 4. a proven-empty rank-one set


def test_rank_one_set_can_be_proven_empty():
    # three positive labels: v₊ is active on all three points, so h is linear there and
    # h(x₁ + x₂) = h(x₁) + h(x₂) = 2 ≠ 3.  Networks of any width fit (a negative neuron on
    # x₁ − x₂ and one on x₂ − x₁ take the excess off x₁ and x₂ only).
    r = rank_one_minimum(RANK_ONE_EMPTY)
    assert r.feasible is False and r.theta_sq is None and r.certified is True
    assert (r.a, r.W, r.rank, r.neurons) == ((), (), 0, 0)
    assert r.programs == 1  # all labels positive, so P = [n]: one program, proven empty by a Farkas ray
    m = minimum_norm(RANK_ONE_EMPTY)
    assert m.feasible and m.certified and (m.neurons, m.rank) == (3, 2)
    # u₊ = (3/2)(1, 1) and u₋ = (1/2)(±1, ∓1): ‖θ‖² = 2(3/√2 + 1/√2 + 1/√2) = 5√2
    assert m.theta_sq.locate_sqrt(50) == 0
    assert_exact_network(m, RANK_ONE_EMPTY)
    both = interpolate(RANK_ONE_EMPTY)
    assert both.strict_gap is True and both.checks == {}
    d = both.to_dict()
    assert d["rank_one_feasible"] is False and d["rank_one_min_theta_sq"] is None
    assert d["rank_one"]["theta_sq"] is None


def test_a_stalled_program_never_claims_an_upper_bound():
    r = rank_one_minimum(STALLED)
    assert r.programs == 512
    # sound either way: proven empty, or only a (valid, if loose) lower bound and not certified
    assert r.theta_sq is None or (r.theta_sq.hi is None and not r.certified and r.a == ())
    both = interpolate(STALLED)
    assert both.minimum.certified and both.strict_gap in (True, None)


def test_rank_one_set_with_x_and_minus_x_both_positive_is_proven_empty():
    assert rank_one_minimum(STALLED).feasible is False


# ----------------------------------------------------------------------------- 5. zero labels, errors


def test_all_zero_labels_give_the_empty_network():
    data = Dataset([[1, 0], [1, 1], [0, -1]], [0, 0, 0])
    for res in (minimum_norm(data), rank_one_minimum(data)):
        assert res.theta_sq == Enclosure(F(0), F(0))
        assert (res.a, res.W, res.rank, res.neurons) == ((), (), 0, 0)
        assert res.certified and res.feasible
    r = interpolate(data)
    assert r.checks == {} and r.strict_gap is False


def _many_points():
    return Dataset([[k, 1] for k in range(1, MAX_POINTS + 2)], [1] * (MAX_POINTS + 1))


@pytest.mark.parametrize("fn", [minimum_norm, rank_one_minimum, interpolate])
@pytest.mark.parametrize(
    "make,field",
    [
        (_many_points, "data.X"),
        (lambda: Dataset([[1, 1], [2, 2]], [1, 3]), "data.y"),
        (lambda: Dataset([[1, 0, 2], [1, 1, 1], [F(1, 2), 0, 1]], [2, 1, 2]), "data.y"),  # x₃ = x₁/2, y₃ ≠ y₁/2
        (lambda: [[1, 0], [0, 1]], "data"),
        (lambda: None, "data"),
        (lambda: example37_positive(), "data"),  # a Problem, not a Dataset
    ],
)
def test_errors_name_the_field(fn, make, field):
    with pytest.raises(ProblemError) as exc:
        fn(make())
    assert exc.value.field == field


def test_positive_multiples_with_proportional_labels_are_accepted():
    # positive multiples with proportional labels, and negative multiples with any labels, are fine
    data = Dataset([[1, 1], [2, 2], [-1, -1]], [1, 2, 5])
    m = minimum_norm(data)
    assert m.certified and m.theta_sq.locate_sqrt(72) == 0  # 2(1/√2 + 5/√2) = 6√2
    assert_exact_network(m, data)


# ----------------------------------------------------------------------------- 6. Enclosure


@given(st.fractions(), st.fractions(min_value=0), st.integers(1, 30))
def test_to_dict_rounds_outwards(lo, extra, digits):
    hi = lo + extra
    e = Enclosure(lo, hi)
    out = e.to_dict(digits)
    flo, fhi = F(Decimal(out["lo"])), F(Decimal(out["hi"]))
    assert flo <= lo and fhi >= hi
    ulp = F(10) ** (1 - digits)
    assert lo - flo <= abs(lo) * ulp and fhi - hi <= abs(hi) * ulp  # and by less than one unit in the last digit
    assert len(Decimal(out["lo"]).as_tuple().digits) <= digits
    assert e.width == extra


def test_to_dict_hand_values():
    assert Enclosure(F(1, 3), F(2, 3)).to_dict(5) == {"lo": "0.33333", "hi": "0.66667"}
    assert Enclosure(F(2), F(2)).to_dict() == {"lo": "2", "hi": "2"}
    assert Enclosure(F(-1, 3), None).to_dict(3) == {"lo": "-0.334", "hi": "inf"}
    assert Enclosure(F(1), None).width is None
    m = minimum_norm(AXES)
    d = m.to_dict(8)
    assert d["theta_sq"] == m.theta_sq.to_dict(8) == {"lo": "8.4721359", "hi": "8.4721360"}
    assert [F(s) for s in d["minimiser"]["exact_a"]] == list(m.a)
    assert d["rank"] == m.rank == 2 and d["certified"] is True and d["feasible"] is True


def test_locate_and_locate_sqrt():
    e = Enclosure(F(1), F(2))
    assert [e.locate(v) for v in (F(1, 2), 1, F(3, 2), "2", 3, 0.999)] == [-1, 0, 0, 0, 1, -1]
    with flint.ctx.workprec(128):
        assert e.locate(flint.arb(3) / 2) == 0
        assert e.locate(flint.arb("0.5")) == -1
        assert e.locate(flint.arb(3)) == 1
        assert e.locate(flint.arb(2).sqrt()) == 0  # an irrational ball strictly inside
        assert e.locate(flint.arb(1, 0.1)) is None  # a ball straddling lo
        assert e.locate(flint.arb(2, 0.25)) is None  # a ball straddling hi
    # √q against [lo, hi], decided exactly by squaring
    assert [e.locate_sqrt(q) for q in (F(1, 4), F(99, 100), 1, 2, 4, F(401, 100), 5)] == [-1, -1, 0, 0, 0, 1, 1]
    open_top = Enclosure(F(1), None)
    assert open_top.locate(10**9) == 0 and open_top.locate(F(1, 2)) == -1 and open_top.locate_sqrt(10**9) == 0
    with flint.ctx.workprec(128):
        assert open_top.locate(flint.arb(7)) == 0 and open_top.locate(flint.arb(1, 0.5)) is None
    zero = Enclosure(F(0), F(0))
    assert zero.locate_sqrt(0) == 0 and zero.locate_sqrt(F(1, 10**30)) == 1 and zero.locate(0) == 0


# ----------------------------------------------------------------------------- 7. tightness


@pytest.mark.parametrize(
    "data,closed",
    [
        (AXES, 2 * (math.sqrt(5) + 2)),
        (Dataset([[2, 0, 0], [0, 3, 0], [0, 0, 1]], [1, -2, 3]), 2 * (math.sqrt(F(1, 4) + 9) + F(2, 3))),
        (Dataset([[F(3, 5), F(4, 5), 0], [F(-4, 5), F(3, 5), 0], [0, 0, 2]], [1, 1, 1]), 2 * math.sqrt(2 + F(1, 4))),
    ],
)
def test_orthogonal_enclosures_are_tight(data, closed):
    r = interpolate(data)
    for res in (r.minimum, r.rank_one):
        e = res.theta_sq
        assert e.width / e.hi < F(1, 10**9)
        assert abs(float(e.hi) - closed) < 1e-9 * closed
    assert r.checks == {"closed_form_in_minimum": True, "closed_form_in_rank_one": True}


# ----------------------------------------------------------------------------- ``checks`` when undecided (pinned)


def _with_enclosure(data, enclosure):
    """``interpolate``'s theory checks for given minimum enclosures (no solver: deterministic)."""
    m = Minimum(enclosure, (), (), 0, False, True, 1, 2, 1e-6)
    with flint.ctx.workprec(256):
        return _interpolation(data, m, m)


@pytest.mark.parametrize("enclosure", [Enclosure(F(19, 10), None), Enclosure(F(199, 100), F(201, 100))])
def test_theorem8_is_undecided_when_the_enclosure_contains_the_bound(enclosure):
    # public route to the first case: interpolate(example37_positive(3, "100/9").data, tol=1e-3) restores no
    # interpolator (theta_sq.hi is None, lo ≈ 1.998) and reports checks["theorem8"] = False
    r = _with_enclosure(example37_positive().data, enclosure)
    assert r.checks["theorem8"] is None


def test_below_counterexample_is_undecided_when_the_enclosure_contains_it():
    data = example37_positive().data
    cex = ng.counterexample(data).exact_theta_sq  # ≈ 1.98391
    r = _with_enclosure(data, Enclosure(F(19, 10), cex + F(1, 10**6)))
    assert r.checks["theorem8"] is True
    assert r.checks["below_counterexample"] is not False


@pytest.mark.parametrize(
    "X,teacher",
    [
        ([[-1, 0], [0, -1]], [F(3, 5), F(4, 5)]),  # all labels 0: min 0, 𝓜 < 0 → theorem8 False
        ([[1, 2], [1, -1]], [F(3, 5), F(-4, 5)]),  # y = (0, 7/5): min ≈ 1.9799 < 2, 𝓜 < 0 → theorem8 False
    ],
)
def test_theorem8_is_not_checked_outside_its_hypotheses(X, teacher):
    r = interpolate(Dataset(X, teacher=teacher))
    assert r.checks.get("theorem8") is not False
