"""The records a solve writes, below the :class:`~.trajectory.Trajectory` that holds them
and the reader that validates them: how a run ended (:class:`Status`), the switches
(:class:`Event`), the Taylor steps (:class:`Segment`, jets kept or recomputed on demand by
:class:`Recompute`) and a network state (:class:`NetworkState`)."""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field

import mpmath
import numpy as np

from .fixed import FixedPoint, State
from .taylor import jets

__all__ = ["DIRECTIONS", "MAX_INT_DIGITS", "SCHEMA", "Event", "NetworkState", "Recompute", "Segment", "Status"]

SCHEMA = "reluflow.trajectory/1"

MAX_INT_DIGITS = 4300
"""Longest integer (decimal digits) a trajectory file may hold: Python's default limit on
int ↔ str conversion (``sys.get_int_max_str_digits``), under which ``to_json`` writes."""


class Status(enum.Enum):
    """How a solve ended; ``.value`` is the stable code written to JSON."""

    T_END = "t_end"
    LOSS_BELOW = "loss_below"
    SLIDING = "sliding"
    EVENT_STORM = "event_storm"
    MAX_STEPS = "max_steps"
    MAX_EVENTS = "max_events"
    DIVERGED = "diverged"
    INCONSISTENT = "inconsistent"
    CONVERGED = "converged"
    STATIONARY = "stationary"

    @property
    def message(self) -> str:
        return _MESSAGES[self]

    @property
    def ok(self) -> bool:
        """True when the run stopped where it was asked to (time or loss)."""
        return self in (Status.T_END, Status.LOSS_BELOW, Status.CONVERGED)


_MESSAGES = {
    Status.T_END: "reached the requested end time",
    Status.LOSS_BELOW: "the loss fell below the requested threshold",
    Status.SLIDING: (
        "sliding: both sides of an activation surface ⟨w_j,x_k⟩ = 0 push into it, so the flow "
        "with σ'(0) = 0 has no classical continuation (a Filippov sliding mode)"
    ),
    Status.EVENT_STORM: "event storm: activation switches kept firing without time advancing",
    Status.MAX_STEPS: "stopped at the limit on integration steps (raise max_steps)",
    Status.MAX_EVENTS: "stopped at the limit on activation events (raise max_events)",
    Status.DIVERGED: "a neuron grew beyond the representable range; the flow is diverging",
    Status.INCONSISTENT: (
        "stopped: the tracked pre-activations drifted from those of the weights, so an activation "
        "pattern was decided against the field (an engine bug on this input; the run up to here is "
        "kept; please report it with the SPEC)"
    ),
    Status.CONVERGED: (
        "came to rest: no weight moves beyond the step tolerance and every point some neuron is active "
        "on is fitted to it; gradient flow never raises the loss, so the rest of [t, t_end] holds this "
        "state to the reported digits (the run stops here instead of stepping to t_end)"
    ),
    Status.STATIONARY: (
        "stationary to working precision: no weight moves beyond the step tolerance, yet a point some "
        "neuron is active on is not fitted; slower motion cannot be resolved at this precision (raise "
        "digits to follow it, or give a shorter t_end)"
    ),
}


DIRECTIONS = {
    "on": "the point enters the neuron's active set (u_jk rises above 0)",
    "off": "the point leaves the active set (u_jk reaches 0 from above; it stays at 0 or goes below)",
    "slide": "the pair starts sliding: both sides push into u_jk = 0 and it is held there",
    "slide-on": "a sliding pair leaves its surface to the active side (its multiplier reached 1)",
    "slide-off": "a sliding pair leaves its surface to the inactive side (its multiplier reached 0)",
    "repel": "both sides lead away from u_jk = 0 (non-unique); the pair takes the inactive side",
}


@dataclass(frozen=True)
class Event:
    """A change of pair (``neuron``, ``point``)'s status at time ``t``; ``direction`` is
    one of :data:`DIRECTIONS` (``"on"``, ``"off"``, ``"slide"``, ``"slide-on"``,
    ``"slide-off"``, ``"repel"``)."""

    t: mpmath.mpf
    neuron: int
    point: int
    direction: str


@dataclass(frozen=True, eq=False)
class Recompute:
    """What recomputes a step's jets exactly from its start (:func:`.taylor.jets` is a pure
    function of these and the step): the problem's fixed-point constants, the order, the
    float64-tail threshold, the pairs pinned at the step's start; plus a small cache of
    recomputed steps, shared by a trajectory's steps."""

    fx: FixedPoint
    order: int
    float_below: int | None
    cache: OrderedDict = field(default_factory=OrderedDict, repr=False)

    CACHED = 4  # steps kept recomputed (evaluate(t) at nearby times reuses them)

    def jets(self, seg: Segment) -> np.ndarray:
        Y = self.cache.get(id(seg))
        if Y is not None:
            self.cache.move_to_end(id(seg))
            return Y
        Y = jets(self.fx, seg.start_state(), seg.order or self.order, seg.H, self.float_below).Y
        self.cache[id(seg)] = Y
        while len(self.cache) > self.CACHED:
            self.cache.popitem(last=False)
        return Y


@dataclass(eq=False)
class Segment:
    """One Taylor step: t ∈ [t0, t0 + s_end·H], exact jets ``Y`` in the scaled time s.

    The jets are either kept (``jets``) or, for lean storage, recomputed on demand from
    the step's start state ``start`` (= ``Y[0]``) by ``recompute``: the same integers."""

    t0: int
    H: int
    s_end: int
    e: tuple[int, ...]
    active: np.ndarray
    jets: np.ndarray | None  # (p+1, m, 1 + 2n): jets of [a | U | C]; None: recomputed
    sliding: np.ndarray | None = None  # (m, n) pairs held on their surface; None if none
    start: np.ndarray | None = None  # (m, 1 + 2n): [a | U | C] at t0, when the jets are not kept
    pinned: tuple[tuple[int, int], ...] = ()  # pairs pinned at t0 (only with ``start``)
    recompute: Recompute | None = None
    order: int | None = None  # the step's Taylor order, when its jets are recomputed

    def start_state(self) -> State:
        """The engine's state at the step's start (of a step that keeps its start)."""
        if self.start is None:
            raise ValueError("a step whose jets are recomputed keeps its start state")
        n = (self.start.shape[1] - 1) // 2
        return State(
            self.start[:, 0].copy(),
            self.start[:, 1 : 1 + n].copy(),
            self.start[:, 1 + n :].copy(),
            np.array(self.e, dtype=object),
            self.active.copy(),
            None if self.sliding is None else self.sliding.copy(),
            dict.fromkeys(self.pinned),
        )

    @property
    def Y(self) -> np.ndarray:
        """The step's jets (orders × m × (1 + 2n)), kept or recomputed."""
        if self.jets is not None:
            return self.jets
        if self.recompute is None:
            raise ValueError("a step keeps its jets or what recomputes them")
        return self.recompute.jets(self)


@dataclass(frozen=True)
class NetworkState:
    """Network at time ``t``: output weights ``a``, hidden weights ``W`` (rows w_j) and
    pre-activations ``U`` (u_jk = ⟨w_j, x_k⟩), plus the activation pattern."""

    t: mpmath.mpf
    a: list
    W: list
    U: list
    active: tuple[tuple[bool, ...], ...]
    sliding: tuple[tuple[bool, ...], ...] = ()  # pairs held on u_jk = 0 (empty: none)
