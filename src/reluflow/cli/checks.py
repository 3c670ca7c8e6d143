"""``reluflow check``, ``proofs`` and ``reproduce``: the papers' claims, the proof checks
and the whole reproduction with its report.  Each command imports its layer (SymPy,
matplotlib) when it runs, so that ``reluflow --help`` and ``reluflow solve`` start fast."""

from __future__ import annotations

from pathlib import Path

import typer

from ..specfile import load_spec
from .choices import Paper, Profile
from .choices import ids as choose_ids
from .guard import fail
from .output import (
    Bar,
    Stages,
    console,
    kernel_notice,
    print_claims,
    print_proofs,
    print_summary,
    print_verdicts,
    write,
)

__all__ = ["check", "proofs", "register", "reproduce"]


def check(
    ctx: typer.Context,
    paper: Paper = typer.Option(Paper.orthogonal, "--paper", help="whose claims"),
    profile: Profile = typer.Option(
        Profile.quick, "--profile", help="quick (CI, about a minute) or thorough (by hand)"
    ),
    spec: Path | None = typer.Option(None, "--spec", help="run every claim on this SPEC instead of the fixtures"),
    only: list[str] | None = typer.Option(
        None, "--only", metavar="ID", help="run only these claim ids: --only O1 O21 (or O1,O21)"
    ),
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
    from ..claims import REGISTRY, run
    from ..claims.explain import explain as _explain
    from ..claims.report import markdown, summary, to_json

    if explain is not None:
        console.print(_explain(explain), markup=False, highlight=False, soft_wrap=True)
        return
    paper_name, profile_name, chosen = paper.value, profile.value, choose_ids(only, ctx.args)
    problem = load_spec(spec) if spec is not None else None
    total = len(chosen) if chosen else sum(1 for c in REGISTRY if c.paper == paper_name)
    done: list = []
    with Bar("claims") as bar:
        results = run(
            paper_name,
            profile=profile_name,
            problem=problem,
            ids=chosen,
            progress=lambda c: (done.append(c), bar(len(done), total)),
        )
    print_claims(results)
    report = report or Path("paper_figures/out") / f"claims_{paper_name.replace('-', '_')}.md"
    json_out = json_out or report.with_suffix(".json")
    for path, text in ((report, markdown(results, profile=profile_name)), (json_out, to_json(results))):
        write(path, text)
        console.print(f"wrote {path}")
    console.print(summary(results))
    if any(r.verdict.value != "PASS" for r in results):
        raise typer.Exit(1)


def proofs(
    ctx: typer.Context,
    report: Path = typer.Option(Path("paper_figures/out/proofs.md"), "--report", help="write the Markdown report here"),
    only: list[str] | None = typer.Option(
        None, "--only", metavar="ID", help="run only these check ids: --only M3 R10 (or M3,R10)"
    ),
) -> None:
    """Run the proof checks of both papers; print the table and write the Markdown report
    (by default under paper_figures/out/, never over the committed proofs_checks/REPORT.md).
    Exits 1 unless every check passes."""
    from .. import proofs as proof_checks

    ids = choose_ids(only, ctx.args)
    total = len(ids) if ids else len(proof_checks.REGISTRY)
    done: list = []

    def tick(check) -> None:
        done.append(check)
        bar(len(done), total)

    with Bar("proofs") as bar:  # an unknown id is a ProblemError: the guard says so and exits 2
        results = proof_checks.run(ids, progress=tick)
    print_proofs(results)
    write(report, proof_checks.markdown(results))
    console.print(f"wrote {report}")
    if any(r.verdict.value != "PASS" for r in results):
        raise typer.Exit(1)


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
    from ..reproduce import reproduce as _reproduce

    if quick and full:
        fail("--quick and --full are mutually exclusive")
    kernel_notice()
    with Stages("reproduce") as stages:
        res = _reproduce(out, digits=digits, full=full, experiments=experiments, stages=stages, detail=stages.detail)
    print_summary(res.trajectory)
    print_proofs(res.proofs)
    print_claims(res.claims)
    for path in [*res.figures, *res.tables]:
        console.print(f"wrote {path}")
    console.print(f"report: {res.report}" + (f" and {res.html}" if res.html else ""))
    print_verdicts(res.summary, title=f"reluflow reproduce ({res.mode}): verdict")
    if not res.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``check``, ``proofs`` and ``reproduce`` to ``app``."""
    for command in (check, proofs, reproduce):
        extra = {"context_settings": {"allow_extra_args": True}} if command is not reproduce else {}
        app.command(**extra)(command)
