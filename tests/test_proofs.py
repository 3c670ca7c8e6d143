"""Every proof check passes (collected by pytest), and a broken formula makes its check fail."""

import pytest
import sympy as sp
from reluflow.proofs import REGISTRY, Verdict, run
from reluflow.proofs.core import zero

from reluflow.problem import ProblemError
from reluflow.symbolic import formulas


@pytest.mark.parametrize("check_id", [c.id for c in REGISTRY])
def test_check_passes(check_id):
    (result,) = run([check_id])
    assert result.verdict is Verdict.PASS, result.detail


def test_a_broken_segment_map_fails(monkeypatch):
    good = formulas.segment

    def broken(tau, *, n, D, w0, B):  # E with the wrong sign of B
        vs, E = good(tau, n=n, D=D, w0=w0, B=-B)
        return vs, E

    monkeypatch.setattr(formulas, "segment", broken)
    (result,) = run(["R3a"])
    assert result.verdict is Verdict.FAIL
    assert "counterexample" in result.detail


def test_a_broken_example37_margin_fails(monkeypatch):
    monkeypatch.setattr(
        formulas, "example37_margin", lambda b: (b - 1) / (b + 1) - sp.sqrt(1 - sp.Rational(9, 25) * b / (b + 2))
    )
    (result,) = run(["E37pos"])
    assert result.verdict is Verdict.FAIL


def test_a_broken_theorem8_norm_fails(monkeypatch):
    good = formulas.theorem8_network

    def broken(**kw):
        a, W = good(**kw)
        return [a[0], a[1] * sp.Rational(11, 10)], W  # output weight off by 10 %

    monkeypatch.setattr(formulas, "theorem8_network", broken)
    (result,) = run(["T8"])
    assert result.verdict is Verdict.FAIL


def test_verdicts_of_the_identity_prover():
    x = sp.Symbol("x", positive=True)
    assert zero(sp.sqrt(x**2) - x, "√(x²) − x").verdict is Verdict.PASS
    assert zero(sp.sqrt(x) - x, "√x − x").verdict is Verdict.FAIL
    # true, but not simplified by the (here: no-op) simplifier: never PASS without a proof
    noop = zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1, "sin² + cos² − 1", simplify=lambda e: e)
    assert noop.verdict is Verdict.INCONCLUSIVE


def test_unknown_ids_are_named():
    with pytest.raises(ProblemError, match="X99") as info:
        run(["X99"])
    assert info.value.field == "only"
