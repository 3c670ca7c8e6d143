"""The paper's experiment protocol (spec ``single_neuron.md`` §6.1–6.2): trials, λ sweeps
and Tables 1–12 as CSV.

A *trial* is one dataset and one unscaled initialisation (z, s), reused across the whole
λ sweep (pitfall 12); results are medians (and standard deviations) over trials.  Every
random draw comes from ``numpy.random.default_rng([seed, tag, scheme, d, m, trial])`` with
tag 0 = data (m = 0: the data of a trial do not depend on the width), 1 = initialisation,
2 = test points, so a cell is reproducible on its own (and may run in its own process:
:func:`run_cells`) and the m = 200, d = 1024 cells of Tables 1–6 and 7–12 are the same runs.
All trials × λ of one (d, m) are trained as one batch by :func:`reluflow.experiments.gd.run_gd`.

Table k: odd = centred, even = uncentred (the left/right assignment is the spec's
inference); 1/2 maximum angle, 3/4 average angle, 5/6 nuclear norm over d ∈ {4, …, 1024}
at m = 200; 7–12 the same at d = 1024 over m ∈ {25, 50, 200}.

>>> cfg = table_config(1, quick=True, trials=1, max_iter=2000, ds=(4,))
>>> rows = run_table(1, cfg)
>>> first = rows[0]
>>> len(rows), first["lambda_exp4"], first["d"], first["trials"]
(5, 2, 4, 1)
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..parallel import auto_workers, run_jobs
from ..problem import positive_int
from . import metrics as M
from .data import SCHEMES, TeacherData, balanced_init, gaussian_inputs, make_data
from .gd import GDConfig, run_gd

__all__ = [
    "FULL_EXPONENTS",
    "PARALLEL_MIN_ITER",
    "QUICK_EXPONENTS",
    "TABLES",
    "TABLE_COLUMNS",
    "TRIALS",
    "SweepConfig",
    "TableSpec",
    "Trial",
    "axis_grid",
    "default_workers",
    "make_trial",
    "record_metrics",
    "run_cell",
    "run_cells",
    "run_sweep",
    "run_table",
    "run_tables",
    "table_cap",
    "table_config",
    "table_rows",
    "trial_rng",
    "worth_a_process",
    "write_csv",
]

FULL_EXPONENTS = tuple(range(2, -14, -1))  # λ = 4², 4¹, …, 4⁻¹³
QUICK_EXPONENTS = (2, -1, -4, -7, -10)  # the two smallest, a factor 64 apart, carry the trend
TRIALS = 5  # medians over 5 trials (the paper's), quick and full
SCHEME_CODE = {"centred": 0, "uncentred": 1, "two_teachers_centred": 2, "two_teachers_uncentred": 3}
TAG = {"data": 0, "init": 1, "test": 2}
BATCH_X_BYTES = 64 * 2**20  # largest stack of per-member inputs before trials are run one by one
PARALLEL_MIN_ITER = 10_000  # cells with a lower cap run in this process (a process start costs ~0.5 s)


@dataclass(frozen=True)
class TableSpec:
    """Table ``number``: ``metric`` of the ``scheme`` over the ``axis`` ("d" or "m")."""

    number: int
    metric: str
    scheme: str
    axis: str


TABLES: dict[int, TableSpec] = {}
for _i, _metric in enumerate(("max_angle", "average_angle", "nuclear_norm")):
    for _j, _scheme in enumerate(SCHEMES):
        for _base, _axis in ((1, "d"), (7, "m")):
            _k = _base + 2 * _i + _j
            TABLES[_k] = TableSpec(_k, _metric, _scheme, _axis)
TABLES = dict(sorted(TABLES.items()))


def trial_rng(seed: int, tag: str, scheme: str, d: int, m: int, trial: int) -> np.random.Generator:
    """The generator of one draw of the protocol (see the module docstring).

    >>> float(trial_rng(0, "data", "centred", 4, 0, 1).random()) == float(trial_rng(0, "data", "centred", 4, 0, 1).random())
    True
    """
    return np.random.default_rng([int(seed), TAG[tag], SCHEME_CODE[scheme], int(d), int(m), int(trial)])


@dataclass(frozen=True, eq=False)
class Trial:
    """One dataset, one unscaled initialisation and the test set, with the entropy of each draw."""

    scheme: str
    d: int
    m: int
    index: int
    seed: int
    data: TeacherData
    z: np.ndarray
    s: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def entropy(self) -> dict[str, list[int]]:
        code = SCHEME_CODE[self.scheme]
        return {
            "data": [self.seed, TAG["data"], code, self.d, 0, self.index],
            "init": [self.seed, TAG["init"], code, self.d, self.m, self.index],
            "test": [self.seed, TAG["test"], code, self.d, 0, self.index],
        }


def make_trial(scheme: str, d: int, m: int, trial: int, seed: int = 0) -> Trial:
    """Trial ``trial`` of the ``scheme`` at (d, m): data (n = d), z, s, and 4n test points.

    >>> t = make_trial("uncentred", 4, 3, 0)
    >>> t.data.X.shape, t.z.shape, t.X_test.shape
    ((4, 4), (3, 4), (16, 4))
    """
    data = make_data(scheme, d, trial_rng(seed, "data", scheme, d, 0, trial))
    z, s = balanced_init(m, d, trial_rng(seed, "init", scheme, d, m, trial))
    X_test = gaussian_inputs(d, 4 * data.n, trial_rng(seed, "test", scheme, d, 0, trial))
    return Trial(scheme, int(d), int(m), int(trial), int(seed), data, z, s, X_test, data.labels(X_test))


@dataclass(frozen=True)
class SweepConfig:
    """A λ sweep of one scheme over the grid ``ds`` × ``ms``: λ = 4^k for k in
    ``lambda_exponents``, ``trials`` trials from ``seed``, trained with ``gd``."""

    scheme: str
    ds: tuple[int, ...]
    ms: tuple[int, ...]
    lambda_exponents: tuple[int, ...]
    trials: int
    seed: int = 0
    gd: GDConfig = field(default_factory=GDConfig)

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme: unknown scheme {self.scheme!r}; choose one of {', '.join(SCHEMES)}")
        for name in ("ds", "ms"):
            values = tuple(getattr(self, name))
            if not values:
                raise ValueError(f"{name}: give at least one value")
            object.__setattr__(self, name, tuple(positive_int(v, name) for v in values))
        if any(d < 2 for d in self.ds):
            raise ValueError(f"ds: the dimension must be ≥ 2, got {self.ds}")
        exps = tuple(int(k) for k in self.lambda_exponents)
        if not exps:
            raise ValueError("lambda_exponents: give at least one exponent k (λ = 4^k)")
        object.__setattr__(self, "lambda_exponents", exps)
        positive_int(self.trials, "trials")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ValueError(f"seed: must be a non-negative integer, got {self.seed!r}")

    @property
    def lambdas(self) -> np.ndarray:
        return np.array([4.0**k for k in self.lambda_exponents])


def table_cap(quick: bool) -> int:
    """The GD iteration cap of the quick protocol (2·10⁶, a tenth of the paper's: most
    small-λ runs of the quick grid end by the loss threshold before it) or of the paper's
    (2·10⁷); Figures 1, 7 and 8 draw the same runs."""
    return 2_000_000 if quick else 20_000_000


def axis_grid(axis: str, quick: bool) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(ds, ms) of the tables over ``axis``: "d" (Tables 1–6: d ∈ {4, …, 1024} at m = 200;
    quick d ∈ {4, 8}) or "m" (Tables 7–12: m ∈ {25, 50, 200} at d = 1024; quick d = 8)."""
    if axis == "d":
        return ((4, 8) if quick else (4, 16, 64, 256, 1024)), (200,)
    return ((8,) if quick else (1024,)), (25, 50, 200)


