"""Exact Assumption 1 checks of the single-neuron paper (reluflow.theory.single_neuron_assumptions):
each condition holds on valid hand-made instances and fails, naming the field, on a crafted
violation; the algebra (characteristic polynomial, squarefreeness, Krylov rank) agrees with SymPy."""

from fractions import Fraction as F

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from reluflow import Dataset, Init, Problem, ProblemError
from reluflow.datasets import cayley
from reluflow.theory.single_neuron_assumptions import (
    Condition,
    J_sets,
    data_conditions,
    gamma,
    init_conditions,
    sigma_matrix,
)

DATA_KEYS = [
    "i_dimension",
    "i_span",
    "i_unit_teacher",
    "teacher_angles",
    "iii_distinct_directions",
    "iii_distinct_eigenvalues",
    "iii_teacher_generic",
]
INIT_KEYS = ["ii_J_plus_nonempty", "ii_no_zero_preactivation", "ii_J_minus_off_gamma"]

V2 = (F(3, 5), F(4, 5))
V3 = (F(2, 3), F(1, 3), F(2, 3))


def shifted(v, rs):
    return [[a + b for a, b in zip(v, r)] for r in rs]


def valid2() -> Dataset:
    return Dataset([[1, 1], [1, 2]], teacher=V2)


def valid3() -> Dataset:
    return Dataset(shifted(V3, [(F(1, 4), 0, 0), (0, F(1, 3), 0), (0, 0, F(1, 2)), (F(-1, 5), F(1, 7), 0)]), teacher=V3)


def failing(conds) -> list[str]:
    return [k for k, c in conds.items() if not c.holds]


def dot(u, v):
    return sum((a * b for a, b in zip(u, v)), F(0))


# ----------------------------------------------------------------------------- valid instances


@pytest.mark.parametrize("data", [valid2(), valid3()], ids=["d2", "d3n4"])
def test_valid_data_satisfy_every_condition_in_order(data):
    conds = data_conditions(data)
    assert list(conds) == DATA_KEYS
    assert all(isinstance(c, Condition) and c.holds and bool(c) for c in conds.values())
    assert all(c.message for c in conds.values())


def test_valid_init_satisfies_every_condition_in_order():
    # z_0 ∈ J_+, z_1 ∈ J_− (off γ), z_2 never moves (both inputs inactive)
    p = Problem(valid2(), Init("1e-20", [[1, 0], [-1, 2], [-1, -1]], [1, -1, 1]))
    conds = init_conditions(p)
    assert list(conds) == INIT_KEYS
    assert all(c.holds for c in conds.values()), conds
    assert J_sets(p) == ((0,), (1,))


def test_condition_is_frozen():
    c = Condition(True, "ok")
    with pytest.raises(AttributeError):
        c.holds = False  # type: ignore[misc]


# ----------------------------------------------------------------------------- data violations


def test_missing_teacher_raises_naming_the_field():
    with pytest.raises(ProblemError) as exc:
        data_conditions(Dataset([[1, 0], [0, 1]], [1, 1]))
    assert exc.value.field == "data.teacher"


def test_dimension_one():
    conds = data_conditions(Dataset([[2]], teacher=[1]))
    assert failing(conds) == ["i_dimension"]
    assert conds["i_dimension"].message.startswith("data.X: ")
    assert "d = 1" in conds["i_dimension"].message


def test_rank_deficient_inputs():
    v = (F(0), F(0), F(1))
    conds = data_conditions(Dataset(shifted(v, [(F(1, 4), 0, 0), (F(1, 2), 0, 0), (F(-1, 4), 0, 0)]), teacher=v))
    assert "i_span" in failing(conds)
    msg = conds["i_span"].message
    assert msg.startswith("data.X: ") and "rank 2 < d = 3" in msg


def test_fewer_inputs_than_dimensions():
    conds = data_conditions(Dataset(shifted(V3, [(F(1, 4), 0, 0), (0, F(1, 4), 0)]), teacher=V3))
    assert "i_span" in failing(conds)
    assert "n = 2 < d = 3" in conds["i_span"].message


def test_non_unit_teacher():
    conds = data_conditions(Dataset([[1, 1], [1, 2]], teacher=[3, 4]))
    assert failing(conds) == ["i_unit_teacher"]
    assert conds["i_unit_teacher"].message.startswith("data.teacher: ‖v*‖² = 25")


