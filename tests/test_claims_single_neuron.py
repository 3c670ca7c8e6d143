"""Claims N1–N24 (single neuron): every claim passes on its fixture (quick profile), and
the claims fail when the theory is broken on purpose."""

from __future__ import annotations

import dataclasses
import math

import pytest

from reluflow.claims import REGISTRY, Verdict, run
from reluflow.claims.report import markdown
from reluflow.theory import single_neuron as theory
from reluflow.theory.single_neuron import compute as theory_compute  # where predict() looks its helpers up
from reluflow.theory.single_neuron import reduced as theory_reduced

IDS = [f"N{i}" for i in range(1, 25)]


@pytest.fixture(scope="module")
def quick():
    return run("single-neuron", profile="quick")


def test_registry_has_n1_to_n24():
    assert sorted((c.id for c in REGISTRY if c.paper == "single-neuron"), key=lambda i: int(i[1:])) == IDS


# findings: claims whose spec statement the exact flow contradicts (survives +20 digits), pinned
FINDINGS = {"N14"}


def test_every_claim_passes_on_its_fixture(quick):
    bad = {r.id: (r.verdict.value, r.detail) for r in quick if r.verdict is not Verdict.PASS and r.id not in FINDINGS}
    assert not bad, bad
    for r in quick:
        assert r.predicted and r.observed and r.tolerance and r.lam and r.dps >= 0
    assert "N24" in markdown(quick, profile="quick")


def test_a_wrong_yardstick_fails_n5_and_n6(monkeypatch):
    """Shift every predicted crossing time by 1e-12: the engine disagrees and N5/N6 FAIL."""
    real = theory_compute._yardstick

    def shifted(*args, **kwargs):
        y = real(*args, **kwargs)
        ctx = args[0]
        cs = tuple(type(c)(c.neuron, c.point, c.tau + ctx.mpf("1e-12"), c.stage, c.direction) for c in y.crossings)
        return type(y)(y.neuron, y.sign, y.stages, cs, y.kappa)

    monkeypatch.setattr(theory_compute, "_yardstick", shifted)
    results = {r.id: r for r in run("single-neuron", ids=["N5", "N6"])}
    assert results["N5"].verdict is Verdict.FAIL
    assert results["N6"].verdict is Verdict.FAIL


def test_a_wrong_rate_fails_n16(monkeypatch):
    monkeypatch.setattr(theory.Prediction, "loss_rate", property(lambda self: 2 * self.mu * 1.05))
    [r] = run("single-neuron", ids=["N16"])
    assert r.verdict is Verdict.FAIL


def _stop_at(monkeypatch, when):
    """The runs that stand for t = ∞ (``limit_options``) stop at ``when(prediction)`` instead."""
    real = theory.Prediction.limit_options
    monkeypatch.setattr(
        theory.Prediction,
        "limit_options",
        lambda self, power: {**real(self, power), "t_end": math.ceil(float(when(self)))},
    )


def test_an_unconverged_run_fails_n17(monkeypatch):
    """Stopped at T2 + 3 (L ≈ 4e-5, ‖v − v*‖ ≈ 0.02) N17 used to PASS; the run must converge."""
    _stop_at(monkeypatch, lambda pr: pr.T2 + 3)
    [r] = run("single-neuron", ids=["N17"])
    assert r.verdict is Verdict.FAIL and "not converged" in r.detail and "status t_end" in r.detail, r.detail


def test_no_escape_fails_n16_under_assumption_1_and_is_inconclusive_without(monkeypatch):
    """A run that ends before ν_1 reaches ν*_1/2: FAIL on SN1 (Assumption 1 holds); with a part
    of Assumption 1 marked failing, INCONCLUSIVE naming it."""
    _stop_at(monkeypatch, lambda pr: pr.T1 + 1)
    [r] = run("single-neuron", ids=["N16"])
    assert r.verdict is Verdict.FAIL and "never reaches" in r.detail, r.detail
    real = theory.predict

    def broken(problem, dps=30, **kw):
        pr = real(problem, dps=dps, **kw)
        return dataclasses.replace(
            pr,
            assumption1={**pr.assumption1, "teacher_angles": False},
            notes=pr.notes + ("data.X[0]: marked failing by the test",),
        )

    monkeypatch.setattr(theory, "predict", broken)
    [r] = run("single-neuron", ids=["N16"])
    assert r.verdict is Verdict.INCONCLUSIVE and "marked failing by the test" in r.detail, r.detail


def test_a_late_t2_prediction_fails_n15(monkeypatch):
    """T2_pred 10 too early: the ladder runs (to T2_pred + 5) end before the escape — FAIL."""
    real = theory.Prediction.T2
    monkeypatch.setattr(theory.Prediction, "T2", property(lambda self: real.fget(self) - 10))
    [r] = run("single-neuron", ids=["N15"])
    assert r.verdict is Verdict.FAIL and "never reaches" in r.detail, r.detail


def test_lemma_32_ii_bounds_below_the_observed_t2_fail_n15(monkeypatch):
    """Bounds 1e11 times tighter than Lemma 32(ii) (the observed T2 uses 1.5e-10 of them): FAIL."""
    real = theory.Prediction.T2_bounds
    monkeypatch.setattr(
        theory.Prediction,
        "T2_bounds",
        property(lambda self: {k: v * self.ctx.mpf("1e-11") for k, v in real.fget(self).items()}),
    )
    [r] = run("single-neuron", ids=["N15"])
    assert r.verdict is Verdict.FAIL and "Lemma 32(ii)" in r.detail, r.detail


def test_a_reduced_model_that_never_escapes_fails_n15(monkeypatch):
    monkeypatch.setattr(theory_reduced._Reduced, "T2_offset", lambda self, u1, half: None)
    [r] = run("single-neuron", ids=["N15"])
    assert r.verdict is Verdict.FAIL and "reduced model gives no T2" in r.detail, r.detail


def test_n14_finding_the_ratio_goes_like_the_angle_squared(quick):
    """D5's heuristic "‖v̇ − f‖/‖f‖ ∝ bundle angle" fails: at T2 the ratio is 4.26e-4·angle²
    at every λ (slope 2 against the angle), the second order of an exact identity; the
    Lemma 28(vi) bound holds."""
    [r] = [r for r in quick if r.id == "N14"]
    assert r.verdict is Verdict.FAIL, r.detail
    assert "bound holds at every λ: True" in r.detail and "log–log slope 2 (predicted 1)" in r.detail


def test_n14_passes_a_ratio_proportional_to_the_angle(monkeypatch):
    """The slope check has power both ways: a ratio equal to 1e-3·angle (D5 exactly) passes."""
    from reluflow.claims.single_neuron import phase2 as sn

    monkeypatch.setattr(sn, "_vdot_ratio", lambda tr, pr, st: sn._max_angle(tr.ctx, st, pr.J_plus) / 1000)
    [r] = run("single-neuron", ids=["N14"])
    assert r.verdict is Verdict.PASS and "log–log slope 1 (predicted 1)" in r.detail, r.detail
