"""``reluflow sweep GRID.toml --store DIR [--workers N] [--scheduler tcp://HOST:8786]
[--summary-json OUT]``: run a grid of solves in parallel into a resumable run store.

:func:`register` adds the sub-command to a typer app (the package's CLI calls it); ``python -m
reluflow.cli.sweep GRID.toml --store DIR`` runs it on its own.  Exit status: 0 when every run
ended with an ok status (``t_end`` or ``loss_below``), 1 otherwise (a run stopped early or
failed), 2 for bad input (the error names the field, e.g. ``grid.lambda[1]``).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..problem import ProblemError
from ..sweep.grid import load_grid
from ..sweep.runner import run
from ..sweep.store import Store
from .guard import fail
from .output import console, err, write

__all__ = ["main", "register", "sweep"]


def sweep(
    grid: Path = typer.Argument(
        ...,
        help="GRID file (TOML, or .json): a SPEC under base (base.data, "
        "base.init, base.solve) and lists under grid (lambda, seed, width, "
        "digits, dataset)",
    ),
    store: Path = typer.Option(..., "--store", help="run store directory (created if missing; reused to resume)"),
    workers: int | None = typer.Option(None, "--workers", help="local worker processes (default: the CPU count)"),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="run on a Dask cluster instead, e.g. tcp://HOST:8786 (the store must be shared)"
    ),
    summary_json: Path | None = typer.Option(
        None,
        "--summary-json",
        help="write one JSON object per run here: spec_hash, status, final_loss, lambda, seed, width, …",
    ),
) -> None:
    """Solve every run of GRID not yet in the store, in parallel; print the summary table.
    Exits 0 when every run ended ok, 1 otherwise, 2 for bad input."""
    try:
        specs = load_grid(grid)
        if workers is not None and workers < 1:
            raise ProblemError("--workers", f"must be a positive integer, got {workers}")
        if workers is not None and scheduler is not None:
            raise ProblemError(
                "--workers", "give --workers (local processes) or --scheduler (a Dask cluster), not both"
            )
        the_store = Store(store)
    except ProblemError as exc:
        fail(exc)
    client = None
    if scheduler is not None:
        try:
            from dask.distributed import Client
        except ImportError:
            fail(ProblemError("--scheduler", "needs Dask: pip install 'dask[distributed]'"))
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            fail(ProblemError("--scheduler", f"cannot connect to {scheduler!r}: {exc}"))
    try:
        executor = client.get_executor() if client is not None else None
        result = run(specs, the_store, executor=executor, workers=workers, progress=True, console=err)
    finally:
        if client is not None:
            client.close()
    for spec, reason in result.discarded:
        err.print(f"[yellow]discarded[/] {spec.spec_hash[:12]} (corrupt, recomputed): {reason}")
    console.print(result.table())
    for spec, error in result.failed:
        console.print(f"[bold red]failed[/] {spec.spec_hash[:12]} (λ = {spec.lam_text}): {error}")
    if summary_json is not None:
        write(summary_json, json.dumps(result.rows(), indent=1, ensure_ascii=False) + "\n")
        console.print(f"wrote {summary_json}")
    console.print(f"store: {the_store.root}")
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``sweep GRID --store DIR [--workers N] [--scheduler ADDR] [--summary-json OUT]`` to ``app``.

    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['sweep']
    """
    app.command("sweep")(sweep)


def main() -> None:  # pragma: no cover  (python -m reluflow.cli.sweep)
    typer.run(sweep)


if __name__ == "__main__":  # pragma: no cover
    main()
