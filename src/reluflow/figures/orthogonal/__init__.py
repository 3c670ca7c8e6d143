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

Each is registered in :data:`FIGURES` (stems ``orth_loss``, ``orth_alignment``,
``orth_limit``, ``orth_incremental``) under the one figure protocol
(:mod:`reluflow.figures.protocol`).  Values that can leave the float range (tiny norms,
gaps, errors) are stored as log10.
"""

from __future__ import annotations

from ..protocol import QUICK, Figure
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
    "parameters",
    "plot_alignment",
    "plot_incremental",
    "plot_limit",
    "plot_loss",
]


def parameters(name: str, quick: bool = QUICK) -> dict:
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
    raise ValueError(f"unknown figure {name!r}; choose from loss, alignment, limit, incremental")


def _figure(name: str, compute, plot) -> Figure:
    # parameters are looked up when asked for, so a test can swap them
    return Figure(f"orth_{name}", "orthogonal", compute, plot, lambda quick: parameters(name, quick))


FIGURES = {
    f.stem: f
    for f in (
        _figure("loss", compute_loss, plot_loss),
        _figure("alignment", compute_alignment, plot_alignment),
        _figure("limit", compute_limit, plot_limit),
        _figure("incremental", compute_incremental, plot_incremental),
    )
}
