"""``reluflow experiment NAME``: the paper's GD tables (``table1`` … ``table12``, CSV) and
figures (``fig1`` … ``fig11``, PDF + PNG) of Chistikov, Englert & Lazić (2023).

:func:`register` adds the sub-command to a typer app (the package's CLI calls it).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import typer
from rich.table import Table

from .choices import Backend
from .output import console, err

__all__ = ["NAMES", "experiment", "register"]

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
        None, "--trials", help="trials per cell (default 2 quick, 5 full; fig10: 3 quick, 15 full)"
    ),
    seed: int = typer.Option(0, "--seed", help="base seed of every draw (numpy default_rng)"),
    backend_choice: Backend = typer.Option(
        Backend.numpy, "--backend", help="array backend (auto: torch on CUDA when present)"
    ),
    max_iter: int | None = typer.Option(
        None, "--max-iter", help="iteration cap (default 2e7 full; quick: 2e5 tables, 5e4–1e5 figures)"
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
        rows = run_table(number, cfg, progress=lambda msg: err.print(f"[dim]{msg}[/]"))
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
        progress=lambda msg: err.print(f"[dim]{msg}[/]"),
    )
    for path in paths:
        console.print(f"wrote {path}")
    console.print(f"({time.perf_counter() - t0:.1f} s)")


def register(app: typer.Typer) -> None:
    """Add ``experiment NAME [--quick/--full] [--csv OUT] [--trials K] [--seed S]
    [--backend numpy|torch|auto] [--max-iter N] [--out DIR] [--recompute]`` to ``app``."""
    app.command("experiment")(experiment)
