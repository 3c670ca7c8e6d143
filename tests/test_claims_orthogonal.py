"""Claims O1–O22: every claim passes on its fixture (quick profile), claims fail when the
theory is broken on purpose, do not apply where their assumptions fail, and the trend
verdicts judge what they should."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from reluflow import Dataset, Init, Problem
from reluflow.claims import REGISTRY, Verdict, run
from reluflow.claims.core import PROFILES, trend
from reluflow.claims.report import markdown, to_json
from reluflow.datasets import e1, e2
from reluflow.problem import ProblemError
from reluflow.theory import orthogonal as theory
from reluflow.theory.orthogonal import compute as theory_compute  # where predict() looks its helpers up

IDS = [f"O{i}" for i in range(1, 23)]


@pytest.fixture(scope="module")
def quick():
    return run("orthogonal", profile="quick")


def test_registry_has_o1_to_o22():
    assert [c.id for c in REGISTRY if c.paper == "orthogonal"] == IDS


def test_every_claim_passes_on_the_quick_profile(quick):
    bad = {r.id: (r.verdict.value, r.detail) for r in quick if r.verdict is not Verdict.PASS}
    assert not bad, bad


def test_results_record_what_the_report_needs(quick):
    rows = json.loads(to_json(quick))
    assert [r["id"] for r in rows] == IDS
    for r in rows:
        assert set(r) >= {"id", "verdict", "predicted", "observed", "tolerance", "lambda", "dps"}
        assert r["dps"] >= 15 and r["lambda"] and r["observed"] and r["predicted"] != "—"
    md = markdown(quick, profile="quick")
    assert "22 PASS, 0 FAIL, 0 INCONCLUSIVE of 22 claims" in md
    # trends are measured, not asserted: the λ ladders and slopes appear in the details
    o16 = next(r for r in quick if r.id == "O16")
    assert "1e-160" in o16.lam and "log–log slope 0.1026" in o16.detail


# ---- broken theory must FAIL ----------------------------------------------------------------


def test_wrong_final_rate_fails(monkeypatch):
    real = theory_compute._rates
    monkeypatch.setattr(theory_compute, "_rates", lambda *a: (real(*a)[0] * 1.1, real(*a)[1]))
    [r] = run("orthogonal", ids=["O14"])
    assert r.verdict is Verdict.FAIL, r.detail


def test_wrong_limit_exponent_fails(monkeypatch):
    real = theory_compute._limit_exponent
    monkeypatch.setattr(theory_compute, "_limit_exponent", lambda *a: real(*a) * 1.3)
    [r] = run("orthogonal", ids=["O16"])
    assert r.verdict is Verdict.FAIL, r.detail


def test_wrong_early_flow_fails(monkeypatch):
    real = theory.Prediction.early_direction
    monkeypatch.setattr(
        theory.Prediction, "early_direction", lambda self, j, t: [v * (1 + 1e-9) for v in real(self, j, t)]
    )
    [r] = run("orthogonal", ids=["O4"])
    assert r.verdict is Verdict.FAIL, r.detail


def test_wrong_half_time_fails(monkeypatch):
    real = theory.Prediction.half_time
    monkeypatch.setattr(theory.Prediction, "half_time", lambda self, s: real(self, s) + 1e-3)
    [r] = run("orthogonal", ids=["O9"])
    assert r.verdict is Verdict.FAIL, r.detail


def test_wrong_plateau_fails(monkeypatch):
    real = theory.predict

    def shifted(problem, dps=30):
        pr = real(problem, dps=dps)
        object.__setattr__(pr, "L_mid", pr.L_mid * (1 + 1e-4))
        return pr

    monkeypatch.setattr(theory, "predict", shifted)
    [r] = run("orthogonal", ids=["O11"])
    assert r.verdict is Verdict.FAIL, r.detail


def test_a_class_never_half_fitted_fails_o9_and_o21(monkeypatch):
    """A theory horizon that ends before the escape: under A1–A3 a class that is never half
    fitted is a FAIL (the theory is wrong), not "not applicable"."""
    monkeypatch.setattr(theory.Prediction, "fit_horizon", lambda self, loss="1e-20": 5)
    for r in run("orthogonal", ids=["O9", "O21"]):
        assert r.verdict is Verdict.FAIL and "never half fitted" in r.detail, (r.id, r.detail)
        assert "status t_end" in r.detail and r.predicted != "—"


@pytest.mark.parametrize("factor", [Fraction(36, 25), Fraction(16, 25)])  # ‖β*_±‖ 20 % over, 20 % under
def test_a_wrong_min_norm_bound_fails_o19(monkeypatch, factor):
    """Overstated, the bound-attaining network violates it; understated, nothing attains it."""
    real = theory.beta_star_sq
    broken = lambda data: {s: q * factor for s, q in real(data).items()}
    monkeypatch.setattr(theory, "beta_star_sq", broken)  # what the claims read …
    monkeypatch.setattr(theory_compute, "beta_star_sq", broken)  # … and predict()
    [r] = run("orthogonal", ids=["O19"])
    assert r.verdict is Verdict.FAIL, r.detail
    assert ("slack < 0" if factor > 1 else "slack > 0") in r.detail


# ---- applicability and bad input -------------------------------------------------------------


def test_claims_needing_a3_do_not_apply_to_e2():
    res = {r.id: r for r in run("orthogonal", problem=e2("1e-30"), ids=["O9", "O13", "O16", "O20", "O21"])}
    for cid in ("O9", "O13", "O16", "O21"):
        assert res[cid].verdict is Verdict.INCONCLUSIVE and "A3" in res[cid].detail
    assert res["O20"].verdict is Verdict.PASS


def test_non_orthogonal_data_is_not_applicable_with_the_a1_message():
    p = Problem(Dataset([[1, 0], [1, 1]], [1, -1]), Init("1e-10", [[1, 2]], [1]))
    [r] = run("orthogonal", problem=p, ids=["O1"])
    assert r.verdict is Verdict.INCONCLUSIVE and "A1" in r.detail


def test_o10_needs_orthonormal_inputs():
    [r] = run("orthogonal", problem=e1("1e-30"), ids=["O10"])
    assert r.verdict is Verdict.INCONCLUSIVE and "orthonormal" in r.detail


def test_bad_profile_paper_and_ids():
    with pytest.raises(ProblemError, match="profile"):
        run("orthogonal", profile="fast")
    with pytest.raises(ProblemError, match="paper"):
        run("three-layers")
    with pytest.raises(ProblemError, match="O99"):
        run("orthogonal", ids=["O99"])


def test_profiles_ladders_decrease():
    for prof in PROFILES.values():
        for name in ("early_lams", "window_lams", "escape_lams", "curve_lams", "limit_lams", "incremental_lams"):
            lams = [float(v) for v in getattr(prof, name)]
            assert lams == sorted(lams, reverse=True) and len(lams) >= 3


# ---- the trend verdict --------------------------------------------------------------------


def test_trend_passes_the_predicted_rate_only():
    lams = [1e-10, 1e-20, 1e-40]
    errs = [l**0.5 for l in lams]
    assert trend(lams, errs, rate=0.5).verdict is Verdict.PASS
    assert trend(lams, errs, rate=0.7).verdict is Verdict.FAIL
    assert trend(lams, errs, rate=0.4, at_least=True).verdict is Verdict.PASS
    assert trend(lams, errs, rate=0.7, at_least=True).verdict is Verdict.FAIL


def test_trend_fails_when_errors_do_not_shrink_and_is_silent_on_zero():
    assert trend([1e-2, 1e-4, 1e-6], [1e-3, 1e-5, 2e-5], rate=1, at_least=True).verdict is Verdict.FAIL
    t = trend([1e-2, 1e-4], [1e-3, 0.0], rate=1)
    assert t.verdict is Verdict.INCONCLUSIVE and math.isnan(t.slope)


def test_sample_times_never_pass_the_end_of_the_run():
    """Found by Hypothesis: lo + (hi − lo)·i/count rounded one unit past t_end, and the dense
    output refused the time (O14 became INCONCLUSIVE)."""
    from reluflow import solve
    from reluflow.claims.common import samples as _samples

    tr = solve(e1("1e-10"), digits=20, t_end="447.046312703457327703762399334926894")
    for count in (60, 299, 300, 1200, 4321):
        ts = _samples(tr, count)
        assert all(t <= tr.t_end for t in ts) and abs(ts[-1] - tr.t_end) <= tr.t_end * tr.ctx.eps * 4
        tr.evaluate(ts[-1])
