"""The typed tolerances, the checks core shared with the proof checks, and how the claims
framework fills what a claim leaves to it."""

from __future__ import annotations

from fractions import Fraction

import flint
import pytest

from reluflow.claims import core
from reluflow.claims.core import Outcome, claim, run
from reluflow.claims.tolerance import All, Bound, Certified, Confidence, Exact, Predicates, Rel, Resolution, Slope
from reluflow.datasets import e1
from reluflow.integrate import solve
from reluflow.precision import context
from reluflow.problem import ProblemError
from reluflow.verdict import Verdict, choose, guarded, register


def test_slope_passes_the_rate_and_fails_another():
    lams = ["1e-4", "1e-6", "1e-8"]
    at_rate = [1e-8, 1e-12, 1e-16]
    assert Slope().judge(lams, at_rate, 2.0)[0] is Verdict.PASS
    assert Slope().judge(lams, at_rate, 3.0)[0] is Verdict.FAIL
    assert Slope().judge(lams, at_rate, 2.5, exact=False)[0] is Verdict.FAIL  # slope 2 < 0.9 × 2.5
    assert Slope().judge(lams, at_rate, 1.5, exact=False)[0] is Verdict.PASS  # an upper bound: faster is fine
    assert Slope(rel=0.3).judge(lams, at_rate, 2.5)[0] is Verdict.PASS
    growing = list(reversed(at_rate))
    assert Slope().judge(lams, growing, 2.0)[0] is Verdict.FAIL


def test_slope_leaves_errors_below_the_floor_out_and_needs_two_points():
    lams = ["1e-4", "1e-6", "1e-8"]
    verdict, _, detail = Slope().judge(lams, [1e-8, 1e-12, 1e-30], 2.0, floors=[1e-20, 1e-20, 1e-20])
    assert verdict is Verdict.PASS and "below the resolution" in detail and "1e-8" in detail
    verdict, _, detail = Slope().judge(lams, [1e-8, 1e-30, 1e-30], 2.0, floors=[1e-20] * 3)
    assert verdict is Verdict.INCONCLUSIVE and "fewer than two" in detail


