"""The result of a solve: event log, dense output, loss, invariants, status, JSON.

Values come back as mpmath numbers of a context at the run's working precision; the
integer jets behind the dense output are kept exactly, so the JSON round trip is
lossless (integers and mp values as decimal strings).
"""

from __future__ import annotations

import bisect
import enum
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NoReturn

import mpmath
import numpy as np
from mpmath.libmp import MPZ

from ..limits import MAX_DPS, MAX_NESTING
from ..linalg import independent
from ..precision import MIN_DPS, context, rational, to_str
from ..problem import Dataset, Init, Problem, ProblemError, exact
from .taylor import State, horner, to_fixed

__all__ = ["DIRECTIONS", "MAX_DPS", "MAX_EXPONENT", "MAX_INT_DIGITS", "Event", "NetworkState", "Segment", "Status",
           "Trajectory"]

SCHEMA = "reluflow.trajectory/1"


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


@dataclass
class Segment:
    """One Taylor step: t ∈ [t0, t0 + s_end·H], exact jets in the scaled time s."""

    t0: int
    H: int
    s_end: int
    e: tuple[int, ...]
    active: np.ndarray
    Y: np.ndarray  # (p+1, m, 1 + 2n): jets of [a | U | C]
    sliding: np.ndarray | None = None  # (m, n) pairs held on their surface; None if none


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


def _ints(arr) -> list:
    return np.vectorize(lambda v: str(int(v)), otypes=[object])(arr).tolist() if np.size(arr) else []


def _frac_str(q: Fraction) -> str:
    """"p" or "p/q"; a denominator of over 1000 bits that divides a power of ten (λ = 1e-5000)
    as "pe-k", which stays short and within Python's 4300-digit limit on printing integers."""
    d = q.denominator
    if d.bit_length() > 1000:
        a = (d & -d).bit_length() - 1
        b = round(math.log(d >> a) / math.log(5)) if d >> a > 1 else 0
        if 5**b == d >> a:
            k = max(a, b)
            p = q.numerator * 10**k // d
            if p.bit_length() < 2900:  # at most ~870 digits: exact() reads it back
                return f"{p}e-{k}"
    return str(q.numerator) if d == 1 else f"{q.numerator}/{d}"


