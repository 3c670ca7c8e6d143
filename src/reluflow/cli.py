"""Command line: ``reluflow solve``, ``reluflow proofs`` and ``reluflow reproduce``."""

from __future__ import annotations

import sys
from pathlib import Path

import mpmath
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .integrate import Trajectory
from .integrate import solve as _solve
from .problem import ProblemError
from .specfile import load_spec
from .summary import format_loss, plateaus

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Exact gradient flow of shallow ReLU networks.")
console = Console()
err = Console(stderr=True)


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error[/]: {exc}")
    raise typer.Exit(2)


class _Bar:
    """A rich progress bar over simulated time, shown only on a terminal."""

    def __init__(self, label: str):
        self.progress = Progress(
            TextColumn(label), BarColumn(), TextColumn("t = {task.completed:.4g} / {task.total:.4g}"),
            TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal,
        )
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def __call__(self, t: float, total: float) -> None:
        if self.task is None:
            self.task = self.progress.add_task("solve", total=total)
        self.progress.update(self.task, completed=t)


def print_summary(tr: Trajectory, max_events: int = 40) -> None:
    """Readable summary: status, precision, events, plateaus, final loss."""
    scale = tr.problem.log_inv_lambda
    head = Table(show_header=False, box=None)
    head.add_row("status", f"[bold]{tr.status.value}[/]: {tr.message}")
    head.add_row("t_end", f"{mpmath.nstr(tr.t_end, 15)}  (T = t/ln(1/λ) = {float(tr.t_end) / scale:.4f})")
    head.add_row("final loss", format_loss(tr))
    head.add_row("precision", f"{tr.digits} digits requested, dps {tr.dps}, Taylor order {tr.order}")
    head.add_row("work", f"{len(tr.segments)} steps, {len(tr.events)} events, {tr.metadata.get('wall_time_s', 0):.3f} s")
    console.print(head)
    if tr.events:
        table = Table(title="activation switches")
        for col in ("t", "T", "neuron", "point", "direction"):
            table.add_column(col)
        for e in tr.events[:max_events]:
            table.add_row(mpmath.nstr(e.t, 20), f"{float(e.t) / scale:.5f}", str(e.neuron), str(e.point), e.direction)
        console.print(table)
        if len(tr.events) > max_events:
            console.print(f"… and {len(tr.events) - max_events} more events (see --json)")
    pls = plateaus(tr)
    if pls:
        table = Table(title="loss plateaus")
        for col in ("from T", "to T", "level"):
            table.add_column(col)
        for pl in pls:
            table.add_row(f"{pl.t_start / scale:.4f}", f"{pl.t_stop / scale:.4f}", f"{pl.level:.6g}")
        console.print(table)


@app.command()
def solve(
    spec: Path = typer.Argument(..., help="SPEC file (TOML, or .json with the same keys)"),
    dps: int | None = typer.Option(None, "--dps", help="working precision (decimal digits); default: budgeted"),
    digits: int | None = typer.Option(None, "--digits", help="correct digits wanted (default 30)"),
    t_end: str | None = typer.Option(None, "--t-end", help="end time (exact decimal); default: past the last escape"),
    loss_below: str | None = typer.Option(None, "--loss-below", help="stop once the loss falls below this"),
    json_out: Path | None = typer.Option(None, "--json", help="write the result as JSON here"),
    dense: bool = typer.Option(False, "--dense/--no-dense", help="include the exact jets in the JSON (lossless dense output)"),
) -> None:
    """Integrate the exact gradient flow of SPEC and summarise it."""
    try:
        problem = load_spec(spec)
        with _Bar("solving") as bar:
            tr = _solve(problem, dps=dps, digits=digits, t_end=t_end, loss_below=loss_below, progress=bar)
    except ProblemError as exc:
        _fail(exc)
    print_summary(tr)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(tr.to_json(dense=dense), encoding="utf-8")
        console.print(f"wrote {json_out}")
    if not tr.status.ok:
        raise typer.Exit(1)


def print_proofs(results) -> None:
    """The proofs table: id, statement, method, verdict, time."""
    colour = {"PASS": "green", "FAIL": "red", "INCONCLUSIVE": "yellow"}
    table = Table(title="proof checks", show_lines=True)
    for col in ("id", "statement", "method", "verdict", "time"):
        table.add_column(col, overflow="fold")
    for r in results:
        v = r.verdict.value
        table.add_row(r.check.id, f"{r.check.statement} [dim]({r.check.refs})[/]", r.check.method,
                      f"[{colour[v]}]{v}[/]", f"{r.seconds:.2f} s")
    console.print(table)
    for r in results:
        if r.verdict.value != "PASS":
            console.print(f"[bold]{r.check.id}[/] {r.verdict.value}: {r.detail}")


@app.command()
def proofs(
    report: Path = typer.Option(Path("proofs_checks/REPORT.md"), "--report", help="write the Markdown report here"),
    only: list[str] | None = typer.Option(None, "--only", help="run only these check ids (repeatable)"),
) -> None:
    """Run the proof checks of both papers; print the table and write REPORT.md.
    Exits 1 unless every check passes."""
    import proofs_checks

    ids = list(only) if only else None
    total = len(ids) if ids else len(proofs_checks.REGISTRY)
    done: list = []

    def tick(check) -> None:
        done.append(check)
        bar(len(done), total)

    try:
        with _Bar("proofs") as bar:
            results = proofs_checks.run(ids, progress=tick)
    except KeyError as exc:
        err.print(f"[bold red]error[/]: --only: {exc.args[0]}")
        raise typer.Exit(2)
    print_proofs(results)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(proofs_checks.markdown(results), encoding="utf-8")
    console.print(f"wrote {report}")
    if any(r.verdict.value != "PASS" for r in results):
        raise typer.Exit(1)


@app.command()
def reproduce(
    out: Path = typer.Option(Path("paper_figures/out"), "--out", help="folder for the report and figures"),
    digits: int = typer.Option(30, "--digits", help="correct digits wanted"),
) -> None:
    """Run the built-in default (E1 at λ = 1e-30): figure, checked digits, the proof
    checks, Markdown report."""
    from .reproduce import reproduce as run

    with _Bar("reproduce") as bar:
        res = run(out, digits=digits, progress=bar)
    print_summary(res.trajectory)
    print_proofs(res.proofs)
    ok = res.checked_digits >= res.trajectory.digits
    console.print(
        f"digits checked against a rerun at {digits + 10} digits: {res.checked_digits:.1f} "
        f"[{'green' if ok else 'red'}]{'PASS' if ok else 'FAIL'}[/]"
    )
    for path in [res.report, *res.figures]:
        console.print(f"wrote {path}")
    if not ok or any(r.verdict.value != "PASS" for r in res.proofs):
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover
    app(prog_name="reluflow")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
