"""What the GD figures share: the flow-time step, float floors, JSON helpers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

SPIRIT = "in the spirit of Chistikov et al. (2023)"
STEP = 0.02  # flow time per GD iteration (learning rate 0.01 on the MSE-mean = 2L)
FLOAT_FLOOR_DEG = math.degrees(math.acos(1 - 2.0**-53))  # smallest non-zero clamp-arccos angle, ≈ 8.5e-7°
Progress = Callable[[str], None] | None
GD_LW, GD_ALPHA = 3.0, 0.45  # GD drawn wide and light, the exact flow thin and dashed on top


def _say(progress: Progress, msg: str) -> None:
    if progress is not None:
        progress(msg)


def _f(v: Any) -> Any:
    """JSON-ready: NaN and ±inf become None, numpy scalars plain floats."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_f(x) for x in v]
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(v) else None
    return v


def _arr(v: list) -> np.ndarray:
    return np.array([np.nan if x is None else x for x in v], dtype=float)


def _sample(iters: np.ndarray, upto: int, count: int) -> np.ndarray:
    """At most ``count`` of the logging iterations ≤ ``upto``, spread evenly in index."""
    ks = iters[iters <= upto]
    if len(ks) <= count:
        return ks
    return ks[np.unique(np.rint(np.linspace(0, len(ks) - 1, count)).astype(int))]
