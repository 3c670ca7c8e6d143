"""Figure style (a plain rc dict), saving as vector PDF + PNG byte-reproducibly, and the
cache of a figure's computed numbers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

__all__ = ["STYLE", "cached", "plt", "save"]

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


def save(fig, stem: str | Path) -> list[Path]:
    """Write ``stem.pdf`` and ``stem.png``; PDFs carry no creation date (reproducible)."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    pdf, png = stem.with_suffix(".pdf"), stem.with_suffix(".png")
    fig.savefig(pdf, metadata={"CreationDate": None})
    fig.savefig(png, metadata={"Software": None})
    plt.close(fig)
    return [pdf, png]


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
