"""The single-neuron theory: the closed-form yardstick against the engine, the limit
network, the reduced model and the bad-input errors."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from reluflow import Dataset, Init, Problem, solve
from reluflow.datasets import sn1
from reluflow.problem import ProblemError
from reluflow.theory import checked
from reluflow.theory import single_neuron as theory


@pytest.fixture(scope="module")
def pr():
    return theory.predict(sn1("1e-30"), dps=40)


def test_yardstick_crossings_match_the_engine_to_lambda_squared():
    """D1 against the exact flow at λ = 1e-15: the event times agree to O(λ²) ≈ 1e-30."""
    p = sn1("1e-15")
    pred = theory.predict(p, dps=50)
    tr = solve(p, digits=40, t_end=1)
    events = [(e.neuron, e.point, e.direction) for e in tr.events]
    assert events == [(c.neuron, c.point, c.direction) for c in sorted(pred.crossings, key=lambda c: c.tau)]
    gap = max(abs(e.t - c.tau) for e, c in zip(tr.events, sorted(pred.crossings, key=lambda c: c.tau)))
    assert gap < mpmath.mpf("1e-28")


def test_yardstick_state_is_the_flow_of_w_over_lambda(pr):
    p = sn1("1e-20")
    tr = solve(p, digits=40, t_end=2)
    st = tr.evaluate(1)
    ctx = tr.ctx
    for j, y in pr.yardsticks.items():
        r, u = y.state(ctx, 1)
        w = [c * 10**20 for c in st.W[j]]
        nw = ctx.sqrt(ctx.fsum(c * c for c in w))
        assert abs(nw / r - 1) < mpmath.mpf("1e-35")
        assert max(abs(a / nw - b) for a, b in zip(w, u)) < mpmath.mpf("1e-35")


def test_phases_and_limit(pr):
    assert pr.J_plus == (0, 1, 2) and pr.J_minus == (3, 4)
    assert pr.T0 < pr.T1  # the phases separate at λ = 1e-30 on SN1 (Prop. 18's T1/3 needs λ < 1e-31)
    assert abs(pr.T1 - pr.eps * pr.log_inv_lambda / pr.G) < mpmath.mpf("1e-35")
    assert abs(sum(pr.limit_w_sq) - 1) < mpmath.mpf("1e-35")
    assert abs(pr.limit_theta_sq - 2) < mpmath.mpf("1e-35") and abs(pr.limit_nuclear - 1) < mpmath.mpf("1e-35")
    a, W = pr.limit_network
    v = [sum(a[j] * W[j][i] for j in range(6)) for i in range(3)]
    assert max(abs(x - y) for x, y in zip(v, pr.teacher)) < mpmath.mpf("1e-35")
    assert pr.loss_rate > pr.pl_rate > pr.thm6_rate > 0  # D4: the asymptotic exponent beats the PL one
    assert pr.log10_lambda_max < -1e6  # Assumption 2 is astronomically small (pitfall 1)


def test_S_predicates_track_the_handover(pr):
    ctx = pr.ctx
    tiny = [c * ctx.mpf("1e-40") for c in pr.gamma]
    assert pr.S_predicates(tiny)["S"] == 1  # phase 1: v ∝ γ_[n] lies in S_1 (needs no cancellation)
    assert pr.S_predicates([-c for c in pr.teacher])["S"] is None
    g = pr.f(tiny)
    assert all(abs(a) > 0 for a in g) and pr.reduced_loss(list(pr.teacher)) == 0


def test_T2_prediction_is_lambda_free_plus_ln_over_gamma():
    a, b = theory.predict(sn1("1e-10"), dps=30), theory.predict(sn1("1e-20"), dps=30)
    slope = (b.T2 - a.T2) / (b.log_inv_lambda - a.log_inv_lambda)
    assert abs(slope - 1 / a.G) < mpmath.mpf("1e-25")


def test_checked_digits_and_json_names():
    out = checked(theory.predict, sn1("1e-30"), dps=25)
    assert out["checked_digits"] >= 22
    for key in ("gamma", "eta", "assumption1", "J_plus", "J_minus", "crossings", "T1_over_eps_log", "limit_w_sq", "M"):
        assert key in out


def test_violated_assumptions_are_reported_not_raised():
    # an input at more than π/4 from the teacher: predict still runs and says which condition fails
    p = Problem(Dataset([[1, 0], ["1/2", 1]], teacher=[1, 0]), Init("1e-10", [[1, "1/3"]], [1]))
    pred = theory.predict(p, dps=20)
    assert pred.assumption1["teacher_angles"] is False and pred.notes
    assert pred.J_plus == (0,)


def test_bad_input_names_the_field():
    with pytest.raises(ProblemError, match="data.teacher"):
        theory.predict(Problem(Dataset([[1, 0], [0, 1]], [1, 1]), Init("1e-10", [[1, 1]], [1])))
    with pytest.raises(ProblemError, match="eps"):
        theory.predict(sn1(), eps=Fraction(1, 2))
    with pytest.raises(ProblemError, match="problem"):
        theory.predict("not a problem")
