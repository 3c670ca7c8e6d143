"""Figure style (a plain rc dict), drawing without pyplot, saving as vector PDF + PNG
byte-reproducibly, and the cache of a figure's computed numbers.

Figures are made with matplotlib's object API (:class:`matplotlib.figure.Figure`), never
through pyplot: importing reluflow leaves the user's backend alone, no figure is kept open by
a global registry, and in a notebook the Figure a plot function returns shows inline.

>>> with style():
...     fig, ax = subplots(figsize=(3, 2))
>>> type(fig).__name__, save(fig) is fig
('Figure', True)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib
from matplotlib import cm
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = [
    "STYLE",
    "FuncFormatter",
    "MaxNLocator",
    "MplFigure",
    "cached",
    "cm",
    "colormap",
    "save",
    "style",
    "subplots",
    "written",
]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 150,
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "savefig.bbox": "tight",
}


def style():
    """The package's figure style, for a ``with`` block (``matplotlib.rc_context``)."""
    return matplotlib.rc_context(STYLE)


def colormap(name: str):
    """A registered colormap by name."""
    return matplotlib.colormaps[name]


def subplots(nrows: int = 1, ncols: int = 1, *, fig=None, figsize=None, **kw):
    """``(figure, axes)`` as ``pyplot.subplots`` gives them, without pyplot: a new Figure of
    ``figsize``, or the caller's ``fig`` (a Figure or SubFigure) to draw into."""
    if fig is None:
        fig = MplFigure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kw)


def save(fig, stem: str | Path | None = None):
    """Write ``stem.pdf`` and ``stem.png`` when a stem is given (PDFs carry no creation date,
    so they are reproducible); return the figure."""
    if stem is not None:
        root = getattr(fig, "figure", None) or fig  # a SubFigure saves the figure it belongs to
        stem = Path(stem)
        stem.parent.mkdir(parents=True, exist_ok=True)
        root.savefig(stem.with_suffix(".pdf"), metadata={"CreationDate": None})
        root.savefig(stem.with_suffix(".png"), metadata={"Software": None})
    return fig


def written(stem: str | Path) -> list[Path]:
    """The files :func:`save` writes for ``stem``."""
    stem = Path(stem)
    return [stem.with_suffix(".pdf"), stem.with_suffix(".png")]


def cached(path: str | Path, ident: dict, compute: Callable[[], dict], *, recompute: bool = False) -> dict:
    """The numbers of a figure: read from the JSON file ``path`` when it was written with the
    same ``ident`` (package version, parameters), else ``compute()``d (its wall time added as
    ``compute_seconds``) and written there."""
    path = Path(path)
    ident = json.loads(json.dumps(ident))  # as it reads back from JSON (tuples become lists)
    if path.exists() and not recompute:
        try:
            stored = json.loads(path.read_text())
        except (OSError, ValueError):
            stored = {}
        if stored.get("ident") == ident:
            return stored["data"]
    t0 = time.perf_counter()
    data = compute()
    data["compute_seconds"] = time.perf_counter() - t0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"ident": ident, "data": data}))
    return data