@pytest.mark.parametrize(
    "x, why",
    [
        ([1, 0], "(cos²∠ = 9/25 ≤ 1/2)"),  # ∠ ≈ 53°
        ([-1, 1], "(cos²∠ = 1/50 ≤ 1/2)"),  # ⟨v*, x⟩ = 1/5 > 0, ∠ ≈ 82°
        ([4, -3], "(⟨v*, x_1⟩ = 0 ≤ 0)"),  # orthogonal to v*: label 0
        ([-1, -1], "(⟨v*, x_1⟩ = -7/5 ≤ 0)"),  # behind the teacher: label 0
    ],
)
def test_teacher_angle_at_least_pi_over_4(x, why):
    conds = data_conditions(Dataset([[1, 1], x], teacher=V2))
    assert "teacher_angles" in failing(conds)
    msg = conds["teacher_angles"].message
    assert msg.startswith("data.X[1]: ∠(v*, x_1) ≥ π/4 " + why)


def test_teacher_angle_exactly_pi_over_4_fails():
    # v* = e_1, x_1 = (1, 1): cos²∠ = 1/2 exactly, so ∠ = π/4 is not < π/4
    conds = data_conditions(Dataset([[2, 1], [1, 1]], teacher=[1, 0]))
    assert failing(conds) == ["teacher_angles"]
    assert conds["teacher_angles"].message.startswith("data.X[1]: ")
    assert "cos²∠ = 1/2 ≤ 1/2" in conds["teacher_angles"].message


def test_several_bad_angles_are_all_named():
    X = [[1, 1], [1, 0], [-1, 2], [2, 1], [1, -1]]
    msg = data_conditions(Dataset(X, teacher=V2))["teacher_angles"].message
    for i in (1, 2, 4):
        assert f"data.X[{i}]" in msg
    assert "data.X[0]" not in msg and "data.X[3]" not in msg


def test_positively_parallel_inputs():
    conds = data_conditions(Dataset([[1, 1], [1, 2], [2, 2]], teacher=V2))
    assert failing(conds) == ["iii_distinct_directions"]
    msg = conds["iii_distinct_directions"].message
    assert msg.startswith("data.X[2]: x̄_2 = x̄_0")


def test_example37_negative_family_repeats_an_eigenvalue_and_teacher_is_an_eigenvector():
    # spec §3.6: x_i = ξ e_i + (1 − ξ)/d s, v* = s/√d; d = 4 keeps v* rational; ξ = 1/4.
    d, xi = 4, F(1, 4)
    X = [[xi * (c == i) + (1 - xi) / d for c in range(d)] for i in range(d)]
    conds = data_conditions(Dataset(X, teacher=[F(1, 2)] * d))
    assert failing(conds) == ["iii_distinct_eigenvalues", "iii_teacher_generic"]
    msg = conds["iii_distinct_eigenvalues"].message
    # eigenvalues 1/d and ξ²/d, the latter (d − 1)-fold
    assert msg.startswith("data.X: ") and "the eigenvalue 1/64 has multiplicity 3" in msg
    msg = conds["iii_teacher_generic"].message
    assert msg.startswith("data.teacher: ") and "repeated eigenvalue" in msg and "eigenvector" in msg


def test_teacher_an_eigenvector_with_distinct_eigenvalues():
    # x_{1,2} = v* ± u/2 with u ⊥ v*: Σ = v*v*ᵀ + uuᵀ/4, eigenvalues 1 and 1/4, v* an eigenvector
    u = (F(4, 5), F(-3, 5))
    X = [[a + b / 2 for a, b in zip(V2, u)], [a - b / 2 for a, b in zip(V2, u)]]
    conds = data_conditions(Dataset(X, teacher=V2))
    assert failing(conds) == ["iii_teacher_generic"]
    msg = conds["iii_teacher_generic"].message
    assert msg.startswith("data.teacher: v* is an eigenvector of Σ (Krylov rank 1 < d = 2)")


def test_teacher_in_the_span_of_two_of_three_eigenvectors():
    # inputs c_k e_k (distinct c_k): eigenvectors e_k; v* ∈ span{e_1, e_2}
    X = [[1, 0, 0], [0, 2, 0], [0, 0, 3]]
    conds = data_conditions(Dataset(X, teacher=[F(3, 5), F(4, 5), 0]))
    assert not conds["iii_teacher_generic"].holds
    assert "span of 2 of the 3 eigenvectors" in conds["iii_teacher_generic"].message
    assert conds["iii_distinct_eigenvalues"].holds


