"""The four orthogonal-inputs figures (reluflow.figures.orthogonal) on tiny parameter sets:
JSON-ready data, honest numbers against the theory, plots written as PDF and PNG, and the
cache of ``make``."""

import json
from dataclasses import replace

import pytest

from reluflow.figures import orthogonal as orth
from reluflow.plotting import MplFigure, written


@pytest.fixture(scope="module")
def loss():
    return orth.compute_loss(["1e-30"], samples=40)


@pytest.fixture(scope="module")
def alignment():
    return orth.compute_alignment(["1e-30"], samples=30, early_samples=10)


@pytest.fixture(scope="module")
def limit():
    return orth.compute_limit(["1e-10", "1e-30"], n_random=5)


@pytest.fixture(scope="module")
def incremental():
    return orth.compute_incremental(["1e-30"], samples=40)


def _roundtrip(data):
    """Only JSON types: the data survive json.dumps/loads unchanged."""
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert json.dumps(back, allow_nan=False) == text
    return back


def test_loss_plateau_and_heteroclinic(loss):
    data = _roundtrip(loss)
    assert data["figure"] == "loss" and data["fast"] == "+"
    assert 0 < data["T_fast"] < data["T_slow"] < data["T_max"]
    run = data["runs"][0]
    assert run["status"] == "loss_below" and len(run["T"]) == len(run["loss"]) > 40
    mid = [L for T, L in zip(run["T"], run["loss"]) if data["T_fast"] + 0.3 < T < data["T_slow"] - 0.3]
    assert mid and max(abs(L - data["L_mid"]) for L in mid) < 1e-3  # the L_mid plateau (R6)
    assert abs(run["loss"][0] - data["L0"]) < 1e-12
    pred = dict(zip(run["pred_T"], run["pred_loss"]))
    assert max(abs(L - pred[T]) for T, L in zip(run["T"], run["loss"])) < 1e-3  # heteroclinic curve (R7)


def test_alignment_matches_the_early_flow(alignment):
    data = _roundtrip(alignment)
    run = data["runs"][0]
    kinds = [nb["kind"] for nb in data["neurons"]]
    assert kinds == ["full"] * 4 + ["partial"] * 2
    assert set(run["log10_gap"]) == {str(j) for j in range(6)} == set(run["exponent"])
    # the λ-free flow of R3 describes the early phase to O(λ²)
    for j, gaps in run["log10_gap_early"].items():
        assert max(abs(a - b) for a, b in zip(gaps, run["pred_log10_gap_early"][j])) < 1e-6
    # engine switches at the R3 deactivation times
    eng = sorted((e["neuron"], e["point"], e["t"]) for e in run["events"])
    pre = sorted((e["neuron"], e["point"], e["t"]) for e in run["pred_deactivations"])
    assert [e[:2] for e in eng] == [e[:2] for e in pre]
    assert all(abs(a[2] - b[2]) < 1e-9 for a, b in zip(eng, pre))
    # exponents start at −1 and full neurons reach 0 (R11)
    for j, nb in enumerate(data["neurons"]):
        e = run["exponent"][str(j)]
        assert abs(e[0] + 1) < 0.1
        if nb["kind"] == "full":
            assert abs(e[-1]) < 0.05


def test_limit_errors_shrink_with_lambda(limit):
    data = _roundtrip(limit)
    big, small = data["runs"]
    assert small["log10_theta_sq_error"] < big["log10_theta_sq_error"] - 1
    assert small["log10_sup_h_error"] < big["log10_sup_h_error"]
    assert abs(small["theta_sq"] - data["min_theta_sq"]) < 1e-2
    # measured log–log slopes between the two λ against R9's exponents: ‖θ‖² error 2(1 − ρ_max),
    # partial neurons' ‖w_j‖² 2(1 − ρ_j) (measured within 0.7 %)
    decades = small["log10_inv_lambda"] - big["log10_inv_lambda"]
    slope = (big["log10_theta_sq_error"] - small["log10_theta_sq_error"]) / decades
    assert slope == pytest.approx(data["rate_error"], rel=0.02)
    assert sorted(data["rate_partial"]) == ["4", "5"]
    for j, rate in data["rate_partial"].items():
        assert (big["log10_w_sq"][int(j)] - small["log10_w_sq"][int(j)]) / decades == pytest.approx(rate, rel=0.02)


def test_incremental_has_the_larger_norm(incremental):
    data = _roundtrip(incremental)
    assert data["A3"] is False and len(data["jumps"]) == 2
    run = data["runs"][0]
    final = run["final_theta_sq"]
    assert abs(final - data["limit_theta_sq"]) < abs(final - data["min_theta_sq"])
    assert data["pred_theta_sq_levels"][-1] == pytest.approx(data["limit_theta_sq"])
    assert data["pred_loss_levels"][0] > data["pred_loss_levels"][1] > data["pred_loss_levels"][-1] == 0


@pytest.mark.parametrize("name", ["loss", "alignment", "limit", "incremental"])
def test_plots_write_pdf_and_png(name, tmp_path, request):
    data = _roundtrip(request.getfixturevalue(name))
    fig = getattr(orth, f"plot_{name}")(data, tmp_path / name)
    paths = written(tmp_path / name)
    assert isinstance(fig, MplFigure) and fig.axes  # the drawn figure comes back (notebooks)
    assert sorted(p.suffix for p in paths) == [".pdf", ".png"]
    assert all(p.exists() and p.stat().st_size > 1000 for p in paths)


def test_make_uses_its_cache(tmp_path, monkeypatch, incremental):
    calls = []

    def fake(**params):
        calls.append(params)
        return incremental

    fig = replace(orth.FIGURES["orth_incremental"], compute=fake)
    fig.make(tmp_path, quick=True)
    fig.make(tmp_path, quick=True)
    assert len(calls) == 1  # the second call read orth_incremental_quick.json
    fig.make(tmp_path, quick=False)  # the full version: its own cache
    fig.make(tmp_path, quick=False)
    fig.make(tmp_path, quick=False, recompute=True)
    assert len(calls) == 3 and calls[0] == orth.parameters("incremental", True) != calls[1]
    assert (tmp_path / "orth_incremental.png").stat().st_size > 1000
    assert {p.name for p in tmp_path.glob("*.json")} == {"orth_incremental_quick.json", "orth_incremental_full.json"}
    with pytest.raises(ValueError, match="unknown figure"):
        orth.parameters("nope")


@pytest.mark.slow
def test_figures_all_quick(tmp_path):
    paths = [p for fig in orth.FIGURES.values() for p in fig.make(tmp_path)]
    assert len(paths) == 8 and all(p.stat().st_size > 1000 for p in paths)