@dataclass
class Trajectory:
    """A solved gradient flow.  Use :meth:`evaluate`, :meth:`loss`, :meth:`invariants`;
    ``a``, ``W``, ``final_loss`` give the state at ``t_end``; ``events`` the switches."""

    problem: Problem
    F: int
    dps: int
    digits: int
    order: int
    status: Status
    message: str
    t_end: mpmath.mpf
    events: list[Event]
    segments: list[Segment]
    final: tuple  # (t int, a, U, C, e, active) fixed point
    metadata: dict[str, Any] = field(default_factory=dict)
    certificate: Any = None  # a certify.Certificate after solve(certify=True); not kept by from_json

    # ---- helpers -------------------------------------------------------------------
    @property
    def ctx(self):
        c = self.__dict__.get("_ctx")
        if c is None:
            c = context(self.dps)
            self.__dict__["_ctx"] = c
        return c

    def _anchor(self):
        """Exact pieces of w_j, in the context: the data, and λ z_j (general data) or its
        part orthogonal to the data λ z_j^⊥ with the 1/‖x_k‖² factors (orthogonal data)."""
        cached = self.__dict__.get("_anchor_cache")
        if cached is None:
            ctx, p = self.ctx, self.problem
            q = lambda v: ctx.mpf(v.numerator) / v.denominator
            X = p.data.X
            lam = p.init.lam
            if p.data.is_orthogonal:
                nx = [sum((c * c for c in x), Fraction(0)) for x in X]
                base = []
                for z in p.init.z:
                    zp = list(z)
                    for x, n2 in zip(X, nx):
                        coef = sum((a * b for a, b in zip(z, x)), Fraction(0)) / n2
                        zp = [a - coef * b for a, b in zip(zp, x)]
                    base.append([q(lam * v) for v in zp])
                basis = [[q(c / n2) for c in x] for x, n2 in zip(X, nx)]
            else:
                base = [[q(lam * v) for v in z] for z in p.init.z]
                basis = [[q(c) for c in x] for x in X]
            cached = (base, basis, p.data.is_orthogonal)
            self.__dict__["_anchor_cache"] = cached
        return cached

    def _value(self, v, e) -> mpmath.mpf:
        return self.ctx.ldexp(self.ctx.mpf(int(v)), int(e) - self.F)

    def _state(self, t: int, a, U, C, e, active, sliding=None) -> NetworkState:
        m = len(a)
        Uv = [[self._value(v, e[j]) for v in U[j]] for j in range(m)]
        base, basis, orthogonal = self._anchor()
        coeff = Uv if orthogonal else [[self._value(v, e[j]) for v in C[j]] for j in range(m)]
        W = []
        for j in range(m):
            row = list(base[j])
            for c, x in zip(coeff[j], basis):
                if c:
                    row = [w + c * xv for w, xv in zip(row, x)]
            W.append(row)
        return NetworkState(
            t=self.ctx.ldexp(self.ctx.mpf(int(t)), -self.F),
            a=[self._value(a[j], e[j]) for j in range(m)],
            W=W,
            U=Uv,
            active=tuple(tuple(bool(b) for b in row) for row in active),
            sliding=() if sliding is None or not np.any(sliding)
            else tuple(tuple(bool(b) for b in row) for row in sliding),
        )

    # ---- public API ----------------------------------------------------------------
    @property
    def times(self) -> list[mpmath.mpf]:
        """Step boundaries (including 0 and t_end)."""
        ts = [seg.t0 for seg in self.segments] + [self.final[0]]
        return [self.ctx.ldexp(self.ctx.mpf(int(t)), -self.F) for t in ts]

    def evaluate(self, t: Any) -> NetworkState:
        """Dense output: the network at time ``t`` (0 ≤ t ≤ t_end), from the step's jets."""
        tq = exact(t, "t")
        ti = to_fixed(tq, self.F)
        t_final = self.final[0]
        if tq < 0 or ti > t_final:
            raise ProblemError("t", f"{t} is outside the solved interval [0, {self.t_end}]")
        if ti == t_final or not self.segments:
            return self._state(*self.final)
        starts = [seg.t0 for seg in self.segments]
        i = max(bisect.bisect_right(starts, ti) - 1, 0)
        seg = self.segments[i]
        s = ((ti - seg.t0) << self.F) // seg.H
        s = min(s, seg.s_end)
        y = horner(seg.Y, s, self.F)
        n = self.problem.n
        return self._state(ti, y[:, 0], y[:, 1 : 1 + n], y[:, 1 + n :], seg.e, seg.active, seg.sliding)

    def loss(self, t: Any | None = None) -> mpmath.mpf:
        """L(t) = 1/(2n) Σ_k (h(x_k) − y_k)², at the working precision (t_end by default)."""
        st = self.evaluate(t) if t is not None else self._state(*self.final)
        return self.loss_of(st)

    def residuals(self, st: NetworkState) -> list[mpmath.mpf]:
        """r_k = y_k − h(x_k) at a network state (active pairs only: σ'(0) = 0)."""
        ctx = self.ctx
        return [ctx.mpf(yk.numerator) / yk.denominator
                - ctx.fsum(st.a[j] * st.U[j][k] for j in range(len(st.a)) if st.active[j][k])
                for k, yk in enumerate(self.problem.data.y)]

    def loss_of(self, st: NetworkState) -> mpmath.mpf:
        return self.ctx.fsum(r * r for r in self.residuals(st)) / (2 * self.problem.n)

    def theta_sq(self, st: NetworkState) -> mpmath.mpf:
        """‖θ‖² = Σ_j a_j² + ‖w_j‖² at a network state."""
        return self.ctx.fsum(a * a for a in st.a) + self.ctx.fsum(w * w for row in st.W for w in row)

    def grad_sq(self, st: NetworkState) -> mpmath.mpf:
        """‖θ̇‖² at a network state: ȧ_j = (1/n)Σ_k r_k σ(u_jk) and ẇ_j = (a_j/n) P⊥_S Σ_{k∈A_j}
        r_k x_k, the minimum-norm Clarke selection (σ'(0) = 0 off the surface; P⊥_S projects off
        the inputs of neuron j's sliding pairs).  dL/dt = −‖θ̇‖² along the flow."""
        ctx, p = self.ctx, self.problem
        r = self.residuals(st)
        X = self._anchor_data()
        g2 = ctx.zero
        for j in range(p.m):
            act = [k for k in range(p.n) if st.active[j][k]]
            g2 += (ctx.fsum(r[k] * st.U[j][k] for k in act) / p.n) ** 2
            v = [ctx.fsum(r[k] * X[k][i] for k in act) for i in range(p.d)]
            S = [k for k in range(p.n) if st.sliding and st.sliding[j][k]]
            if S:
                v = self._project_off(v, S)
            g2 += ctx.fsum((st.a[j] * vi / p.n) ** 2 for vi in v)
        return g2

    def _project_off(self, v: list, S: list[int]) -> list:
        """P⊥_S v: v minus its least-squares fit by the inputs x_k, k ∈ S, fitted on an
        independent subset (exact rank test; dependent inputs add nothing to the span)."""
        ctx = self.ctx
        X = self._anchor_data()
        gram = self.problem.data.gram
        basis = independent(gram, S)[0]
        if not basis:
            return list(v)
        G = ctx.matrix([[rational(ctx, gram[a][b]) for b in basis] for a in basis])  # normal equations
        coef = ctx.lu_solve(G, ctx.matrix([ctx.fsum(X[k][i] * v[i] for i in range(len(v))) for k in basis]))
        return [v[i] - ctx.fsum(coef[c] * X[k][i] for c, k in enumerate(basis)) for i in range(len(v))]

    def _anchor_data(self) -> list:
        cached = self.__dict__.get("_X")
        if cached is None:
            cached = [[self.ctx.mpf(c.numerator) / c.denominator for c in x] for x in self.problem.data.X]
            self.__dict__["_X"] = cached
        return cached

    def invariants(self, t: Any | None = None) -> list[mpmath.mpf]:
        """a_j² − ‖w_j‖² per neuron (conserved by the flow; 0 for balanced initialisation)."""
        st = self.evaluate(t) if t is not None else self._state(*self.final)
        return [a * a - self.ctx.fsum(w * w for w in row) for a, row in zip(st.a, st.W)]

    @property
    def final_state(self) -> NetworkState:
        return self._state(*self.final)

    @property
    def a(self) -> list:
        return self.final_state.a

    @property
    def W(self) -> list:
        return self.final_state.W

    @property
    def final_loss(self) -> mpmath.mpf:
        return self.loss()

    # ---- JSON ----------------------------------------------------------------------
    def to_dict(self, *, dense: bool = True) -> dict:
        st = self.final_state
        p = self.problem
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "status": self.status.value,
            "message": self.message,
            "t_end": to_str(self.t_end),
            "loss": to_str(self.loss_of(st)),
            "events": [
                {"t": to_str(ev.t), "neuron": ev.neuron, "point": ev.point, "direction": ev.direction}
                for ev in self.events
            ],
            "a": [to_str(v) for v in st.a],
            "W": [[to_str(v) for v in row] for row in st.W],
            "invariants": [to_str(v) for v in self.invariants()],
            "dps": self.dps,
            "digits": self.digits,
            "order": self.order,
            "steps": len(self.segments),
            "metadata": self.metadata,
            "problem": {
                "data": {"X": [[_frac_str(v) for v in r] for r in p.data.X], "y": [_frac_str(v) for v in p.data.y]}
                | ({} if p.data.teacher is None else {"teacher": [_frac_str(v) for v in p.data.teacher]}),
                "init": {
                    "lambda": _frac_str(p.init.lam),
                    "z": [[_frac_str(v) for v in r] for r in p.init.z],
                    "s": list(p.init.s),
                },
            },
        }
        cert = self.certificate
        if cert is not None:
            out["certificate"] = cert.to_dict()
            if cert.ok:
                from .certify import ball_dict

                balls = {e.index: e.t for e in cert.events}
                for i, ev in enumerate(out["events"]):
                    if i in balls:
                        ev["t_ball"] = ball_dict(balls[i])
                out["loss_ball"] = ball_dict(cert.loss_ball)
        if dense:
            t, a, U, C, e, active, sliding = self.final
            # "sliding" is written only where a pair slides: runs without sliding keep their bytes
            out["exact"] = {
                "F": self.F,
                "final": {
                    "t": str(int(t)), "a": _ints(a), "U": _ints(U), "C": _ints(C),
                    "e": [int(v) for v in e], "active": np.asarray(active).tolist(),
                } | ({"sliding": np.asarray(sliding).tolist()} if np.any(sliding) else {}),
                "segments": [
                    {
                        "t0": str(int(seg.t0)), "H": str(int(seg.H)), "s_end": str(int(seg.s_end)),
                        "e": [int(v) for v in seg.e], "active": np.asarray(seg.active).tolist(),
                        "Y": _ints(seg.Y),
                    } | ({} if seg.sliding is None else {"sliding": np.asarray(seg.sliding).tolist()})
                    for seg in self.segments
                ],
            }
        return out

    def to_json(self, *, dense: bool = True) -> str:
        """JSON text; ``dense=True`` also stores the exact jets so dense output survives."""
        return json.dumps(self.to_dict(dense=dense))

    @classmethod
    def from_json(cls, text: str | bytes) -> Trajectory:
        """Inverse of :meth:`to_json` (needs the dense form).  The text is untrusted: anything
        but a consistent trajectory file raises :class:`~reluflow.ProblemError` naming the JSON
        path (see :meth:`from_dict`)."""
        return cls.from_dict(_load_json(text))

    @classmethod
    def from_dict(cls, d: Any) -> Trajectory:
        """Inverse of :meth:`to_dict` (dense form), validating everything: the schema, every
        key and type, shapes against the problem's (m, n, d); ranges: dps within the solver's
        bounds (:data:`~reluflow.limits.MAX_DPS`), integers of at most :data:`MAX_INT_DIGITS`
        digits, block exponents within :data:`MAX_EXPONENT`; the step times (from 0, never
        decreasing, each step reaching the next); events at step boundaries, on existing pairs,
        recording every change of pattern; the start state against ``problem.init``; and the
        redundant fields (t_end, loss, a, W, invariants, steps) against the exact state.  Any
        violation raises :class:`~reluflow.ProblemError` naming the JSON path, e.g.
        ``exact.segments[3].H``.  Not checkable without solving again: the jets themselves."""
        return _read(cls, d)


