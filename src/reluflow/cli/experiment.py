"""``reluflow experiment NAME``: the paper's GD tables (``table1`` … ``table12``, CSV) and
figures (``fig1`` … ``fig11``, PDF + PNG) of Chistikov, Englert & Lazić (2023); ``reluflow
compare SPEC --lr …``: gradient descent against the exact flow on any SPEC.

:func:`register` adds the sub-command to a typer app (the package's CLI calls it).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from ..limits import MAX_WORKERS
from .choices import Backend
from .output import console, err, write

__all__ = ["NAMES", "compare", "experiment", "register"]

MAX_TRIALS = 10_000  # trials per cell (the paper's protocol: 5; Fig. 10: 15)
MAX_ITER = 10**9  # GD iterations (the paper's cap: 2e7)

NAMES = tuple([f"table{k}" for k in range(1, 13)] + [f"fig{k}" for k in range(1, 12)])


def _parse_name(name: str) -> tuple[str, int]:
    m = re.fullmatch(r"(table|fig)(\d+)", name.strip().lower())
    if (
        m is None
        or (m.group(1) == "table" and not 1 <= int(m.group(2)) <= 12)
        or (m.group(1) == "fig" and not 1 <= int(m.group(2)) <= 11)
    ):
        raise typer.BadParameter(
            f"unknown experiment {name!r}; choose table1 … table12 or fig1 … fig11", param_hint="NAME"
        )
    return m.group(1), int(m.group(2))


def _print_rows(rows: list[dict], title: str) -> None:
    table = Table(title=title)
    for col in ("λ", "d", "m", "median", "std", "trials", "loss stop", "cap", "stall"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            f"4^{r['lambda_exp4']}",
            str(r["d"]),
            str(r["m"]),
            f"{r['median']:.4g}",
            f"{r['std']:.4g}",
            str(r["trials"]),
            str(r["stopped_loss"]),
            str(r["stopped_cap"]),
            str(r["stopped_stall"]),
        )
    console.print(table)


def experiment(
    name: str = typer.Argument(..., help="table1 … table12 (CSV) or fig1 … fig11 (PDF + PNG)"),
    quick: bool = typer.Option(True, "--quick/--full", help="minutes on a laptop, or the paper's protocol (a GPU)"),
    csv_out: Path | None = typer.Option(
        None, "--csv", help="CSV file for a table (default OUT/sn_tableK_quick.csv or OUT/sn_tableK.csv)"
    ),
    out: Path = typer.Option(Path("paper_figures/out"), "--out", help="folder for figures (and default CSVs)"),
    trials: int | None = typer.Option(
        None, "--trials", help="trials per cell (default 5, the paper's; fig10: 3 quick, 15 full)"
    ),
    seed: int = typer.Option(0, "--seed", help="base seed of every draw (numpy default_rng)"),
    backend_choice: Backend = typer.Option(
        Backend.numpy, "--backend", help="array backend (auto: torch on CUDA when present)"
    ),
    max_iter: int | None = typer.Option(
        None,
        "--max-iter",
        help="iteration cap (default quick: 2e6 tables and figs 1, 7, 8, 2e5 the others; full: the paper's 2e7)",
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="processes for the sweep's (d, m) cells (default: one per CPU core; numpy only)"
    ),
    recompute: bool = typer.Option(False, "--recompute", help="figures: ignore the cached numbers"),
) -> None:
    """Run one of the paper's GD experiments: a table as CSV, or a figure as PDF + PNG."""
    kind, number = _parse_name(name)
    backend = backend_choice.value
    if trials is not None and not 1 <= trials <= MAX_TRIALS:
        raise typer.BadParameter(f"must be an integer in [1, {MAX_TRIALS}], got {trials}", param_hint="--trials")
    if max_iter is not None and not 1 <= max_iter <= MAX_ITER:
        raise typer.BadParameter(
            f"must be an integer in [1, {MAX_ITER:.0e}] (the paper's cap is 2e7), got {max_iter}",
            param_hint="--max-iter",
        )
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise typer.BadParameter(f"must be an integer in [1, {MAX_WORKERS}], got {workers}", param_hint="--workers")
    if not 0 <= seed < 2**32:
        raise typer.BadParameter(f"must be an integer in [0, 2^32), got {seed}", param_hint="--seed")
    if backend == "torch":
        from ..experiments.backend import torch_available

        if not torch_available():
            raise typer.BadParameter(
                "needs PyTorch; install it with `pip install reluflow[gpu]` or use numpy", param_hint="--backend"
            )
    t0 = time.perf_counter()
    if kind == "table":
        from ..experiments.protocol import TABLES, run_table, table_config, write_csv

        cfg = table_config(number, quick=quick, trials=trials, seed=seed, backend=backend, max_iter=max_iter)
        rows = run_table(number, cfg, progress=lambda msg: err.print(f"[dim]{escape(msg)}[/]"), workers=workers)
        spec = TABLES[number]
        _print_rows(
            rows,
            f"Table {number}: {spec.metric} ({spec.scheme}), median and std over {cfg.trials} trials, "
            f"cap {cfg.gd.max_iter}",
        )
        path = write_csv(rows, csv_out or out / f"sn_table{number}{'' if not quick else '_quick'}.csv")
        console.print(f"wrote {path}  ({time.perf_counter() - t0:.1f} s)")
        return
    if csv_out is not None:
        raise typer.BadParameter("only tables write a CSV; figures go to --out", param_hint="--csv")
    from ..figures.single_neuron_gd import figure

    overrides = {"trials": trials, "seed": seed, "backend": backend, "max_iter": max_iter}
    paths = figure(number).make(
        out,
        quick=quick,
        recompute=recompute,
        overrides=overrides,
        progress=lambda msg: err.print(f"[dim]{escape(msg)}[/]"),
        workers=workers,
    )
    for path in paths:
        console.print(f"wrote {path}")
    console.print(f"({time.perf_counter() - t0:.1f} s)")


