"""``collect``: the runs of a store as a pandas DataFrame, one row per run."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from .spec import RunSpec, varied_paths
from .store import Store

__all__ = ["COLUMNS", "collect"]

COLUMNS = (
    "spec_hash",
    "dataset",
    "data_hash",
    "lambda",
    "log10_lambda",
    "seed",
    "width",
    "digits",
    "dps",
    "status",
    "ok",
    "final_loss",
    "final_loss_str",
    "log10_final_loss",
    "t_end",
    "t_end_str",
    "events",
    "steps",
    "message",
)
"""The columns of :func:`collect`, in order."""


def _float(text: str | None) -> float:
    if text is None:
        return math.nan
    return float(Decimal(text))


def _log10(text: str | None) -> float:
    if text is None:
        return math.nan
    d = Decimal(text)
    if d <= 0:
        return -math.inf if d == 0 else math.nan
    return float(d.log10())


def collect(store: Store | str | Path, specs: Iterable[RunSpec] | None = None):
    """A :class:`pandas.DataFrame` of the runs in ``store``: every valid run (by key) when
    ``specs`` is None, else one row per spec in their order, ``status == "missing"`` for those
    not (validly) stored.  Columns (:data:`COLUMNS`, then one per SPEC path whose value differs
    between the runs, e.g. ``data.y`` for a sweep over labels, as compact JSON): ``spec_hash``; ``dataset`` (the GRID
    label, from ``specs`` only) and ``data_hash``; ``lambda`` (exact text, e.g. ``1e-30``) and
    ``log10_lambda``; ``seed`` (None for explicit z, s), ``width``; ``digits`` and ``dps`` the
    solve used; ``status`` and ``ok``; ``final_loss`` (float; 0.0 below 1e-308),
    ``final_loss_str`` (the full-precision decimal string) and ``log10_final_loss``; ``t_end``
    (float) and ``t_end_str``; ``events``, ``steps``; ``message`` (for a missing run: not in the
    store, or why its stored files are corrupt).  Needs pandas.

    >>> import tempfile
    >>> from reluflow.sweep import RunSpec, Store
    >>> spec = RunSpec({"data": {"X": [[1]], "y": [1]}, "init": {"lambda": "1e-10", "z": [[1]], "s": [1]}},
    ...                t_end=5, digits=20)
    >>> store = Store(tempfile.mkdtemp())
    >>> _ = store.put(spec, spec.solve())
    >>> df = collect(store, [spec, spec.vary(lam="1e-20")])
    >>> df["lambda"].tolist(), df.status.tolist(), df.events.tolist()[0], df.steps.isna().tolist()
    (['1e-10', '1e-20'], ['t_end', 'missing'], 0, [False, True])
    >>> round(float(df.final_loss[0]), 6), df.final_loss_str[0][:8]
    (0.5, '0.499999')
    """
    import pandas as pd

    store = store if isinstance(store, Store) else Store(store)
    rows: list[dict[str, Any]] = []
    specs_of: list[RunSpec] = []
    if specs is None:
        items: Iterable[tuple[RunSpec | None, Any]] = ((None, rec) for rec in store.records())
    else:
        items = ((s, store.inspect(s)) for s in specs)
    for spec, found in items:
        rec, reason = (found, None) if specs is None else (found[1], found[2])
        if rec is None:
            assert spec is not None
            row: dict[str, Any] = {
                "spec_hash": spec.spec_hash,
                "dataset": spec.dataset,
                "data_hash": spec.data_hash,
                "lambda": spec.lam_text,
                "seed": spec.seed,
                "width": spec.width,
                "digits": spec.digits,
                "dps": spec.dps,
                "status": "missing",
                "ok": False,
                "final_loss_str": None,
                "t_end_str": None,
                "events": None,
                "steps": None,
                "message": reason or "not in the store",
            }
            lam = spec.lam
        else:
            r = rec.row()
            row = r | {"final_loss_str": r["final_loss"], "t_end_str": r["t_end"]}
            lam = rec.spec.lam
        specs_of.append(spec if spec is not None else rec.spec)
        row["log10_lambda"] = math.log10(lam.numerator) - math.log10(lam.denominator)
        row["final_loss"] = _float(row["final_loss_str"])
        row["log10_final_loss"] = _log10(row["final_loss_str"])
        row["t_end"] = _float(row["t_end_str"])
        rows.append({c: row.get(c) for c in COLUMNS})
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in ("seed", "width", "digits", "dps", "events", "steps"):
        df[col] = df[col].astype("Int64") if df[col].isna().any() else df[col].astype("int64")
    for path, values in varied_paths(specs_of).items():  # what else the runs were swept over
        df[path] = values
    return df
