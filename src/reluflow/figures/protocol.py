"""One protocol for every figure.

A :class:`Figure` is a stem (its files ``stem.pdf``/``stem.png`` and its script
``paper_figures/<stem>.py``), the paper it belongs to, the keyword arguments of its quick and
full versions, a pure ``compute(**parameters) -> dict`` (JSON-ready; it runs the engine and
the theory) and ``plot(data, stem=None, *, fig=None)``, which draws into a new matplotlib
Figure (or the caller's ``fig``), saves ``stem``.pdf/.png when given a stem, and returns it.  :meth:`Figure.data` caches the
computation under the output folder while the package version and the parameters are
unchanged (figures drawn from one computation name the same ``cache``); :meth:`Figure.make`
plots it.  The quick version is the default everywhere (:data:`QUICK`); ``--full`` asks for
the paper's sizes.  The catalogue of all figures, keyed by stem, is
:mod:`reluflow.figures.catalog`.

>>> fig = Figure("demo", "none", lambda n: {"n": n}, lambda data, stem: [], lambda quick: {"n": 1 if quick else 9})
>>> fig.parameters(QUICK), fig.cache_name(quick=False)
({'n': 1}, 'demo_full')
"""

from __future__ import annotations

import argparse
import inspect
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import __version__
from ..limits import MAX_WORKERS
from ..plotting import cached, written

__all__ = ["QUICK", "Figure", "script_main"]

QUICK = True  # the default version: minutes on 2 CPU cores; full: the paper's sizes


@dataclass(frozen=True)
class Figure:
    """One figure (see the module docstring); ``summary`` optionally turns its data into a
    line for the script's output."""

    stem: str
    paper: str  # "orthogonal", "single-neuron" or "general"
    compute: Callable[..., dict]
    plot: Callable[..., Any]  # plot(data, stem=None, *, fig=None) -> matplotlib Figure; saves when given a stem
    parameters: Callable[[bool], dict]  # quick → the keyword arguments of compute
    cache: str = ""  # the computation's name (default: the stem); figures that share it share the cache
    summary: Callable[[dict], str] | None = None

    def cache_name(self, *, quick: bool = QUICK) -> str:
        return f"{self.cache or self.stem}_{'quick' if quick else 'full'}"

    def data(
        self,
        out_dir: str | Path,
        *,
        quick: bool = QUICK,
        recompute: bool = False,
        overrides: Mapping[str, Any] | None = None,
        progress: Callable[[str], None] | None = None,
        workers: int | None = 1,
    ) -> dict:
        """The computation's numbers, from ``out_dir/<cache>_<quick|full>.json`` when that
        was written by this package version with the same parameters, else computed.
        ``overrides`` replace parameters of the same name (None leaves one as it is);
        ``progress`` and ``workers`` (processes, None: one per core; see
        :func:`reluflow.experiments.protocol.run_cells`) go to computations that take them
        and never change the numbers."""
        params = self.parameters(quick)
        params.update({k: v for k, v in (overrides or {}).items() if v is not None and k in params})
        name = self.cache_name(quick=quick)
        takes = inspect.signature(self.compute).parameters
        extra: dict[str, Any] = {"progress": progress} if "progress" in takes and progress is not None else {}
        if "workers" in takes:
            extra["workers"] = workers
        return cached(
            Path(out_dir) / f"{name}.json",
            {"version": __version__, "figure": name, "params": params},
            lambda: self.compute(**params, **extra),
            recompute=recompute,
        )

    def make(self, out_dir: str | Path, **options: Any) -> list[Path]:
        """Compute (or reuse) and plot ``out_dir/<stem>``.pdf/.png; options as for :meth:`data`."""
        stem = Path(out_dir) / self.stem
        self.plot(self.data(out_dir, **options), stem)
        return written(stem)

    def draw(self, out_dir: str | Path, **options: Any):
        """The figure as a matplotlib Figure, computed (or read from the cache in ``out_dir``)
        but not saved: in a notebook it shows inline.  Options as for :meth:`data`."""
        return self.plot(self.data(out_dir, **options))


def script_main(figure: Figure, doc: str, argv=None, out_dir: str | Path | None = None) -> list[Path]:
    """The command line of a ``paper_figures/<stem>.py`` script: ``--quick`` (the default) or
    ``--full``, ``--recompute``, ``--out``, and ``--backend`` and ``--workers`` where the
    computation runs GD."""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    gd = "backend" in figure.parameters(QUICK)  # a figure of gradient descent runs
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="quick", action="store_true", default=QUICK, help="the quick version (default)")
    full = "the paper's protocol (meant for a GPU)" if gd else "the full version (more λ values and samples)"
    mode.add_argument("--full", dest="quick", action="store_false", help=full)
    ap.add_argument("--recompute", action="store_true", help="ignore the cached numbers")
    ap.add_argument("--out", default=out_dir, help="output folder (default: paper_figures/out)")
    if gd:
        ap.add_argument("--backend", default=None, choices=("numpy", "torch", "auto"), help="array backend of GD")
        ap.add_argument(
            "--workers", type=int, default=None, help="processes for the sweep's cells (default: one per CPU core)"
        )
    args = ap.parse_args(argv)
    if gd and args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        ap.error(f"--workers: must be an integer in [1, {MAX_WORKERS}], got {args.workers}")
    t0 = time.perf_counter()
    out = args.out or "paper_figures/out"
    options: dict[str, Any] = {"quick": args.quick, "recompute": args.recompute, "progress": print}
    if gd:
        options.update(overrides={"backend": args.backend}, workers=args.workers)
    data = figure.data(out, **options)
    figure.plot(data, Path(out) / figure.stem)
    paths = written(Path(out) / figure.stem)
    if figure.summary is not None:
        print(figure.summary(data))
    for path in paths:
        print("wrote", path)
    print(f"({time.perf_counter() - t0:.1f} s)")
    return paths
