"""``integrate``: the exact gradient flow, step by step and switch by switch (the engine
behind :func:`~reluflow.integrate.solve.solve`).

Each step (i) settles pairs sitting exactly on an activation surface (frozen, leaving,
entering, or sliding: :mod:`.settle`), (ii) computes the Taylor jets of the current
pattern, (iii) picks the step from the Jorba–Zou radius estimate, relative per neuron,
(iv) locates the first activation switch in the step as a root of the step's polynomial,
the first end of a sliding mode (:mod:`.sliding`), and the loss threshold, (v) advances to
the earliest of them, and (vi) checks that the tracked pre-activations still match the
weights (``Status.INCONSISTENT`` otherwise).  A pair that reaches u = 0 is set to exactly 0.
"""

from __future__ import annotations

import math
import platform
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from .._version import __version__
from ..limits import MAX_STEPS
from ..precision import backend, budget, context, integer_in
from ..problem import Problem, ProblemError, exact, ln_exact, shown
from . import kernel
from .events import first_switch, refine_root
from .fixed import EXTRA_DIGITS, GUARD_BITS, FixedPoint, State, initial_preactivations, taylor_order, to_fixed
from .order import MIN_ORDER, next_order, switch_ahead
from .records import Event, Recompute, Segment, Status
from .settle import settle
from .sliding import first_exits
from .tail import FLOAT_MAX_BITS
from .taylor import jets, prefix_order, rho
from .trajectory import Trajectory

__all__ = ["integrate"]

SAFETY = math.exp(-2.0)  # Jorba–Zou: step = ρ / e², error ≈ e^{-2p}
MAX_GROWTH = 3.0  # the step may grow at most this factor per step
REST_STEPS = 3  # full steps without motion before a run is declared at rest (converged / stationary) …
REST_AHEAD = 1000  # … when more than this many steps of the current length remain to t_end
MAX_SPREAD = 1e8  # points pulling with strengths further apart than this make badly scaled data
DRIFT_EVERY = 8  # the drift check: every step this close to a change of pattern, else this often
FLOAT_MARGIN_BITS = 12  # float64 orders keep their rounding 2^-12 below the step tolerance
KEEP_JETS_MAX = 50_000  # by default, steps whose jets hold more integers keep only their start


def storm_limit(m: int, n: int) -> int:
    """Switches allowed at (numerically) one instant before a run ends as an event storm:
    every pair may switch a few times, a chattering solution would go on forever."""
    return 4 * m * n + 16


def _representable(t: int, prec: int, up: bool = False) -> int:
    """Round the F-bit fixed-point time ``t`` to the nearest (or next, ``up``) value with at
    most ``prec`` significant bits, so reported times are exactly the step boundaries."""
    drop = t.bit_length() - prec
    if drop <= 0:
        return t
    q = (t + ((1 << drop) - 1 if up else 1 << (drop - 1))) >> drop
    return q << drop


def integrate(
    problem: Problem,
    *,
    t_end: Any = None,
    loss_below: Any = None,
    digits: int | None = None,
    dps: int | None = None,
    max_steps: int = 100_000,
    max_events: int = 10_000,
    progress: Callable[[float, float], None] | None = None,
    keep_jets: bool | None = None,
) -> Trajectory:
    """Integrate the gradient flow of ``problem`` from t = 0 to ``t_end``: the engine of
    :func:`~reluflow.integrate.solve.solve` (which documents the options), without
    certification."""
    if not isinstance(problem, Problem):
        raise ProblemError("problem", f"expected a reluflow.Problem, got {type(problem).__name__}")
    t_end_q = exact(problem.default_t_end() if t_end is None else t_end, "t_end")
    if t_end is None:
        t_end_q = Fraction(math.ceil(t_end_q))
    if t_end_q <= 0:
        raise ProblemError("t_end", f"must be > 0, got {shown(t_end_q)}")
    _feasible(problem, t_end_q, default=t_end is None)
    thr_q = None if loss_below is None else exact(loss_below, "loss_below")
    if thr_q is not None and thr_q <= 0:
        raise ProblemError("loss_below", f"must be > 0 (a loss threshold), got {shown(thr_q)}")
    max_steps = integer_in(max_steps, "max_steps", 1, MAX_STEPS, "the limit on integration steps")
    max_events = integer_in(max_events, "max_events", 1, MAX_STEPS, "the limit on activation events")
    bud = budget(
        digits=digits,
        dps=dps,
        log_inv_lambda=problem.log_inv_lambda,
        t_span=float(t_end_q),
        time_scale=problem.time_scale(),
    )
    run = _Run(problem, bud, t_end_q, thr_q, max_steps, max_events, progress, keep_jets)
    start = time.perf_counter()
    while run.status is None:
        run.step()
    return run.trajectory(time.perf_counter() - start)


