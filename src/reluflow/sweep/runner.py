"""Running a sweep: one task per run over any :class:`concurrent.futures.Executor`.

The default executor is a :class:`~concurrent.futures.ProcessPoolExecutor` with the "spawn"
start method (no forked copies of threads or locks; mpmath is not thread-safe, so every run
gets a process to itself).  A Dask cluster works the same way through
``Client(...).get_executor()``; the store directory must then be one the workers can write
(a shared filesystem), and each worker should have one thread (``--nthreads 1``): tasks take a
per-process lock, so extra threads are safe but idle.

>>> import tempfile
>>> from concurrent.futures import ThreadPoolExecutor
>>> from reluflow.sweep import expand
>>> specs = expand({"data": {"X": [[1, 0], [0, 1]], "y": [1, "-0.5"]},
...                 "init": {"width": 2, "seed": 0}, "solve": {"t_end": 4, "digits": 20}},
...                {"lambda": ["1e-10", "1e-20"]})
>>> store = tempfile.mkdtemp()
>>> with ThreadPoolExecutor(1) as ex:
...     res = run(specs, store, executor=ex, progress=False)
>>> res.ok, res.computed, res.cached, [r.status for r in res.records]
(True, 2, 0, ['t_end', 't_end'])
>>> again = run(specs, store, progress=False)      # everything is in the store: nothing to do
>>> again.computed, again.cached, [r.final_loss for r in again.records] == [r.final_loss for r in res.records]
(0, 2, True)
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import platform
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..problem import ProblemError
from .spec import RunSpec, varied_paths
from .store import Record, Store

__all__ = ["SweepResult", "run", "watch_parent"]

_LOCK = threading.Lock()  # one solve at a time per process: mpmath is not thread-safe


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a Linux process gets when its parent dies
WATCH_INTERVAL_S = 0.5
"""How often a pool worker's watchdog looks for its parent (seconds)."""


def watch_parent(parent: int, interval: float = WATCH_INTERVAL_S) -> threading.Thread:
    """Exit this process (``os._exit``) once its parent ``parent`` is gone, from a daemon thread:
    the portable half of :func:`_die_with_parent`.  The parent is gone when this process's
    parent pid changes (POSIX re-parents orphans) or, for a multiprocessing child, when its
    parent sentinel fires (also on Windows); checked every ``interval`` seconds."""
    proc = multiprocessing.parent_process()
    sentinel = None if proc is None or proc.pid != parent else proc.sentinel

    def gone() -> bool:
        if os.name == "posix" and os.getppid() != parent:
            return True
        return sentinel is not None and bool(multiprocessing.connection.wait([sentinel], timeout=0))

    def watch() -> None:
        while True:
            if gone():
                os._exit(1)
            if sentinel is not None:
                multiprocessing.connection.wait([sentinel], timeout=interval)
            else:
                time.sleep(interval)

    thread = threading.Thread(target=watch, name="reluflow-watch-parent", daemon=True)
    thread.start()
    return thread


def _die_with_parent(parent: int) -> None:
    """Pool worker initializer: the worker ends when the sweep process ``parent`` dies, even by
    SIGKILL (a killed sweep used to leave its workers running forever).  On Linux the kernel
    sends SIGKILL at once (``prctl(PR_SET_PDEATHSIG)``); everywhere, :func:`watch_parent`.  The
    store stays consistent: every file is written atomically."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl here: the watchdog alone
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    watch_parent(parent)
    if os.name == "posix" and os.getppid() != parent:  # died before the prctl took effect
        os._exit(1)


def _mp_context() -> multiprocessing.context.BaseContext:
    """ "spawn", unless the main module cannot be re-imported by a spawned child (a script read
    from stdin, ``python - < script.py``): then "fork", where the platform has it."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if (
        getattr(main, "__spec__", None) is None
        and path is not None
        and not os.path.isfile(path)
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def solve_into(spec_json: str, root: str) -> dict[str, Any]:
    """The task: solve one spec (its canonical JSON) and store it under ``root``; returns
    :meth:`Record.to_dict`.  A run that is already stored (another sweep got there first) is
    not recomputed.  Runs in a worker process; importable, so any executor can pickle it."""
    with _LOCK:
        spec = RunSpec.from_json(spec_json)
        store = Store(root)
        rec = store.get(spec)
        if rec is not None:
            return rec.to_dict() | {"computed": False}
        started, t0 = _utc(), time.perf_counter()
        tr = spec.solve()
        seconds = time.perf_counter() - t0
        rec = store.put(
            spec,
            tr,
            meta={
                "task_wall_time_s": round(seconds, 6),
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "platform": platform.platform(),
                "started_utc": started,
                "finished_utc": _utc(),
            },
        )
        return rec.to_dict() | {"computed": True}


