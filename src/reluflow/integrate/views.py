"""A trajectory for notebooks and data tools: a one-line summary, an HTML card, and the run
on a time grid as NumPy arrays, a pandas DataFrame or an xarray Dataset.

The arrays are float64 views of the exact dense output, for plotting and analysis; the
loss is also given as ``log10_loss``, computed at the run's precision, so that a loss below
float64's range (1e-308) is never shown as 0.  Exact values stay with
:meth:`Trajectory.evaluate`.

>>> from reluflow.datasets import e1
>>> from reluflow.integrate import solve
>>> tr = solve(e1("1e-10"), t_end=2, digits=15)
>>> s = tr.sample([0, 1, 2])
>>> s["W"].shape, s["t"].tolist()
((3, 6, 4), [0.0, 1.0, 2.0])
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np

from ..codec import num_text
from ..problem import ProblemError

__all__ = ["grid", "html_card", "one_line", "sample", "to_dataframe", "to_xarray"]

MAX_SAMPLES = 100_000  # points on a grid: each is one evaluation of the dense output


def grid(tr, ts: Sequence | np.ndarray | None = None, samples: int = 200) -> list:
    """The times to sample: ``ts`` as given (numbers within [0, t_end]), or ``samples`` + 1
    evenly spaced points of [0, t_end]."""
    if ts is None:
        if not 1 <= int(samples) <= MAX_SAMPLES:
            raise ProblemError("samples", f"must be in [1, {MAX_SAMPLES}], got {samples}")
        n = int(samples)
        return [min(tr.t_end * k / n, tr.t_end) for k in range(n + 1)]  # rounding never passes t_end
    ts = list(np.asarray(ts, dtype=object).ravel()) if not isinstance(ts, list) else ts
    if len(ts) > MAX_SAMPLES:
        raise ProblemError("ts", f"has {len(ts)} times; at most {MAX_SAMPLES} are sampled at once")
    return ts


def sample(tr, ts=None, *, samples: int = 200) -> dict[str, np.ndarray]:
    """The run at the times ``ts`` (see :func:`grid`) as float64 arrays: ``t`` (T,), ``loss``
    and ``log10_loss`` (T,), ``a`` (T, m), ``W`` (T, m, d), ``active`` (T, m, n) booleans."""
    times = grid(tr, ts, samples)
    states = [tr.evaluate(t) for t in times]
    losses = [tr.loss_of(st) for st in states]
    return {
        "t": np.array([float(st.t) for st in states]),
        "loss": np.array([float(v) for v in losses]),
        "log10_loss": np.array([float(mpmath.log10(v)) if v > 0 else -np.inf for v in losses]),
        "a": np.array([[float(v) for v in st.a] for st in states]),
        "W": np.array([[[float(v) for v in row] for row in st.W] for st in states]).reshape(
            len(states), tr.problem.m, tr.problem.d
        ),
        "active": np.array([st.active for st in states], dtype=bool).reshape(len(states), tr.problem.m, tr.problem.n),
    }


def to_dataframe(tr, ts=None, *, samples: int = 200):
    """The sampled run as a pandas DataFrame, one row per time: ``t``, ``loss``,
    ``log10_loss``, ``a_j`` and ``w_j_i`` columns."""
    import pandas as pd

    s = sample(tr, ts, samples=samples)
    m, d = tr.problem.m, tr.problem.d
    cols: dict[str, Any] = {"t": s["t"], "loss": s["loss"], "log10_loss": s["log10_loss"]}
    cols.update({f"a_{j}": s["a"][:, j] for j in range(m)})
    cols.update({f"w_{j}_{i}": s["W"][:, j, i] for j in range(m) for i in range(d)})
    return pd.DataFrame(cols)


def to_xarray(tr, ts=None, *, samples: int = 200):
    """The sampled run as an xarray Dataset with dimensions ``t``, ``neuron``, ``coord`` and
    ``point``; the run's λ, digits, status and final loss as attributes.  Needs xarray."""
    try:
        import xarray as xr
    except ImportError:
        raise ImportError("Trajectory.to_xarray needs xarray: pip install xarray (or use to_dataframe)") from None
    s = sample(tr, ts, samples=samples)
    return xr.Dataset(
        {
            "loss": ("t", s["loss"]),
            "log10_loss": ("t", s["log10_loss"]),
            "a": (("t", "neuron"), s["a"]),
            "W": (("t", "neuron", "coord"), s["W"]),
            "active": (("t", "neuron", "point"), s["active"]),
        },
        coords={"t": s["t"], "neuron": np.arange(tr.problem.m)},
        attrs={
            "lambda": num_text(tr.problem.init.lam),
            "digits": tr.digits,
            "dps": tr.dps,
            "status": tr.status.value,
            "final_loss": mpmath.nstr(tr.final_loss, 6),
        },
    )


def _facts(tr) -> list[tuple[str, str]]:
    p = tr.problem
    return [
        ("size", f"n = {p.n}, d = {p.d}, m = {p.m}"),
        ("λ", num_text(p.init.lam)),
        ("status", f"{tr.status.value}: {tr.message}"),
        ("t_end", mpmath.nstr(tr.t_end, 10)),
        ("final loss", mpmath.nstr(tr.final_loss, 6)),
        ("switches", str(len(tr.events))),
        ("steps", str(len(tr.segments))),
        ("precision", f"{tr.digits} digits (dps {tr.dps})"),
    ]


def one_line(tr) -> str:
    """``Trajectory(n = 4, d = 4, m = 6, λ = 1e-30, status …, t_end …, …)``: what a repr shows."""
    facts = dict(_facts(tr))
    return (
        f"Trajectory({facts['size']}, λ = {facts['λ']}, status {tr.status.value}, t_end = {facts['t_end']}, "
        f"final loss {facts['final loss']}, {facts['switches']} switches, {facts['steps']} steps, "
        f"{facts['precision']})"
    )


def html_card(tr) -> str:
    """A small HTML table of the run for notebooks."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in _facts(tr)
    )
    return f"<table><caption>reluflow Trajectory</caption>{rows}</table>"
