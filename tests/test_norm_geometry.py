"""Norm geometry of the single-neuron paper (spec single_neuron.md §3.6, Theorem 8, Example 37,
Remark 38): the dual basis, 𝓜 and its exact sign, the §3.6 networks,
the Example 37 builders, and claims N20–N23 on their fixtures."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from reluflow import Dataset, Init, Problem, ProblemError
from reluflow.claims import Verdict, run
from reluflow.claims.single_neuron.bounds import _assumption_1ii
from reluflow.datasets import (
    cayley,
    e1,
    example37_negative,
    example37_positive,
    perturbed,
)
from reluflow.precision import context
from reluflow.theory import norm_geometry as ng
from reluflow.theory.single_neuron_assumptions import data_conditions, init_conditions

F = Fraction


def dot(u, v):
    return sum((a * b for a, b in zip(u, v)), F(0))


def closed_gap(b: float) -> float:
    """The N20 closed form cos∠(χ₂,χ₃) − sin∠(χ₂,v*) = (b−1)/(b+1) − √(1 − 9b/(25(b+1)))."""
    return (b - 1) / (b + 1) - math.sqrt(1 - 9 * b / (25 * (b + 1)))


# ----------------------------------------------------------------------------- dual basis


@pytest.mark.parametrize(
    "problem",
    [example37_positive(), example37_positive(d=5, b=25), example37_negative(), example37_negative(d=9, xi="1/5")],
)
def test_dual_basis_is_exactly_dual(problem):
    X = problem.data.X
    chi = ng.dual_basis(problem.data)
    assert all(isinstance(c, Fraction) for row in chi for c in row)
    assert [[dot(chi[k], x) for x in X] for k in range(len(X))] == [
        [int(k == i) for i in range(len(X))] for k in range(len(X))
    ]
    mp = ng.dual_basis(X, context(40))  # rows given directly, rounded into the context
    assert all(abs(a - float(b)) < 1e-12 for ra, rb in zip(mp, chi) for a, b in zip(ra, rb))


def test_example37_dual_basis_matches_the_spec():
    # M < 0 family: χ_k = (e_k − (1−ξ)/d s)/ξ; M > 0 family: χ_{2,3} = ∓ e_2/(2√b) + e_3/2
    d, xi = 4, F(1, 4)
    chi = ng.dual_basis(example37_negative(d=d, xi=xi).data)
    assert chi[0] == tuple((int(i == 0) - (1 - xi) / d) / xi for i in range(d))
    assert dot(chi[0], chi[1]) == -(1 - xi) * (1 + xi) / (xi * xi * d)
    chi = ng.dual_basis(example37_positive(d=3, b=16).data)
    assert chi[1] == (0, F(-1, 8), F(1, 2)) and chi[2] == (0, F(1, 8), F(1, 2))


# ----------------------------------------------------------------------------- 𝓜


@pytest.mark.parametrize("d,b", [(3, 16), (3, 121), (4, 16), (5, 25), (3, "121/4")])
def test_M_positive_family_and_the_N20_lower_bound(d, b):
    m = ng.compute_M(example37_positive(d=d, b=b).data)
    assert (m.sign, m.numeric_sign, m.certified) == (1, 1, True)
    assert m.how == "counterexample, duality"
    gap = closed_gap(float(F(b) if isinstance(b, str) else b))
    assert float(m.value) >= gap - 1e-12  # the closed form is a lower bound of 𝓜 (K = {2}, p = χ₂, q = χ₃)
    assert abs(float(ng.example37_gap(b)) - gap) < 1e-14
    assert float(m.value) - gap < 1e-12  # observed: the search finds no larger value than p = χ₂, q = χ₃


@pytest.mark.parametrize("d,xi", [(4, "1/4"), (4, "1/2")])
def test_M_negative_family(d, xi):
    m = ng.compute_M(example37_negative(d=d, xi=xi).data, starts=4)
    assert (m.sign, m.numeric_sign, m.certified, m.z_matrix) == (-1, -1, True, True)
    assert m.how == "Z-matrix, duality" and m.angles_below_pi4


def test_exact_sign_at_d9():
    dual = ng.dual_certificate(example37_negative(d=9, xi="1/5").data)  # 1020 exact projections, no search
    assert dual.sign == -1 and dual.kappa_all_sq == dual.rho_sq == dual.mu_y == 1


@pytest.mark.parametrize(
    "make,sign", [(example37_positive, 1), (example37_negative, -1), (lambda: example37_positive(d=4), 1)]
)
def test_M_sign_survives_a_small_perturbation(make, sign):
    base = make()
    for seed in (0, 1):
        q = perturbed(base, "1e-3", seed)
        assert all(c.holds for c in data_conditions(q.data).values())  # Assumption 1(i), (iii), π/4 angles
        m = ng.compute_M(q.data)
        assert (m.sign, m.numeric_sign, m.certified) == (sign, sign, True)
    failing = [k for k, c in data_conditions(base.data).items() if not c.holds]
    assert "iii_teacher_generic" in failing  # pitfall 3: the unperturbed family violates (iii)


def random_data(rng, d, spread=0.6, denom=1000):
    v = rng.normal(size=d)
    v /= np.linalg.norm(v)
    X = [
        [F(float(c)).limit_denominator(denom) for c in v * rng.uniform(0.5, 2) + rng.uniform(-spread, spread, d)]
        for _ in range(d)
    ]
    return Dataset(X, teacher=[F(float(c)).limit_denominator(denom) for c in v])


def test_exact_sign_agrees_with_the_search_on_random_data():
    rng = np.random.default_rng(11)
    seen = {1: 0, -1: 0}
    for _ in range(25):
        try:
            data = random_data(rng, int(rng.integers(2, 5)))
            if any(y <= 0 for y in data.y):
                continue
            m = ng.compute_M(data, starts=6)
        except ProblemError:
            continue
        assert m.certified and m.sign == m.numeric_sign != 0
        seen[m.sign] += 1
        if m.sign < 0:  # weak duality: every interpolator has ‖θ‖² ≥ 2‖v*‖
            assert m.dual.kappa_all_sq == m.dual.rho_sq == m.dual.mu_y  # so 2μᵀy/κ = 2‖v*‖, exactly
    assert seen[1] >= 1 and seen[-1] >= 5


def test_orthogonal_data_and_d2_give_negative_M():
    Q = cayley([[0, F(1, 3), F(-1, 2)], [F(-1, 3), 0, F(1, 4)], [F(1, 2), F(-1, 4), 0]])
    X = [[c * q for q in row] for c, row in zip([F(1), F(3, 2), F(2, 5)], Q)]
    v = [sum((a * Q[i][k] for i, a in enumerate([F(1, 2), F(1, 3), F(1, 5)])), F(0)) for k in range(3)]
    m = ng.compute_M(Dataset(X, teacher=v))
    assert (m.sign, m.numeric_sign, m.how) == (-1, -1, "orthogonal, duality")
    m2 = ng.compute_M(Dataset([[1, 0], [F(9, 10), F(1, 2)]], teacher=[F(4, 5), F(3, 5)]))
    assert (m2.sign, m2.numeric_sign, m2.z_matrix) == (-1, -1, True)
    assert ng.z_matrix([[1, 0], [F(9, 10), F(1, 2)]])  # Remark 38(ii): ∠(χ₁, χ₂) > π/2 for d = 2


# ----------------------------------------------------------------------------- the §3.6 networks


def check_network(data, ce):
    assert ce.certified and ce.exact_residual == 0
    assert ce.exact_theta_sq**2 < 4 * dot(data.teacher, data.teacher)  # ‖θ‖² < 2‖v*‖, exactly
    outs = [sum((a * max(dot(w, x), F(0)) for a, w in zip(ce.exact_a, ce.exact_W)), F(0)) for x in data.X]
    assert outs == list(data.y)
    assert float(ce.residual) < 1e-27 and ce.theta_sq <= ce.bound + 1e-25 and ce.bound < ce.reference
    assert len(ce.a) == 2


def test_counterexample_acute_case_interpolates_below_2():
    data = example37_positive(d=4, b=25).data
    ce = ng.counterexample(data)
    check_network(data, ce)
    assert ce.case == "acute" and float(ce.theta_sq) == pytest.approx(2 - float(ce.xi) ** 2, abs=1e-25)
    at = ng.counterexample(data, at=((1,), [1]))  # the claim's p = χ₂, q = χ₃
    check_network(data, at)
    assert at.K == (1,)


def test_counterexample_obtuse_case():
    # an instance (angles < π/2) where p = χ₃ makes an obtuse angle with v* and still
    # cos∠(p, q) > sin∠(p, v*): the table's second case, ‖θ‖² = ‖v*‖(2 − ξ²)
    X = [[F(13, 7), F(-22, 21), F(-19, 93)], [F(121, 81), F(28, 93), F(88, 87)], [F(6, 19), F(14, 39), F(55, 87)]]
    data = Dataset(X, teacher=[F(91, 100), F(20, 77), F(11, 34)])
    ce = ng.counterexample(data, at=((2,), [1]))
    assert ce.case == "obtuse"
    check_network(data, ce)
    assert ce.theta_sq == pytest.approx(ce.bound, abs=1e-25)
    m = ng.compute_M(data)
    assert m.sign == 1 and m.counterexample.case == "obtuse" and "counterexample" in m.how


def test_counterexample_needs_positive_M():
    with pytest.raises(ProblemError) as err:
        ng.counterexample(example37_negative().data)
    assert err.value.field == "mvalue"


def test_remark38_bound():
    data = example37_positive().data
    B = ng.remark38_bound(data)
    assert float(B) == pytest.approx(2 * max(float(y) / math.sqrt(float(dot(x, x))) for x, y in zip(data.X, data.y)))
    assert mpmath.sqrt(2) < B
    assert ng.counterexample(data).theta_sq >= B  # the bound is below every interpolator found
    assert float(ng.remark38_bound(example37_negative().data)) > math.sqrt(2)


# ----------------------------------------------------------------------------- datasets and input errors


def test_example37_builders_are_exact_and_valid():
    neg = example37_negative(d=9, xi="1/4")
    assert neg.data.teacher == (F(1, 3),) * 9 and neg.n == neg.d == 9
    assert ng.angles_below_pi4(neg.data)
    pos = example37_positive(d=5, b="121/4")
    assert pos.data.X[1] == (F(121, 4), F(-11, 2), F(1), F(0), F(0)) and pos.data.X[4][4] == 1
    assert ng.angles_below_pi4(pos.data)
    for p in (example37_negative(), example37_positive()):
        assert 1 in p.init.s and p.m == 4
        assert all(c.holds for c in init_conditions(p).values())  # Assumption 1(ii) for the default seed


@pytest.mark.parametrize(
    "call,field",
    [
        (lambda: example37_negative(d=5), "d"),
        (lambda: example37_negative(d=1), "d"),
        (lambda: example37_negative(d=4, xi="0.6"), "xi"),
        (lambda: example37_negative(d=16, xi="1/4"), "xi"),
        (lambda: example37_negative(xi=1), "xi"),
        (lambda: example37_positive(b=9), "b"),
        (lambda: example37_positive(b=17), "b"),
        (lambda: example37_positive(d=2), "d"),
        (lambda: perturbed(e1(), "1e-3"), "data.teacher"),
        (lambda: perturbed(example37_negative(), 0), "eps"),
        (lambda: perturbed(example37_negative(), 1), "eps"),
    ],
)
def test_dataset_errors_name_the_field(call, field):
    with pytest.raises(ProblemError) as err:
        call()
    assert err.value.field == field


def test_pi4_condition_is_decided_exactly():
    # ξ ≤ √(2(√2−1)/(d−1)) at d = 16: ξ = 0.235 passes, 0.236 does not (cap ≈ 0.23500)
    example37_negative(d=16, xi="0.2349")
    with pytest.raises(ProblemError):
        example37_negative(d=16, xi="0.2351")


@pytest.mark.parametrize("fn", [ng.compute_M, ng.counterexample, ng.remark38_bound, ng.dual_certificate])
def test_bad_inputs_name_the_field(fn):
    cases = [
        ((Dataset([[1, 0], [0, 1], [1, 1]], teacher=[1, 0]),), "data.X"),  # n ≠ d
        ((Dataset([[1, 0], [2, 0]], teacher=[1, 0]),), "data.X"),  # singular
        ((Dataset([[1]], teacher=[1]),), "data.X"),  # d = 1
        ((Dataset([[1, 0], [0, 1]], [1, 1]),), "data.teacher"),  # no teacher
        (([[1, 0], [0, 1]],), "data.teacher"),  # rows without teacher=
        (([[1, 0], [0, 1]], [1, "x"]), "data.teacher[1]"),
    ]
    for args, field in cases:
        with pytest.raises(ProblemError) as err:
            fn(*args)
        assert err.value.field == field, (fn.__name__, args)


def test_dual_basis_errors():
    with pytest.raises(ProblemError) as err:
        ng.dual_basis([[1, 2], [2, 4]])
    assert err.value.field == "data.X"
    with pytest.raises(ProblemError) as err:
        ng.dual_basis([[1, 2, 3]])
    assert err.value.field == "data.X"


def test_problem_and_rows_are_accepted_and_mp_is_untouched():
    before = (mpmath.mp.dps, mpmath.mp.prec)
    p = example37_positive()
    a = ng.compute_M(p, dps=50)
    b = ng.compute_M(p.data.X, teacher=p.data.teacher, dps=50)
    assert a.value == b.value and a.dps == 50 and a.value.context.dps == 50
    assert (mpmath.mp.dps, mpmath.mp.prec) == before
    assert a.to_dict()["sign"] == 1 and a.to_dict()["counterexample"]["certified"]


# ----------------------------------------------------------------------------- claims


@pytest.fixture(scope="module")
def geometry_claims():
    return run("single-neuron", ids=["N20", "N21", "N22", "N23"])


def test_claims_N20_to_N23_pass_on_their_fixtures(geometry_claims):
    assert [r.id for r in geometry_claims] == ["N20", "N21", "N22", "N23"]
    bad = {r.id: (r.verdict.value, r.detail) for r in geometry_claims if r.verdict is not Verdict.PASS}
    assert not bad, bad
    assert [r.instance for r in geometry_claims] == ["EX37+", "EX37-", "EX37+", "EX37+"]


def test_claims_do_not_apply_outside_their_family():
    res = run("single-neuron", ids=["N21"], problem=example37_positive())
    assert res[0].verdict is Verdict.INCONCLUSIVE and "𝓜 < 0" in res[0].detail
    res = run("single-neuron", ids=["N20"], problem=example37_negative())
    assert res[0].verdict is Verdict.INCONCLUSIVE and "not applicable" in res[0].detail


def test_assumption_1ii_monte_carlo_helper_is_exact():
    data = example37_positive().data
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(60, 3, 3))
    S = rng.choice((-1, 1), size=(60, 3))
    Z[0, 0] = [0.0, 1.0, 4.0]  # ⟨z, x_2⟩ = −4 + 4 = 0 exactly: I_0 ≠ ∅
    gamma = [sum((y * x[c] for x, y in zip(data.X, data.y)), F(0)) / 3 for c in range(3)]
    Z[1, 1] = [float(v) for v in gamma]  # a negative neuron along γ (exactly representable here)
    S[1] = (1, -1, 1)
    holds, _active, rechecked = _assumption_1ii(data, Z, S)
    assert rechecked >= 1
    for k in range(60):
        z = [[F(float(v)) for v in row] for row in Z[k]]
        expect = all(c.holds for c in init_conditions(Problem(data, Init(1, z, list(S[k])))).values())
        assert bool(holds[k]) == expect, k
    assert not holds[0]


def test_claims_fail_when_the_theory_is_broken(monkeypatch):
    """A wrong Remark 38 bound (2.5 > 2) fails N22; a minimum certified below 2 fails N21;
    an Assumption 1(ii) check that loses 15 % of the draws fails N23."""
    import dataclasses

    import reluflow.claims.single_neuron.bounds as bounds
    import reluflow.claims.single_neuron.geometry as sng
    from reluflow.theory import interpolators as it

    sng._minimum.cache_clear()
    monkeypatch.setattr(ng, "remark38_bound", lambda *a, **k: context(30).mpf("2.5"))
    real_minimum = it.minimum_norm

    def cheating(data, **kwargs):
        out = real_minimum(data, **kwargs)
        return dataclasses.replace(out, theta_sq=it.Enclosure(F(198, 100), F(199, 100)))

    monkeypatch.setattr(it, "minimum_norm", cheating)
    real_check = bounds._assumption_1ii

    def lossy(data, Z, S):
        holds, active, rc = real_check(data, Z, S)
        holds = holds & (np.arange(len(holds)) % 7 != 0)
        return holds, active, rc

    monkeypatch.setattr(bounds, "_assumption_1ii", lossy)
    try:
        res = {r.id: r for r in run("single-neuron", ids=["N21", "N22", "N23"])}
    finally:
        sng._minimum.cache_clear()
    assert res["N22"].verdict is Verdict.FAIL
    assert res["N21"].verdict is Verdict.FAIL
    assert res["N23"].verdict is Verdict.FAIL and "significantly below the bound" in res["N23"].observed
