"""Figures 1–11 of Chistikov, Englert & Lazić (2023), §8 and Apps. H–I (spec
``single_neuron.md`` §6.2), from the float64 GD protocol of :mod:`reluflow.experiments`;
in the spirit of the paper: its seeds and exact ρ grid are unknown, and the quick versions
use small sizes and low iteration caps (written in every title).

Each figure is registered in :data:`FIGURES` under its stem (``STEMS[number]``, e.g.
``sn_fig01_max_angle``; :func:`figure` by number) with the one figure protocol
(:mod:`reluflow.figures.protocol`): a compute step (JSON-ready dict, cached under the output
folder while the package version and the parameters are unchanged; figures that share a
computation share its cache) and a pure plot step writing PDF + PNG:

=====  ==========================================  =======================
fig    content                                     computation
=====  ==========================================  =======================
1      final maximum angle vs λ, per scheme        ``sweeps`` (Tables 1–2)
2      training / test loss, centred, λ sweep      ``curves_centred``
3–6    one uncentred run: ν* − ν, alignment,       ``single``
       loss and angle, ‖W‖_* and ‖θ‖²
7      3 × 2 grid of Tables 1–6                    ``sweeps``
8      the same over m (Tables 7–12)               ``sweeps``
9      as 2, uncentred                             ``curves_uncentred``
10     two teachers: bundle angles vs ρ            ``two_sweep``
11     one two-teacher run: two loss drops         ``two_run``
=====  ==========================================  =======================

Figures 2–6 and 9 carry the **exact gradient flow** (:func:`reluflow.solve`) of a GD
instance next to GD, with iteration k ↔ flow time 0.02·k: the float64 arrays are passed
at their exact binary values, with the float64 labels y (the exact σ(⟨v*, x⟩) of the
rounded teacher would differ in the last bits).  Where the instance is too large for the
exact engine (m = 200 takes more than 10 minutes at d = 16), a smaller instance of the same
scheme (d = 8, m = 10) is solved and its GD run drawn beside it; the titles say which.
"""

from __future__ import annotations

from collections.abc import Callable

from ...experiments.data import RHO
from ...experiments.protocol import FULL_EXPONENTS, QUICK_EXPONENTS, TRIALS, axis_grid, table_cap
from ..protocol import QUICK, Figure
from .curves import compute_curves, plot_fig2, plot_fig9
from .single import compute_single, plot_fig3, plot_fig4, plot_fig5, plot_fig6
from .sweeps import compute_sweeps, plot_fig1, plot_fig7, plot_fig8
from .two_teachers import compute_two_run, compute_two_sweep, plot_fig10, plot_fig11

__all__ = [
    "COMPUTE",
    "FIGURES",
    "STEMS",
    "compute_curves",
    "compute_single",
    "compute_sweeps",
    "compute_two_run",
    "compute_two_sweep",
    "figure",
    "parameters",
    "run_cap",
]


COMPUTE = {
    "sweeps": compute_sweeps,
    "curves_centred": compute_curves,
    "curves_uncentred": compute_curves,
    "single": compute_single,
    "two_sweep": compute_two_sweep,
    "two_run": compute_two_run,
}
STEMS = {
    1: "sn_fig01_max_angle",
    2: "sn_fig02_loss_centred",
    3: "sn_fig03_eigen_gaps",
    4: "sn_fig04_alignment",
    5: "sn_fig05_loss_angle",
    6: "sn_fig06_norms",
    7: "sn_fig07_metrics_d",
    8: "sn_fig08_metrics_m",
    9: "sn_fig09_loss_uncentred",
    10: "sn_fig10_two_teachers",
    11: "sn_fig11_two_teachers_run",
}


def parameters(key: str, *, quick: bool = QUICK) -> dict:
    """The keyword arguments of computation ``key`` (quick: minutes on 2 CPU cores; full:
    the paper's sizes and caps, meant for a GPU)."""
    if key not in _PARAMETERS:
        raise ValueError(f"unknown computation {key!r}; choose one of {', '.join(COMPUTE)}")
    return _PARAMETERS[key](key, quick)


def run_cap(quick: bool) -> int:
    """The GD cap of the single runs (Figs. 2–6, 9, 11) and of Fig. 10's two-teacher sweep:
    the paper's 2·10⁷ in full; 2·10⁵ quick, where they illustrate (plateaus, escapes, bundles)
    and carry no verdict: their paper-sized uncentred and two-teacher runs need more than
    2·10⁶ iterations anyway (at 2·10⁶ Fig. 10 still has 10 of its 21 runs at the cap), and
    every title gives its cap.  Tables 1–12 and Figs. 1, 7, 8 are one sweep at
    :func:`~reluflow.experiments.protocol.table_cap`."""
    return 200_000 if quick else table_cap(False)


