"""Every figure of the package in one registry keyed by stem (the one figure protocol of
:mod:`reluflow.figures.protocol`): the four orthogonal-inputs figures, the single-neuron
exact flow, the interpolator family, the sliding mode and the paper's GD figures 1–11.

>>> from reluflow.figures.catalog import FIGURES
>>> FIGURES["orth_loss"].paper, FIGURES["sn_fig05_loss_angle"].cache_name()
('orthogonal', 'sn_gd_single_quick')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..problem import ProblemError
from . import interpolators, orthogonal, protocol, single_neuron, single_neuron_gd, sliding
from .protocol import Figure

__all__ = ["EXACT_FLOW", "FIGURES", "find", "make", "script_main"]

FIGURES: dict[str, Figure] = {
    **orthogonal.FIGURES,
    **{f.stem: f for f in (single_neuron.FIGURE, interpolators.FIGURE, sliding.FIGURE)},
    **single_neuron_gd.FIGURES,
}
# the figures drawn from the exact flow (reproduce draws them; the GD ones come with its experiments)
EXACT_FLOW = (*orthogonal.FIGURES, "sn_exact", "interp_family", "sliding")


def find(stem: str) -> Figure:
    """The figure ``stem``, or a ProblemError listing the stems."""
    if stem not in FIGURES:
        raise ProblemError("figure", f"unknown figure {stem!r}; choose one of {', '.join(FIGURES)}")
    return FIGURES[stem]


def make(stem: str, out_dir: str | Path, **options: Any) -> list[Path]:
    """Compute (or reuse the cache) and plot figure ``stem``; options as for :meth:`Figure.data`."""
    return find(stem).make(out_dir, **options)


def script_main(stem: str, doc: str, argv=None, out_dir: str | Path | None = None) -> list[Path]:
    """The command line of the script ``paper_figures/<stem>.py`` (:func:`protocol.script_main`)."""
    return protocol.script_main(find(stem), doc, argv, out_dir)
