"""``reluflow sweep GRID.toml --store DIR [--workers N | --scheduler tcp://HOST:8786 |
--scheduler-file F] [--summary-json OUT]``: run a grid of solves in parallel into a resumable
run store; ``reluflow collect STORE [--csv OUT] [--parquet OUT]``: its runs as one table.

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

__all__ = ["collect", "main", "register", "sweep"]


def sweep(
    grid: Path = typer.Argument(
        ...,
        help="GRID file (TOML, or .json): a SPEC under base (base.data, "
        "base.init, base.solve) and lists under grid (lambda, seed, width, "
        'digits, dataset, or any SPEC path such as "data.y" or "solve.t_end")',
    ),
    store: Path = typer.Option(..., "--store", help="run store directory (created if missing; reused to resume)"),
    workers: int | None = typer.Option(None, "--workers", help="local worker processes (default: the CPU count)"),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="run on a Dask cluster instead, e.g. tcp://HOST:8786 (the store must be shared)"
    ),
    scheduler_file: Path | None = typer.Option(
        None,
        "--scheduler-file",
        help="run on the Dask cluster described by this file (`dask scheduler --scheduler-file F`; HPC)",
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
        chosen = [
            name
            for name, v in (("--workers", workers), ("--scheduler", scheduler), ("--scheduler-file", scheduler_file))
            if v is not None
        ]
        if len(chosen) > 1:
            raise ProblemError(
                chosen[0], f"give one of --workers, --scheduler, --scheduler-file, not {' and '.join(chosen)}"
            )
        if scheduler_file is not None and not scheduler_file.is_file():
            raise ProblemError(
                "--scheduler-file",
                f"{str(scheduler_file)!r} does not exist; start `dask scheduler --scheduler-file {scheduler_file}` first",
            )
        the_store = Store(store)
    except ProblemError as exc:
        fail(exc)
    client = None
    if scheduler is not None or scheduler_file is not None:
        option = "--scheduler" if scheduler is not None else "--scheduler-file"
        try:
            from dask.distributed import Client
        except ImportError:
            fail(ProblemError(option, "needs Dask: pip install 'reluflow[cluster]'"))
        try:
            if scheduler is not None:
                client = Client(scheduler, timeout="20s")
            else:
                client = Client(scheduler_file=str(scheduler_file), timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            fail(ProblemError(option, f"cannot connect to {scheduler or scheduler_file}: {exc}"))
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


def collect(
    store: Path = typer.Argument(..., help="run store directory (as given to `reluflow sweep --store`)"),
    grid: Path | None = typer.Option(
        None, "--grid", help="the GRID file: one row per run of it, in order, missing ones included"
    ),
    csv_out: Path | None = typer.Option(None, "--csv", help="write the table as CSV here"),
    parquet_out: Path | None = typer.Option(None, "--parquet", help="write the table as Parquet here (needs pyarrow)"),
) -> None:
    """The runs of a store as one table (pandas; CSV or Parquet): λ, seed, width, digits,
    status, final loss (float and full-precision text), t_end, events, steps.  Without an
    output, print a summary."""
    from ..sweep.collect import collect as _collect

    if not (store / "runs").is_dir():
        fail(ProblemError("store", f"{str(store)!r} is not a run store (no runs/ folder); give the --store of a sweep"))
    if parquet_out is not None:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            fail(ProblemError("--parquet", "needs pyarrow: pip install 'reluflow[cluster]' (or write --csv)"))
    specs = load_grid(grid) if grid is not None else None
    df = _collect(Store(store), specs)
    if csv_out is not None:
        csv_out.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(csv_out, index=False)
        console.print(f"wrote {csv_out}")
    if parquet_out is not None:
        parquet_out.parent.mkdir(parents=True, exist_ok=True)
        df.to_parquet(parquet_out, index=False)
        console.print(f"wrote {parquet_out}")
    counts = df["status"].value_counts().to_dict()
    console.print(f"{len(df)} runs: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))


def register(app: typer.Typer) -> None:
    """Add ``sweep GRID --store DIR [--workers N | --scheduler ADDR | --scheduler-file F]
    [--summary-json OUT]`` and ``collect STORE [--grid GRID] [--csv OUT] [--parquet OUT]`` to ``app``.

    >>> app = typer.Typer()
    >>> register(app)
    >>> [c.name for c in app.registered_commands]
    ['sweep', 'collect']
    """
    app.command("sweep")(sweep)
    app.command("collect")(collect)


def main() -> None:  # pragma: no cover  (python -m reluflow.cli.sweep)
    typer.run(sweep)


if __name__ == "__main__":  # pragma: no cover
    main()