def table_config(
    number: int,
    *,
    quick: bool = True,
    trials: int | None = None,
    seed: int = 0,
    backend: str = "numpy",
    max_iter: int | None = None,
    ds: Sequence[int] | None = None,
    ms: Sequence[int] | None = None,
) -> SweepConfig:
    """The sweep behind Table ``number``: the paper's protocol (``quick=False``: λ = 4²…4⁻¹³,
    cap 2·10⁷, d up to 1024) or the quick one (:func:`axis_grid`, λ ∈ 4^QUICK_EXPONENTS,
    cap 2·10⁶); both with the paper's :data:`TRIALS` trials."""
    if number not in TABLES:
        raise ValueError(f"table: unknown table {number!r}; choose 1–12")
    default_ds, default_ms = axis_grid(TABLES[number].axis, quick)
    gd = GDConfig(max_iter=max_iter if max_iter is not None else table_cap(quick), backend=backend)
    return SweepConfig(
        scheme=TABLES[number].scheme,
        ds=tuple(ds or default_ds),
        ms=tuple(ms or default_ms),
        lambda_exponents=QUICK_EXPONENTS if quick else FULL_EXPONENTS,
        trials=trials if trials is not None else TRIALS,
        seed=seed,
        gd=gd,
    )


def record_metrics(trial: Trial, a: np.ndarray, W: np.ndarray) -> dict[str, float]:
    """The measurements of one trained network of ``trial`` (§6.1, pitfall 9)."""
    D = trial.data
    plus = M.active_plus(D.X, trial.z, trial.s)
    v = M.combined_neuron(a, W, plus)
    v_norm = float(np.linalg.norm(v))
    return {
        "r_plus": int(plus.sum()),
        "max_angle": M.max_angle(W, plus),
        "average_angle": M.average_angle(W, plus),
        "max_chord_angle": M.max_chord_angle(W, plus),
        "nuclear_norm": M.nuclear_norm(W),
        "theta_sq": M.theta_sq(a, W),
        "train_loss": float(M.mse(a, W, D.X, D.y)),
        "test_loss": float(M.mse(a, W, trial.X_test, trial.y_test)),
        "v_norm": v_norm,
        "v_error": float(np.linalg.norm(D.teacher - v)),
        "v_angle": M.angle(v, D.teacher) if v_norm > 0 else float("nan"),
    }


