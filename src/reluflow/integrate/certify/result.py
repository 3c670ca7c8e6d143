"""What a certification returns: its status, the proven balls (event times, state, loss, invariants) and their decimal form; the method’s constants."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Context, Decimal
from fractions import Fraction

import flint
from flint import arb

from ..trajectory import Trajectory
from ._arb import _arb_q, _up
from .balls import _box, _field, _range
from .steps import _Data

GUARD_BITS = 64  # Arb precision beyond the run's fixed-point bits
WINDOW = Fraction(1, 2**20)  # event windows: this fraction of the step at each side of a switch
BOOTSTRAP = 6  # tube-radius guesses per step
PIECES = 2  # sub-intervals of a step with their own growth rates (more: tighter, slower)


class CertStatus(enum.Enum):
    CERTIFIED = "certified"
    FAILED = "failed"


@dataclass(frozen=True)
class EventBall:
    """An activation switch with its time as a proven ball."""

    t: arb
    neuron: int
    point: int
    direction: str
    index: int  # position in the trajectory's event list


@dataclass
class Certificate:
    """Proven enclosures of a trajectory (``status`` CERTIFIED), or why not (FAILED).

    ``events`` carry time balls; ``loss_ball``, ``a_balls``, ``W_balls`` and
    ``invariant_balls`` enclose the flow at ``t_end``; ``radius`` is the largest final
    weighted error bound (relative per neuron), ``max_event_width`` the widest event ball."""

    status: CertStatus
    message: str
    prec: int
    events: list[EventBall] = field(default_factory=list)
    loss_ball: arb | None = None
    a_balls: list = field(default_factory=list)
    W_balls: list = field(default_factory=list)
    invariant_balls: list = field(default_factory=list)
    radius: float = math.inf
    steps: int = 0
    seconds: float = 0.0
    radii: list = field(default_factory=list, repr=False)  # per step, per neuron: absolute tube radius
    windows: dict = field(default_factory=dict, repr=False)  # step → [(t_lo, absolute mismatch per neuron)]
    trajectory: Trajectory | None = field(default=None, repr=False)

    def state(self, t) -> tuple[list, list]:
        """Balls (a, W) that contain the true flow's network at time ``t`` (0 ≤ t ≤ t_end):
        the engine's dense output there, plus the step's proven tube radius.

        >>> from reluflow import Problem, Dataset, Init, solve
        >>> tr = solve(Problem(Dataset([[1]], [1]), Init("1e-10", [[1]], [1])), t_end=30, certify=True)
        >>> a, W = tr.certificate.state("15")
        >>> float(a[0].rad()) < 1e-30
        True
        """
        from ...problem import ProblemError, exact

        if not self.ok or self.trajectory is None:
            raise ProblemError("certificate", f"is {self.status.value}: {self.message}; no proven state to give")
        tr = self.trajectory
        tq = exact(t, "t")
        starts = [Fraction(int(seg.t0)) / 2**tr.F for seg in tr.segments]
        if tq < 0 or tq > Fraction(int(tr.final[0])) / 2**tr.F:
            raise ProblemError("t", f"{t} is outside the certified interval [0, {float(tr.t_end):.6g}]")
        i = max(k for k, s0 in enumerate(starts) if s0 <= tq)
        with flint.ctx.workprec(self.prec):
            D = _Data(tr)  # its Arb constants at the certificate's precision
            st = D.step(tr.segments[i])
            s = min((tq - st.t0) / st.H, st.S)
            rad = [arb(r) for r in self.radii[i]]
            late = tq - (st.t0 + s * st.H)  # t in the hair between the step's end and the next step
            if late > 0:
                f = _field(D, _box(D, st, s, s, [r * float(w) for r, w in zip(self.radii[i], st.weight)]), st.active)
                rad = [r + _arb_q(late) * sum((abs(v) for v in f[j]), arb(0)) for j, r in enumerate(rad)]
            for t_lo, errs in self.windows.get(i, ()):  # the true switch may precede the step's end
                if tq >= t_lo:
                    rad = [r + arb(e) for r, e in zip(rad, errs)]
            A = [_range(st.a[j], s, s) + arb(0, rad[j]) for j in range(D.m)]
            W = [[_range(st.w[j][c], s, s) + arb(0, rad[j]) for c in range(D.d)] for j in range(D.m)]
        return A, W

    @property
    def ok(self) -> bool:
        return self.status is CertStatus.CERTIFIED

    @property
    def max_event_width(self) -> float:
        return max((2 * float(e.t.rad()) for e in self.events), default=0.0)

    def to_dict(self) -> dict:
        return {
            "status": self.status.value,
            "message": self.message,
            "prec_bits": self.prec,
            "radius": self.radius,
            "steps": self.steps,
            "seconds": round(self.seconds, 6),
            "events": [
                {
                    "t_ball": ball_dict(e.t),
                    "neuron": e.neuron,
                    "point": e.point,
                    "direction": e.direction,
                    "index": e.index,
                }
                for e in self.events
            ],
            "loss_ball": None if self.loss_ball is None else ball_dict(self.loss_ball),
            "a_balls": [ball_dict(v) for v in self.a_balls],
            "W_balls": [[ball_dict(v) for v in row] for row in self.W_balls],
            "invariant_balls": [ball_dict(v) for v in self.invariant_balls],
        }


def ball_dict(x: arb, digits: int = 40) -> dict:
    """{"mid", "rad"} as decimal strings that still enclose the ball: the midpoint rounded to
    ``digits`` digits, the radius grown by that rounding and rounded up to 3 digits.

    >>> ball_dict(arb(1, "4.4749"))
    {'mid': '1.000000000000000000000000000000000000000', 'rad': '4.48'}
    """
    mid = x.mid().str(digits, radius=False)
    bits = int(x.mid().man_exp()[0]).bit_length() if x.mid() != 0 else 0  # the midpoint's own precision
    with flint.ctx.workprec(max(flint.ctx.prec, int(digits * 3.33) + 64, bits + 64)):
        rad = x.rad() + abs(arb(mid) - x.mid())  # arb(mid) encloses the decimal (a tiny radius at this precision)
        up = _up(rad)
    if up == 0:
        return {"mid": mid, "rad": "0"}
    return {"mid": mid, "rad": str(Context(prec=3, rounding=ROUND_CEILING).plus(Decimal(up)))}


class _Fail(Exception):
    pass