def test_every_condition_is_evaluated_whatever_the_others_give():
    # rank-deficient, non-unit, bad angles, parallel: all reported at once
    conds = data_conditions(Dataset([[1, 0, 0], [2, 0, 0]], teacher=[1, 1, 1]))
    assert list(conds) == DATA_KEYS
    assert {"i_span", "i_unit_teacher", "teacher_angles", "iii_distinct_directions"} <= set(failing(conds))


# ----------------------------------------------------------------------------- init violations


def test_all_signs_negative():
    p = Problem(valid2(), Init("1e-20", [[1, 0], [1, 1]], [-1, -1]))
    conds = init_conditions(p)
    assert failing(conds) == ["ii_J_plus_nonempty"]
    assert conds["ii_J_plus_nonempty"].message.startswith("init.s: ")


def test_positive_neurons_all_inactive():
    p = Problem(valid2(), Init("1e-20", [[-1, -1], [1, 1], [-1, 0]], [1, -1, 1]))
    conds = init_conditions(p)
    assert failing(conds) == ["ii_J_plus_nonempty"]
    msg = conds["ii_J_plus_nonempty"].message
    assert msg.startswith("init.z[0]: ") and "[0, 2]" in msg


def test_zero_preactivation():
    # z_1 = (2, −1) ⟂ x_1 = (1, 2)
    p = Problem(valid2(), Init("1e-20", [[1, 0], [2, -1]], [1, 1]))
    conds = init_conditions(p)
    assert failing(conds) == ["ii_no_zero_preactivation"]
    msg = conds["ii_no_zero_preactivation"].message
    assert msg.startswith("init.z[1]: ⟨z_1, x_1⟩ = 0") and "data.X[1]" in msg


def test_J_minus_neuron_along_gamma():
    data = valid2()
    g = gamma(data)  # (9/5, 29/10)
    p = Problem(data, Init("1e-20", [[1, 0], [3 * c for c in g], [1, 1]], [1, -1, -1]))
    conds = init_conditions(p)
    assert failing(conds) == ["ii_J_minus_off_gamma"]
    msg = conds["ii_J_minus_off_gamma"].message
    assert msg.startswith("init.z[1]: z_1 is a positive multiple of γ_[n]")
    # along γ but with s = +1, or along −γ with s = −1 (never moves): fine
    for z, s in (([3 * c for c in g], 1), ([-c for c in g], -1)):
        assert init_conditions(Problem(data, Init("1e-20", [[1, 0], z], [1, s])))["ii_J_minus_off_gamma"].holds


def test_init_conditions_need_no_teacher():
    p = Problem(Dataset([[1, 0], [0, 1]], [1, 2]), Init("1e-9", [[1, 1]], [1]))
    assert all(init_conditions(p).values())


# ----------------------------------------------------------------------------- helpers


def test_gamma_sigma_and_J_sets():
    data = valid3()
    n = data.n
    assert gamma(data) == tuple(sum(y * x[c] for x, y in zip(data.X, data.y)) / n for c in range(3))
    assert gamma(data, []) == (0, 0, 0)
    assert gamma(data, [1]) == tuple(data.y[1] * c / n for c in data.X[1])
    assert gamma(data, [1, 1, 0]) == gamma(data, [0, 1])  # I is a set
    with pytest.raises(ProblemError):
        gamma(data, [n])
    S = sigma_matrix(data)
    assert tuple(tuple(sum(x[a] * x[b] for x in data.X) / n for b in range(3)) for a in range(3)) == S
    assert all(S[a][b] == S[b][a] for a in range(3) for b in range(3))
    z = [[1, 0, 0], [-1, -1, -1], [0, 1, 0], [-1, -1, 3]]
    p = Problem(data, Init("1e-9", z, [1, 1, -1, -1]))
    assert J_sets(p) == ((0,), (2, 3))


# ----------------------------------------------------------------------------- against SymPy

_entries = st.integers(-3, 3).map(lambda k: F(k, 2))


@given(
    st.integers(2, 4).flatmap(
        lambda d: st.tuples(
            st.just(d),
            st.lists(st.lists(_entries, min_size=d, max_size=d).filter(any), min_size=d, max_size=d + 1),
            st.lists(_entries, min_size=d, max_size=d).filter(any),
        )
    )
)
def test_eigen_conditions_agree_with_sympy(case):
    d, X, v = case
    conds = data_conditions(Dataset(X, teacher=v))
    S = sp.Matrix(sigma_matrix(Dataset(X, teacher=v)))
    t = sp.symbols("t")
    p = sp.Poly(S.charpoly(t).as_expr(), t)
    distinct = sp.discriminant(p) != 0
    assert conds["iii_distinct_eigenvalues"].holds == distinct
    K = sp.Matrix.hstack(*[S**k * sp.Matrix(v) for k in range(d)])
    assert conds["iii_teacher_generic"].holds == (K.rank() == d)
    assert conds["i_span"].holds == (sp.Matrix(X).rank() == d)