def compare(
    spec: Path = typer.Argument(..., help="SPEC file (as for `reluflow solve`)"),
    lr: list[float] = typer.Option(..., "--lr", help="GD learning rate on the MSE-mean (repeat for several)"),
    t_end: float = typer.Option(50.0, "--t-end", help="flow time to compare up to (GD iteration k ↔ t = 2·lr·k)"),
    samples: int = typer.Option(200, "--samples", help="logging points per learning rate (geometric in k)"),
    backend_choice: Backend = typer.Option(Backend.numpy, "--backend", help="array backend of GD"),
    digits: int = typer.Option(20, "--digits", help="correct digits of the exact flow"),
    out: Path = typer.Option(Path("paper_figures/out"), "--out", help="folder for compare.json and compare.pdf/.png"),
) -> None:
    """Gradient descent against the exact gradient flow on the same SPEC: a table of the loss
    gap and of how far GD's parameters stray from the flow over time, the overlay figure and
    the numbers as JSON."""
    from ..experiments.compare import compare as _compare
    from ..figures.compare import plot
    from ..plotting import written
    from ..precision import integer_in
    from ..specfile import load_spec

    integer_in(samples, "--samples", 2, 10_000, "logging points per learning rate")
    integer_in(digits, "--digits", 5, 1000, "correct digits of the exact flow")
    data = _compare(load_spec(spec), lr, t_end=t_end, samples=samples, backend=backend_choice.value, digits=digits)
    table = Table(title=f"GD against the exact flow of {spec.name} ({data['flow']['events']} switches)")
    for col in ("lr", "t", "GD loss", "flow loss", "loss gap", "param gap"):
        table.add_column(col, justify="right")
    for run in data["runs"]:
        for i in sorted({round(x) for x in np.linspace(0, len(run["t"]) - 1, 8)}):
            table.add_row(
                f"{run['lr']:g}",
                f"{run['t'][i]:.4g}",
                f"{run['gd_loss'][i]:.4g}",
                f"{run['flow_loss'][i]:.4g}",
                f"{run['loss_gap'][i]:.2e}",
                f"{run['param_gap'][i]:.2e}",
            )
    console.print(table)
    plot(data, out / "compare")
    path = write(out / "compare.json", json.dumps(data, indent=1))
    for p in [*written(out / "compare"), path]:
        console.print(f"wrote {p}")


def register(app: typer.Typer) -> None:
    """Add ``experiment NAME [--quick/--full] [--csv OUT] [--trials K] [--seed S]
    [--backend numpy|torch|auto] [--max-iter N] [--out DIR] [--recompute]`` and ``compare SPEC
    --lr LR [--lr …] [--t-end T] [--backend …] [--out DIR]`` to ``app``."""
    app.command("experiment")(experiment)
    app.command("compare")(compare)
