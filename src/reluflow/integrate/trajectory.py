"""The result of a solve: event log, dense output, loss, invariants, status, JSON.

Values come back as mpmath numbers of a context at the run's working precision; the
integer jets behind the dense output are kept exactly, so the JSON round trip is
lossless (integers and mp values as decimal strings).  Reading a file back
(:meth:`Trajectory.from_json`) validates it: :mod:`reluflow.integrate.reading`.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from ..codec import problem_to_dict
from ..limits import MAX_DPS  # re-exported: the bound from_dict puts on dps
from ..linalg import independent
from ..precision import Precision, context, rational, to_str
from ..problem import Problem, ProblemError, exact
from . import views
from .fixed import to_fixed
from .reading import load_json, read
from .records import DIRECTIONS, MAX_INT_DIGITS, SCHEMA, Event, NetworkState, Segment, Status
from .taylor import horner

__all__ = ["DIRECTIONS", "MAX_DPS", "MAX_INT_DIGITS", "Event", "NetworkState", "Segment", "Status", "Trajectory"]


def _ints(arr) -> list:
    return np.vectorize(lambda v: str(int(v)), otypes=[object])(arr).tolist() if np.size(arr) else []


@dataclass(repr=False)
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

    @property
    def precision(self) -> Precision:
        """The run's precision (digits, dps, bits, guard digits) as one object."""
        guard = self.metadata.get("guard_digits")
        return Precision(self.digits, self.dps, guard if isinstance(guard, int) else self.dps - self.digits)

    def resolution(self, slack: int = 0):
        """10^-(digits − slack) in the run's context: its relative resolution, ``slack`` digits
        looser (:meth:`~reluflow.precision.Precision.unit`)."""
        return self.precision.unit(slack, self.ctx)

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
            sliding=()
            if sliding is None or not np.any(sliding)
            else tuple(tuple(bool(b) for b in row) for row in sliding),
        )

    # ---- public API ----------------------------------------------------------------
    def __repr__(self) -> str:
        return views.one_line(self)

    def _repr_html_(self) -> str:
        return views.html_card(self)

    def sample(self, ts: Any = None, *, samples: int = 200) -> dict[str, np.ndarray]:
        """The run at the times ``ts`` (default: ``samples`` + 1 points evenly on [0, t_end]) as
        float64 NumPy arrays ``t``, ``loss``, ``log10_loss``, ``a``, ``W``, ``active``
        (:func:`~reluflow.integrate.views.sample`)."""
        return views.sample(self, ts, samples=samples)

    def to_dataframe(self, ts: Any = None, *, samples: int = 200):
        """:meth:`sample` as a pandas DataFrame (one row per time)."""
        return views.to_dataframe(self, ts, samples=samples)

    def to_xarray(self, ts: Any = None, *, samples: int = 200):
        """:meth:`sample` as an xarray Dataset (dimensions t, neuron, coord, point); needs xarray."""
        return views.to_xarray(self, ts, samples=samples)

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
        return [
            ctx.mpf(yk.numerator) / yk.denominator
            - ctx.fsum(st.a[j] * st.U[j][k] for j in range(len(st.a)) if st.active[j][k])
            for k, yk in enumerate(self.problem.data.y)
        ]

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
            "problem": problem_to_dict(p),
        }
        cert = self.certificate
        if cert is not None:
            out["certificate"] = c = cert.to_dict()
            if cert.ok:  # the proven balls also beside the values they enclose
                balls = {e["index"]: e["t_ball"] for e in c["events"]}
                for i, ev in enumerate(out["events"]):
                    if i in balls:
                        ev["t_ball"] = balls[i]
                out["loss_ball"] = c["loss_ball"]
        if dense:
            t, a, U, C, e, active, sliding = self.final
            # "sliding" is written only where a pair slides: runs without sliding keep their bytes
            out["exact"] = {
                "F": self.F,
                "final": {
                    "t": str(int(t)),
                    "a": _ints(a),
                    "U": _ints(U),
                    "C": _ints(C),
                    "e": [int(v) for v in e],
                    "active": np.asarray(active).tolist(),
                }
                | ({"sliding": np.asarray(sliding).tolist()} if np.any(sliding) else {}),
                "segments": [
                    {
                        "t0": str(int(seg.t0)),
                        "H": str(int(seg.H)),
                        "s_end": str(int(seg.s_end)),
                        "e": [int(v) for v in seg.e],
                        "active": np.asarray(seg.active).tolist(),
                        "Y": _ints(seg.Y),
                    }
                    | ({} if seg.sliding is None else {"sliding": np.asarray(seg.sliding).tolist()})
                    | ({} if seg.Y.shape[0] == self.order + 1 else {"order": seg.Y.shape[0] - 1})
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
        return cls.from_dict(load_json(text))

    @classmethod
    def from_dict(cls, d: Any) -> Trajectory:
        """Inverse of :meth:`to_dict` (dense form), validating everything: the schema, every
        key and type, shapes against the problem's (m, n, d); ranges: dps within the solver's
        bounds (:data:`~reluflow.limits.MAX_DPS`), integers of at most :data:`MAX_INT_DIGITS`
        digits, block exponents within :data:`~reluflow.integrate.fields.MAX_BLOCK_EXPONENT`;
        the step times (from 0, never decreasing, each step reaching the next); events at step
        boundaries, on existing pairs, recording every change of pattern; the start state against
        ``problem.init``; and the redundant fields (t_end, loss, a, W, invariants, steps) against
        the exact state.  Any violation raises :class:`~reluflow.ProblemError` naming the JSON
        path, e.g. ``exact.segments[3].H``.  Not checkable without solving again: the jets
        themselves."""
        return read(cls, d)
