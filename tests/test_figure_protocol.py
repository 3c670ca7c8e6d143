"""One figure protocol: every figure is a Figure in one registry keyed by stem, with a quick
(default) and a full version, one cache and one script command line."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from reluflow.figures import catalog
from reluflow.figures.protocol import QUICK, Figure, script_main
from reluflow.problem import ProblemError

ROOT = Path(__file__).resolve().parents[1]


def test_every_figure_has_its_script_and_every_script_its_figure():
    scripts = {p.stem for p in (ROOT / "paper_figures").glob("*.py")}
    assert scripts == set(catalog.FIGURES)
    for stem in scripts:
        text = (ROOT / "paper_figures" / f"{stem}.py").read_text(encoding="utf-8")
        assert f'catalog.script_main("{stem}", __doc__' in text and f"paper_figures/{stem}.py --full" in text


@pytest.mark.parametrize("stem", sorted(catalog.FIGURES))
def test_quick_and_full_versions_are_json_parameters_of_compute(stem):
    fig = catalog.FIGURES[stem]
    assert fig.stem == stem and fig.paper in ("orthogonal", "single-neuron", "general")
    quick, full = fig.parameters(True), fig.parameters(False)
    assert quick != full and json.loads(json.dumps(quick)) is not None
    assert fig.cache_name() == fig.cache_name(quick=QUICK) != fig.cache_name(quick=not QUICK)


def test_unknown_stems_are_named():
    with pytest.raises(ProblemError, match="orth_loss") as info:
        catalog.find("orth_los")
    assert info.value.field == "figure"


def _toy(calls: list) -> Figure:
    def compute(n, backend="numpy", progress=None):
        calls.append((n, backend))
        return {"n": n}

    def plot(data, stem=None, *, fig=None):
        if stem is not None:
            for suffix in (".pdf", ".png"):
                Path(f"{stem}{suffix}").write_text(str(data["n"]))
        return {"drawn": data["n"]}

    return Figure(
        "toy",
        "general",
        compute,
        plot,
        lambda quick: {"n": 1 if quick else 2, "backend": "numpy"},
        summary=lambda data: f"n is {data['n']}",
    )


def test_the_script_command_line_quick_by_default_full_on_request(tmp_path, capsys):
    calls: list = []
    fig = _toy(calls)
    _pdf, path = script_main(fig, "Toy figure.", [], out_dir=tmp_path)
    assert path == tmp_path / "toy.png" and path.read_text() == "1" and calls == [(1, "numpy")]
    assert fig.draw(tmp_path) == {"drawn": 1} and len(calls) == 1  # drawn from the cache, not saved again
    assert "n is 1" in capsys.readouterr().out
    script_main(fig, "Toy figure.", [], out_dir=tmp_path)  # cached: not recomputed
    assert len(calls) == 1 and (tmp_path / "toy_quick.json").exists()
    script_main(fig, "Toy figure.", ["--full", "--backend", "torch"], out_dir=tmp_path)
    assert calls[-1] == (2, "torch") and path.read_text() == "2"
    script_main(fig, "Toy figure.", ["--recompute"], out_dir=tmp_path)
    assert len(calls) == 3
    with pytest.raises(SystemExit):
        script_main(fig, "Toy figure.", ["--quick", "--full"], out_dir=tmp_path)


def test_workers_reach_computations_that_take_them_and_stay_out_of_the_cache_key(tmp_path):
    seen: list = []

    def compute(n, backend="numpy", workers=1):
        seen.append(workers)
        return {"n": n}

    fig = replace(_toy([]), stem="toy3", compute=compute)
    script_main(fig, "Toy figure.", ["--workers", "3"], out_dir=tmp_path)
    script_main(fig, "Toy figure.", [], out_dir=tmp_path)  # same numbers: cached whatever the workers
    assert seen == [3]
    fig.data(tmp_path, recompute=True)
    assert seen == [3, 1]  # the library's default: this process only
    with pytest.raises(SystemExit):
        script_main(fig, "Toy figure.", ["--workers", "0"], out_dir=tmp_path)


def test_overrides_replace_only_known_parameters(tmp_path):
    calls: list = []
    fig = replace(_toy(calls), stem="toy2")
    fig.data(tmp_path, overrides={"n": 5, "unknown": 1, "backend": None})
    assert calls == [(5, "numpy")]


def test_importing_the_figures_leaves_the_matplotlib_backend_alone():
    """Notebooks keep their inline backend: reluflow draws without pyplot and never calls
    matplotlib.use (it once switched every importer to Agg)."""
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('svg'); import reluflow.figures.catalog, reluflow.reproduce; "
        "print(matplotlib.get_backend())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "svg"
