"""Command line: ``reluflow solve``, ``predict``, ``interpolate``, ``check``, ``proofs``, ``experiment``,
``sweep`` and ``reproduce``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import mpmath
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .cli_guard import GuardedGroup, err, fail
from .integrate import Trajectory, kernel
from .integrate import solve as _solve
from .limits import MAX_DPS, WARN_DPS
from .precision import integer_in
from .problem import exact
from .specfile import load_data, load_spec
from .summary import format_loss, plateaus

app = typer.Typer(
    cls=GuardedGroup,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Exact gradient flow of shallow ReLU networks.  Exit codes: 0 ok, 1 a run or check "
    "ended not ok, 2 bad input, 70 an internal error (a bug: please report it).",
)
console = Console()


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="show the traceback of an internal error")) -> None:
    """Exact gradient flow of shallow ReLU networks."""


class _Bar:
    """A rich progress bar over simulated time, shown only on a terminal."""

    def __init__(self, label: str):
        self.progress = Progress(
            TextColumn(label),
            BarColumn(),
            TextColumn("t = {task.completed:.4g} / {task.total:.4g}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
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


@app.command()
def solve(
    spec: Path = typer.Argument(..., help="SPEC file (TOML, or .json with the same keys)"),
    dps: int | None = typer.Option(None, "--dps", help="working precision (decimal digits); default: budgeted"),
    digits: int | None = typer.Option(None, "--digits", help="correct digits wanted (default 30)"),
    t_end: str | None = typer.Option(None, "--t-end", help="end time (exact decimal); default: past the last escape"),
    loss_below: str | None = typer.Option(None, "--loss-below", help="stop once the loss falls below this"),
    json_out: Path | None = typer.Option(None, "--json", help="write the result as JSON here"),
    dense: bool = typer.Option(
        False, "--dense/--no-dense", help="include the exact jets in the JSON (lossless dense output)"
    ),
    certify: bool = typer.Option(
        False,
        "--certify",
        help="prove enclosures (Arb balls) of the event times, final state and loss; exit 1 if they cannot be proven",
    ),
) -> None:
    """Integrate the exact gradient flow of SPEC and summarise it."""
    problem = load_spec(spec)
    _cost_note(problem, t_end, max(digits or 0, dps or 0))
    with _Bar("solving") as bar:
        tr = _solve(problem, dps=dps, digits=digits, t_end=t_end, loss_below=loss_below, progress=bar, certify=certify)
    if json_out is not None:  # first: finished work is never lost to a failing terminal (| head)
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(tr.to_json(dense=dense), encoding="utf-8")
    print_summary(tr)
    if certify:
        print_certificate(tr.certificate)
    if json_out is not None:
        console.print(f"wrote {json_out}")
    if not tr.status.ok or (certify and not tr.certificate.ok):
        raise typer.Exit(1)


def _cost_note(problem, t_end: str | None, digits: int) -> None:
    """Say the expected cost before a long run: steps (horizon / fastest time scale) and
    digits; and, once, that the pure-Python engine runs when the compiled kernel is missing."""
    _kernel_notice()
    horizon = problem.default_t_end() if t_end is None else float(exact(t_end, "t_end"))
    steps = horizon / problem.fast_time_scale()
    if steps > 2e4 or digits > WARN_DPS:
        per = (
            f", each at {digits} digits (about {(digits / 30) ** 2.3:.0f}× a 30-digit step)"
            if digits > WARN_DPS
            else ""
        )
        err.print(
            f"note: about {steps:.2g} steps expected (t_end / the data's fastest time scale, within a factor of a "
            f"few; a run that comes to rest stops earlier){per}"
        )


def _kernel_notice() -> None:
    note = kernel.notice()
    if note:
        err.print(escape(note), highlight=False)


def print_certificate(cert) -> None:
    """Status, widths and the proven balls of a certificate."""
    from .integrate.certify import ball_dict

    table = Table(title="certified enclosures (Arb)", show_header=False)
    colour = "green" if cert.ok else "red"
    table.add_row("status", f"[bold {colour}]{cert.status.value}[/]: {cert.message}")
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


PAPERS = ("orthogonal", "single-neuron")


def _paper_module(paper: str):
    if paper not in PAPERS:
        fail(f"--paper: unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    from .theory import orthogonal, single_neuron

    return orthogonal if paper == "orthogonal" else single_neuron


@app.command()
def predict(
    spec: Path = typer.Argument(..., help="SPEC file (as for `reluflow solve`)"),
    paper: str = typer.Option("orthogonal", "--paper", help="whose theory: orthogonal | single-neuron"),
    dps: int = typer.Option(30, "--dps", help="working precision; numbers keep the digits that agree with dps + 10"),
    json_out: Path | None = typer.Option(None, "--json", help="write the prediction as JSON here"),
) -> None:
    """Evaluate the closed-form predictions of a paper's theory for SPEC."""
    from .theory import checked

    module = _paper_module(paper)
    out = checked(module.predict, load_spec(spec), dps=dps)
    table = Table(title=f"prediction ({paper}), {out['checked_digits']} checked digits", show_header=False)
    for key in (
        ()
        if paper == "single-neuron"
        else (
            "assumptions",
            "S_plus",
            "S_minus",
            "norm_D_plus",
            "norm_D_minus",
            "T_plus",
            "T_minus",
            "fast",
            "t_escape_plus",
            "t_escape_minus",
            "t_half_plus",
            "t_half_minus",
            "L0",
            "L_mid",
            "mu_plus",
            "mu_minus",
            "min_theta_sq",
            "min_variation_norm",
            "limit_theta_sq",
            "limit_exponent",
            "K",
            "limit_w_sq",
        )
    ):
        if key in out:
            table.add_row(key, str(out[key]))
    for key in (
        "assumption1",
        "gamma",
        "gamma_norm",
        "eta",
        "nu_star",
        "delta",
        "Delta",
        "log10_lambda_max_assumption2",
        "J_plus",
        "J_minus",
        "T0",
        "T1",
        "t_escape",
        "T2",
        "mu",
        "loss_rate",
        "limit_theta_sq",
        "limit_nuclear_norm",
        "M",
        "M_sign",
        "M_certified",
    ):
        if key in out and paper == "single-neuron":
            table.add_row(key, str(out[key]))
    for c in out.get("crossings", []):
        table.add_row("crossing", f"neuron {c['neuron']}, point {c['point']} ({c['direction']}) at τ = {c['tau']}")
    for ev in out.get("deactivation_times", []):
        table.add_row("deactivation", f"neuron {ev['neuron']}, point {ev['point']} at t = {ev['t']}")
    for jp in out.get("jumps", []):
        table.add_row("jump", f"T = {jp['T']}: neurons {jp['neurons']} fit points {jp['points']}")
    for note in out.get("notes", []):
        table.add_row("note", note)
    console.print(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
        console.print(f"wrote {json_out}")


@app.command()
def interpolate(
    spec: Path = typer.Argument(..., help="SPEC file; only [data] is read (labels y, or a teacher)"),
    json_out: Path | None = typer.Option(None, "--json", help="write the result as JSON here"),
    digits: int = typer.Option(20, "--digits", help="significant digits of the enclosures (rounded outwards)"),
) -> None:
    """Certified minimum of ‖θ‖² over all interpolators and over rank-one ones, with the
    minimiser as an exact network.  Exits 1 unless both are certified and every check of
    the theory that applies holds."""
    from .theory.interpolators import interpolate as _interpolate

    integer_in(digits, "--digits", 1, MAX_DPS, "significant digits of the enclosures")
    res = _interpolate(load_data(spec))
    out = res.to_dict(digits)
    table = Table(title=f"interpolators of {spec.name} (n = {out['n']}, d = {out['d']})", show_header=False)

    def enc(e):
        return "none (proven: no such interpolator)" if e is None else f"[{e['lo']}, {e['hi']}]"

    table.add_row("min ‖θ‖²", enc(out["min_theta_sq"]))
    table.add_row("rank-one min ‖θ‖²", enc(out["rank_one_min_theta_sq"]))
    table.add_row("minimiser", f"{out['neurons']} neurons, rank {out['rank']}")
    for a, w in zip(out["minimiser"]["a"], out["minimiser"]["W"]):
        table.add_row("  neuron", f"a = {float(a):.6g}, w = [{', '.join(f'{float(c):.6g}' for c in w)}]")
    table.add_row("strictly below rank one", str(out["strictly_below_rank_one"]))
    for key in ("closed_form_theta_sq", "teacher_theta_sq"):
        if out[key] is not None:
            table.add_row(key, out[key]["mid"])
    if out["M_sign"] is not None:
        table.add_row("sign of 𝓜", f"{out['M_sign']:+d}")
    if out["counterexample_theta_sq"] is not None:
        table.add_row("§3.6 network ‖θ‖²", out["counterexample_theta_sq"])
    for key, ok in out["checks"].items():
        table.add_row(f"check {key}", {True: "[green]PASS[/]", False: "[red]FAIL[/]", None: "INCONCLUSIVE"}[ok])
    table.add_row("certified", str(out["certified"]))
    console.print(table)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
        console.print(f"wrote {json_out}")
    if not out["certified"] or any(v is not True for v in out["checks"].values()):
        raise typer.Exit(1)


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
            r.instance,
            r.lam,
            r.predicted,
            r.observed,
            r.tolerance,
            f"[{colour[v]}]{r.label}[/]",
            f"{r.seconds:.1f} s",
        )
    console.print(table)
    for r in results:
        if r.verdict.value != "PASS":
            console.print(f"[bold]{r.id}[/] {r.verdict.value}: {escape(r.detail)}")


