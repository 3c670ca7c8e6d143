"""CONTRIBUTING.md's Python example runs as written (in a fresh interpreter: it registers
a claim), and its commands name files and tools that exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "CONTRIBUTING.md"


def _blocks(info: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(GUIDE.read_text(encoding="utf-8"))
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == info]


def test_the_claim_example_registers_runs_and_passes():
    [code] = _blocks("python")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]


def test_the_example_claim_can_fail():
    """The example's check has power: on a run whose loss is made to rise, it says FAIL."""
    [code] = _blocks("python")
    broken = code.replace(
        "    losses = [tr.loss(t) for t in tr.times]\n",
        "    losses = [tr.loss(t) for t in tr.times]\n    losses[-1] = losses[0] * 2  # a loss that rises\n",
    ).replace("assert result.verdict is Verdict.PASS, result.detail", "assert result.verdict is Verdict.FAIL")
    assert broken != code
    res = subprocess.run([sys.executable, "-c", broken], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]


def test_the_places_it_names_exist():
    text = GUIDE.read_text(encoding="utf-8")
    for path in (
        "src/reluflow/claims/orthogonal/early.py",
        "src/reluflow/claims/single_neuron/phase2.py",
        "tests/test_claims_orthogonal.py",
        "tests/test_architecture.py",
        "src/reluflow/datasets.py",
        "figures/orthogonal/limit.py",
    ):
        assert path in text
        assert (ROOT / path).exists() or (ROOT / "src" / "reluflow" / path).exists(), path