def test_resolution_is_the_runs_resolution_and_describes_itself():
    tr = solve(e1(), digits=20, t_end=1)
    assert Resolution(slack=2).of_run(tr) == tr.resolution(2)
    assert Resolution(share=4, unit="dps").of_run(tr) == tr.ctx.mpf(10) ** -(tr.dps // 4)
    ctx = context(40)
    assert Resolution(slack=5, unit="dps").bound(ctx, 40) == ctx.mpf(10) ** -35
    assert Resolution(slack=2, of="L").describe() == "≤ 10^-(digits − 2) relative to L"
    assert Resolution().describe(ctx.mpf("1e-20")) == "≤ 1.0e-20"


def test_bounds_relative_errors_and_exact_rules():
    ctx = context(30)
    assert Bound("x ≤ 1").holds(1, 1) and not Bound("x < 1", strict=True).holds(1, 1)
    slack = Bound("x ≤ 1", rel="1e-6")
    assert slack.holds(ctx.mpf("1.0000005"), 1, ctx) and not slack.holds(ctx.mpf("1.000002"), 1, ctx)
    assert slack.describe() == "x ≤ 1 (+1e-6 relative)"
    assert Rel(0.02).holds(1.019, 1.0) and not Rel(0.02).holds(1.021, 1.0)
    assert Rel(0.001).describe() == "relative error ≤ 0.1 %"
    assert Exact("same switches").describe() == "exact: same switches"


def test_predicates_need_every_one_and_never_pass_undecided():
    tol = Predicates(("a", "b"))
    assert tol.judge({"a": True, "b": True}) is Verdict.PASS
    assert tol.judge({"a": True, "b": None}) is Verdict.INCONCLUSIVE
    assert tol.judge({"a": False, "b": None}) is Verdict.FAIL
    with pytest.raises(KeyError, match="b"):
        tol.judge({"a": True})


def test_certified_decides_on_balls_only():
    tol = Certified("0 < x < 1", lo="0", hi="1")
    assert tol.judge(flint.arb("0.5", "0.1")) is Verdict.PASS
    assert tol.judge(flint.arb("1.5", "0.1")) is Verdict.FAIL
    assert tol.judge(flint.arb("1", "0.1")) is Verdict.INCONCLUSIVE


def test_confidence_is_the_wilson_interval():
    tol = Confidence(3.2905, "bound")
    lo, hi = tol.interval(50, 100)
    assert lo < 0.5 < hi and hi - lo < 0.35
    assert tol.interval(0, 10)[0] == 0.0 and tol.interval(10, 10)[1] == 1.0
    assert abs(tol.level - 0.999) < 1e-6 and tol.describe().startswith("99.9%")


def test_all_indexes_its_parts():
    tol = All((Slope(), Exact("x")))
    assert tol[1] == Exact("x") and tol.describe() == "±10% of the rate; exact: x"


def test_verdicts_combine_and_registries_refuse_duplicates_and_unknown_ids():
    assert Verdict.combine([]) is Verdict.PASS
    assert Verdict.combine([Verdict.PASS, True]) is Verdict.PASS
    assert Verdict.combine([True, None]) is Verdict.INCONCLUSIVE
    assert Verdict.combine([None, Verdict.FAIL]) is Verdict.FAIL

    class Item:
        def __init__(self, id):
            self.id = id

    reg: list = []
    register(reg, Item("A"))
    with pytest.raises(ValueError, match="duplicate id A"):
        register(reg, Item("A"))
    register(reg, Item("B"))
    assert [c.id for c in choose(reg, ["B"], "only")] == ["B"] and len(choose(reg, None, "only")) == 2
    with pytest.raises(ProblemError, match="Z9") as info:
        choose(reg, ["Z9"], "only")
    assert info.value.field == "only"
    out, seconds = guarded(lambda: 1 / 0, lambda exc: type(exc).__name__)
    assert out == "ZeroDivisionError" and seconds >= 0


@pytest.fixture
def scratch_registry(monkeypatch):
    monkeypatch.setattr(core, "REGISTRY", list(core.REGISTRY))
    monkeypatch.setitem(core.FIXTURES, "tiny-E1", e1)


def test_the_framework_fills_tolerance_lambda_and_precision(scratch_registry):
    seen = {}

    @claim("T1", paper="test", source="-", statement="s", instance="tiny-E1", tolerance=Resolution(slack=2))
    def t1(s, p, tol):
        seen["tol"] = tol
        seen["tr"] = tr = s.solve(p.with_lambda(Fraction(1, 10**7)), t_end=1)
        return Outcome(Verdict.PASS, "p", "o", run=tr)

    @claim("T2", paper="test", source="-", statement="s", instance="tiny-E1", tolerance=Exact("rule"))
    def t2(s, p, tol):
        return Outcome(Verdict.FAIL, "p", "o", "my text", dps=17)

    @claim("T3", paper="test", source="-", statement="s", instance="tiny-E1", tolerance=Exact("rule"))
    def t3(s, p, tol):
        raise ProblemError("init", "does not apply")

    r1, r2, r3 = run("test")
    assert seen["tol"] == Resolution(slack=2) and r1.claim.notion == "≤ 10^-(digits − 2)"
    assert (r1.tolerance, r1.lam, r1.dps) == ("≤ 10^-(digits − 2)", "1e-7", seen["tr"].dps)
    assert (r2.tolerance, r2.lam, r2.dps, r2.verdict) == ("my text", "1e-30", 17, Verdict.FAIL)
    assert r3.verdict is Verdict.INCONCLUSIVE and "not applicable" in r3.detail


def test_a_claim_must_declare_its_tolerance(scratch_registry):
    with pytest.raises(TypeError, match="tolerance"):
        claim("T9", paper="test", source="-", statement="s", instance="tiny-E1")  # type: ignore[call-arg]
