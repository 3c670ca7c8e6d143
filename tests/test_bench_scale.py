"""The research-scale bench's own accounting (``bench/engine_scale.py``): where a run's
time goes per t window.  The bench itself is run by hand (minutes); its arithmetic is
checked here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "engine_scale", Path(__file__).resolve().parents[1] / "bench" / "engine_scale.py"
)
assert _spec is not None and _spec.loader is not None
engine_scale = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(engine_scale)


def test_phase_table_splits_steps_switches_and_cpu_time_by_window():
    clock = [(0.5, 11.0), (0.9, 12.0), (3.0, 15.0), (3000.0, 20.0)]
    table = engine_scale.phase_table(clock, [0.2, 0.5, 4.0, 2999.0], start=10.0, edges=(0, 1, 5, 3000))
    assert table == [
        {"t": (0, 1), "steps": 2, "switches": 2, "cpu_s": 2.0},
        {"t": (1, 5), "steps": 1, "switches": 1, "cpu_s": 3.0},
        {"t": (5, 3000), "steps": 1, "switches": 1, "cpu_s": 5.0},  # a step ending at the horizon counts
    ]
    assert sum(row["cpu_s"] for row in table) == pytest.approx(20.0 - 10.0)


def test_phase_table_skips_windows_without_steps():
    table = engine_scale.phase_table([(0.5, 1.0), (50.0, 3.0)], [], edges=(0, 1, 5, 100))
    assert [row["t"] for row in table] == [(0, 1), (5, 100)]
    assert table[1]["cpu_s"] == 2.0  # from the end of the last step before it


def test_the_rows_print_the_phase_table(capsys):
    row = {
        "problem": "generic",
        "kernel": "gmp",
        "wall_s": 3.0,
        "cpu_s": 2.9,
        "steps": 3,
        "events": 2,
        "status": "t_end",
        "t": 3000.0,
        "loss": 1e-3,
        "peak_rss_mb": 100.0,
        "phases": [{"t": (0, 1), "steps": 3, "switches": 2, "cpu_s": 2.4}],
    }
    engine_scale.print_rows([row], 50.0)
    out = capsys.readouterr().out
    assert "where the generic run's time goes" in out
    assert "[0, 1)" in out and "800.0" in out  # 2.4 s over 3 steps