@app.command()
def check(
    paper: str = typer.Option("orthogonal", "--paper", help="whose claims: orthogonal | single-neuron"),
    profile: str = typer.Option("quick", "--profile", help="quick (CI, about a minute) | thorough (by hand)"),
    spec: Path | None = typer.Option(None, "--spec", help="run every claim on this SPEC instead of the fixtures"),
    only: list[str] | None = typer.Option(None, "--only", help="run only these claim ids (repeatable)"),
    report: Path | None = typer.Option(
        None, "--report", help="Markdown report (default paper_figures/out/claims_PAPER.md)"
    ),
    json_out: Path | None = typer.Option(None, "--json", help="JSON list of results (default: beside the report)"),
    explain: str | None = typer.Option(
        None,
        "--explain",
        metavar="ID",
        help="print what claim ID states, its tolerance, its code and where; run nothing",
    ),
) -> None:
    """Check a paper's claims against the exact flow; print the table, write Markdown and
    JSON.  Exits 0 only if every claim passes, 1 otherwise, 2 for bad input.  With
    ``--explain ID``, print that claim's statement, instance, tolerance and rule instead."""
    from .claims import REGISTRY, run
    from .claims.report import markdown, summary, to_json

    if explain is not None:
        from .claims.explain import explain as _explain

        console.print(_explain(explain), markup=False, highlight=False, soft_wrap=True)
        return
    _paper_module(paper)
    problem = load_spec(spec) if spec is not None else None
    total = len(only) if only else sum(1 for c in REGISTRY if c.paper == paper)
    done: list = []
    with _Bar("claims") as bar:
        results = run(
            paper,
            profile=profile,
            problem=problem,
            ids=only,
            progress=lambda c: (done.append(c), bar(len(done), total)),
        )
    print_claims(results)
    report = report or Path("paper_figures/out") / f"claims_{paper.replace('-', '_')}.md"
    json_out = json_out or report.with_suffix(".json")
    for path, text in ((report, markdown(results, profile=profile)), (json_out, to_json(results))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        console.print(f"wrote {path}")
    console.print(summary(results))
    if any(r.verdict.value != "PASS" for r in results):
        raise typer.Exit(1)


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
            f"{r.check.statement} [dim]({r.check.refs})[/]",
            r.check.method,
            f"[{colour[v]}]{v}[/]",
            f"{r.seconds:.2f} s",
        )
    console.print(table)
    for r in results:
        if r.verdict.value != "PASS":
            console.print(f"[bold]{r.check.id}[/] {r.verdict.value}: {escape(r.detail)}")


