"""``solve``: the exact gradient flow of a problem, certified on request.

The engine (:func:`.engine.integrate`) integrates; certification (:mod:`.certify`)
validates the finished run in Arb, a layer above it.  This module joins the two, so
neither reaches the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..problem import Problem
from .certify import certify as _certify
from .engine import integrate
from .trajectory import Trajectory

__all__ = ["solve"]


def solve(
    problem: Problem,
    *,
    t_end: Any = None,
    loss_below: Any = None,
    digits: int | None = None,
    dps: int | None = None,
    max_steps: int = 100_000,
    max_events: int = 10_000,
    progress: Callable[[float, float], None] | None = None,
    certify: bool = False,
    keep_jets: bool | None = None,
) -> Trajectory:
    """Integrate the gradient flow of ``problem`` from t = 0 to ``t_end``.

    ``digits`` asks for that many correct digits (relative, per neuron); the precision
    budget then picks the working precision.  Or give ``dps`` explicitly.  The run stops
    at ``t_end`` (default: past the theory's last escape time), when the loss falls
    below ``loss_below``, or at ``max_steps`` / ``max_events``; ``status`` says which.
    ``keep_jets`` keeps every step's Taylor jets for dense output (``evaluate(t)``); with
    False only each step's start is kept and its jets are recomputed when asked for (the
    same integers, a fraction of the memory); None (default) keeps them when a step's
    jets hold at most :data:`~.engine.KEEP_JETS_MAX` integers.
    With ``certify``, the run is then validated in Arb (:mod:`reluflow.integrate.certify`):
    ``tr.certificate`` holds proven balls for the event times, the final state, loss and
    invariants, or the reason certification failed.

        >>> import mpmath
        >>> from reluflow import Problem, Dataset, Init
        >>> p = Problem(Dataset([[1]], [1]), Init("1e-30", [[1]], [1]))
        >>> tr = solve(p, t_end=80, digits=20)   # escapes near t = ln(1/λ²)/2 ≈ 69
        >>> tr.status.value, mpmath.nstr(tr.final_loss, 5), mpmath.nstr(tr.a[0] * tr.W[0][0], 10)
        ('t_end', '5.3056e-20', '0.9999999997')
    """
    tr = integrate(
        problem,
        t_end=t_end,
        loss_below=loss_below,
        digits=digits,
        dps=dps,
        max_steps=max_steps,
        max_events=max_events,
        progress=progress,
        keep_jets=keep_jets,
    )
    if certify:
        tr.certificate = _certify(tr)
    return tr