def _sweep_parameters(key: str, quick: bool) -> dict:
    (ds, (m,)), ((d,), ms) = axis_grid("d", quick), axis_grid("m", quick)
    return {
        "ds": list(ds),
        "m": m,
        "d": d,
        "ms": list(ms),
        "lambda_exponents": list(QUICK_EXPONENTS if quick else FULL_EXPONENTS),
        "trials": TRIALS,
        "seed": 0,
        "max_iter": table_cap(quick),
        "backend": "numpy",
    }


def _curves_parameters(key: str, quick: bool) -> dict:
    centred = key == "curves_centred"
    p = {
        "scheme": "centred" if centred else "uncentred",
        "d": 16,
        "m": 200 if centred else 25,
        "lambda_exponents": list(range(-2, -9, -1)),
        "seed": 0,
        "max_iter": run_cap(quick),
        "backend": "numpy",
        "exact_t_end": (1000.0 if centred else 500.0) if quick else 20000.0,
        "exact_digits": 10,
        "exact_points": 150 if quick else 300,
    }
    if centred:  # m = 200 is out of the exact engine's reach (> 10 min to t = 30): a smaller instance
        p.update(exact_d=8, exact_m=10, exact_exponents=[-2, -5, -8])
    else:  # the paper's own instance (about 20 s per λ to t = 1000 here)
        p.update(exact_d=16, exact_m=25, exact_exponents=[-5] if quick else list(range(-2, -9, -1)))
    return p


def _single_parameters(key: str, quick: bool) -> dict:
    return {
        "scheme": "uncentred",
        "d": 16,
        "m": 25,
        "lambda_exp": -7,
        "seed": 0,
        "max_iter": run_cap(quick),
        "backend": "numpy",
        "exact_t_end": 2000.0 if quick else 20000.0,
        "exact_digits": 10,
        "exact_points": 250 if quick else 500,
    }


def _two_sweep_parameters(key: str, quick: bool) -> dict:
    # quick: the exact flow on a smaller instance (d = 16, m = 25 is ~1 min per ρ)
    return {
        "d": 16,
        "m": 25,
        "lambda_exp": -7,
        "rhos": [4.0**k for k in range(-2, 5)] if quick else [2.0**k for k in range(-6, 9)],
        "trials": 3 if quick else 15,
        "seed": 0,
        "max_iter": run_cap(quick),
        "backend": "numpy",
        "scheme": "centred",
        "exact_d": 4 if quick else 16,
        "exact_m": 6 if quick else 25,
        "exact_t_end": 1000.0 if quick else 20000.0,
        "exact_digits": 10,
        "exact_max_rho": 64.0 if quick else None,
    }


def _two_run_parameters(key: str, quick: bool) -> dict:
    return {
        "d": 16,
        "m": 25,
        "lambda_exp": -7,
        "rho": RHO["uncentred"],
        "scheme": "uncentred",
        "seed": 0,
        "max_iter": run_cap(quick),
        "backend": "numpy",
        "exact_t_end": 1000.0 if quick else 20000.0,
        "exact_digits": 10,
        "exact_points": 150 if quick else 300,
    }


_PARAMETERS = {
    "sweeps": _sweep_parameters,
    "curves_centred": _curves_parameters,
    "curves_uncentred": _curves_parameters,
    "single": _single_parameters,
    "two_sweep": _two_sweep_parameters,
    "two_run": _two_run_parameters,
}


def figure(number: int) -> Figure:
    """The registered figure of the paper's Fig. ``number`` (1–11)."""
    if number not in STEMS:
        raise ValueError(f"figure: unknown figure {number!r}; choose 1–11")
    return FIGURES[STEMS[number]]


def _figure(number: int, key: str, plot: Callable) -> Figure:
    # parameters are looked up when asked for, so a test can swap them
    return Figure(
        STEMS[number], "single-neuron", COMPUTE[key], plot, lambda quick: parameters(key, quick=quick), f"sn_gd_{key}"
    )


FIGURES: dict[str, Figure] = {
    STEMS[number]: _figure(number, key, plot)
    for number, (key, plot) in {
        1: ("sweeps", plot_fig1),
        2: ("curves_centred", plot_fig2),
        3: ("single", plot_fig3),
        4: ("single", plot_fig4),
        5: ("single", plot_fig5),
        6: ("single", plot_fig6),
        7: ("sweeps", plot_fig7),
        8: ("sweeps", plot_fig8),
        9: ("curves_uncentred", plot_fig9),
        10: ("two_sweep", plot_fig10),
        11: ("two_run", plot_fig11),
    }.items()
}
