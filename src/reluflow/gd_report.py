"""The single-neuron paper's gradient-descent section of ``reluflow reproduce``: its tables
(CSV), its figures and the verdict on the paper's trends, with the report's Markdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .figures.catalog import FIGURES
from .figures.catalog import make as make_figure
from .parallel import auto_workers, run_jobs
from .verdict import Verdict

__all__ = ["gd_section"]


def _compute(stem: str, out: Path, quick: bool) -> None:
    """Compute (or find cached) the numbers of figure ``stem`` (a job for a worker process)."""
    FIGURES[stem].data(out, quick=quick)


def gd_section(
    out: Path, *, quick: bool, workers: int | None = None, progress: Callable[[str], None] | None = None
) -> tuple[list[Path], list[Path], list[str], str, str]:
    """The single-neuron paper's GD protocol: Tables 1–12 as CSV (the medians of one sweep
    over d and over m, shared by the tables and the figures that draw them: one
    computation, one cap), Figures 1–11, and the verdict on the paper's trends
    (:mod:`reluflow.experiments.trends`): the report's Markdown, the summary text and the
    verdict.  The sweep's cells, then the other figures' computations, run in ``workers``
    processes (None: one per core, for runs long enough to repay a process start);
    ``progress`` hears of each as it ends."""
    from .experiments.backend import get_backend
    from .experiments.protocol import TABLES, table_config, table_rows, worth_a_process, write_csv
    from .experiments.trends import judge
    from .figures.single_neuron_gd import STEMS
    from .figures.single_neuron_gd.sweeps import axis_cells

    # the sweep runs once, cached with the figures that draw it; the tables are its medians
    data = FIGURES[STEMS[1]].data(out, quick=quick, workers=workers, progress=progress)
    sweep = FIGURES[STEMS[1]].cache
    others = list({FIGURES[s].cache: s for s in STEMS.values() if FIGURES[s].cache != sweep}.values())
    params = [FIGURES[s].parameters(quick) for s in others]
    worth_it = all(worth_a_process(p["backend"], p["max_iter"]) for p in params)
    done = None if progress is None else lambda i, _: progress(f"figure data: {FIGURES[others[i]].cache} ready")
    jobs = [(_compute, (stem, out, quick)) for stem in others]
    run_jobs(jobs, workers or auto_workers(len(others), worth_it), done)
    rows = {}
    for k, spec in TABLES.items():
        base = table_config(k, quick=quick)
        ds, ms = axis_cells(data, spec.axis)
        cfg = replace(  # the table describes exactly the runs it was made from
            base,
            ds=ds,
            ms=ms,
            lambda_exponents=tuple(data["lambda_exponents"]),
            trials=data["trials"],
            gd=replace(base.gd, max_iter=data["max_iter"]),
        )
        xp = get_backend(cfg.gd.backend, cfg.gd.device)
        rows[k] = table_rows(k, data["records"], cfg, backend=f"{xp.name}:{xp.device}")
    suffix = "_quick" if quick else ""
    tables = [write_csv(r, out / f"sn_table{k}{suffix}.csv") for k, r in rows.items()]
    figs = [p for stem in STEMS.values() for p in make_figure(stem, out, quick=quick)]  # from the caches
    md = [
        "",
        "## Single neuron: the paper's GD experiments",
        "",
        f"{'Quick' if quick else 'Full'} protocol (`reluflow experiment tableK|figK{'' if quick else ' --full'}`): "
        "full-batch GD on the MSE-mean with learning rate 0.01, medians over trials; every cap is in the CSVs.",
        "",
        "The paper's trends are judged on the medians (`reluflow.experiments.trends`): the final maximum "
        "angle ∝ λ at small λ (log–log slope 1 ± 0.25 between the two smallest λ) and ‖W‖_* → 1 at the "
        "smallest λ (± 0.05); a median most of whose trials stopped at the cap decides nothing (INCONCLUSIVE): "
        "such a run has not reached its limit.",
        "",
        "| table | metric | scheme | CSV | trials stopped by the loss threshold / cap | trend | measured | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    verdicts, capped, behind, judged = [], 0, 0, 0
    for (k, r), path in zip(rows.items(), tables):
        spec = TABLES[k]
        trend, measured, verdict, caps, trials = judge(k, r)
        if verdict != "—":
            verdicts.append(verdict)
            capped += caps
            behind += trials
            judged += 1
        md.append(
            f"| {k} | {spec.metric} | {spec.scheme} | [{path.name}]({path.name}) | "
            f"{sum(x['stopped_loss'] for x in r)} / {sum(x['stopped_cap'] for x in r)} | {trend} | "
            f"{measured} | **{verdict}** |"
        )
    overall = Verdict.overall(verdicts).value
    summary = (
        f"{len(tables)} tables (CSV), {len(figs) // 2} figures; trends of {judged} tables: "
        + ", ".join(f"{verdicts.count(v)} {v}" for v in ("PASS", "FAIL", "INCONCLUSIVE"))
        + f" ({capped} of the {behind} trials they rest on hit the cap)"
    )
    md += [""] + [f"![{png.stem}]({png.name}) ([PDF]({pdf.name}))\n" for pdf, png in zip(figs[::2], figs[1::2])]
    return tables, figs, md, summary, overall
