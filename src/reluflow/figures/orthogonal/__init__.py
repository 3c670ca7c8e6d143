"""The four figures for orthogonal inputs, in the spirit of Boursier, Pillaud-Vivien &
Flammarion (2022); not the paper's parameters (its figures' data are unknown, and none of
these is a reproduction of one).  Spec: ``orthogonal_inputs.md`` §6.2 (F-orth, F-align,
F-jump) and R3–R12.

Each figure has a pure ``compute_*`` (runs the engine :func:`reluflow.solve` and the
theory :func:`reluflow.theory.orthogonal.predict`; returns JSON-ready floats, strings and
lists) and a pure ``plot_*(data, stem)`` (writes ``stem.pdf`` and ``stem.png``):

- ``loss``: E1's loss against T = t/ln(1/λ) for several λ, with the λ → 0 staircase
  (R6) and the heteroclinic loss curves (R7) overlaid;
- ``alignment``: E1's alignment gap 1 − cos∠(w_j, D_j) and log-norm exponents
  ln‖w_j‖/ln(1/λ), with the λ-free early flow (R3) and the exponents e_j(T) (R11);
- ``limit``: E1's final parameters against the minimum-norm interpolator (R9, R10) as λ
  shrinks, with the predicted rates λ^{2(1−ρ)};
- ``incremental``: E2 (coverage A3 fails): loss, exponents and ‖θ‖² against the R12 jump
  process, ending at a larger norm than the minimum.

:func:`make` computes one figure with a JSON cache under the output folder (reused while
the package version and the parameters are unchanged) and plots it; :func:`figures_all`
does all four.  Values that can leave the float range (tiny norms, gaps, errors) are
stored as log10.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..._version import __version__
from ...plotting import cached
from .alignment import compute_alignment, plot_alignment
from .incremental import compute_incremental, plot_incremental
from .limit import compute_limit, plot_limit
from .loss import compute_loss, plot_loss

__all__ = [
    "FIGURES",
    "compute_alignment",
    "compute_incremental",
    "compute_limit",
    "compute_loss",
    "figures_all",
    "make",
    "parameters",
    "plot_alignment",
    "plot_incremental",
    "plot_limit",
    "plot_loss",
    "script_main",
]


FIGURES = ("loss", "alignment", "limit", "incremental")
_COMPUTE = {
    "loss": compute_loss,
    "alignment": compute_alignment,
    "limit": compute_limit,
    "incremental": compute_incremental,
}
_PLOT = {"loss": plot_loss, "alignment": plot_alignment, "limit": plot_limit, "incremental": plot_incremental}


def parameters(name: str, *, quick: bool = False) -> dict:
    """The keyword arguments of ``compute_<name>`` for the quick or the full version."""
    if name == "loss":
        lams = ["1e-4", "1e-16", "1e-30", "1e-100"] if quick else ["1e-2", "1e-4", "1e-8", "1e-16", "1e-30", "1e-100"]
        return {"lambdas": lams, "samples": 200 if quick else 500}
    if name == "alignment":
        return {
            "lambdas": ["1e-30"] if quick else ["1e-30", "1e-100"],
            "samples": 200 if quick else 400,
            "early_samples": 60 if quick else 120,
        }
    if name == "limit":
        lams = ["1e-10", "1e-30", "1e-100"] if quick else ["1e-10", "1e-20", "1e-30", "1e-50", "1e-100", "1e-200"]
        return {"lambdas": lams, "n_random": 50}
    if name == "incremental":
        return {
            "lambdas": ["1e-30", "1e-80"] if quick else ["1e-30", "1e-80", "1e-200"],
            "samples": 200 if quick else 400,
        }
    raise ValueError(f"unknown figure {name!r}; choose from {', '.join(FIGURES)}")


def make(name: str, out_dir: str | Path, *, quick: bool = False, recompute: bool = False) -> list[Path]:
    """Compute figure ``name`` (or reuse ``out_dir/orth_<name>.json`` when it was written by
    this package version with the same parameters) and plot ``out_dir/orth_<name>``.pdf/.png."""
    out_dir = Path(out_dir)
    params = parameters(name, quick=quick)
    data = cached(
        out_dir / f"orth_{name}.json",
        {"version": __version__, "figure": name, "params": params},
        lambda: _COMPUTE[name](**params),
        recompute=recompute,
    )
    return _PLOT[name](data, out_dir / f"orth_{name}")


def figures_all(out_dir: str | Path, *, quick: bool = False, recompute: bool = False) -> list[Path]:
    """All four figures (PDF and PNG each), computed or taken from the cache."""
    return [path for name in FIGURES for path in make(name, out_dir, quick=quick, recompute=recompute)]


def script_main(name: str, doc: str, argv=None, out_dir: str | Path | None = None) -> list[Path]:
    """The command line of the ``paper_figures/orth_*.py`` scripts: ``--recompute``, ``--quick``, ``--out``."""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    ap.add_argument("--recompute", action="store_true", help="ignore the cached numbers")
    ap.add_argument("--quick", action="store_true", help="fewer λ values and samples (seconds)")
    ap.add_argument("--out", default=out_dir, help="output folder (default: paper_figures/out)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = make(name, args.out or "paper_figures/out", quick=args.quick, recompute=args.recompute)
    for path in paths:
        print("wrote", path)
    print(f"({time.perf_counter() - t0:.1f} s)")
    return paths
