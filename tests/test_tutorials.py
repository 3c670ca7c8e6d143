"""The tutorial notebooks run top to bottom in a Jupyter kernel (nbclient), with inline
figures, in under three minutes together; and they are exactly what make_notebooks.py writes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

TUTORIALS = Path(__file__).resolve().parents[1] / "docs" / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))


def _run(path: Path, cwd: Path):
    book = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return book


def _outputs(book, kind: str) -> list:
    return [o for c in book.cells if c.cell_type == "code" for o in c.outputs if kind in o.get("data", {})]


def test_there_are_four_tutorials_and_none_carries_outputs():
    assert [p.stem for p in NOTEBOOKS] == ["01_first_solve", "02_checking_a_claim", "03_sliding_mode", "04_sweep"]
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in book.cells if c.cell_type == "code"), path.name


def test_the_notebooks_are_what_the_generator_writes(tmp_path):
    before = {p.name: p.read_bytes() for p in NOTEBOOKS}
    subprocess.run([sys.executable, str(TUTORIALS / "make_notebooks.py")], check=True, timeout=60)
    assert {p.name: p.read_bytes() for p in sorted(TUTORIALS.glob("*.ipynb"))} == before


def test_the_tutorials_run_top_to_bottom_with_inline_figures(tmp_path):
    start = time.perf_counter()
    books = {path.stem: _run(path, tmp_path) for path in NOTEBOOKS}
    assert time.perf_counter() - start < 180
    assert _outputs(books["01_first_solve"], "image/png") and _outputs(books["03_sliding_mode"], "image/png")
    assert _outputs(books["01_first_solve"], "text/html")  # the Trajectory's card
    text = "".join(
        o.get("text", "") for c in books["02_checking_a_claim"].cells if c.cell_type == "code" for o in c.outputs
    )
    assert "O21 PASS" in text and "FAIL |" in text  # the claim passes, and catches the broken theory
    assert not list(Path.cwd().glob("*.ipynb"))
