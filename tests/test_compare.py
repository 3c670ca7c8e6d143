"""`reluflow compare SPEC --lr …`: gradient descent against the exact flow on the same SPEC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reluflow.cli import app
from reluflow.datasets import e1
from reluflow.experiments.compare import compare
from reluflow.problem import ProblemError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_the_gap_to_the_flow_is_first_order_in_the_step():
    """Halving the learning rate about halves GD's distance from the exact flow (Euler is a
    first-order method), on the orthogonal fixture E1 through its first plateau."""
    out = compare(e1("1e-6"), [0.02, 0.01], t_end=30, samples=40)
    coarse, fine = out["runs"]
    assert coarse["t"][-1] == fine["t"][-1] == 30
    ratio = coarse["param_gap"][-1] / fine["param_gap"][-1]
    assert 1.6 < ratio < 2.4, ratio
    assert all(g >= 0 for g in fine["loss_gap"]) and fine["param_gap"][0] < 1e-12  # same start


def test_cli_writes_the_table_figure_and_numbers(tmp_path):
    res = runner.invoke(
        app,
        [
            "compare",
            str(ROOT / "examples" / "e1.toml"),
            "--lr",
            "0.02",
            "--lr",
            "0.01",
            "--t-end",
            "100",
            "--out",
            str(tmp_path),
        ],
        env={"COLUMNS": "150"},
    )
    assert res.exit_code == 0, res.output
    assert "param gap" in res.output and "0.02" in res.output
    data = json.loads((tmp_path / "compare.json").read_text())
    assert [r["lr"] for r in data["runs"]] == [0.02, 0.01] and data["flow"]["status"] == "t_end"
    assert (tmp_path / "compare.png").stat().st_size > 1000 and (tmp_path / "compare.pdf").exists()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--lr", "-0.1"], "lr"),
        (["--lr", "1e-9", "--t-end", "100"], "lr"),
        (["--lr", "0.01", "--t-end", "-5"], "t_end"),
        (["--lr", "0.01", "--samples", "1"], "--samples"),
        (["--lr", "1e308", "--t-end", "1"], "lr"),  # one step passes t_end (found by a hostile-input pass)
    ],
)
def test_bad_options_exit_2_naming_the_field(args, field):
    res = runner.invoke(app, ["compare", str(ROOT / "examples" / "e1.toml"), *args])
    assert res.exit_code == 2 and f"{field}:" in res.output, res.output


def test_a_scale_below_float64_cannot_start_gd():
    with pytest.raises(ProblemError) as info:
        compare(e1("1e-400"), [0.01], t_end=1)
    assert info.value.field == "init.lambda"


def test_a_backend_that_is_not_installed_is_bad_input_not_a_bug(monkeypatch):
    """--backend torch without PyTorch named the fix only in a bug report (found by a hostile-input pass)."""
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    res = runner.invoke(app, ["compare", str(ROOT / "examples" / "e1.toml"), "--lr", "0.01", "--backend", "torch"])
    assert res.exit_code == 2 and "backend:" in res.output and "pip install" in res.output, res.output