# ---- reading untrusted files -----------------------------------------------------------------
MAX_INT_DIGITS = 4300
"""Longest integer (decimal digits) a trajectory file may hold: Python's default limit on
int ↔ str conversion (``sys.get_int_max_str_digits``), under which ``to_json`` writes."""

MAX_EXPONENT = 10**9
"""Largest |e_j| (bits) of a neuron's block exponent in a file; a real run stays within
a few times ln(1/λ)/ln 2 + F."""

_TOP = ("schema", "status", "message", "t_end", "loss", "events", "a", "W", "invariants", "dps", "digits",
        "order", "steps", "metadata", "problem", "exact")
_TOP_OPTIONAL = ("certificate", "loss_ball")  # written for certified runs; not read back
_SEGMENT = ("t0", "H", "s_end", "e", "active", "Y")
_FINAL = ("t", "a", "U", "C", "e", "active")
_EVENT = ("t", "neuron", "point", "direction")
_REWRITE = "the file is damaged or was edited; write it again with Trajectory.to_json()"
_INT_TEXT = re.compile(r"0|-?[1-9][0-9]*", re.ASCII)
_INT_LIST = re.compile(r"(?:0|-?[1-9][0-9]*)(?:,(?:0|-?[1-9][0-9]*))*", re.ASCII)
_NUMBER_TEXT = re.compile(r"(0|-?[1-9][0-9]*)(/[1-9][0-9]*|e-[1-9][0-9]{0,5})?", re.ASCII)
_INT_LIMIT = 10**MAX_INT_DIGITS


