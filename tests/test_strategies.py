"""The public Hypothesis strategies (reluflow.strategies) generate what they promise."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from reluflow import Dataset, Init, Problem
from reluflow.datasets import cayley
from reluflow.strategies import inits, orthogonal_datasets, orthogonal_problems, rates_separated
from reluflow.theory.orthogonal import predict


def dot(u, v):
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def on_grid(v, lo, hi):
    return lo <= v <= hi and (v in (lo, hi) or (4 * v).denominator == 1)


def class_points(ds, s):
    return [k for k, v in enumerate(ds.y) if s * v > 0]


def assert_generic(problem, margin):
    for z in problem.init.z:
        for x in problem.data.X:
            u = dot(z, x)
            assert u != 0
            assert u * u >= margin**2 * dot(z, z) * dot(x, x)


# ----------------------------------------------------------------------------- datasets


@given(orthogonal_datasets(min_n=1, max_n=5, extra_dims=(0, 2), both_signs=False))
def test_datasets_are_exactly_orthogonal_with_norms_and_labels_in_range(ds):
    assert isinstance(ds, Dataset)
    assert 1 <= ds.n <= 5 and ds.n <= ds.d <= ds.n + 2
    assert ds.is_orthogonal
    assert all(isinstance(c, Fraction) for row in ds.X for c in row)
    for x, y in zip(ds.X, ds.y):
        nx = dot(x, x)
        c = Fraction(int(nx.numerator**0.5 + 0.5), int(nx.denominator**0.5 + 0.5))
        assert c * c == nx  # ‖x_k‖ is exactly rational
        assert on_grid(c, Fraction(1, 2), Fraction(2))
        assert on_grid(abs(y), Fraction(1, 2), Fraction(2))


@given(orthogonal_datasets(orthonormal=True, labels=("0.3", 3)))
def test_orthonormal_datasets_and_label_ranges(ds):
    assert ds.is_orthogonal
    assert all(dot(x, x) == 1 for x in ds.X)
    assert all(on_grid(abs(y), Fraction(3, 10), Fraction(3)) for y in ds.y)


@given(orthogonal_datasets(min_n=2, max_n=4, norms=(1, "1.5")))
def test_both_signs_are_present(ds):
    assert class_points(ds, 1) and class_points(ds, -1)
    assert all(Fraction(1) <= dot(x, x) <= Fraction(9, 4) for x in ds.X)


@given(orthogonal_datasets(min_rate_ratio="1.25"))
def test_min_rate_ratio_is_respected(ds):
    plus = sum(y * y * dot(x, x) for x, y in zip(ds.X, ds.y) if y > 0)
    minus = sum(y * y * dot(x, x) for x, y in zip(ds.X, ds.y) if y < 0)
    r2 = Fraction(25, 16)
    assert plus > r2 * minus or minus > r2 * plus
    assert rates_separated(ds, "1.25")


@given(st.lists(st.integers(-4, 4), min_size=10, max_size=10))
def test_cayley_transform_is_exactly_orthogonal(entries):
    it = iter(entries)
    A = [[Fraction(0)] * 5 for _ in range(5)]
    for i in range(5):
        for j in range(i + 1, 5):
            A[i][j] = Fraction(next(it), 4)
            A[j][i] = -A[i][j]
    Q = cayley(A)
    assert all(dot(Q[i], Q[j]) == (1 if i == j else 0) for i in range(5) for j in range(5))


def test_cayley_rejects_a_non_skew_matrix():
    with pytest.raises(ValueError, match="skew"):
        cayley([[0, 1], [1, 0]])


# ----------------------------------------------------------------------------- initialisations


@given(orthogonal_problems(coverage=True, max_n=4, extra_dims=(0, 2)))
def test_coverage_true_satisfies_A3(problem):
    assert isinstance(problem, Problem) and isinstance(problem.init, Init)
    assert problem.m <= 6
    assert_generic(problem, Fraction(1, 1000))
    pr = predict(problem, dps=15)
    assert pr.assumptions["A3"] and pr.assumptions["covered"]
    # independently: a neuron of each class's sign active on the whole class
    for s in (1, -1):
        pts = class_points(problem.data, s)
        if pts:
            assert any(
                sj == s and all(dot(z, problem.data.X[k]) > 0 for k in pts)
                for z, sj in zip(problem.init.z, problem.init.s)
            )


@given(orthogonal_problems(coverage=False, max_n=5, max_width=5))
def test_coverage_false_breaks_A3_but_keeps_every_point(problem):
    X, y = problem.data.X, problem.data.y
    assert_generic(problem, Fraction(1, 1000))
    pr = predict(problem, dps=15)
    assert not pr.assumptions["A3"]
    assert pr.assumptions["covered"]
    for k in range(problem.n):  # independently: some correct-sign neuron is active on x_k
        assert any(sj * y[k] > 0 and dot(z, X[k]) > 0 for z, sj in zip(problem.init.z, problem.init.s))
    failing = [
        s
        for s in (1, -1)
        if class_points(problem.data, s)
        and not any(
            sj == s and all(dot(z, X[k]) > 0 for k in class_points(problem.data, s))
            for z, sj in zip(problem.init.z, problem.init.s)
        )
    ]
    assert failing and all(len(class_points(problem.data, s)) >= 2 for s in failing)


@given(orthogonal_problems(coverage=None, min_width=2, max_width=3, margin="0.2", lam="1e-5"))
def test_unconstrained_inits_respect_width_margin_and_lambda(problem):
    assert 2 <= problem.m <= 3
    assert problem.init.lam == Fraction(1, 10**5)
    assert set(problem.init.s) <= {1, -1}
    assert_generic(problem, Fraction(1, 5))


@given(st.data())
def test_inits_for_a_fixed_dataset(data):
    ds = Dataset([[2, 0, 0], [0, 0, 3], [0, 1, 0]], [1, 1, "-0.5"])
    init = data.draw(inits(ds, min_width=3, max_width=4, coverage=False))
    pr = predict(Problem(ds, init), dps=15)
    assert 3 <= len(init.z) <= 4
    assert not pr.assumptions["A3"] and pr.assumptions["covered"]
    assert pr.minus.full and not pr.plus.full  # only the two-point class can fail


@given(st.data())
def test_inits_for_irrational_norms(data):
    ds = Dataset([[1, 1, 0], [1, -1, 0]], [1, -2])  # ‖x_k‖ = √2
    init = data.draw(inits(ds, coverage=True, margin="0.1"))
    problem = Problem(ds, init)
    assert_generic(problem, Fraction(1, 10))
    assert predict(problem, dps=15).assumptions["A3"]


# ----------------------------------------------------------------------------- validation

ORTH = Dataset([[1, 0], [0, 1]], [1, -1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"min_n": 0}, "min_n"),
        ({"min_n": 1.5}, "min_n"),
        ({"min_n": True}, "min_n"),
        ({"min_n": 3, "max_n": 2}, "max_n"),
        ({"min_n": 1}, "both_signs"),
        ({"norms": (0, 1)}, "norms"),
        ({"norms": (2, 1)}, "norms"),
        ({"norms": (-1, 1)}, "norms"),
        ({"norms": 1}, "norms"),
        ({"norms": ("a", 1)}, "norms"),
        ({"labels": (1, "1/2")}, "labels"),
        ({"labels": (0, 2)}, "labels"),
        ({"extra_dims": (2, 1)}, "extra_dims"),
        ({"extra_dims": (-1, 1)}, "extra_dims"),
        ({"orthonormal": True, "norms": (1, 2)}, "norms"),
        ({"orthonormal": 1}, "orthonormal"),
        ({"both_signs": "yes"}, "both_signs"),
        ({"min_rate_ratio": "0.5"}, "min_rate_ratio"),
        ({"min_rate_ratio": "x"}, "min_rate_ratio"),
    ],
)
def test_invalid_dataset_options(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        orthogonal_datasets(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"coverage": "yes"}, "coverage"),
        ({"coverage": 1}, "coverage"),
        ({"min_width": 0}, "min_width"),
        ({"min_width": 4, "max_width": 3}, "max_width"),
        ({"lam": 0}, "lam"),
        ({"lam": "-1e-30"}, "lam"),
        ({"lam": "tiny"}, "lam"),
        ({"margin": -1}, "margin"),
        ({"margin": 1}, "margin"),
        ({"margin": "0.8"}, "margin"),  # ≥ 1/√2: impossible for two points
        ({"coverage": True, "max_width": 1}, "max_width"),
        ({"coverage": False}, "coverage=False"),  # both classes have one point
    ],
)
def test_invalid_init_options(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        inits(ORTH, **kwargs)


def test_inits_need_an_orthogonal_dataset():
    with pytest.raises(InvalidArgument, match="orthogonal"):
        inits(Dataset([[1, 0], [1, 1]], [1, -1]))
    with pytest.raises(InvalidArgument, match="dataset"):
        inits([[1, 0], [0, 1]])
    with pytest.raises(InvalidArgument, match="max_width"):
        inits(Dataset([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 1, -1]), coverage=False, max_width=2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"coverage": None, "max_n": 0}, "max_n"),
        ({"coverage": False, "max_n": 2}, "max_n"),
        ({"coverage": False, "max_width": 2}, "max_width"),
        ({"coverage": True, "max_width": 1}, "max_width"),
        ({"coverage": "both"}, "coverage"),
        ({"margin": "0.6"}, "margin"),
        ({"lam": 0}, "lam"),
    ],
)
def test_invalid_problem_options(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        orthogonal_problems(**kwargs)