@app.command()
def proofs(
    report: Path = typer.Option(Path("proofs_checks/REPORT.md"), "--report", help="write the Markdown report here"),
    only: list[str] | None = typer.Option(None, "--only", help="run only these check ids (repeatable)"),
) -> None:
    """Run the proof checks of both papers; print the table and write REPORT.md.
    Exits 1 unless every check passes."""
    from . import proofs as proofs_checks

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
        fail(f"--only: {exc.args[0]}")
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
    quick: bool = typer.Option(
        False,
        "--quick",
        help="the default: quick claims, small figures, the quick GD protocol (minutes; what CI would run)",
    ),
    full: bool = typer.Option(False, "--full", help="thorough claims, full-size figures, the paper-scale GD protocol"),
    experiments: bool = typer.Option(
        True,
        "--experiments/--no-experiments",
        help="the single-neuron paper's GD tables and figures (quick: a few minutes)",
    ),
) -> None:
    """Run the built-in default (E1 at λ = 1e-30) with checked digits, the figures, the
    proof checks, the claims of both papers and the GD experiments; write the full report,
    report.md and the self-contained report.html (figures embedded).  --quick (the
    default) or --full.  Exits 1 unless all pass, 2 on bad options."""
    if quick and full:
        fail("--quick and --full are mutually exclusive")
    from .reproduce import reproduce as run

    _kernel_notice()
    with _Bar("reproduce") as bar:
        res = run(out, digits=digits, full=full, experiments=experiments, progress=bar)
    print_summary(res.trajectory)
    print_proofs(res.proofs)
    print_claims(res.claims)
    ok = res.checked_digits >= res.trajectory.digits
    console.print(
        f"digits checked against a rerun at {digits + 10} digits: {res.checked_digits:.1f} "
        f"[{'green' if ok else 'red'}]{'PASS' if ok else 'FAIL'}[/]"
    )
    for path in [res.report, *([res.html] if res.html else []), *res.figures, *res.tables]:
        console.print(f"wrote {path}")
    if not res.interpolation_ok:
        console.print("[red]interpolators: a family point is not certified or a check of Theorem 8 failed[/]")
    if not ok or not res.interpolation_ok or any(r.verdict.value != "PASS" for r in [*res.proofs, *res.claims]):
        raise typer.Exit(1)


from .experiments.cli import register as _register_experiments  # noqa: E402  (the `experiment` command)

_register_experiments(app)

from .sweep.cli import register as _register_sweep  # noqa: E402  (the `sweep` command)

_register_sweep(app)


def main() -> None:  # pragma: no cover
    app(prog_name="reluflow")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
