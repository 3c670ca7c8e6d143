"""Notebook and data-tool views of a trajectory: a short repr, an HTML card, samples as
NumPy arrays, a DataFrame and an xarray Dataset."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from reluflow import Dataset, Init, Problem
from reluflow.datasets import e1
from reluflow.integrate import solve
from reluflow.problem import ProblemError


@pytest.fixture(scope="module")
def tr():
    return solve(e1("1e-30"), digits=20, loss_below="1e-20")


def test_the_repr_is_one_short_line_and_the_html_card_is_escaped(tr):
    text = repr(tr)
    assert len(text) < 300 and "\n" not in text and "λ = 1e-30" in text and "loss_below" in text
    card = tr._repr_html_()
    assert card.startswith("<table>") and "n = 4, d = 4, m = 6" in card and "<script" not in card


def test_samples_are_the_dense_output_in_float64(tr):
    s = tr.sample([0, "1/2", 100, tr.t_end])
    assert s["t"].shape == (4,) and s["a"].shape == (4, 6) and s["W"].shape == (4, 6, 4)
    assert s["active"].shape == (4, 6, 4) and s["active"].dtype == bool
    st = tr.evaluate(100)
    assert s["W"][2, 1, 3] == float(st.W[1][3]) and s["a"][2, 5] == float(st.a[5])
    assert s["loss"][2] == float(tr.loss(100)) and s["t"][1] == 0.5
    even = tr.sample(samples=8)
    assert even["t"][0] == 0 and even["t"][-1] == float(tr.t_end) and len(even["t"]) == 9
    assert np.all(np.diff(even["t"]) > 0)


def test_a_loss_below_float64_keeps_its_log():
    p = Problem(Dataset([[1]], [1]), Init("1e-5", [[1]], [1]))
    run = solve(p, digits=200, t_end=250)
    s = run.sample([run.t_end])
    assert s["loss"][0] == 0.0  # float64 cannot hold 1e-414 …
    assert -415 < s["log10_loss"][0] < -413  # … its log10, computed at the run's precision, can


def test_bad_grids_are_refused(tr):
    with pytest.raises(ProblemError, match="outside the solved interval"):
        tr.sample([tr.t_end + 1])
    with pytest.raises(ProblemError) as info:
        tr.sample(samples=0)
    assert info.value.field == "samples"


def test_dataframe_columns(tr):
    df = tr.to_dataframe(samples=4)
    assert list(df.columns[:3]) == ["t", "loss", "log10_loss"] and "a_5" in df and "w_5_3" in df
    assert len(df) == 5 and df["t"].iloc[-1] == float(tr.t_end)


def test_xarray_dataset_or_a_clear_message(tr, monkeypatch):
    pytest.importorskip("xarray")
    ds = tr.to_xarray(samples=4)
    assert ds["W"].dims == ("t", "neuron", "coord") and ds.attrs["lambda"] == "1e-30" and ds.sizes["t"] == 5
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError, match="pip install xarray"):
        tr.to_xarray()
