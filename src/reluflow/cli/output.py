"""What the command line shows and writes: one console (stdout) and one for notes and
errors (stderr), the progress bar, the tables of a run, a certificate, claims and proof
checks, and the one writer of result files."""

from __future__ import annotations

import time
from pathlib import Path

import mpmath
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..integrate import Trajectory, kernel
from ..integrate.certify import ball_dict
from ..summary import format_loss, plateaus
from ..verdict import Verdict

__all__ = [
    "Bar",
    "Stages",
    "console",
    "err",
    "kernel_notice",
    "print_certificate",
    "print_claims",
    "print_proofs",
    "print_summary",
    "print_verdicts",
    "write",
]

console = Console()
err = Console(stderr=True)


def kernel_notice() -> None:
    """Say once, on stderr, that the pure-Python engine runs (no compiled kernel)."""
    note = kernel.notice()
    if note:
        err.print(escape(note), highlight=False)


def write(path: Path, text: str) -> Path:
    """Write a result file (its folder created): the one writer of the command line's JSON
    and Markdown outputs (the GD tables go through their own CSV writer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class _Live:
    """A rich progress display on stderr, shown only on a terminal, used as a context manager."""

    def __init__(self, label: str, *columns):
        self.label, self.task = label, None
        self.progress = Progress(
            TextColumn(label), BarColumn(), *columns, console=err, transient=True, disable=not err.is_terminal
        )

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)


class Bar(_Live):
    """A progress bar over simulated time."""

    def __init__(self, label: str):
        columns = ("t = {task.completed:.4g} / {task.total:.4g}", TimeElapsedColumn(), "left", TimeRemainingColumn())
        super().__init__(label, *(TextColumn(c) if isinstance(c, str) else c for c in columns))

    def __call__(self, t: float, total: float) -> None:
        if self.task is None:
            self.task = self.progress.add_task("solve", total=total)
        self.progress.update(self.task, completed=t)


class Stages(_Live):
    """Stage-level progress of a long command: on a terminal a bar with the current stage, in
    a log one plain line per stage (``[3/15] figure: orth_loss (12 s so far)``), on stderr."""

    def __init__(self, label: str):
        super().__init__(
            label, TextColumn("{task.completed:.0f}/{task.total:.0f}  {task.description}"), TimeElapsedColumn()
        )
        self.t0, self.name = time.perf_counter(), ""

    def __call__(self, k: int, total: int, name: str) -> None:
        self.name = name
        if not err.is_terminal:
            err.print(f"{self.label} [{k}/{total}] {escape(name)} ({time.perf_counter() - self.t0:.0f} s so far)")
            return
        if self.task is None:
            self.task = self.progress.add_task(name, total=total)
        self.progress.update(self.task, completed=k - 1, total=total, description=escape(name))

    def detail(self, message: str) -> None:
        """A step inside the current stage: beside the stage's name on a terminal, an
        indented line in a log."""
        if not err.is_terminal:
            err.print(f"{' ' * len(self.label)}   {escape(message)}", highlight=False, soft_wrap=True)
        elif self.task is not None:
            self.progress.update(self.task, description=escape(f"{self.name} — {message}"))


def print_verdicts(rows, title: str = "verdict") -> None:
    """The final verdict table (part, result, verdict) and the overall verdict, last on screen."""
    colour = {"PASS": "green", "FAIL": "red", "INCONCLUSIVE": "yellow"}
    table = Table(title=title, show_lines=False)
    for col in ("part", "result", "verdict"):
        table.add_column(col, overflow="fold")
    for part, result, verdict in rows:
        table.add_row(escape(part), escape(result), f"[{colour.get(verdict, 'white')}]{verdict}[/]")
    console.print(table)
    overall = Verdict.overall(v for *_, v in rows).value
    console.print(f"overall: [bold {colour[overall]}]{overall}[/]")


def print_summary(tr: Trajectory, max_events: int = 40) -> None:
    """Readable summary: status, precision, events, plateaus, final loss."""
    scale = tr.problem.log_inv_lambda

    def T(t) -> str:  # the papers' rescaled time; undefined for λ ≥ 1
        return f"{float(t) / scale:.5f}" if scale > 0 else "—"

    head = Table(show_header=False, box=None)
    head.add_row("status", f"[bold]{tr.status.value}[/]: {escape(tr.message)}")
    head.add_row("t_end", f"{mpmath.nstr(tr.t_end, 15)}  (T = t/ln(1/λ) = {T(tr.t_end)})")
    head.add_row("final loss", format_loss(tr))
    head.add_row("precision", f"{tr.digits} digits requested, dps {tr.dps}, Taylor order {tr.order}")
    head.add_row(
        "work", f"{len(tr.segments)} steps, {len(tr.events)} events, {tr.metadata.get('wall_time_s', 0):.3f} s"
    )
    slides = sum(e.direction == "slide" for e in tr.events)
    if slides:
        held = [f"({j}, {k})" for j, row in enumerate(tr.final_state.sliding) for k, v in enumerate(row) if v]
        head.add_row(
            "sliding",
            f"modes entered: {slides} (minimum-norm Clarke selection); "
            f"(neuron, point) held at t_end: {', '.join(held) or 'none'}",
        )
    console.print(head)
    if tr.events:
        table = Table(title="activation switches")
        for col in ("t", "T", "neuron", "point", "direction"):
            table.add_column(col)
        for e in tr.events[:max_events]:
            table.add_row(mpmath.nstr(e.t, 20), T(e.t), str(e.neuron), str(e.point), e.direction)
        console.print(table)
        if len(tr.events) > max_events:
            console.print(f"… and {len(tr.events) - max_events} more events (see --json)")
    pls = plateaus(tr)
    if pls:
        table = Table(title="loss plateaus")
        for col in ("from T", "to T", "level"):
            table.add_column(col)
        for pl in pls:
            table.add_row(T(pl.t_start), T(pl.t_stop), f"{pl.level:.6g}")
        console.print(table)


def print_certificate(cert) -> None:
    """Status, widths and the proven balls of a certificate."""
    table = Table(title="certified enclosures (Arb)", show_header=False)
    colour = "green" if cert.ok else "red"
    table.add_row("status", f"[bold {colour}]{cert.status.value}[/]: {escape(cert.message)}")
    table.add_row("work", f"{cert.steps} steps validated in {cert.seconds:.3f} s at {cert.prec} bits")
    if cert.ok:
        lb = ball_dict(cert.loss_ball, 25)
        table.add_row("final loss", f"{lb['mid']} ± {lb['rad']}")
        table.add_row("widest event ball", f"{cert.max_event_width:.3g}")
        table.add_row("largest relative state error", f"{cert.radius:.3g}")
        for e in cert.events[:20]:
            b = ball_dict(e.t, 25)
            table.add_row(
                f"event {e.index}", f"t = {b['mid']} ± {b['rad']} (neuron {e.neuron}, point {e.point}, {e.direction})"
            )
    console.print(table)


def print_claims(results) -> None:
    """The claims table: id, instance, predicted, observed, tolerance, verdict, time."""
    colour = {"PASS": "green", "FAIL": "red", "INCONCLUSIVE": "yellow"}
    table = Table(title="claims", show_lines=True)
    for col in ("id", "instance", "λ", "predicted", "observed", "tolerance", "verdict", "time"):
        table.add_column(col, overflow="fold")
    for r in results:
        v = r.verdict.value
        table.add_row(
            r.id,
            *(escape(text) for text in (r.instance, r.lam, r.predicted, r.observed, r.tolerance)),
            f"[{colour[v]}]{r.label}[/]",
            f"{r.seconds:.1f} s",
        )
    console.print(table)
    for r in results:
        if r.verdict.value != "PASS":
            console.print(f"[bold]{r.id}[/] {r.verdict.value}: {escape(r.detail)}")


def print_proofs(results) -> None:
    """The proofs table: id, statement, method, verdict, time."""
    colour = {"PASS": "green", "FAIL": "red", "INCONCLUSIVE": "yellow"}
    table = Table(title="proof checks", show_lines=True)
    for col in ("id", "statement", "method", "verdict", "time"):
        table.add_column(col, overflow="fold")
    for r in results:
        v = r.verdict.value
        table.add_row(
            r.check.id,
            f"{escape(r.check.statement)} [dim]({escape(r.check.refs)})[/]",
            escape(r.check.method),
            f"[{colour[v]}]{v}[/]",
            f"{r.seconds:.2f} s",
        )
    console.print(table)
    for r in results:
        if r.verdict.value != "PASS":
            console.print(f"[bold]{r.check.id}[/] {r.verdict.value}: {escape(r.detail)}")
