"""Claims N1–N24 (single neuron): every claim passes on its fixture (quick profile), and
the claims fail when the theory is broken on purpose."""

from __future__ import annotations

import pytest

from reluflow.claims import REGISTRY, Verdict, run
from reluflow.claims.report import markdown
from reluflow.theory import single_neuron as theory

IDS = [f"N{i}" for i in range(1, 25)]


@pytest.fixture(scope="module")
def quick():
    return run("single-neuron", profile="quick")


def test_registry_has_n1_to_n24():
    assert sorted((c.id for c in REGISTRY if c.paper == "single-neuron"), key=lambda i: int(i[1:])) == IDS


def test_every_claim_passes_on_its_fixture(quick):
    bad = {r.id: (r.verdict.value, r.detail) for r in quick if r.verdict is not Verdict.PASS}
    assert not bad, bad
    for r in quick:
        assert r.predicted and r.observed and r.tolerance and r.lam and r.dps >= 0
    assert "N24" in markdown(quick, profile="quick")


def test_a_wrong_yardstick_fails_n5_and_n6(monkeypatch):
    """Shift every predicted crossing time by 1e-12: the engine disagrees and N5/N6 FAIL."""
    real = theory._yardstick

    def shifted(*args, **kwargs):
        y = real(*args, **kwargs)
        ctx = args[0]
        cs = tuple(type(c)(c.neuron, c.point, c.tau + ctx.mpf("1e-12"), c.stage, c.direction) for c in y.crossings)
        return type(y)(y.neuron, y.sign, y.stages, cs, y.kappa)

    monkeypatch.setattr(theory, "_yardstick", shifted)
    results = {r.id: r for r in run("single-neuron", ids=["N5", "N6"])}
    assert results["N5"].verdict is Verdict.FAIL
    assert results["N6"].verdict is Verdict.FAIL


def test_a_wrong_rate_fails_n16(monkeypatch):
    monkeypatch.setattr(theory.Prediction, "loss_rate", property(lambda self: 2 * self.mu * 1.05))
    [r] = run("single-neuron", ids=["N16"])
    assert r.verdict is Verdict.FAIL