def run_cell(config: SweepConfig, d: int, m: int) -> tuple[list[dict[str, Any]], str]:
    """Train every (trial, λ) of the cell (d, m) of the sweep: one record (a dict of plain
    numbers and strings) per run, with its metrics, stop reason, iterations and seeds; and a
    line saying what it cost."""
    t0 = time.perf_counter()
    lams = config.lambdas
    records: list[dict[str, Any]] = []
    trials = [make_trial(config.scheme, d, m, t, config.seed) for t in range(config.trials)]
    L = len(lams)
    # all trials in one batch while the per-member copies of X stay small, else one batch per trial
    together = len(trials) * L * d * d * 8 <= BATCH_X_BYTES
    groups = [trials] if together else [[t] for t in trials]
    updates, backend = 0, ""
    for group in groups:
        if len(group) == 1:
            X, y, z, s = group[0].data.X, group[0].data.y, group[0].z, group[0].s
        else:
            X = np.stack([t.data.X for t in group for _ in lams])
            y = np.stack([t.data.y for t in group for _ in lams])
            z = np.stack([t.z for t in group for _ in lams])
            s = np.stack([t.s for t in group for _ in lams])
        res = run_gd(X, y, np.tile(lams, len(group)), z, s, config.gd)
        updates += res.updates
        backend = f"{res.backend} on {res.device}"
        for b in range(res.batch):
            trial, li = group[b // L], b % L
            rec = {
                "scheme": config.scheme,
                "d": d,
                "m": m,
                "n": trial.data.n,
                "trial": trial.index,
                "lambda": float(lams[li]),
                "lambda_exp4": config.lambda_exponents[li],
                "stop": str(res.stop[b]),
                "iterations": int(res.iterations[b]),
                "final_loss": float(res.loss[b]),
                "seed": config.seed,
                "entropy": trial.entropy,
                "rejected_draws": trial.data.rejected,
            }
            rec.update(record_metrics(trial, res.a[b], res.W[b]))
            records.append(rec)
    capped = sum(r["stop"] == "cap" for r in records)
    line = (
        f"{config.scheme} d={d} m={m}: {len(records)} runs ({capped} at the cap), {updates} batch iterations, "
        f"{time.perf_counter() - t0:.1f} s ({backend})"
    )
    return records, line


def worth_a_process(backend: str, max_iter: int) -> bool:
    """Whether GD runs repay a worker process of their own: NumPy runs capped at
    :data:`PARALLEL_MIN_ITER` iterations or more (an accelerator backend stays in this
    process)."""
    return backend == "numpy" and max_iter >= PARALLEL_MIN_ITER


def default_workers(jobs: Sequence[tuple[SweepConfig, int, int]]) -> int:
    """Processes for :func:`run_cells`: one per usable CPU core (at most one per cell) when
    every cell is :func:`worth_a_process`, else 1."""
    return auto_workers(len(jobs), all(worth_a_process(c.gd.backend, c.gd.max_iter) for c, _, _ in jobs))


def run_cells(
    jobs: Sequence[tuple[SweepConfig, int, int]],
    progress: Callable[[str], None] | None = None,
    workers: int | None = 1,
) -> list[list[dict[str, Any]]]:
    """The records of each cell ``(config, d, m)`` of ``jobs``, in their order (see
    :func:`run_cell`).  Cells are independent and seeded on their own, so ``workers`` > 1
    runs them in that many processes (:func:`reluflow.parallel.run_jobs`) with the same
    records (None: :func:`default_workers`); the largest cells start first and
    ``progress`` hears of each as it ends."""
    workers = default_workers(jobs) if workers is None else workers
    largest = sorted(range(len(jobs)), key=lambda i: -jobs[i][1] * jobs[i][2] * jobs[i][0].trials)
    done = None if progress is None else (lambda i, result: progress(result[1]))
    cells = run_jobs([(run_cell, job) for job in jobs], workers, done, first=largest)
    return [records for records, _ in cells]


def run_sweep(
    config: SweepConfig, progress: Callable[[str], None] | None = None, workers: int | None = 1
) -> list[dict[str, Any]]:
    """Train every (d, m, trial, λ) of the sweep (:func:`run_cells` over its cells, with
    ``workers`` processes)."""
    cells = run_cells([(config, d, m) for d in config.ds for m in config.ms], progress, workers)
    return [r for cell in cells for r in cell]


TABLE_COLUMNS = (
    "table",
    "metric",
    "scheme",
    "lambda",
    "lambda_exp4",
    "d",
    "m",
    "median",
    "std",
    "trials",
    "valid",
    "stopped_loss",
    "stopped_cap",
    "stopped_stall",
    "stopped_nonfinite",
    "median_iterations",
    "max_iter",
    "loss_threshold",
    "lr",
    "seed",
    "backend",
)


def table_rows(number: int, records: Sequence[dict[str, Any]], config: SweepConfig, backend: str = "") -> list[dict]:
    """Table ``number`` from the sweep's records: one row per (λ, d) or (λ, m), with the
    median and the standard deviation (numpy's, ddof = 0) over trials of the metric,
    ignoring NaN (fewer than two active neurons), the counts of trials, of valid values
    and of each stop reason, and the protocol's settings."""
    spec = TABLES[number]
    rows = []
    for k in config.lambda_exponents:
        for d in config.ds:
            for m in config.ms:
                cell = [
                    r
                    for r in records
                    if r["lambda_exp4"] == k and r["d"] == d and r["m"] == m and r["scheme"] == spec.scheme
                ]
                vals = np.array([r[spec.metric] for r in cell], dtype=float)
                ok = vals[np.isfinite(vals)]
                rows.append(
                    {
                        "table": number,
                        "metric": spec.metric,
                        "scheme": spec.scheme,
                        "lambda": 4.0**k,
                        "lambda_exp4": k,
                        "d": d,
                        "m": m,
                        "median": float(np.median(ok)) if len(ok) else float("nan"),
                        "std": float(np.std(ok)) if len(ok) else float("nan"),
                        "trials": len(cell),
                        "valid": len(ok),
                        "stopped_loss": sum(r["stop"] == "loss" for r in cell),
                        "stopped_cap": sum(r["stop"] == "cap" for r in cell),
                        "stopped_stall": sum(r["stop"] == "stall" for r in cell),
                        "stopped_nonfinite": sum(r["stop"] == "nonfinite" for r in cell),
                        "median_iterations": float(np.median([r["iterations"] for r in cell]))
                        if cell
                        else float("nan"),
                        "max_iter": config.gd.max_iter,
                        "loss_threshold": config.gd.loss_threshold,
                        "lr": config.gd.lr,
                        "seed": config.seed,
                        "backend": backend,
                    }
                )
    return rows


def run_table(
    number: int,
    config: SweepConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = 1,
    **options: Any,
) -> list[dict]:
    """Run the sweep of Table ``number`` (``config``, or :func:`table_config` with
    ``options``; ``workers`` as for :func:`run_cells`) and return its rows (see
    :func:`table_rows`)."""
    if number not in TABLES:
        raise ValueError(f"table: unknown table {number!r}; choose 1–12")
    config = config or table_config(number, **options)
    if config.scheme != TABLES[number].scheme:
        config = replace(config, scheme=TABLES[number].scheme)
    records = run_sweep(config, progress, workers)
    from .backend import get_backend

    backend = get_backend(config.gd.backend, config.gd.device)
    return table_rows(number, records, config, backend=f"{backend.name}:{backend.device}")


def run_tables(
    numbers: Sequence[int] = tuple(TABLES),
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = 1,
    **options: Any,
) -> dict[int, list[dict]]:
    """Several tables, each sweep run once: the tables of one (scheme, axis) share their runs
    (e.g. Tables 1, 3, 5 are three metrics of one sweep).  ``options`` as for
    :func:`table_config`, ``workers`` as for :func:`run_cells`; returns {number: rows}."""
    from .backend import get_backend

    out: dict[int, list[dict]] = {}
    groups: dict[tuple[str, str], list[int]] = {}
    for k in numbers:
        if k not in TABLES:
            raise ValueError(f"table: unknown table {k!r}; choose 1–12")
        groups.setdefault((TABLES[k].scheme, TABLES[k].axis), []).append(k)
    configs = [table_config(ks[0], **options) for ks in groups.values()]
    jobs = [(c, d, m) for c in configs for d in c.ds for m in c.ms]
    cells = iter(run_cells(jobs, progress, workers))  # every table's cells at once (in parallel)
    for ks, config in zip(groups.values(), configs):
        records = [r for _ in range(len(config.ds) * len(config.ms)) for r in next(cells)]
        backend = get_backend(config.gd.backend, config.gd.device)
        for k in ks:
            out[k] = table_rows(k, records, config, backend=f"{backend.name}:{backend.device}")
    return dict(sorted(out.items()))


def write_csv(rows: Sequence[dict], path: str | Path) -> Path:
    """Write table rows with the columns of :data:`TABLE_COLUMNS` (floats at full precision)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=TABLE_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({k: (repr(v) if isinstance(v, float) and math.isfinite(v) else v) for k, v in row.items()})
    return path
