"""``reluflow solve``, ``predict`` and ``interpolate``: one SPEC, its exact flow, its
theory, its interpolators.  The theory (SymPy) is imported when a command needs it, so that
``reluflow solve`` starts fast."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..integrate import solve as _solve
from ..limits import MAX_DPS, WARN_DPS
from ..precision import RECHECK, integer_in
from ..problem import exact
from ..specfile import load_data, load_spec
from .choices import Paper
from .output import Bar, console, err, kernel_notice, print_certificate, print_summary, write

__all__ = ["SHOWN", "interpolate", "paper_module", "predict", "register", "solve"]


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
    with Bar("solving") as bar:
        tr = _solve(problem, dps=dps, digits=digits, t_end=t_end, loss_below=loss_below, progress=bar, certify=certify)
    if json_out is not None:  # first: finished work is never lost to a failing terminal (| head)
        write(json_out, tr.to_json(dense=dense))
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
    kernel_notice()
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


def paper_module(paper: Paper):
    """The theory module of ``paper`` (imported when asked for: SymPy takes a second)."""
    from ..theory import orthogonal, single_neuron

    return orthogonal if paper is Paper.orthogonal else single_neuron


# the scalar entries of each paper's prediction shown by `reluflow predict`, in order
SHOWN = {
    "orthogonal": (
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
    ),
    "single-neuron": (
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
    ),
}


def predict(
    spec: Path = typer.Argument(..., help="SPEC file (as for `reluflow solve`)"),
    paper: Paper = typer.Option(Paper.orthogonal, "--paper", help="whose theory"),
    digits: int = typer.Option(
        30,
        "--digits",
        help="digits wanted: evaluated at this precision and 10 digits higher; only agreeing digits shown",
    ),
    json_out: Path | None = typer.Option(None, "--json", help="write the prediction as JSON here"),
    dps: int | None = typer.Option(None, "--dps", hidden=True, help="former name of --digits"),
) -> None:
    """Evaluate the closed-form predictions of a paper's theory for SPEC; every digit shown
    is checked by a second evaluation 10 digits higher."""
    from ..theory import checked

    module = paper_module(paper)
    if dps is None:
        integer_in(digits, "--digits", 5, MAX_DPS - RECHECK, "digits of the prediction")
    out = checked(module.predict, load_spec(spec), dps=digits if dps is None else dps)
    table = Table(title=f"prediction ({paper.value}), {out['checked_digits']} checked digits", show_header=False)
    for key in SHOWN[paper.value]:
        if key in out:
            table.add_row(key, escape(str(out[key])))
    for c in out.get("crossings", []):
        table.add_row("crossing", f"neuron {c['neuron']}, point {c['point']} ({c['direction']}) at τ = {c['tau']}")
    for ev in out.get("deactivation_times", []):
        table.add_row("deactivation", f"neuron {ev['neuron']}, point {ev['point']} at t = {ev['t']}")
    for jp in out.get("jumps", []):
        table.add_row("jump", escape(f"T = {jp['T']}: neurons {jp['neurons']} fit points {jp['points']}"))
    for note in out.get("notes", []):
        table.add_row("note", escape(note))
    console.print(table)
    if json_out is not None:
        write(json_out, json.dumps(out, indent=1, ensure_ascii=False))
        console.print(f"wrote {json_out}")


def interpolate(
    spec: Path = typer.Argument(..., help="SPEC file; only [data] is read (labels y, or a teacher)"),
    json_out: Path | None = typer.Option(None, "--json", help="write the result as JSON here"),
    digits: int = typer.Option(20, "--digits", help="significant digits of the enclosures (rounded outwards)"),
) -> None:
    """Certified minimum of ‖θ‖² over all interpolators and over rank-one ones, with the
    minimiser as an exact network.  Exits 1 unless both are certified and every check of
    the theory that applies holds."""
    from ..theory.interpolators import interpolate as _interpolate

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
        write(json_out, json.dumps(out, indent=1, ensure_ascii=False))
        console.print(f"wrote {json_out}")
    if not out["certified"] or any(v is not True for v in out["checks"].values()):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``solve``, ``predict`` and ``interpolate`` to ``app``."""
    for command in (solve, predict, interpolate):
        app.command()(command)
