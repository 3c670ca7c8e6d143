"""The main job: solve the built-in default, check its digits, draw its figures, check the
claims, write a report.

The default is the orthogonal-inputs fixture E1 at λ = 1e-30.  Every reported digit is
checked by a rerun at ``digits + 10``; the report states how many digits agreed.  The
report also carries the proofs table (``proofs_checks``), the orthogonal-inputs claims
O1–O22 with their verdicts (profile ``quick``, or ``thorough`` with ``full``) and the four
orthogonal-inputs figures (quick or full versions).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import mpmath

from .datasets import e1
from .figures import loss_curve
from .integrate import Trajectory, solve
from .precision import backend
from .summary import agreement, format_loss, loss_agreement, plateaus

__all__ = ["ReproduceResult", "reproduce"]

DEFAULT_LAMBDA = "1e-30"
STOP_LOSS = "1e-20"  # stop once fitted: r ~ 1e-10 keeps ~20 of 30 digits of the loss


@dataclass(frozen=True)
class ReproduceResult:
    report: Path
    figures: list[Path]
    trajectory: Trajectory
    checked_digits: float
    proofs: list
    claims: list


def _fmt(x, digits: int = 12) -> str:
    return mpmath.nstr(x, digits, min_fixed=-4, max_fixed=6)


def reproduce(out: str | Path = "paper_figures/out", *, digits: int = 30, full: bool = False, progress=None) -> ReproduceResult:
    """Run the default example, verify it at higher precision, draw the figures, check the
    claims and write the report (``full``: thorough claims, full-size figures)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    problem = e1(DEFAULT_LAMBDA)
    t0 = time.perf_counter()
    tr = solve(problem, digits=digits, loss_below=STOP_LOSS, progress=progress)
    t_solve = time.perf_counter() - t0
    ref = solve(problem, digits=digits + 10, t_end=tr.t_end)
    checked = agreement(tr, ref)
    loss_checked = loss_agreement(tr, ref)
    data = loss_curve.compute([tr])
    (out / "loss_curve.json").write_text(json.dumps(data))
    figs = loss_curve.plot(data, out / "loss_curve", title="E1, λ = 1e-30 (in the spirit of Boursier et al. 2022)")
    import proofs_checks

    from .claims import run as run_claims
    from .claims.report import summary, table, to_json
    from .figures import orthogonal as orth_figures

    figs += orth_figures.figures_all(out, quick=not full)
    results = proofs_checks.run()
    profile = "thorough" if full else "quick"
    claims = run_claims("orthogonal", profile=profile)
    (out / "claims_orthogonal.json").write_text(to_json(claims), encoding="utf-8")
    claims_md = ["", "## Claims: orthogonal inputs (O1–O22)", "", f"**{summary(claims)}** (profile `{profile}`; "
                 "details: `reluflow check --paper orthogonal`, `claims_orthogonal.json`).", "",
                 table(claims, details=False), ""]
    report = out / "report.md"
    text = _report(tr, checked, loss_checked, t_solve, figs) + _proofs_section(results) + "\n".join(claims_md)
    report.write_text(text, encoding="utf-8")
    return ReproduceResult(report, figs, tr, checked, results, claims)


def _proofs_section(results) -> str:
    from proofs_checks.report import summary, table

    return "\n".join(["", "## Proof checks", "", f"**{summary(results)}** (details: `reluflow proofs`, "
                      "`proofs_checks/REPORT.md`).", "", table(results, details=False), ""])


def _report(tr: Trajectory, checked: float, loss_checked: float, t_solve: float, figs: list[Path]) -> str:
    p = tr.problem
    scale = p.log_inv_lambda
    ok = checked >= tr.digits
    lines = [
        "# reluflow reproduce — default example",
        "",
        "Orthogonal-inputs fixture **E1** (n = d = 4, m = 6; spec `orthogonal_inputs.md` §6.3) at "
        f"λ = {DEFAULT_LAMBDA}, exact gradient flow with σ'(0) = 0, loss 1/(2n) Σ (h(x_k) − y_k)², "
        f"run until the loss falls below {STOP_LOSS}.",
        "",
        "## Run",
        "",
        "| quantity | value |",
        "|---|---|",
        f"| status | `{tr.status.value}`: {tr.message} |",
        f"| t_end (T = t/ln(1/λ)) | {_fmt(tr.t_end)} ({float(tr.t_end) / scale:.4f}) |",
        f"| final loss | {format_loss(tr, loss_checked)}, digits checked against the rerun |",
        f"| max |a_j² − ‖w_j‖²| (conserved, 0 at start) | {_fmt(max(abs(v) for v in tr.invariants()), 3)} |",
        f"| requested digits / working dps / Taylor order | {tr.digits} / {tr.dps} / {tr.order} |",
        f"| steps, events | {len(tr.segments)}, {len(tr.events)} |",
        f"| solve wall time | {t_solve:.3f} s |",
        f"| digits checked | {checked:.1f} agreeing digits against a rerun at {tr.digits + 10} digits: "
        f"**{'PASS' if ok else 'FAIL'}** (need ≥ {tr.digits}) |",
        "",
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
    lines += ["", "## Figures", "", "In the spirit of Boursier et al. (2022); not the paper's parameters.", ""]
    for pdf, png in zip(figs[::2], figs[1::2]):
        lines += [f"![{png.stem}]({png.name}) ([PDF]({pdf.name}))", ""]
    lines += ["## Environment", "", "| key | value |", "|---|---|"]
    meta = dict(tr.metadata, mpmath_backend=backend())
    for key, value in meta.items():
        lines.append(f"| {key} | {value} |")
    lines.append("")
    if not math.isfinite(checked):
        lines.append("(all compared digits agreed exactly)")
    return "\n".join(lines)
