"""The main job: solve the built-in default, check its digits, draw its figures, check the
claims, write the full report — ``report.md`` and the same as one self-contained HTML page,
``report.html`` (figures embedded; :mod:`reluflow.report_html`).

The default is the orthogonal-inputs fixture E1 at λ = 1e-30.  Every reported digit is
checked by a rerun at ``digits + RECHECK`` (10 more); the report states how many digits agreed.  The
report also carries the proofs table (``proofs_checks``), the claims of both papers with
their verdicts (O1–O22 and N1–N24; profile ``quick``, or ``thorough`` with ``full``), the
four orthogonal-inputs figures, the single-neuron exact-flow figure and, with
``experiments``, the single-neuron paper's GD experiments: Tables 1–12 as CSV and
Figures 1–11 (quick protocol, or the paper's with ``full`` — meant for a GPU).  It opens
with a summary table (one verdict per part) and ends with the environment (date, Python,
platform, CPU count, package versions) and the wall time of each section.

Two modes: quick (the default; what CI would run, minutes) and full (``full=True``).
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import mpmath

from . import claims as claim_checks
from . import proofs as proofs_checks
from ._version import __version__
from .claims.report import TITLES, summary, table, to_json
from .datasets import e1
from .figures import loss_curve
from .figures.catalog import EXACT_FLOW, FIGURES
from .figures.catalog import make as make_figure
from .gd_report import gd_section
from .integrate import Trajectory, solve
from .plotting import written
from .precision import backend
from .report_html import write_html
from .summary import agreement, format_loss, loss_agreement, plateaus
from .verdict import Verdict

__all__ = ["ReproduceResult", "environment", "reproduce"]

DEFAULT_LAMBDA = "1e-30"
STOP_LOSS = "1e-20"  # stop once fitted: r ~ 1e-10 keeps ~20 of 30 digits of the loss


@dataclass(frozen=True)
class ReproduceResult:
    report: Path
    figures: list[Path]
    trajectory: Trajectory
    checked_digits: float
    proofs: list
    claims: list  # both papers
    tables: list[Path]
    interpolation_ok: bool = True  # every family point certified and every check of Theorem 8 true
    html: Path | None = None  # the self-contained page beside the report (report_html)
    timings: dict[str, float] = field(default_factory=dict)  # wall time of each section, seconds
    mode: str = "quick"  # or "full"
    summary: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # the report's verdict rows: part, result, verdict

    @property
    def ok(self) -> bool:
        """Every digit check, proof, claim, interpolator certificate and judged GD trend passes
        (the CLI's exit 0)."""
        return (
            self.checked_digits >= self.trajectory.digits
            and self.interpolation_ok
            and all(r.verdict.value == "PASS" for r in [*self.proofs, *self.claims])
            and all(v in ("PASS", "—") for *_, v in self.summary)
        )


class _Clock:
    """Wall time per named section, in the order first seen; ``on_start(k, total, name)`` is
    told when each of the ``total`` planned sections starts (the command line's progress)."""

    def __init__(self, total: int = 0, on_start: Callable[[int, int, str], None] | None = None) -> None:
        self.sections: dict[str, float] = {}
        self.total, self.on_start, self.started = total, on_start, 0

    @contextmanager
    def __call__(self, name: str):
        self.started += 1
        if self.on_start is not None:
            self.on_start(self.started, max(self.total, self.started), name)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.sections[name] = self.sections.get(name, 0.0) + time.perf_counter() - t0


def _fmt(x, digits: int = 12) -> str:
    return mpmath.nstr(x, digits, min_fixed=-4, max_fixed=6)


def reproduce(
    out: str | Path = "paper_figures/out",
    *,
    digits: int = 30,
    full: bool = False,
    experiments: bool = True,
    progress=None,
    stages: Callable[[int, int, str], None] | None = None,
    detail: Callable[[str], None] | None = None,
) -> ReproduceResult:
    """Run the default example, verify it at higher precision, draw the figures, check the
    claims of both papers, run the GD experiments (``experiments``) and write the report,
    ``report.md`` and the self-contained ``report.html`` (``full``: thorough claims,
    full-size figures, the paper's GD protocol; otherwise the quick mode).  ``stages`` hears
    of each section as it starts, ``detail`` of the steps inside the long GD section."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # the sections below, in order: solve, check, loss curve, figures, proofs, two papers' claims, GD, HTML
    clock = _Clock(3 + len(EXACT_FLOW) + 1 + 2 + int(experiments) + 1, stages)
    started = datetime.now(UTC)
    t_all = time.perf_counter()
    mode = "full" if full else "quick"
    problem = e1(DEFAULT_LAMBDA)
    with clock("E1 solve"):
        t0 = time.perf_counter()
        tr = solve(problem, digits=digits, loss_below=STOP_LOSS, progress=progress)
        t_solve = time.perf_counter() - t0
    with clock(f"E1 check (rerun at {tr.precision.recheck} digits)"):
        ref = solve(problem, digits=tr.precision.recheck, t_end=tr.t_end)
        checked = agreement(tr, ref)
        loss_checked = loss_agreement(tr, ref)
    with clock("figure: E1 loss curve"):
        data = loss_curve.compute([tr])
        (out / "loss_curve.json").write_text(json.dumps(data))
        loss_curve.plot(data, out / "loss_curve", title="E1, λ = 1e-30 (in the spirit of Boursier et al. 2022)")
        figs = written(out / "loss_curve")
    for stem in EXACT_FLOW:
        with clock(f"figure: {stem}" + (" (and its table)" if stem == "interp_family" else "")):
            figs += make_figure(stem, out, quick=not full)
    interp = FIGURES["interp_family"].data(out, quick=not full)  # the cache the figure just wrote
    interp_md, interp_ok = _interpolation_section(interp)
    with clock("proof checks"):
        results = proofs_checks.run()
    profile = "thorough" if full else "quick"
    claims_md, claims, claim_rows = _claims(out, clock, profile)
    tables, gd_figs, gd_md, gd_summary, gd_verdict = [], [], [], "not run (`--no-experiments`)", "—"
    if experiments:
        with clock(f"GD experiments ({'paper protocol' if full else 'quick protocol'})"):
            tables, gd_figs, gd_md, gd_summary, gd_verdict = gd_section(out, quick=not full, progress=detail)
    total = time.perf_counter() - t_all
    rows = _summary_rows(tr, checked, results, claim_rows, interp, interp_ok, gd_summary, gd_verdict)
    report = out / "report.md"
    text = (
        _header(mode, experiments)
        + _summary(rows)
        + _report(tr, checked, loss_checked, t_solve, figs)
        + _proofs_section(results)
        + "\n".join(claims_md + interp_md + gd_md)
        + _environment(tr, mode, digits, experiments, started, clock.sections, total)
    )
    report.write_text(text, encoding="utf-8")
    with clock("HTML page"):
        page = write_html(report)
    return ReproduceResult(
        report,
        figs + gd_figs,
        tr,
        checked,
        results,
        claims,
        tables,
        interp_ok,
        page,
        dict(clock.sections, total=time.perf_counter() - t_all),
        mode,
        rows,
    )


def _claims(out: Path, clock, profile: str) -> tuple[list[str], list, list[tuple[str, str, str]]]:
    """Both papers' claims: the report's Markdown, the results and the summary rows; each
    paper's results also as ``claims_PAPER.json`` beside the report."""
    claims_md, claims, claim_rows = [], [], []
    for paper, ids in (("orthogonal", "O1–O22"), ("single-neuron", "N1–N24")):
        with clock(f"claims: {paper} ({profile})"):
            part = claim_checks.run(paper, profile=profile)
        stem = f"claims_{paper.replace('-', '_')}"
        (out / f"{stem}.json").write_text(to_json(part), encoding="utf-8")
        claims_md += [
            "",
            f"## Claims: {TITLES[paper]}",
            "",
            (
                f"**{summary(part)}** (profile `{profile}`; "
                f"details: `reluflow check --paper {paper}`, [`{stem}.json`]({stem}.json))."
            ),
            "",
            table(part, details=False),
            "",
        ]
        claims += part
        n_cert = sum(1 for r in part if r.label.startswith("certified"))
        claim_rows.append(
            (
                f"claims {ids} ({paper})",
                summary(part) + (f"; {n_cert} certified" if n_cert else ""),
                Verdict.combine(r.verdict for r in part).value,
            )
        )
    return claims_md, claims, claim_rows


def _summary_rows(tr, checked, results, claim_rows, interp, interp_ok, gd_summary, gd_verdict) -> list:
    """The rows of the report's summary table: part, result, verdict."""
    ok_digits = checked >= tr.digits
    return [
        (
            "E1 digits",
            f"{checked:.1f} agreeing digits against a rerun at {tr.precision.recheck} (need ≥ {tr.digits})",
            "PASS" if ok_digits else "FAIL",
        ),
        ("proof checks", _proofs_summary(results), Verdict.combine(r.verdict for r in results).value),
        *claim_rows,
        (
            "interpolators (Theorem 8 family)",
            f"{len(interp['points'])} points"
            + (", all certified, every check PASS" if interp_ok else ", not all certified or a check failed"),
            "PASS" if interp_ok else "FAIL",
        ),
        ("gradient descent (single-neuron paper)", gd_summary, gd_verdict),
    ]


def _proofs_summary(results) -> str:
    from .proofs.report import summary

    return summary(results)


def _header(mode: str, experiments: bool) -> str:
    what = (
        "**quick** (the default, `--quick`: quick claims profile, small figures, the quick GD protocol; "
        "what CI would run, minutes)"
        if mode == "quick"
        else "**full** (`--full`: thorough claims profile, full-size figures, the paper-scale GD protocol)"
    )
    return "\n".join(
        [
            "# reluflow reproduce — full report",
            "",
            "Orthogonal-inputs fixture **E1** (n = d = 4, m = 6; spec `orthogonal_inputs.md` §6.3) at "
            f"λ = {DEFAULT_LAMBDA}, exact gradient flow with σ'(0) = 0, loss 1/(2n) Σ (h(x_k) − y_k)², "
            f"run until the loss falls below {STOP_LOSS}; then the figures, the proof checks, the claims of both "
            "papers, the minimum-norm interpolators"
            + (" and the single-neuron paper's GD experiments" if experiments else "")
            + ".",
            "",
            f"Mode: {what}. Environment and the wall time of each section are at the end.",
            "",
            "",
        ]
    )


def _summary(rows) -> str:
    overall = Verdict.overall(v for *_, v in rows).value
    lines = [
        "## Summary",
        "",
        f"Overall: **{overall}** (`reluflow reproduce` exits {0 if overall == 'PASS' else 1}).",
        "",
        "| part | result | verdict |",
        "|---|---|---|",
    ]
    lines += [f"| {part} | {result} | {v if v == '—' else f'**{v}**'} |" for part, result, v in rows]
    return "\n".join(lines + ["", ""])


PACKAGES = ("reluflow", "mpmath", "gmpy2", "numpy", "scipy", "sympy", "python-flint", "matplotlib", "clarabel")


def _version(dist: str) -> str:
    if dist == "reluflow":
        return __version__
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment(mode: str = "quick", started: datetime | None = None) -> dict[str, str]:
    """Where and with what the report was made: date, Python, platform, CPUs, package versions."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        usable = os.cpu_count()
    env = {
        "date (UTC)": (started or datetime.now(UTC)).isoformat(timespec="seconds"),
        "mode": mode,
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "platform": platform.platform(),
        "machine": platform.machine() or "?",
        "CPU count": f"{os.cpu_count()} ({usable} usable by this process)",
    }
    env.update({dist: _version(dist) for dist in PACKAGES})
    env["mpmath backend"] = backend()
    return env


def _environment(
    tr: Trajectory,
    mode: str,
    digits: int,
    experiments: bool,
    started: datetime,
    sections: dict[str, float],
    total: float,
) -> str:
    env = environment(mode, started)
    env["command"] = (
        "reluflow reproduce "
        + ("--full" if mode == "full" else "--quick")
        + ("" if digits == 30 else f" --digits {digits}")
        + ("" if experiments else " --no-experiments")
    )
    for key in ("fixed_point_bits", "guard_digits", "kernel"):
        if key in tr.metadata:
            env[f"E1 solve: {key.replace('_', ' ')}"] = str(tr.metadata[key])
    lines = ["", "## Environment", "", "| key | value |", "|---|---|"]
    lines += [f"| {k} | {str(v).replace('|', chr(92) + '|')} |" for k, v in env.items()]
    lines += ["", "### Wall time", "", "| section | wall time |", "|---|---:|"]
    lines += [f"| {name} | {sec:.1f} s |" for name, sec in sections.items()]
    lines += [f"| **total** (before writing the report) | **{total:.1f} s** |", ""]
    return "\n".join(lines)


def _interpolation_section(data: dict) -> tuple[list[str], bool]:
    """The family of the ``interp_family`` figure as a table; ok when every point is
    certified and every check of the theory that applies holds."""
    ok = all(p["certified"] and all(v is True for v in p["checks"].values()) for p in data["points"])
    cr = data["crossing"]
    md = [
        "",
        "## Minimum norm versus rank one (Theorem 8 family)",
        "",
        "Certified minimum of ‖θ‖² over all interpolators and over rank-one ones (`reluflow interpolate`), the "
        f"§3.6 network, and the exact gradient flow's limit at λ = {data['lambda']}; data x₁ = b e₁, "
        "x₂,₃ = b e₁ ∓ √b e₂ + e₃, v* = (4/5, 0, 3/5)."
        + (f" 𝓜 changes sign at b ∈ [{cr['b'][0]:.12f}, {cr['b'][1]:.12f}] (exact bisection)." if cr else ""),
        f" **{'all points certified, every check PASS' if ok else 'NOT all certified / a check FAILED'}**.",
        "",
        "| b | sign 𝓜 | min ‖θ‖² (certified) | rank-one min | rank | §3.6 network | flow limit ‖θ‖² | checks |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in data["points"]:
        enc = lambda e: "—" if e is None else f"[{e['lo'][:14]}, {e['hi'][:14]}]"
        checks = ", ".join(f"{k} {'PASS' if v else 'FAIL' if v is False else '?'}" for k, v in p["checks"].items())
        md.append(
            f"| {p['b']:g} | {p['M_sign']:+d} | {enc(p['min'])} | {enc(p['rank_one'])} | {p['rank']} | "
            f"{(p['counterexample'] or '—')[:12]} | {p['flow']['theta_sq']} | {checks} |"
        )
    return md + [""], ok


def _proofs_section(results) -> str:
    from .proofs.report import summary, table

    return "\n".join(
        [
            "",
            "## Proof checks",
            "",
            f"**{summary(results)}** (details: `reluflow proofs`, `proofs_checks/REPORT.md`).",
            "",
            table(results, details=False),
            "",
        ]
    )


def _report(tr: Trajectory, checked: float, loss_checked: float, t_solve: float, figs: list[Path]) -> str:
    scale = tr.problem.log_inv_lambda
    ok = checked >= tr.digits
    lines = [
        "## Run",
        "",
        "| quantity | value |",
        "|---|---|",
        f"| status | `{tr.status.value}`: {tr.message} |",
        f"| t_end (T = t/ln(1/λ)) | {_fmt(tr.t_end)} ({float(tr.t_end) / scale:.4f}) |",
        f"| final loss | {format_loss(tr, loss_checked)}, digits checked against the rerun |",
        f"| max \\|a_j² − ‖w_j‖²\\| (conserved, 0 at start) | {_fmt(max(abs(v) for v in tr.invariants()), 3)} |",
        f"| requested digits / working dps / Taylor order | {tr.digits} / {tr.dps} / {tr.order} |",
        f"| steps, events | {len(tr.segments)}, {len(tr.events)} |",
        f"| solve wall time | {t_solve:.3f} s |",
        f"| digits checked | {checked:.1f} agreeing digits against a rerun at {tr.precision.recheck} digits: "
        f"**{'PASS' if ok else 'FAIL'}** (need ≥ {tr.digits}) |",
        "",
    ]
    if not math.isfinite(checked):
        lines += ["(all compared digits agreed exactly)", ""]
    lines += [
        "## Activation switches",
        "",
        "| t | T = t/ln(1/λ) | neuron | point | direction |",
        "|---|---|---|---|---|",
    ]
    for e in tr.events:
        lines.append(f"| {_fmt(e.t, 25)} | {float(e.t) / scale:.5f} | {e.neuron} | {e.point} | {e.direction} |")
    lines += ["", "## Loss plateaus", "", "| from T | to T | level |", "|---|---|---|"]
    for pl in plateaus(tr):
        lines.append(f"| {pl.t_start / scale:.3f} | {pl.t_stop / scale:.3f} | {pl.level:.6g} |")
    lines += [
        "",
        "## Figures",
        "",
        (
            "Exact-flow figures in the spirit of Boursier et al. (2022) and Chistikov et al. "
            "(2023) (each title says which); not the papers' parameters; then the minimum-norm family of the "
            "section below, and a sliding mode on generic data (outside both papers' assumptions) against gradient "
            "descent. The single-neuron paper's gradient-descent Figures 1–11, when run, are in their own "
            "section."
        ),
        "",
    ]
    for pdf, png in zip(figs[::2], figs[1::2]):
        lines += [f"![{png.stem}]({png.name}) ([PDF]({pdf.name}))", ""]
    return "\n".join(lines)