@given(
    st.integers(2, 4).flatmap(
        lambda d: st.tuples(
            st.lists(st.integers(-4, 4), min_size=d * (d - 1) // 2, max_size=d * (d - 1) // 2),
            st.permutations([F(k) for k in range(1, d + 1)]),
            st.lists(st.sampled_from([0, 1, -2, F(1, 3)]), min_size=d, max_size=d).filter(any),
        )
    )
)
def test_teacher_generic_counts_the_eigen_components(case):
    # rows c_k q_k of a rational rotation: Σ = (1/d) Σ c_k² q_k q_kᵀ, eigenvectors q_k with
    # distinct eigenvalues c_k²/d; v* = Σ a_k q_k lies in the span of #{a_k ≠ 0} of them
    upper, c, a = case
    d = len(c)
    it = iter(upper)
    A = [[F(0)] * d for _ in range(d)]
    for i in range(d):
        for j in range(i + 1, d):
            A[i][j] = F(next(it), 4)
            A[j][i] = -A[i][j]
    Q = cayley(A)
    X = [[c[k] * e for e in Q[k]] for k in range(d)]
    v = [sum((a[k] * Q[k][i] for k in range(d)), F(0)) for i in range(d)]
    conds = data_conditions(Dataset(X, teacher=v))
    assert conds["iii_distinct_eigenvalues"].holds
    support = sum(1 for ak in a if ak != 0)
    assert conds["iii_teacher_generic"].holds == (support == d)
    if support == 1:
        assert "v* is an eigenvector" in conds["iii_teacher_generic"].message
    elif support < d:
        assert f"span of {support} of the {d} eigenvectors" in conds["iii_teacher_generic"].message


def example37_positive_data(d: int, b: int = 16) -> Dataset:
    """Example 37, 𝓜 > 0 family (spec §3.6), built here by hand: x_1 = b e_1,
    x_{2,3} = b e_1 ∓ √b e_2 + e_3, x_i = b e_1 + e_i (i ≥ 4), v* = (4/5) e_1 + (3/5) e_3."""
    rb = int(b**0.5)
    e = lambda i: [int(c == i) for c in range(d)]
    X = [[b * a for a in e(0)]]
    X += [[b * a + sg * rb * c + f for a, c, f in zip(e(0), e(1), e(2))] for sg in (-1, 1)]
    X += [[b * a + f for a, f in zip(e(0), e(i))] for i in range(3, d)]
    return Dataset(X, teacher=[F(4, 5) if i == 0 else F(3, 5) if i == 2 else 0 for i in range(d)])


def test_example37_positive_family_teacher_is_orthogonal_to_an_eigenvector():
    # the reflection e_2 ↦ −e_2 makes e_2 an eigenvector orthogonal to v* (spec pitfall 3)
    conds = data_conditions(example37_positive_data(3))
    assert failing(conds) == ["iii_teacher_generic"]
    assert "span of 2 of the 3 eigenvectors" in conds["iii_teacher_generic"].message


@pytest.mark.parametrize("d, repeated", [(4, False), (5, False), (6, True), (7, True)])
def test_example37_positive_family_repeats_eigenvalues_from_d_6(d, repeated):
    # the d − 3 inputs b e_1 + e_i (i ≥ 4) are permuted by a symmetry of the data: its
    # standard representation, of dimension d − 4, is an eigenspace of Σ with eigenvalue 1/d.
    # So eigenvalues repeat from d = 6 on (pitfall 3 says "d ≥ 5"; at d = 5 the space is a line).
    conds = data_conditions(example37_positive_data(d))
    assert conds["iii_distinct_eigenvalues"].holds is not repeated
    assert not conds["iii_teacher_generic"].holds
    if repeated:
        assert f"the eigenvalue 1/{d} has multiplicity {d - 4}" in conds["iii_distinct_eigenvalues"].message


def test_two_repeated_eigenvalues_are_reported_through_the_gcd():
    conds = data_conditions(Dataset([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]], teacher=[1, 0, 0, 0]))
    msg = conds["iii_distinct_eigenvalues"].message
    # Σ = diag(1, 1, 4, 4)/4: eigenvalues 1/4 and 1, each twice
    assert "gcd(p, p′) = t^2 − 5/4·t + 1/4" in msg
