"""Loss curve of one or more runs against rescaled time T = t / ln(1/λ), log scale,
with the activation switches marked: the saddle-to-saddle staircase made visible.

Labelled "in the spirit of Boursier et al. (2022)": not the paper's parameters.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..integrate import Trajectory
from ..plotting import MplFigure, save, style, subplots
from ..problem import exact_text
from ..summary import loss_curve

__all__ = ["compute", "plot"]


def compute(trajectories: list[Trajectory], samples: int = 600) -> dict:
    """Sampled loss curves (floats) per run, with rescaled times and event times."""
    runs = []
    for tr in trajectories:
        scale = tr.problem.log_inv_lambda
        ts, ls = loss_curve(tr, samples)
        runs.append(
            {
                "lambda": exact_text(tr.problem.init.lam),
                "log10_inv_lambda": scale / math.log(10),
                "T": [t / scale for t in ts],
                "loss": [max(float(v), 1e-300) for v in ls],
                "events_T": [float(e.t) / scale for e in tr.events],
                "dps": tr.dps,
            }
        )
    return {"runs": runs}


def plot(data: dict, stem: str | Path | None = None, title: str = "", *, fig: MplFigure | None = None) -> MplFigure:
    """Draw the curves of :func:`compute` and save ``stem``.pdf/.png."""
    with style():
        fig, ax = subplots(fig=fig)
        marked = False
        for run in data["runs"]:
            label = f"λ = 1e-{run['log10_inv_lambda']:.0f}"
            (line,) = ax.semilogy(run["T"], run["loss"], lw=1.6, label=label)
            for T in run["events_T"]:
                ax.axvline(
                    T,
                    color=line.get_color(),
                    lw=1.1,
                    ls=(0, (3, 2)),
                    alpha=0.9,
                    zorder=1,
                    label=None if marked else "activation switch (dashed)",
                )
                marked = True
        ax.set_xlabel("rescaled time  T = t / ln(1/λ)")
        ax.set_ylabel("loss  L(θ(t))")
        ax.set_title(title or "Loss staircase (in the spirit of Boursier et al. 2022)")
        ax.legend()
        return save(fig, stem)