@dataclass(frozen=True)
class SweepResult:
    """The outcome of :func:`run`: ``records`` of the finished runs in spec order (computed now
    or found in the store), ``failed`` as (spec, error) pairs (not stored: a rerun retries
    them), and counts: ``computed``, ``cached`` (found valid), ``recomputed`` (found corrupt,
    discarded and computed again; ``discarded`` says why, per run), ``seconds`` (wall time of
    the sweep)."""

    specs: tuple[RunSpec, ...]
    records: tuple[Record, ...]
    failed: tuple[tuple[RunSpec, str], ...]
    computed: int
    cached: int
    recomputed: int
    seconds: float
    discarded: tuple[tuple[RunSpec, str], ...] = ()

    @property
    def ok(self) -> bool:
        """True when every run finished with an ok status (``t_end`` or ``loss_below``)."""
        return not self.failed and all(r.ok for r in self.records)

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-able row per run, in spec order: :meth:`Record.row`, or for a failed run
        ``status: "failed"``, ``final_loss: None`` and the error as ``message``."""
        by_hash = {r.spec_hash: r.row() for r in self.records}
        errors = {s.spec_hash: e for s, e in self.failed}
        out = []
        for s in self.specs:
            if s.spec_hash in by_hash:
                out.append(by_hash[s.spec_hash] | {"dataset": s.dataset})
            else:
                out.append(
                    {
                        "spec_hash": s.spec_hash,
                        "dataset": s.dataset,
                        "data_hash": s.data_hash,
                        "lambda": s.lam_text,
                        "seed": s.seed,
                        "width": s.width,
                        "digits": s.digits,
                        "dps": s.dps,
                        "status": "failed",
                        "ok": False,
                        "final_loss": None,
                        "t_end": None,
                        "events": None,
                        "steps": None,
                        "message": errors.get(s.spec_hash, "not run"),
                    }
                )
        return out

    def table(self, max_rows: int = 60) -> Table:
        """A rich table: spec hash, dataset (when several), λ, seed, width, digits, status,
        final loss; at most ``max_rows`` rows (the rest are counted in the caption)."""
        rows = self.rows()
        datasets = len({r["dataset"] for r in rows}) > 1
        swept = varied_paths(list(self.specs))  # dotted paths the grid varied, shown beside λ
        table = Table(title=f"sweep: {len(rows)} runs")
        cols = [
            "spec hash",
            *(["dataset"] if datasets else []),
            "λ",
            *swept,
            "seed",
            "width",
            "digits",
            "status",
            "final loss",
        ]
        for col in cols:
            table.add_column(col, justify="right" if col in ("seed", "width", "digits", "final loss") else "left")
        for i, r in enumerate(rows[:max_rows]):
            colour = "green" if r["ok"] else "red"
            loss = "—" if r["final_loss"] is None else f"{Decimal(r['final_loss']):.6g}"
            table.add_row(
                r["spec_hash"][:12],
                *([str(r["dataset"])] if datasets else []),
                r["lambda"],
                *(escape(_short_text(values[i])) for values in swept.values()),
                "—" if r["seed"] is None else str(r["seed"]),
                str(r["width"]),
                str(r["digits"]),
                f"[{colour}]{r['status']}[/]",
                loss,
            )
        more = f"; {len(rows) - max_rows} more rows not shown" if len(rows) > max_rows else ""
        bad = sum(not r["ok"] for r in rows)
        table.caption = (
            f"{self.computed} computed, {self.cached} from the store, {self.recomputed} corrupt and "
            f"recomputed, {len(self.failed)} failed, {bad} not ok; {self.seconds:.2f} s{more}"
        )
        return table


def _short_text(text: str | None, width: int = 24) -> str:
    return "—" if text is None else text if len(text) <= width else text[: width - 1] + "…"


def _deduplicated(specs: Iterable[RunSpec]) -> tuple[dict[str, RunSpec], list[RunSpec]]:
    """The specs by key (each once) and in their first order; anything else is an error."""
    unique: dict[str, RunSpec] = {}
    ordered: list[RunSpec] = []
    for spec in specs:
        if not isinstance(spec, RunSpec):
            raise ProblemError("specs", f"expected RunSpec items, got {type(spec).__name__}")
        if spec.spec_hash not in unique:
            unique[spec.spec_hash] = spec
            ordered.append(spec)
    return unique, ordered


def _triage(store: Store, unique: dict[str, RunSpec]) -> tuple[dict[str, Record], list[RunSpec], list]:
    """The records already stored and valid, the specs still to run, and the corrupt runs
    discarded (each with its reason) to be recomputed."""
    records: dict[str, Record] = {}
    pending: list[RunSpec] = []
    discarded: list[tuple[RunSpec, str]] = []
    for h, spec in unique.items():
        state, rec, reason = store.inspect(spec)
        if rec is not None:
            records[h] = rec
            continue
        if state == "corrupt":
            store.discard(h)
            discarded.append((spec, reason or "corrupt"))
        pending.append(spec)
    return records, pending, discarded


def _bar(console: Console, progress: bool) -> Progress:
    """The sweep's progress bar over runs (shown only on a terminal)."""
    return Progress(
        TextColumn("[bold]sweep[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
        transient=True,
        disable=not (progress and console.is_terminal),
    )


def _collect(futures: dict, unique: dict, records: dict, failed: dict, tick, cached: int) -> tuple[int, int]:
    """Take the runs' results as they complete: a record each, or the error of a task that
    raised; returns (computed here, found stored by a worker) counts."""
    computed = 0
    for fut in as_completed(futures):
        h = futures[fut]
        try:
            out = fut.result()
        except Exception as exc:
            failed[h] = f"{type(exc).__name__}: {exc}"
        else:
            records[h] = Record.of(unique[h], out["summary"])
            computed += bool(out.get("computed", True))
            cached += not out.get("computed", True)
        tick()
    return computed, cached


def run(
    specs: Iterable[RunSpec],
    store: Store | str | Path,
    executor: Executor | None = None,
    *,
    workers: int | None = None,
    progress: bool = True,
    console: Console | None = None,
) -> SweepResult:
    """Solve every spec not yet in ``store`` and store it; return the records of all.

    Specs already stored (valid) are skipped, so a sweep killed midway, even by SIGKILL,
    resumes where it stopped; stored files that are corrupt (truncated, tampered, from a
    half-finished write, a record whose summary disagrees with its trajectory) are discarded
    and recomputed, each with its reason in :attr:`SweepResult.discarded`.  Duplicate specs
    run once.  Tasks run
    on ``executor`` (any :class:`concurrent.futures.Executor`, e.g. a Dask client's
    ``get_executor()``), by default a "spawn" process pool of ``workers`` processes (default:
    the CPU count, at most one per pending run) whose workers end when the sweep process dies,
    even by SIGKILL (:func:`watch_parent`).  A task that raises is reported in
    ``failed`` and not stored.  ``progress`` shows a rich bar over runs with an ETA, on
    ``console`` (default: stderr) and only when it is a terminal; the summary table is
    :meth:`SweepResult.table`.  Ctrl-C cancels the pending runs; finished ones stay stored.
    A script that calls ``run`` with the default pool needs the usual ``if __name__ ==
    "__main__":`` guard (spawned workers import the main module).

    >>> import tempfile
    >>> from reluflow.sweep import expand
    >>> specs = expand({"data": {"X": [[1]], "y": [1]}, "init": {"width": 1, "seed": 0},
    ...                 "solve": {"t_end": 3, "digits": 20}}, {"lambda": ["1e-10", "1e-20"]})
    >>> res = run([*specs, specs[0]], tempfile.mkdtemp(), workers=1, progress=False)
    >>> len(res.specs), res.computed, res.ok          # the repeated spec runs once
    (2, 2, True)
    """
    t0 = time.perf_counter()
    store = store if isinstance(store, Store) else Store(store)
    unique, ordered = _deduplicated(specs)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ProblemError("workers", f"must be a positive integer, got {workers!r}")
    store.clean_tmp()

    records, pending, discarded = _triage(store, unique)
    cached = len(records)

    bar = _bar(console or Console(stderr=True), progress)
    failed: dict[str, str] = {}
    computed = 0
    own = executor is None and bool(pending)
    if own:
        n = min(workers or os.cpu_count() or 1, len(pending))
        executor = ProcessPoolExecutor(
            max_workers=n, mp_context=_mp_context(), initializer=_die_with_parent, initargs=(os.getpid(),)
        )
    futures: dict[Future, str] = {}
    clean = False
    try:
        with bar:
            task = bar.add_task(
                "runs", total=len(unique), completed=cached, note=f"({cached} from the store)" if cached else ""
            )
            root = str(store.root)
            futures = {executor.submit(solve_into, spec.canonical_json, root): spec.spec_hash for spec in pending}
            computed, cached = _collect(futures, unique, records, failed, lambda: bar.advance(task), cached)
        clean = True
    finally:
        if not clean:
            for fut in futures:
                fut.cancel()
        if own:
            executor.shutdown(wait=clean, cancel_futures=True)
    return SweepResult(
        specs=tuple(ordered),
        records=tuple(records[s.spec_hash] for s in ordered if s.spec_hash in records),
        failed=tuple((unique[h], failed[h]) for h in unique if h in failed),
        computed=computed,
        cached=cached,
        recomputed=len(discarded),
        seconds=time.perf_counter() - t0,
        discarded=tuple(discarded),
    )
