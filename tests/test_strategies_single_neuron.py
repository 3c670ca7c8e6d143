"""The single-neuron Hypothesis strategies (reluflow.strategies) generate what they promise:
every dataset and problem satisfies the exact data and init conditions of Assumption 1."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from reluflow import Dataset, Init, Problem
from reluflow.strategies import (
    example37_problems,
    single_neuron_datasets,
    single_neuron_inits,
    single_neuron_problems,
    teacher_vectors,
)
from reluflow.theory.single_neuron_assumptions import (
    J_sets,
    data_conditions,
    init_conditions,
)


def dot(u, v):
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def assert_data_valid(ds, max_radius=Fraction(2, 3)):
    assert isinstance(ds, Dataset) and ds.teacher is not None
    conds = data_conditions(ds)
    assert all(c.holds for c in conds.values()), {k: c.message for k, c in conds.items() if not c.holds}
    v = ds.teacher
    for x, y in zip(ds.X, ds.y):
        r = [a - b for a, b in zip(x, v)]
        assert dot(r, r) < max_radius**2
        assert y == dot(v, x) > 0
    assert all(isinstance(c, Fraction) for row in ds.X for c in row)


def assert_problem_valid(p):
    assert_data_valid(p.data)
    conds = init_conditions(p)
    assert all(c.holds for c in conds.values()), {k: c.message for k, c in conds.items() if not c.holds}


# ----------------------------------------------------------------------------- teachers


@given(st.integers(2, 6).flatmap(lambda d: st.tuples(st.just(d), teacher_vectors(d=d))))
def test_teacher_vectors_are_exact_rational_unit_vectors(case):
    d, v = case
    assert len(v) == d and all(isinstance(c, Fraction) for c in v)
    assert dot(v, v) == 1
    assert all(c.denominator <= 16 + 64 * (d - 1) for c in v)


# ----------------------------------------------------------------------------- datasets


@given(single_neuron_datasets())
def test_default_datasets_satisfy_every_data_condition(ds):
    assert 2 <= ds.d <= 4 and ds.n == ds.d
    assert_data_valid(ds)


@given(single_neuron_datasets(d=(2, 5), n=(5, 9), max_radius="0.7"))
def test_datasets_with_more_inputs_than_dimensions(ds):
    assert 2 <= ds.d <= 5 and 5 <= ds.n <= 9
    assert_data_valid(ds, Fraction(7, 10))


@given(single_neuron_datasets(d=3, max_radius="1/10"))
def test_small_radius_keeps_inputs_close_to_the_teacher(ds):
    assert ds.d == ds.n == 3
    assert_data_valid(ds, Fraction(1, 10))


# ----------------------------------------------------------------------------- inits and problems


@given(single_neuron_problems(d=(2, 4), width=(1, 5)))
def test_problems_satisfy_every_data_and_init_condition(p):
    assert 1 <= p.m <= 5 and p.init.lam == Fraction(1, 10**30)
    assert_problem_valid(p)
    J_plus, J_minus = J_sets(p)
    assert J_plus
    for j in J_minus:
        assert p.init.s[j] == -1


@given(single_neuron_problems(d=2, width=3, j_minus=False, idle=False, lam="1e-8"))
def test_only_J_plus_neurons_when_asked(p):
    assert p.m == 3 and p.init.lam == Fraction(1, 10**8)
    assert_problem_valid(p)
    assert J_sets(p) == ((0, 1, 2), ())


def test_all_three_kinds_of_neuron_are_drawn():
    seen = set()

    @settings(max_examples=80, database=None, derandomize=True)
    @given(single_neuron_problems(d=3, width=(3, 5)))
    def collect(p):
        J_plus, J_minus = J_sets(p)
        if J_minus:
            seen.add("J_minus")
        if len(J_plus) + len(J_minus) < p.m:
            seen.add("idle")
        if any(len([i for i, x in enumerate(p.data.X) if dot(z, x) < 0]) for z in (p.init.z[j] for j in J_plus)):
            seen.add("J_plus with a point to enter")

    collect()
    assert seen == {"J_minus", "idle", "J_plus with a point to enter"}


@given(st.data())
def test_inits_for_a_fixed_dataset(data):
    ds = Dataset([[1, 1], [1, 2]], teacher=["3/5", "4/5"])
    init = data.draw(single_neuron_inits(ds, width=(2, 4), margin="1/20"))
    assert isinstance(init, Init) and 2 <= len(init.z) <= 4
    p = Problem(ds, init)
    assert all(init_conditions(p).values())
    for z in init.z:
        for x in ds.X:
            u = dot(z, x)
            assert u * u >= Fraction(1, 400) * dot(z, z) * dot(x, x)


# ----------------------------------------------------------------------------- option validation


@pytest.mark.parametrize(
    "build, fragment",
    [
        (lambda: teacher_vectors(d=1), "d=1 must be an integer ≥ 2"),
        (lambda: teacher_vectors(d="3"), "d='3' must be an integer"),
        (lambda: single_neuron_datasets(d=1), "d=1 must be an integer ≥ 2"),
        (lambda: single_neuron_datasets(d=(4, 3)), "the high end 3 is below the low end 4"),
        (lambda: single_neuron_datasets(d=(2, 3, 4)), "must be an integer or a pair"),
        (lambda: single_neuron_datasets(d=(2, 4), n=3), "n=3 is below d=(2, 4)"),
        (lambda: single_neuron_datasets(max_radius="0.75"), "max_radius='0.75' must be in (0, 1/√2)"),
        (lambda: single_neuron_datasets(max_radius=0), "max_radius=0 must be in (0, 1/√2)"),
        (lambda: single_neuron_datasets(max_radius="big"), "max_radius='big' is not a number"),
        (lambda: single_neuron_problems(width=0), "width=0 must be an integer ≥ 1"),
        (lambda: single_neuron_problems(lam=0), "lam=0 must be > 0"),
        (lambda: single_neuron_problems(j_minus=1), "j_minus=1 must be True or False"),
        (lambda: single_neuron_problems(idle="yes"), "idle='yes' must be True or False"),
        (lambda: single_neuron_problems(margin=1), "margin=1 must be in [0, 1)"),
        (lambda: single_neuron_inits([[1, 0]]), "must be a reluflow.Dataset"),
        (lambda: single_neuron_inits(Dataset([[1, 0], [0, 1]], [1, 1])), "data has no teacher v*"),
    ],
)
def test_options_are_validated(build, fragment):
    with pytest.raises(InvalidArgument) as exc:
        build()
    assert fragment in str(exc.value)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        teacher_vectors(3)  # type: ignore[misc]
    with pytest.raises(TypeError):
        single_neuron_datasets(3)  # type: ignore[misc]


# ----------------------------------------------------------------------------- Example 37


def inverse_gram(X):
    import sympy as sp

    M = sp.Matrix([[sp.Rational(c.numerator, c.denominator) for c in x] for x in X])
    return M, (M * M.T).inv()


@given(example37_problems(family="negative"))
def test_example37_negative_instances_are_valid_with_M_negative(p):
    assert p.d == p.n == 4 and 2 <= p.m <= 4
    assert p.data.teacher == (Fraction(1, 2),) * 4
    assert_problem_valid_any_radius(p)
    _, H = inverse_gram(p.data.X)  # ⟨χ_k, χ_i⟩; a Z-matrix certifies 𝓜 < 0
    assert all(H[k, i] <= 0 for k in range(4) for i in range(4) if k != i)


@given(example37_problems(family="positive", d=4, eps="1e-2", width=(1, 3)))
def test_example37_positive_instances_are_valid_with_M_positive(p):
    import sympy as sp

    assert p.d == p.n == 4 and 1 <= p.m <= 3
    assert_problem_valid_any_radius(p)
    M, H = inverse_gram(p.data.X)
    chi = H * M  # rows χ_k with χ_kᵀ x_i = δ_ki
    pv, qv = chi.row(1), chi.row(2)
    v = sp.Matrix([[sp.Rational(c.numerator, c.denominator) for c in p.data.teacher]])
    cos_pq = (pv.dot(qv)) / sp.sqrt(pv.dot(pv) * qv.dot(qv))
    sin_pv = sp.sqrt(1 - pv.dot(v) ** 2 / (pv.dot(pv) * v.dot(v)))
    assert float(cos_pq - sin_pv) > 0.01  # the witness: 𝓜 ≥ cos∠(χ_2, χ_3) − sin∠(χ_2, v*) > 0


def assert_problem_valid_any_radius(p):
    for conds in (data_conditions(p.data), init_conditions(p)):
        assert all(c.holds for c in conds.values()), {k: c.message for k, c in conds.items() if not c.holds}


@pytest.mark.parametrize(
    "build, fragment",
    [
        (lambda: example37_problems(family="zero"), "family='zero' must be 'negative'"),
        (lambda: example37_problems(family="negative", d=5), "d=5 is invalid for family='negative'"),
        (lambda: example37_problems(family="positive", d=2), "d=2 is invalid for family='positive'"),
        (lambda: example37_problems(family="negative", xi="0.9"), "xi='0.9' is invalid for family='negative'"),
        (lambda: example37_problems(family="positive", b=10), "b=10 is invalid for family='positive'"),
        (lambda: example37_problems(family="positive", b=20), "b=20 is invalid for family='positive'"),
        (lambda: example37_problems(family="positive", xi="1/4"), "xi='1/4' does not apply to family='positive'"),
        (lambda: example37_problems(eps=0), "eps=0 must be > 0"),
        (lambda: example37_problems(width=0), "width=0 must be an integer ≥ 1"),
    ],
)
def test_example37_options_are_validated(build, fragment):
    with pytest.raises(InvalidArgument) as exc:
        build()
    assert fragment in str(exc.value)


@given(
    st.sampled_from(["negative", "positive"]).flatmap(
        lambda f: example37_problems(family=f, width=2).map(lambda p: (f, p))
    )
)
def test_example37_sign_of_M_agrees_with_norm_geometry(case):
    from reluflow.theory.norm_geometry import compute_M

    family, p = case
    mv = compute_M(p.data)
    assert mv.certified and mv.sign == (1 if family == "positive" else -1), (mv.sign, mv.how)