def _fail(path: str, message: str) -> NoReturn:
    raise ProblemError(path, message)


def _show(v: Any) -> str:
    """A short description of an untrusted value for an error message (bounded, never raises)."""
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, int):
        return repr(v) if abs(v) < 10**40 else f"an integer of {v.bit_length()} bits"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return repr(v) if len(v) <= 40 else f"{v[:30]!r}… ({len(v)} characters)"
    if isinstance(v, list):
        return f"an array of {len(v)} items"
    if isinstance(v, dict):
        return f"an object with {len(v)} keys"
    return f"a {type(v).__name__}"


def _key(path: str, key: Any) -> str:
    if not isinstance(key, str):
        return f"{path}[{_show(key)}]"
    key = key if len(key) <= 40 else key[:40] + "…"
    return f"{path}.{key}" if path else key


def _object(v: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    """``v`` as a JSON object with exactly the ``required`` keys, plus any of ``optional``."""
    if not isinstance(v, dict):
        _fail(path, f"expected a JSON object with keys {', '.join(required)}, got {_show(v)}; {_REWRITE}")
    for k in required:
        if k not in v:
            _fail(_key(path, k), f"is missing; {_REWRITE}")
    for k in v:
        if k not in required and k not in optional:
            _fail(_key(path, k), f"is not a key of {path or 'a trajectory file'} (its keys: "
                                 f"{', '.join(required + optional)}); remove it")
    return v


def _array(v: Any, path: str, length: int | None = None, what: str = "") -> list:
    """``v`` as a JSON array (of ``length`` items when given; ``what`` says why)."""
    if not isinstance(v, list):
        _fail(path, f"expected a JSON array{f' of {what}' if what else ''}, got {_show(v)}; {_REWRITE}")
    if length is not None and len(v) != length:
        _fail(path, f"has {len(v)} entries, expected {length} ({what}); {_REWRITE}")
    return v


def _small_int(v: Any, path: str, lo: int, hi: int | None, what: str) -> int:
    """A JSON integer (not a boolean, not a string) in [lo, hi]."""
    if type(v) is not int:
        _fail(path, f"expected {what}, a JSON integer, got {_show(v)}; {_REWRITE}")
    if v < lo or (hi is not None and v > hi):
        _fail(path, f"is {_show(v)}; {what} must be {f'in [{lo}, {hi}]' if hi is not None else f'≥ {lo}'}")
    return v


def _big_int(v: Any, path: str, lo: int | None = None, what: str = "") -> int:
    """An integer written as a decimal string (as ``to_json`` writes exact values), ≥ ``lo``."""
    if not isinstance(v, str) or len(v) - v.startswith("-") > MAX_INT_DIGITS or not _INT_TEXT.fullmatch(v):
        _fail(path, f"expected an integer written as a decimal string (e.g. \"-12\", at most {MAX_INT_DIGITS} "
                    f"digits), got {_show(v)}; {_REWRITE}")
    try:
        out = MPZ(v)
    except ValueError:  # an interpreter whose int-string limit was lowered
        _fail(path, f"cannot convert {_show(v)} to an integer on this interpreter (raise sys.set_int_max_str_digits)")
    if lo is not None and out < lo:
        _fail(path, f"is {_show(v)}; {what} must be ≥ {lo}; {_REWRITE}")
    return out


def _int_texts(x: list, path: str) -> list:
    """The decimal-string integers of a flat array (one regex pass over the whole row when it
    is well formed; else the first bad item is reported)."""
    if all(type(v) is str for v in x):
        joined = ",".join(x)
        if (max(map(len, x), default=0) <= MAX_INT_DIGITS and joined.count(",") == len(x) - 1
                and (not x or _INT_LIST.fullmatch(joined))):
            try:
                return list(map(MPZ, x))
            except ValueError:  # an interpreter whose int-string limit was lowered: _big_int says so
                pass
    return [_big_int(v, f"{path}[{k}]") for k, v in enumerate(x)]


def _int_grid(v: Any, path: str, shape: tuple[int, ...], what: tuple[str, ...]) -> np.ndarray:
    """An array of decimal-string integers of exactly ``shape`` (``what`` names each axis)."""
    values: list = []

    def walk(x: Any, p: str, depth: int) -> None:
        _array(x, p, shape[depth], what[depth])
        if depth == len(shape) - 1:
            values.extend(_int_texts(x, p))
        else:
            for k, item in enumerate(x):
                walk(item, f"{p}[{k}]", depth + 1)

    walk(v, path, 0)
    return np.fromiter(values, dtype=object, count=len(values)).reshape(shape)


def _bool_grid(v: Any, path: str, m: int, n: int) -> np.ndarray:
    """An m × n array of JSON booleans (an activation or sliding pattern)."""
    for j, row in enumerate(_array(v, path, m, f"m = {m} rows, one per neuron")):
        for k, b in enumerate(_array(row, f"{path}[{j}]", n, f"n = {n} entries, one per point")):
            if type(b) is not bool:
                _fail(f"{path}[{j}][{k}]", f"expected true or false, got {_show(b)}; {_REWRITE}")
    return np.array(v, dtype=bool).reshape(m, n)


def _exponents(v: Any, path: str, m: int) -> list[int]:
    return [_small_int(x, f"{path}[{j}]", -MAX_EXPONENT, MAX_EXPONENT, "a block exponent (bits)")
            for j, x in enumerate(_array(v, path, m, f"m = {m} block exponents, one per neuron"))]


def _json_value(v: Any, path: str, depth: int = 0) -> None:
    """Free-form JSON (metadata, certificate): objects with string keys, arrays, strings, finite
    numbers, booleans, null; at most :data:`MAX_NESTING` deep (errors name the path down to 8
    levels)."""
    if depth > MAX_NESTING:
        _fail(path, f"is nested more than {MAX_NESTING} deep; {_REWRITE}")
    sub = (lambda p: p) if depth < 8 else (lambda p: path)
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                _fail(_key(path, k), "JSON object keys are strings")
            _json_value(x, sub(_key(path, k)), depth + 1)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _json_value(x, sub(f"{path}[{i}]"), depth + 1)
    elif isinstance(v, float):
        if not math.isfinite(v):
            _fail(path, f"is {v!r}; JSON numbers are finite")
    elif isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            _fail(path, "holds a lone surrogate (not valid Unicode text); remove it")
    elif isinstance(v, int) and abs(v) >= _INT_LIMIT:
        _fail(path, f"is {_show(v)}, over {MAX_INT_DIGITS} digits")
    elif not (v is None or isinstance(v, (bool, int))):
        _fail(path, f"is {_show(v)}, not a JSON value")


def _numbers(v: Any, path: str, depth: int) -> None:
    """Screen exact numbers of the problem section before :class:`Problem` reads them: JSON
    integers, or ``"p"`` / ``"p/q"`` strings (as ``to_json`` writes them), each part at most
    :data:`MAX_INT_DIGITS` digits, in arrays ``depth`` deep (no decimal exponents: ``"1e1000000000"``
    would make an exact reader build 10^(10^9))."""
    if depth:
        for i, x in enumerate(_array(v, path)):
            _numbers(x, f"{path}[{i}]", depth - 1)
        return
    if type(v) is int:
        if abs(v) >= _INT_LIMIT:
            _fail(path, f"is {_show(v)}, over {MAX_INT_DIGITS} digits")
        return
    if not (isinstance(v, str) and len(v) <= 2 * MAX_INT_DIGITS + 2 and (mt := _NUMBER_TEXT.fullmatch(v))
            and len(mt.group(1).lstrip("-")) <= MAX_INT_DIGITS and len(mt.group(2) or "/") <= MAX_INT_DIGITS + 1):
        _fail(path, f"expected an exact number written as \"p\" or \"p/q\" (integers of at most {MAX_INT_DIGITS} "
                    f"digits, as to_json writes them), got {_show(v)}")


def _problem(v: Any) -> Problem:
    pd = _object(v, "problem", ("data", "init"))
    data = _object(pd["data"], "problem.data", ("X", "y"), ("teacher",))
    init = _object(pd["init"], "problem.init", ("lambda", "z", "s"))
    for key, sec, depth in (("X", data, 2), ("y", data, 1), ("teacher", data, 1), ("lambda", init, 0),
                            ("z", init, 2), ("s", init, 1)):
        if key in sec:
            _numbers(sec[key], f"problem.{'data' if sec is data else 'init'}.{key}", depth)
    try:
        return Problem(Dataset(data["X"], data["y"], data.get("teacher")), Init(init["lambda"], init["z"], init["s"]))
    except ProblemError as exc:
        raise ProblemError(f"problem.{exc.field}", str(exc).removeprefix(f"{exc.field}: ")) from None


def _representable(t: int, prec: int) -> bool:
    """Whether the fixed-point time ``t`` has at most ``prec`` significant bits (every step
    boundary the solver makes has)."""
    t = abs(int(t))
    return t == 0 or (t >> ((t & -t).bit_length() - 1)).bit_length() <= prec


def _same(got: Any, want: str, path: str, what: str) -> None:
    if not isinstance(got, str) or got != want:
        _fail(path, f"is {_show(got)} but {what} gives {want!r}; {_REWRITE}")


def _check_start(problem: Problem, st0: State, segments: list[Segment], final: tuple) -> None:
    """The state where the run starts (the first step's order-0 jets, or the final state of a
    run without steps) must be the problem's initialisation ``st0``: a_j = s_j ‖λ z_j‖ and C = 0
    exactly, u_jk = λ⟨z_j, x_k⟩ or 0 (a pair settled onto its surface at t = 0), each at the
    block exponent the file gives."""
    n = problem.n
    if segments:
        where, Y0, e = "exact.segments[0]", segments[0].Y[0], segments[0].e
        a, U, C = Y0[:, 0], Y0[:, 1 : 1 + n], Y0[:, 1 + n :]
    else:
        where, (a, U, C, e) = "exact.final", final[1:5]
    for j in range(problem.m):
        shift = int(e[j]) - int(st0.e[j])
        if abs(shift) > 8:  # the solver re-centres a block only beyond 4 bits; the start is centred
            _fail(f"{where}.e[{j}]", f"is {int(e[j])} but neuron {j} starts at block exponent {int(st0.e[j])}; "
                                     f"{_REWRITE}")
        start = [st0.a[j], *st0.U[j]]
        start = [v >> shift for v in start] if shift >= 0 else [v << -shift for v in start]
        if (a[j] != start[0] or any(U[j, k] != 0 and U[j, k] != start[1 + k] for k in range(n))
                or any(C[j, k] != 0 for k in range(n))):
            _fail("problem.init", f"does not give the state the run starts from ({where}, neuron {j}: a_j = "
                                  f"s_j‖λ z_j‖, u_jk = λ⟨z_j, x_k⟩ or 0, C = 0); the problem or the jets were "
                                  f"edited; {_REWRITE}")


_AFTER = {"on": (True, False), "slide-on": (True, False), "off": (False, False), "slide-off": (False, False),
          "repel": (False, False), "slide": (None, True)}
"""The pattern (active, sliding) of a pair after its last event at an instant (None: either)."""


def _check_patterns(st0: State, segments: list[Segment], final: tuple, events: list[tuple[int, int, int, str]],
                    m: int, n: int) -> None:
    """Events against the activation and sliding patterns: a pair whose pattern differs between
    consecutive steps (from the initial u_jk > 0) has an event at the later step's start, and
    its last event there leaves it as the direction says."""
    none = np.zeros((m, n), dtype=bool)
    states = [("problem.init", np.asarray(st0.active, dtype=bool), none, 0)]
    states += [(f"exact.segments[{i}]", seg.active, none if seg.sliding is None else seg.sliding, seg.t0)
               for i, seg in enumerate(segments)]
    states.append(("exact.final", final[5], final[6], final[0]))
    logged: dict[int, dict[tuple[int, int], str]] = {}
    for t, j, k, direction in events:
        logged.setdefault(t, {})[(j, k)] = direction  # the last one at t wins
    for (_, a0, s0, _), (where, a1, s1, t1) in itertools.pairwise(states):
        at = logged.get(t1, {})
        for j, k in zip(*np.nonzero((a0 != a1) | (s0 != s1))):
            if (int(j), int(k)) not in at:
                _fail(f"{where}.active", f"pair (neuron {j}, point {k}) changes its pattern here but no event "
                                         f"records it at this time; {_REWRITE}")
    after = {t: (a, s, where) for where, a, s, t in states[1:]}  # the last pattern at each instant
    for t, pairs in logged.items():
        a1, s1, where = after[t]
        for (j, k), direction in pairs.items():
            want_a, want_s = _AFTER[direction]
            if bool(s1[j, k]) != want_s or (want_a is not None and bool(a1[j, k]) != want_a):
                _fail(f"{where}.active", f"pair (neuron {j}, point {k}) is {'' if a1[j, k] else 'in'}active"
                                         f"{' and sliding' if s1[j, k] else ''} after its event {direction!r} "
                                         f"at this time; {_REWRITE}")


def _load_json(text: Any) -> Any:
    """Parse untrusted JSON text: bounded integers, finite numbers, no duplicate keys, no
    RecursionError; anything else raises :class:`ProblemError` with field ``json``."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            _fail("json", f"is not UTF-8 text ({exc.reason} at byte {exc.start}); {_REWRITE}")
    if not isinstance(text, str):
        _fail("json", f"expected JSON text (str or bytes), got {type(text).__name__}")

    def big(s: str) -> int:
        if len(s) > MAX_INT_DIGITS + 1:
            _fail("json", f"holds an integer literal of {len(s)} digits (at most {MAX_INT_DIGITS}); {_REWRITE}")
        return int(s)

    def real(s: str) -> float:
        x = float(s)
        if not math.isfinite(x):
            _fail("json", f"holds the number {s[:30]!r}, beyond the range of a float; {_REWRITE}")
        return x

    def constant(s: str) -> NoReturn:
        _fail("json", f"holds {s}, which is not JSON (numbers are finite); {_REWRITE}")

    def pairs(items: list) -> dict:
        out = dict(items)
        if len(out) != len(items):
            seen = set()
            dup = next(k for k, _ in items if k in seen or seen.add(k))
            _fail(_key("json", dup), f"appears twice in one object; {_REWRITE}")
        return out

    try:
        return json.loads(text, parse_int=big, parse_float=real, parse_constant=constant, object_pairs_hook=pairs)
    except RecursionError:
        _fail("json", f"is nested too deeply to be a trajectory file; {_REWRITE}")
    except ValueError as exc:  # json.JSONDecodeError, or an int over the interpreter's limit
        if isinstance(exc, ProblemError):
            raise
        _fail("json", f"is not valid JSON ({str(exc)[:200]}); {_REWRITE}")


def _read(cls: type[Trajectory], d: Any) -> Trajectory:
    """:meth:`Trajectory.from_dict`: validate, build, cross-check."""
    from .solve import GUARD_BITS, taylor_order  # solve imports this module

    if not isinstance(d, dict):
        _fail("json", f"expected a JSON object (a trajectory file), got {_show(d)}")
    if "schema" not in d:
        _fail("schema", f"is missing: not a reluflow trajectory file (expected schema {SCHEMA!r})")
    if not isinstance(d["schema"], str) or d["schema"] != SCHEMA:
        _fail("schema", f"is {_show(d['schema'])}, expected {SCHEMA!r}: not a reluflow trajectory file of this "
                        "format (write it again with this version's Trajectory.to_json)")
    if "exact" not in d:
        _fail("json", "written with dense=False (no exact jets to rebuild from); write it with dense=True")
    _object(d, "", _TOP, _TOP_OPTIONAL)

    # precision first: everything after computes at it
    dps = _small_int(d["dps"], "dps", MIN_DPS, MAX_DPS, "the working precision (decimal digits)")
    digits = _small_int(d["digits"], "digits", 1, dps, "the correct digits asked for (at most dps)")
    order = _small_int(d["order"], "order", 1, None, "the Taylor order")
    if order != taylor_order(digits):
        _fail("order", f"is {order} but digits = {digits} gives the Taylor order {taylor_order(digits)}; {_REWRITE}")
    ctx = context(dps)
    prec = ctx.prec
    ex = _object(d["exact"], "exact", ("F", "final", "segments"))
    F = _small_int(ex["F"], "exact.F", 1, None, "the fixed-point bits")
    if F != prec + GUARD_BITS:
        _fail("exact.F", f"is {F} but dps = {dps} works with F = {prec + GUARD_BITS} fixed-point bits; {_REWRITE}")

    problem = _problem(d["problem"])
    m, n = problem.m, problem.n

    status_text = d["status"]
    codes = [s.value for s in Status]
    if not isinstance(status_text, str) or status_text not in codes:
        _fail("status", f"is {_show(status_text)}; expected one of {', '.join(codes)}")
    status = Status(status_text)
    message = d["message"]
    if not isinstance(message, str):
        _fail("message", f"expected a string, got {_show(message)}; {_REWRITE}")
    _json_value(message, "message")
    rest = message[len(status.message):]
    if not message.startswith(status.message) or (rest and not (rest.startswith(" (") and rest.endswith(")"))):
        _fail("message", f"does not go with status {status_text!r} (it begins {status.message!r}, then an "
                         f"optional detail in parentheses); {_REWRITE}")

    # the exact state at t_end
    fin = _object(ex["final"], "exact.final", _FINAL, ("sliding",))
    t_final = _big_int(fin["t"], "exact.final.t", 0, "a time")
    neurons = f"m = {m}, one per neuron"
    pair_axes = (neurons, f"n = {n}, one per point")
    final = (
        t_final,
        _int_grid(fin["a"], "exact.final.a", (m,), (neurons,)),
        _int_grid(fin["U"], "exact.final.U", (m, n), pair_axes),
        _int_grid(fin["C"], "exact.final.C", (m, n), pair_axes),
        np.array(_exponents(fin["e"], "exact.final.e", m), dtype=object),
        _bool_grid(fin["active"], "exact.final.active", m, n),
        _bool_grid(fin["sliding"], "exact.final.sliding", m, n) if "sliding" in fin else np.zeros((m, n), dtype=bool),
    )

    # the steps
    raw = _array(ex["segments"], "exact.segments", what="steps")
    steps = _small_int(d["steps"], "steps", 0, None, "the number of steps")
    if steps != len(raw):
        _fail("steps", f"is {steps} but exact.segments holds {len(raw)} steps; {_REWRITE}")
    jet_axes = (f"order + 1 = {order + 1} Taylor coefficients", neurons, f"1 + 2n = {1 + 2 * n}: a, U, C")
    segments = []
    for i, s in enumerate(raw):
        path = f"exact.segments[{i}]"
        s = _object(s, path, _SEGMENT, ("sliding",))
        segments.append(Segment(
            t0=_big_int(s["t0"], f"{path}.t0", 0, "a time"),
            H=_big_int(s["H"], f"{path}.H", 1, "a step length"),
            s_end=_big_int(s["s_end"], f"{path}.s_end", 0, "the end of the step"),
            e=tuple(_exponents(s["e"], f"{path}.e", m)),
            active=_bool_grid(s["active"], f"{path}.active", m, n),
            Y=_int_grid(s["Y"], f"{path}.Y", (order + 1, m, 1 + 2 * n), jet_axes),
            sliding=_bool_grid(s["sliding"], f"{path}.sliding", m, n) if "sliding" in s else None,
        ))
        if segments[-1].s_end > 1 << F:
            _fail(f"{path}.s_end", f"is beyond 2^F (the end of the unit step s = 1); {_REWRITE}")

    # step times: from 0, non-decreasing, each step reaching the next start, representable
    bounds = [seg.t0 for seg in segments] + [t_final]
    names = [f"exact.segments[{i}].t0" for i in range(len(segments))] + ["exact.final.t"]
    tm = lambda t: mpmath.nstr(ctx.ldexp(ctx.mpf(int(t)), -F), 12)
    if segments and bounds[0] != 0:
        _fail(names[0], f"is t = {tm(bounds[0])}; the first step starts at t = 0; {_REWRITE}")
    if not segments and t_final != 0:
        _fail("exact.segments", f"is empty but the run ends at t = {tm(t_final)}: the steps that reach it are "
                                f"missing; {_REWRITE}")
    for i, seg in enumerate(segments):
        nxt = bounds[i + 1]
        if nxt < seg.t0:
            _fail(names[i + 1], f"is t = {tm(nxt)}, before the start of step {i} (t = {tm(seg.t0)}); step times "
                                f"never decrease; {_REWRITE}")
        gap = nxt - seg.t0 - ((seg.s_end * seg.H) >> F)
        if not 0 <= gap <= (seg.H >> F) + 2 + (1 << max(nxt.bit_length() - prec + 1, 0)):
            _fail(f"exact.segments[{i}]", f"step {i} covers t ∈ [{tm(seg.t0)}, "
                                          f"{tm(seg.t0 + ((seg.s_end * seg.H) >> F))}] (t0 + s_end·H) but the next "
                                          f"one starts at t = {tm(nxt)}; H or s_end do not match; {_REWRITE}")
    for b, name in zip(bounds, names):
        if not _representable(b, prec):
            _fail(name, f"has more significant bits than the working precision ({prec}); {_REWRITE}")

    st0 = State.initial(problem, F)
    _check_start(problem, st0, segments, final)

    t_end = ctx.ldexp(ctx.mpf(int(t_final)), -F)
    _same(d["t_end"], to_str(t_end), "t_end", "the exact final time (exact.final.t)")

    # events: at step boundaries, in time order, on existing pairs
    raw_events = _array(d["events"], "events", what="events")
    at: dict[str, int] = {}
    if raw_events:
        for b in bounds:
            at.setdefault(to_str(ctx.ldexp(ctx.mpf(int(b)), -F)), b)
    events, logged, last = [], [], 0
    for i, ev in enumerate(raw_events):
        path = f"events[{i}]"
        ev = _object(ev, path, _EVENT, ("t_ball",))
        if not isinstance(ev["t"], str) or ev["t"] not in at:
            _fail(f"{path}.t", f"is {_show(ev['t'])}, not a step boundary of the run (events happen where a "
                               f"step starts or the run ends); {_REWRITE}")
        ti = at[ev["t"]]
        if ti < last:
            _fail(f"{path}.t", f"is before the previous event's time; events are in time order; {_REWRITE}")
        last = ti
        j = _small_int(ev["neuron"], f"{path}.neuron", 0, m - 1, f"a neuron index (the problem has m = {m})")
        k = _small_int(ev["point"], f"{path}.point", 0, n - 1, f"a point index (the problem has n = {n})")
        if not isinstance(ev["direction"], str) or ev["direction"] not in DIRECTIONS:
            _fail(f"{path}.direction", f"is {_show(ev['direction'])}; expected one of {', '.join(DIRECTIONS)}")
        if "t_ball" in ev:
            _json_value(ev["t_ball"], f"{path}.t_ball")
        events.append(Event(ctx.ldexp(ctx.mpf(int(ti)), -F), j, k, ev["direction"]))
        logged.append((ti, j, k, ev["direction"]))
    _check_patterns(st0, segments, final, logged, m, n)

    # free-form parts (kept: metadata; dropped: the certificate, re-derived by certify)
    for key in ("metadata", *_TOP_OPTIONAL):
        if key in d:
            if not isinstance(d[key], dict):
                _fail(key, f"expected a JSON object, got {_show(d[key])}; {_REWRITE}")
            _json_value(d[key], key)
    metadata = json.loads(json.dumps(d["metadata"]))  # a private copy
    if "fixed_point_bits" in metadata and not (type(metadata["fixed_point_bits"]) is int
                                               and metadata["fixed_point_bits"] == F):
        _fail("metadata.fixed_point_bits", f"is {_show(metadata['fixed_point_bits'])} but exact.F is {F}; {_REWRITE}")

    traj = cls(problem=problem, F=F, dps=dps, digits=digits, order=order, status=status, message=message,
               t_end=t_end, events=events, segments=segments, final=final, metadata=metadata)

    # the redundant summary against the exact state
    st = traj.final_state
    _same(d["loss"], to_str(traj.loss_of(st)), "loss", "the exact final state")
    for j, v in enumerate(_array(d["a"], "a", m, neurons)):
        _same(v, to_str(st.a[j]), f"a[{j}]", "the exact final state")
    for j, row in enumerate(_array(d["W"], "W", m, neurons)):
        for i, v in enumerate(_array(row, f"W[{j}]", problem.d, f"d = {problem.d} coordinates")):
            _same(v, to_str(st.W[j][i]), f"W[{j}][{i}]", "the exact final state")
    inv = [a * a - ctx.fsum(w * w for w in row) for a, row in zip(st.a, st.W)]
    for j, v in enumerate(_array(d["invariants"], "invariants", m, neurons)):
        _same(v, to_str(inv[j]), f"invariants[{j}]", "the exact final state")
    return traj