class _Run:
    """One integration in progress: the fixed-point state, the step scale and order, the
    steps and events so far, and the counters behind the stopping rules (event storms,
    rest, drift checks).  :meth:`step` takes one step; ``status`` says when it is over."""

    def __init__(self, problem, bud, t_end_q, thr_q, max_steps, max_events, progress, keep_jets) -> None:
        self.problem, self.bud, self.progress = problem, bud, progress
        self.max_steps, self.max_events = max_steps, max_events
        self.ctx = ctx = context(bud.dps)
        self.F = F = ctx.prec + GUARD_BITS
        self.p = p = taylor_order(bud.digits)
        # coefficients below 2^float_below units may be computed in float64: their rounding,
        # 2^-53 of that, is 2^-FLOAT_MARGIN_BITS below the per-step tolerance 10^-(digits+2)
        self.tol_bits = (bud.digits + EXTRA_DIGITS) * math.log2(10)
        self.float_below = int(53 + F - self.tol_bits) - FLOAT_MARGIN_BITS if F <= FLOAT_MAX_BITS else None
        self.fx = FixedPoint.of(problem, F)
        self.keep = keep_jets if keep_jets is not None else (p + 1) * problem.m * (1 + 2 * problem.n) <= KEEP_JETS_MAX
        self.recompute = Recompute(self.fx, p, self.float_below)
        self.fast = problem.fast_time_scale()
        self.st = State.initial(problem, F)
        self.u0 = initial_preactivations(problem)  # λ⟨z_j, x_k⟩ exactly: the drift check's anchor
        self.u0_cache: dict = {}
        self.events_seen, self.calm = 0, 0  # events at the last drift check; steps since the pattern changed
        self.one = 1 << F
        self.tend = _representable(to_fixed(t_end_q, F), ctx.prec)
        # threshold on Σ r_k² (absolute fixed point with 2F bits) ⇔ L ≤ loss_below
        self.thr = None if thr_q is None else to_fixed(thr_q * 2 * problem.n, 2 * F)
        self.t = 0
        self.H = min(self.one, self.tend)
        self.segments: list[Segment] = []
        self.events: list[Event] = []
        self.status: Status | None = None
        self.detail = ""
        self.instant = 0  # consecutive events at (numerically) the same time
        self.rest = 0  # consecutive full steps in which nothing moved (_at_rest)
        self.entered: dict[tuple[int, int], int] = {}  # pair → the time it last entered
        self.unslid: set[tuple[int, int]] = set()  # sliding pairs whose multiplier reached a bound, to settle
        self.first = True
        self.switched = False  # the last step ended at a switch
        self.q = p  # the order of the next step (lower after steps that an event cut short: order.next_order)
        if self.thr is not None and _sum_r2(self.fx, self.st) <= self.thr:
            self.status, self.detail = Status.LOSS_BELOW, "the initial loss is already below the threshold"

    def event(self, ti: int, j: int, k: int, direction: str) -> None:
        self.events.append(Event(self.ctx.ldexp(self.ctx.mpf(int(ti)), -self.F), j, k, direction))

    def tf(self, ti) -> float:
        return float(Fraction(int(ti), self.one))

    def step(self) -> None:
        """One step: settle the surface, plan the step to its first switch, take it."""
        if self.t >= self.tend:
            self.status = Status.T_END
            return
        if len(self.segments) >= self.max_steps:
            self.status, self.detail = Status.MAX_STEPS, f"{self.max_steps} steps"
            return
        J = self._settled_jets()
        if J is None:
            return
        r = rho(J)
        p, q, F, one, H, t = self.p, self.q, self.F, self.one, self.H, self.t
        s_star = r * SAFETY ** (p / q) if math.isfinite(r) else math.inf  # (h/ρ)^q = e^(-2p): the tolerance at order q
        s_end = one if s_star >= 1 else max(int(Fraction(s_star) * one), 1)  # exact: one may exceed floats
        s_end = min(s_end, ((self.tend - t) << F) // H + 1)
        hit, later = self._first_hit(J, s_end)
        s_take = s_end if hit is None else hit[0]
        crossing = None if self.thr is None else _loss_crossing(J, s_take, self.thr, F)
        up = crossing is not None  # round the stop time up: the loss really is below
        if up:
            s_take, hit, self.status = crossing, None, Status.LOSS_BELOW
        # end the step on a time representable at the working precision
        t_next = self._time_at(s_take, up)
        s_take = min(((t_next - t) << F) // H, s_end)
        also = self._same_instant(later, t_next) if hit is not None and len(hit) == 4 else []
        self._commit(J, s_take, t_next)
        self._after(J, hit, also, r, s_end, s_take, t_next - t)

    def _settled_jets(self):
        """The jets of the step after the instant's switches are settled, or None when the
        run stops here (divergence, an event storm, the event limit)."""
        st, t, F = self.st, self.t, self.F
        st.normalise(F)
        n_before = len(self.events)  # switches at this instant: rounding crossings and settled pairs
        # pairs that rounding carried just across the surface (simultaneous switches):
        # put them exactly on it; the settling below decides what happens next.  A pair that
        # entered at this very instant (a zero-length step since) sits at 0 by construction
        # and stays: switching it off would log a spurious off/on pair (two identical
        # neurons crossing together: Hypothesis)
        for j, k in np.argwhere(st.active & (st.U <= 0)):
            if st.U[j, k] == 0 and self.entered.get((int(j), int(k))) == t:
                continue
            st.U[j, k], st.active[j, k] = 0, False
            self.event(t, int(j), int(k), "off")
        for j, k in np.argwhere(~st.active & (st.U > 0)):
            st.U[j, k] = 0
        try:
            # after a switch on general inputs the settled pattern usually differs (the pair
            # enters or slides): settling decides from prefix jets and returns the full jets
            # of the settled pattern, so full ones here would be wasted.  Orthogonal inputs
            # have no sliding and a switch only turns its pair off: full jets, kept.
            prefix = self.switched and self.fx.gdiag is None  # (never on the first step)
            upto = prefix_order(self.fx, self.q, self.float_below) if prefix else None
            J = jets(self.fx, st, self.q, self.H, self.float_below, upto)
            if self.first:  # size the very first step from its own radius estimate
                self.first = False
                r0 = rho(J)
                self.H = (
                    max(1, min(self.tend, int(self.H * Fraction(min(r0 * SAFETY, 1e6)))))
                    if math.isfinite(r0)
                    else self.tend
                )
                J = jets(self.fx, st, self.p, self.H, self.float_below)
            J, stuck = settle(
                self.fx,
                st,
                J,
                self.q,
                self.H,
                self.float_below,
                t,
                lambda j, k, d, t=t: self.event(t, j, k, d),
                self.entered,
                self.unslid,
            )
        except OverflowError:
            self.status, self.detail = Status.DIVERGED, f"at t = {self.tf(t):.6g}"
            return None
        if stuck:
            at = mpmath.nstr(self.ctx.ldexp(self.ctx.mpf(int(t)), -F), 15)
            self.status, self.detail = Status.EVENT_STORM, f"{stuck}, at t = {at}"
            return None
        if len(self.events) > n_before:
            self.instant += len(self.events) - n_before
            if self.instant > storm_limit(self.problem.m, self.problem.n):
                self.status, self.detail = Status.EVENT_STORM, f"{self.instant} switches at t ≈ {self.tf(t):.6g}"
                return None
        if len(self.events) >= self.max_events:
            self.status, self.detail = Status.MAX_EVENTS, f"{self.max_events} events"
            return None
        return J

    def _first_hit(self, J, s_end: int) -> tuple:
        """The first switch in (0, s_end]: a pair reaching its surface, or a sliding group an
        exit; and, when it is an exit, the other groups' later exits (for :meth:`_same_instant`)."""
        hit = first_switch(J, self.st.active, s_end, self.F)
        if self.st.sliding.any():  # a multiplier of a sliding pair reaching 0 or 1 first?
            exits = first_exits(self.fx, self.st, J, min(s_end, hit[0]) if hit is not None else s_end)
            if exits and (hit is None or exits[0][0] < hit[0]):
                return exits[0], exits[1:]
        return hit, []

    def _same_instant(self, later: list, t_next: int) -> list:
        """The other sliding groups whose exits round to the step's end ``t_next`` too: pinned
        with the first and settled together (aligned neurons leave one point together; one
        at a time, each cost a step of no time at the step's order, which moves nothing)."""
        also = []
        for ex in later:  # earliest first: the first that rounds later ends the list
            if self._time_at(ex[0]) != t_next:
                break
            also.append(ex)
        return also

    def _time_at(self, s: int, up: bool = False) -> int:
        """The step's time at scaled time ``s``, at the working precision (up: rounded up), ≤ t_end."""
        return min(_representable(self.t + ((s * self.H) >> self.F), self.ctx.prec, up), self.tend)

    def _commit(self, J, s_take: int, t_next: int) -> None:
        """Record the step (its jets, or only its start for lean storage) and advance to its end."""
        st, t, H = self.st, self.t, self.H
        sliding = st.sliding.copy() if st.sliding.any() else None
        e = tuple(int(v) for v in st.e)
        if self.keep:
            self.segments.append(Segment(t, H, s_take, e, st.active.copy(), J.Y, sliding))
        else:  # lean: the start state only, the jets are recomputed on demand (the same integers)
            self.segments.append(
                Segment(
                    t,
                    H,
                    s_take,
                    e,
                    st.active.copy(),
                    None,
                    sliding,
                    st.stacked(),  # the jets' order 0, as it is (not converted out of GMP again)
                    tuple(sorted(st.pinned)),
                    self.recompute,
                    self.q,
                )
            )
        y = J.at(s_take, self.F)
        n = self.problem.n
        st.a, st.U, st.C = y[:, 0], y[:, 1 : 1 + n], y[:, 1 + n :]
        self.t = t_next

    def _after(self, J, hit, also: list, r: float, s_end: int, s_take: int, dt: int) -> None:
        """After a step: drift check, the switch at its end (with the exits ``also`` at the
        same instant), storm and rest counters, the next order and scale."""
        st, F, t = self.st, self.F, self.t
        if dt:
            st.pinned.clear()  # pins hold for one instant only
        if len(self.events) != self.events_seen:
            self.events_seen, self.calm = len(self.events), 0
        self.calm += 1
        # every step near a change of pattern (where a wrong decision would start to drift),
        # every DRIFT_EVERY steps otherwise; not after a step of (numerically) no time, as
        # in a cascade of aligned neurons switching one after another: nothing drifts there
        moved = dt > (self.H >> (F // 2))
        if (
            moved
            and (self.calm <= DRIFT_EVERY or len(self.segments) % DRIFT_EVERY == 0)
            and _drifted(self.fx, st, self.u0, self.u0_cache)
        ):
            self.status = Status.INCONSISTENT
            self.detail = f"at t ≈ {self.tf(t):.6g}"
        self.switched = hit is not None
        if hit is not None:
            j, k = hit[1], hit[2]
            if len(hit) == 4:  # sliding groups reached exits: settled at the next step
                for _, j_x, b_x, names in (hit, *also):
                    st.pinned[(j_x, b_x)] = set(names)
            else:
                st.U[j, k] = 0  # exactly on the surface; settled at the next step
                if st.active[j, k]:
                    st.active[j, k] = False
                    self.event(t, j, k, "off")
        H = self.H
        if moved:  # time moved on: switches are no longer at one instant
            self.instant = 0
        elif hit is not None:
            self.instant += 1
            if self.instant > storm_limit(self.problem.m, self.problem.n):
                self.status, self.detail = Status.EVENT_STORM, f"{self.instant} switches at t ≈ {self.tf(t):.6g}"
        q = next_order(self.p, self.q, r, s_take, s_end if hit is not None else None, self.one)
        ahead = switch_ahead(st, J, F) if hit is not None and q > MIN_ORDER else None
        if ahead is not None:  # another pair about to switch (aligned neurons on one point)
            q = min(q, next_order(self.p, self.q, r, ahead, ahead + 1, self.one))
        self.q = q
        # next scale: the full-order step ρ/e² of the estimate, capped in growth (never the
        # event-truncated length, nor a lower order's shorter step: the next step's order
        # shortens its own step within the scale, so one low-order step costs no regrowth)
        grow = min(r * SAFETY, MAX_GROWTH) if math.isfinite(r) else MAX_GROWTH
        self.H = H = max(int(H * Fraction(grow)), 1)
        # at rest for REST_STEPS full steps with more than REST_AHEAD such steps still to go:
        # stepping on to t_end would cost steps and change no reported digit
        full = self.status is None and hit is None and s_take == s_end and self.tend - t > REST_AHEAD * H
        at_rest = _at_rest(self.fx, st, J, H, self.fast, self.tol_bits) if full else None
        self.rest = self.rest + 1 if at_rest else 0
        if self.rest >= REST_STEPS:
            self.status, self.detail = at_rest, f"from t ≈ {self.tf(t):.6g}"
        if self.progress is not None:
            self.progress(self.tf(t), self.tf(self.tend))

    def trajectory(self, elapsed: float) -> Trajectory:
        """The finished run as a :class:`Trajectory`, with its metadata."""
        st, F, ctx = self.st, self.F, self.ctx
        t_final = min(self.t, self.tend)
        meta = {
            "reluflow": __version__,
            "mpmath": mpmath.__version__,
            "mpmath_backend": backend(),
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "wall_time_s": round(elapsed, 6),
            "fixed_point_bits": F,
            "guard_digits": self.bud.guard,
            "kernel": kernel.describe(),
        }
        assert self.status is not None
        message = self.status.message + (f" ({self.detail})" if self.detail else "")
        return Trajectory(
            problem=self.problem,
            F=F,
            dps=self.bud.dps,
            digits=self.bud.digits,
            order=self.p,
            status=self.status,
            message=message,
            t_end=ctx.ldexp(ctx.mpf(int(t_final)), -F),
            events=self.events,
            segments=self.segments,
            final=(t_final, st.a, st.U, st.C, st.e.copy(), st.active.copy(), st.sliding.copy()),
            metadata=meta,
        )


def _drifted(fx: FixedPoint, st: State, u0: list, cache: dict) -> bool:
    """Whether the tracked pre-activations u_jk have drifted from those of the weights
    w_j = λ z_j + Σ_l C_jl x_l by more than rounding can explain.  Equal in the flow; here
    they differ by a few units of 2^(e_j − F) per step, plus 2^-F of λ⟨z_j, x_k⟩ once a
    neuron has shrunk below its initial scale (the sum then cancels).  A pattern decided
    against the field (a pair held, switched or entered wrongly) shows up as drift of the
    order of u itself.  Allowed: 2^(F/2) units, or 2^(-F/2) of λ⟨z_j, x_k⟩ if larger.
    ``u0`` holds λ⟨z_j, x_k⟩ exactly; ``cache`` its fixed-point rows at the current block
    exponents (a row is made again when its neuron's exponent changes)."""
    F = fx.F
    if "base" not in cache:
        cache["e"] = [None] * fx.m
        cache["base"] = np.empty((fx.m, fx.n), dtype=object)
        cache["allowed"] = np.empty((fx.m, 1), dtype=object)
    base, allowed, seen = cache["base"], cache["allowed"], cache["e"]
    for j, e in enumerate(st.e.tolist()):
        if seen[j] != e:  # the anchor row at this block exponent
            row = [int(to_fixed(q / Fraction(2) ** int(e), F)) for q in u0[j]]
            base[j] = row
            allowed[j, 0] = max(1 << (F // 2), max(abs(b) for b in row) >> (F // 2))
            seen[j] = e
    return bool((np.abs(st.U - base - kernel.gram_times(fx, st.C)) > allowed).any())


def _feasible(problem: Problem, t_end: Fraction, default: bool) -> None:
    """Refuse a horizon of more than MAX_STEPS fast time scales on badly scaled data (whose
    own default horizon is that long, or whose points pull with strengths |y_k|‖x_k‖ more
    than MAX_SPREAD apart: time scales many orders apart).  On well scaled data any horizon
    is taken: a run that comes to rest stops early (CONVERGED / STATIONARY)."""
    fast = problem.fast_time_scale()
    if problem.default_t_end() / fast <= MAX_STEPS and _label_spread(problem) <= MAX_SPREAD:
        return
    steps = float(t_end) / fast
    if steps > MAX_STEPS:
        what = "the default horizon (past the slowest escape)" if default else "the horizon"
        raise ProblemError(
            "t_end",
            f"{what} t_end = {float(t_end):.3g} is about {steps:.2g} steps of the data's fastest time "
            f"scale {fast:.3g}, beyond {MAX_STEPS}: the data are badly scaled (growth times n/‖D_±‖ "
            f"{problem.time_scale() / fast:.3g} apart, the points' pulls |y_k|‖x_k‖ {_label_spread(problem):.3g} "
            f"apart). Give t_end ≤ {MAX_STEPS * fast:.3g}, or rescale the data so its scales are closer",
        )


def _label_spread(problem: Problem) -> float:
    """max/min over the labelled points of |y_k|‖x_k‖ (1 when fewer than two are labelled)."""
    logs = [
        ln_exact(abs(y)) + ln_exact(sum((c * c for c in x), Fraction(0))) / 2
        for x, y in zip(problem.data.X, problem.data.y)
        if y
    ]
    return math.exp(min(max(logs) - min(logs), 700.0)) if logs else 1.0


def _residuals(fx: FixedPoint, st: State) -> np.ndarray:
    """r_k = y_k − Σ_j a_j σ(u_jk) at the state, absolute fixed point with F fractional bits."""
    h = np.zeros(fx.n, dtype=object)
    for j, k in zip(*np.nonzero(st.active)):
        h[k] += (st.a[j] * st.U[j, k]) >> (fx.F - 2 * st.e[j])
    return fx.y - h


def _sum_r2(fx: FixedPoint, st: State) -> int:
    """Σ_k r_k² at the state, absolute fixed point with 2F fractional bits."""
    return int(sum(v * v for v in _residuals(fx, st)))


def _at_rest(fx: FixedPoint, st: State, J, H: int, fast: float, tol_bits: float) -> Status | None:
    """CONVERGED or STATIONARY when no a_j or u_jk moves by more than the step tolerance
    2^-tol_bits (relative, per neuron) in the data's fastest time scale ``fast``; else None.

    Near a stable equilibrium the Taylor step cannot grow past ~1/rate (the per-step
    errors keep the state within the tolerance of it), so a long horizon would cost steps
    without changing a reported digit.  CONVERGED when every point some neuron is active or
    sliding on is also fitted to that tolerance (relative to max |y|): the loss cannot rise
    along gradient flow and dead pairs stay dead (their weights do not move), so nothing
    reported changes on the rest of the horizon.  STATIONARY otherwise: slower motion than
    this may exist but is not resolved at this precision."""
    # a and u = ⟨w, x_k⟩ only: C may drift along the null space of dependent inputs while w rests
    c1 = int(max(J.top(1, 1 + fx.n)))
    if c1 and math.log2(c1) - math.log2(H) + math.log2(fast) > 2 - tol_bits:
        return None
    live = st.active.any(axis=0) | st.sliding.any(axis=0)
    r = _residuals(fx, st)
    ymax = max((abs(int(v)) for v in fx.y), default=0) or (1 << fx.F)
    fitted = all(math.log2(abs(int(r[k])) or 1) <= 2 - tol_bits + math.log2(ymax) for k in np.nonzero(live)[0])
    return Status.CONVERGED if fitted else Status.STATIONARY


def _sum_r2_jets(J, s: int, F: int) -> int:
    """Σ_k r_k(s)² from the residual jets (2F fractional bits)."""
    r = J.residuals_at(s, F)
    return int(sum(v * v for v in r))


def _loss_crossing(J, s_take: int, thr: int, F: int) -> int | None:
    """First s ∈ [0, s_take] where Σ r_k(s)² ≤ thr (the loss threshold), or None."""
    f = lambda s: _sum_r2_jets(J, s, F) - thr
    f_end = f(s_take)
    if f_end > 0:
        return None
    f0 = f(0)
    return refine_root(f, 0, s_take, f0, f_end) if f0 > 0 else 0
