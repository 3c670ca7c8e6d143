"""Benchmark the reluflow engine on B1 against general-purpose ODE integrators, and at scale.

What it measures (one run prints everything side by side):

1. a reference run of reluflow at max(110, max digits + 60) working digits;
2. reluflow at ``digits`` 30, 50, 100 and 200, on the compiled kernel and on the
   pure-Python reference (``reluflow-py``; the same trajectory, byte for byte): wall time
   (best of ``--repeat``; once above 50 digits), the largest relative error per neuron
   ‖(a_j, w_j) − ref_j‖ / ‖ref_j‖ against the reference, and the largest absolute error
   of the activation-event times;
3. peers, each restarted at the activation events (the pair that reaches u_jk = 0 is set
   to exactly 0 and masked out of the field afterwards, as the flow with σ'(0) = 0 does):

   * ``mpmath.odefun`` at 30 digits (restarted at the reference's event times; only the
     integration cost is measured, not event location; once: it takes minutes);
   * SciPy ``solve_ivp(DOP853, rtol=1e-13, atol=1e-300)`` in float64, locating the events
     itself (terminal events on the active pre-activations, direction −1);
   * heyoka in double precision (``tol=1e-15``) and, when available, in multiprecision
     (``fp_type=hy.real``, ``tol = 10^-digits·λ``: the relative accuracy reluflow gives
     the tiny neurons) at the same digits as reluflow, with terminal events and a new
     integrator per activation pattern, and again ("1c") with one integrator whose pairs
     are gated by runtime parameters; LLVM compile time is reported apart from
     integration time;

   with wall time, ratio to reluflow at the same digits (float64 peers: to reluflow at
   30 digits), error per neuron, event-time error and number of events found;
4. λ scaling: reluflow at 30 digits on B1 for λ = 1e-10 … 1e-1000 with
   T = 290 · log10(1/λ) / 30 — steps, time, time per unit of log10(1/λ), and digits of
   agreement with a 45-digit run (cost should grow linearly in log10(1/λ));
5. research scale (``engine_scale.py``): orthogonal and generic data with n = d = 20 and
   m = 100, and one order-61 step, each in a fresh process, with CPU time and peak
   resident memory, on both kernels.

Run from the repository root::

    python bench/engine.py                                  # everything (about half an hour)
    python bench/engine.py --skip-odefun --skip-scale       # a few minutes
    python bench/engine.py --digits 30 50 --skip-python --skip-scale --skip-odefun
    python bench/engine.py --json bench/engine.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

import engine_scale
import mpmath
import numpy as np

import reluflow
from reluflow import Problem, Trajectory, solve
from reluflow.datasets import b1
from reluflow.integrate import kernel
from reluflow.summary import agreement

T_B1 = Fraction(290)
LAMBDA_B1 = "1e-30"
REF_DPS = 110
DIGITS = (30, 50, 100, 200)
TARGET_S = {30: 0.11, 50: 0.23}  # 5× ahead of heyoka hy.real (issue 17: 0.55 s, 1.13 s here)
LAMBDAS = ("1e-10", "1e-30", "1e-100", "1e-300", "1e-1000")
REPEAT_ABOVE = 50  # digits above which every run is timed once (slow peers)
SCIPY_RTOL, SCIPY_ATOL = 1e-13, 1e-300
HEYOKA_TOL = 1e-15
ERR_PREC = 512  # bits for the error arithmetic

HP = mpmath.MPContext()
HP.prec = ERR_PREC

# ---------------------------------------------------------------------------------------
# results


@dataclass
class Run:
    """One integration of B1 to T: final state, events, cost, and (filled in later) errors."""

    method: str
    digits: int | None  # requested digits; None for float64
    time_s: float  # total wall time, best of the repeats
    a: list = field(repr=False)
    W: list = field(repr=False)
    events: list = field(repr=False)  # (t, neuron, point) in time order
    steps: int | None = None
    compile_s: float | None = None
    integrate_s: float | None = None
    note: str = ""
    rel_err: float | None = None
    rel_err_per_neuron: list[float] = field(default_factory=list)
    event_err: float | None = None
    events_match: bool | None = None
    ratio: float | None = None  # time_s / reluflow's
    ratio_integrate: float | None = None  # integrate_s / reluflow's (compiled peers)
    target_s: float | None = None

    def row(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("a", "W", "events"):
            d.pop(key)
        d["n_events"] = len(self.events)
        return d


@dataclass
class ScalingRow:
    lam: str
    t_end: float
    steps: int
    time_s: float
    per_decade_s: float
    agreement_digits: float


# ---------------------------------------------------------------------------------------
# the model in a form the peers can use (axis data x_k = c_k e_{i_k})


@dataclass(frozen=True)
class Model:
    """B1-like problem with axis data: u_jk = c_k w_{j, i_k}."""

    problem: Problem
    axis: tuple[int, ...]  # i_k
    c: tuple[Fraction, ...]  # c_k

    @classmethod
    def of(cls, problem: Problem) -> Model:
        axis, c = [], []
        for x in problem.data.X:
            nz = [i for i, v in enumerate(x) if v != 0]
            if len(nz) != 1:
                raise ValueError("the peers here need axis data x_k = c_k e_i")
            axis.append(nz[0])
            c.append(x[nz[0]])
        if len(set(axis)) != len(axis):
            raise ValueError("the peers here need distinct axes for the data points")
        return cls(problem, tuple(axis), tuple(c))

    @property
    def m(self) -> int:
        return self.problem.m

    @property
    def n(self) -> int:
        return self.problem.n

    @property
    def d(self) -> int:
        return self.problem.d

    def initial(self, conv: Callable[[Fraction], Any], sqrt: Callable[[Any], Any]) -> tuple[list, list]:
        """a(0), W(0) in a number type: w_j = λ z_j, a_j = s_j ‖w_j‖."""
        lam = self.problem.init.lam
        W = [[conv(lam * v) for v in z] for z in self.problem.init.z]
        a = [s * sqrt(sum(w * w for w in row)) for s, row in zip(self.problem.init.s, W)]
        return a, W

    def pattern(self, W: Sequence[Sequence[Any]]) -> list[list[bool]]:
        sign = [1 if c > 0 else -1 for c in self.c]
        return [[bool(sign[k] * W[j][self.axis[k]] > 0) for k in range(self.n)] for j in range(self.m)]

    def u_index(self, j: int, k: int) -> int:
        """Index of w_{j, i_k} in the flat state [a_0..a_{m-1}, w_00, w_01, ...]."""
        return self.m + j * self.d + self.axis[k]

    def field(self, a: Sequence, W: Sequence[Sequence], gate: Sequence[Sequence[Any]], const: Callable, zero: Any):
        """ȧ, Ẇ with pair (j, k) gated by ``gate[j][k]``: False drops it, True keeps it, and
        anything else (a heyoka parameter) multiplies it.  Works on any number or
        expression type supporting + − ×; ``const`` converts the exact constants."""
        n, m = self.n, self.m
        c = [const(v) for v in self.c]
        inv_n = const(Fraction(1, n))
        on = [[gate[j][k] is not False for k in range(n)] for j in range(m)]

        def gated(j: int, k: int, x: Any) -> Any:
            return x if gate[j][k] is True else x * gate[j][k]

        u = [[gated(j, k, c[k] * W[j][self.axis[k]]) if on[j][k] else None for k in range(n)] for j in range(m)]
        r = []
        for k in range(n):
            terms = [a[j] * u[j][k] for j in range(m) if on[j][k]]
            r.append(const(self.problem.data.y[k]) - _sum(terms, zero))
        da = [inv_n * _sum([r[k] * u[j][k] for k in range(n) if on[j][k]], zero) for j in range(m)]
        dW = [[zero] * self.d for _ in range(m)]
        for j in range(m):
            for k in range(n):
                if on[j][k]:
                    dW[j][self.axis[k]] = gated(j, k, a[j] * inv_n * r[k] * c[k])
        return da, dW


def _sum(terms: list, zero: Any) -> Any:
    if not terms:
        return zero
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def flat(a: Sequence, W: Sequence[Sequence]) -> list:
    return list(a) + [v for row in W for v in row]


def unflat(y: Sequence, m: int, d: int) -> tuple[list, list]:
    return list(y[:m]), [list(y[m + j * d : m + (j + 1) * d]) for j in range(m)]


# ---------------------------------------------------------------------------------------
# errors against the reference


def to_hp(x: Any) -> mpmath.mpf:
    if isinstance(x, (float, int, np.floating)):
        return HP.mpf(float(x))
    if isinstance(x, mpmath.mpf) or hasattr(x, "_mpf_"):
        return HP.mpf(x)
    return HP.mpf(str(x))  # heyoka real: decimal string with all its digits


def rel_errors(a: Sequence, W: Sequence[Sequence], ref: Trajectory) -> list[float]:
    """‖(a_j, w_j) − ref_j‖ / ‖ref_j‖ for every neuron j, evaluated at ERR_PREC bits."""
    out = []
    for aj, wj, ar, wr in zip(a, W, ref.a, ref.W):
        rj = [to_hp(ar)] + [to_hp(v) for v in wr]
        xj = [to_hp(aj)] + [to_hp(v) for v in wj]
        num = HP.sqrt(HP.fsum((x - y) ** 2 for x, y in zip(xj, rj)))
        out.append(float(num / HP.sqrt(HP.fsum(y * y for y in rj))))
    return out


def event_error(events: Sequence[tuple], ref: Trajectory) -> tuple[float | None, bool]:
    """Largest |t − t_ref| over the events matched by (neuron, point), and whether the
    sequence of pairs agrees with the reference."""
    ref_ev = [(e.t, e.neuron, e.point) for e in ref.events]
    same = [(j, k) for _, j, k in events] == [(j, k) for _, j, k in ref_ev]
    times = {(j, k): t for t, j, k in ref_ev}
    errs = [abs(to_hp(t) - to_hp(times[(j, k)])) for t, j, k in events if (j, k) in times]
    return (float(max(errs)) if errs else None), same


def score(run: Run, ref: Trajectory) -> Run:
    run.rel_err_per_neuron = rel_errors(run.a, run.W, ref)
    run.rel_err = max(run.rel_err_per_neuron)
    run.event_err, run.events_match = event_error(run.events, ref)
    return run


# ---------------------------------------------------------------------------------------
# reluflow


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def reluflow_run(problem: Problem, t_end: Any, digits: int, repeat: int, which: str = "gmp") -> tuple[Run, Trajectory]:
    """reluflow on the compiled kernel (``gmp``) or the pure-Python reference (``python``)."""
    with kernel.use(which):
        dt, tr = best_of(repeat, lambda: solve(problem, t_end=t_end, digits=digits))
    run = Run(
        method="reluflow" if which == "gmp" else "reluflow-py",
        digits=digits,
        time_s=dt,
        a=tr.a,
        W=tr.W,
        events=[(e.t, e.neuron, e.point) for e in tr.events],
        steps=len(tr.segments),
        note=f"dps={tr.dps}, order={tr.order}, status={tr.status.value}",
        target_s=TARGET_S.get(digits),
    )
    return run, tr


# ---------------------------------------------------------------------------------------
# mpmath.odefun, restarted at the reference's event times


def odefun_run(model: Model, t_end: Fraction, ref: Trajectory, digits: int) -> Run:
    ctx = mpmath.MPContext()  # local context: the global mpmath.mp is left alone
    ctx.dps = digits
    with ctx.workprec(ctx.prec * 4):  # constants kept well beyond the working precision
        const_cache = {v: ctx.mpf(v.numerator) / v.denominator for v in _constants(model)}
        a, W = model.initial(lambda q: ctx.mpf(q.numerator) / q.denominator, ctx.sqrt)
    const = const_cache.__getitem__
    act = model.pattern(W)
    y = flat(a, W)
    t = ctx.zero
    events = []
    schedule = [(ctx.mpf(e.t), e.neuron, e.point) for e in ref.events]
    t0 = time.perf_counter()
    for t_next, j, k in schedule + [(ctx.mpf(t_end.numerator) / t_end.denominator, None, None)]:
        sol = ctx.odefun(_mp_rhs(model, act, const, ctx.zero), t, y)
        y = sol(t_next)
        t = t_next
        if j is not None:
            y[model.u_index(j, k)] = ctx.zero
            act[j][k] = False
            events.append((t, j, k))
    dt = time.perf_counter() - t0
    a, W = unflat(y, model.m, model.d)
    return Run(
        method="mpmath.odefun",
        digits=digits,
        time_s=dt,
        a=a,
        W=W,
        events=events,
        note=f"single run, tol=2^-{ctx.prec + 10} absolute (default), restarts at the reference event times",
    )


def _constants(model: Model) -> set[Fraction]:
    return set(model.c) | set(model.problem.data.y) | {Fraction(1, model.n)}


def _mp_rhs(model: Model, act: list[list[bool]], const: Callable, zero: Any) -> Callable:
    act = [row[:] for row in act]

    def rhs(_t: Any, y: list) -> list:
        a, W = unflat(y, model.m, model.d)
        da, dW = model.field(a, W, act, const, zero)
        return flat(da, dW)

    return rhs


# ---------------------------------------------------------------------------------------
# SciPy solve_ivp (DOP853) with its own event location


def scipy_once(model: Model, t_end: float) -> Run:
    from scipy.integrate import solve_ivp

    a, W = model.initial(float, math.sqrt)
    y = np.array(flat(a, W))
    act = np.array(model.pattern(W))
    yk = np.array([float(v) for v in model.problem.data.y])
    ck = np.array([float(v) for v in model.c])
    axis = np.array(model.axis)
    m, d, n = model.m, model.d, model.n
    t, steps, events = 0.0, 0, []
    while True:
        mask = act.astype(float)

        def rhs(_t: float, s: np.ndarray, mask: np.ndarray = mask) -> np.ndarray:
            a = s[:m]
            Wm = s[m:].reshape(m, d)
            u = Wm[:, axis] * ck * mask
            r = yk - a @ u
            out = np.zeros_like(s)
            out[:m] = (u @ r) / n
            out[m:].reshape(m, d)[:, axis] = (a[:, None] / n) * (mask * (r * ck))
            return out

        pairs = [(j, k) for j in range(m) for k in range(n) if act[j, k]]
        evs = [_scipy_event(model.u_index(j, k)) for j, k in pairs]
        sol = solve_ivp(rhs, (t, t_end), y, method="DOP853", rtol=SCIPY_RTOL, atol=SCIPY_ATOL, events=evs)
        steps += len(sol.t) - 1
        if sol.status != 1:
            y = sol.y[:, -1]
            break
        i = next(i for i, te in enumerate(sol.t_events) if len(te))
        j, k = pairs[i]
        t, y = float(sol.t_events[i][0]), sol.y_events[i][0].copy()
        y[model.u_index(j, k)] = 0.0
        act[j, k] = False
        events.append((t, j, k))
    a, W = unflat(list(y), m, d)
    return Run(
        method="scipy DOP853",
        digits=None,
        time_s=0.0,
        a=a,
        W=W,
        events=events,
        steps=steps,
        note=f"float64, rtol={SCIPY_RTOL:g}, atol={SCIPY_ATOL:g}",
    )


def _scipy_event(idx: int) -> Callable:
    def ev(_t: float, s: np.ndarray) -> float:
        return s[idx]

    ev.terminal = True
    ev.direction = -1
    return ev


def scipy_run(model: Model, t_end: Fraction, repeat: int) -> Run:
    dt, run = best_of(repeat, lambda: scipy_once(model, float(t_end)))
    run.time_s = dt
    return run


# ---------------------------------------------------------------------------------------
# heyoka: one integrator per activation pattern, terminal events on the active pairs


def heyoka_available() -> tuple[Any, str]:
    try:
        import heyoka as hy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        return None, f"heyoka not importable: {exc}"
    return hy, f"heyoka {hy.__version__}"


def heyoka_mp_available(hy: Any) -> str:
    """'' when the multiprecision mode works, else why not."""
    try:
        x = hy.make_vars("x")
        ta = hy.taylor_adaptive([(x, -x)], [hy.real(1, 64)], fp_type=hy.real, prec=64)
        ta.propagate_until(hy.real(1, 64))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def heyoka_once(hy: Any, model: Model, t_end: Fraction, digits: int | None, one_compile: bool = False) -> Run:
    """One full run; every construction compiles cold (see :func:`cold_heyoka`).

    Per pattern (default): a new integrator with the inactive pairs removed from the
    field and one terminal event per active pair, after every event.  ``one_compile``:
    a single integrator (compact mode, which compiles fast) where every pair is gated by a
    runtime parameter (1 active, 0 frozen) and its event function is w·p + (1 − p), so a
    frozen pair never fires;
    an event just zeroes the state entry and the parameter and the run goes on."""
    if digits is None:
        prec = None
        num: Callable[[Fraction], Any] = float
        kw: dict[str, Any] = {"tol": HEYOKA_TOL}
        sqrt: Callable[[Any], Any] = math.sqrt
    else:
        prec = math.ceil(digits * math.log2(10)) + 8
        num = lambda q: hy.real(q.numerator, prec) / hy.real(q.denominator, prec)
        # tol = 10^-digits · λ: the relative accuracy reluflow gives every neuron, tiny ones
        # included (heyoka's error control is absolute; its default 2^-prec loses them)
        tol = Fraction(1, 10**digits) * model.problem.init.lam
        kw = {"fp_type": hy.real, "prec": prec, "tol": num(tol)}
        sqrt = np.sqrt  # heyoka's real supports NumPy's ufuncs, exactly rounded
    a, W = model.initial(num, sqrt)
    act = model.pattern(W)
    m, n, d = model.m, model.n, model.d
    avars = hy.make_vars(*[f"a{j}" for j in range(m)])
    wvars = [hy.make_vars(*[f"w{j}_{i}" for i in range(d)]) for j in range(m)]
    const = lambda q: hy.expression(num(q))
    zero = const(Fraction(0))
    ev_kw = {} if digits is None else {"fp_type": hy.real}
    neg = hy.event_direction.negative
    y, t, T = flat(a, W), num(Fraction(0)), num(t_end)
    compile_s = integrate_s = 0.0
    steps, events, builds = 0, [], 0
    ta = None
    while True:
        if ta is None or not one_compile:
            if one_compile:
                gate = [[hy.par[j * n + k] for k in range(n)] for j in range(m)]
                pairs = [(j, k) for j in range(m) for k in range(n)]
                eqs = [wvars[j][model.axis[k]] * gate[j][k] + (1 - gate[j][k]) for j, k in pairs]
                extra = {"pars": [num(Fraction(int(act[j][k]))) for j, k in pairs], "compact_mode": True}
            else:
                gate = act
                pairs = [(j, k) for j in range(m) for k in range(n) if act[j][k]]
                eqs = [wvars[j][model.axis[k]] for j, k in pairs]
                extra = {}
            da, dW = model.field(avars, wvars, gate, const, zero)
            sys_ = list(zip(flat(avars, wvars), flat(da, dW)))
            t_events = [hy.t_event(e, direction=neg, **ev_kw) for e in eqs]
            c0 = time.perf_counter()
            ta = hy.taylor_adaptive(sys_, y, time=t, t_events=t_events, **kw, **extra)
            compile_s += time.perf_counter() - c0
            builds += 1
        c1 = time.perf_counter()
        res = ta.propagate_until(T)
        integrate_s += time.perf_counter() - c1
        steps += int(res[3])
        idx = _event_index(res[0], len(pairs))
        if idx is None:
            if res[0] != hy.taylor_outcome.time_limit:
                raise RuntimeError(f"heyoka stopped with {res[0]}")
            break
        j, k = pairs[idx]
        t = ta.time
        events.append((t, j, k))
        act[j][k] = False
        if one_compile:
            ta.state[model.u_index(j, k)] = num(Fraction(0))
            ta.pars[idx] = num(Fraction(0))
        else:
            y = list(ta.state)
            y[model.u_index(j, k)] = num(Fraction(0))
    a, W = unflat(list(ta.state), m, d)
    name = ("heyoka double" if digits is None else "heyoka real") + (" 1c" if one_compile else "")
    note = f"tol={HEYOKA_TOL:g}" if digits is None else f"prec={prec} bits, tol=1e-{digits}·λ"
    how = (
        "1 integrator (compact mode), mask as runtime parameters"
        if one_compile
        else f"{builds} integrators (one per pattern)"
    )
    return Run(
        method=name,
        digits=digits,
        time_s=compile_s + integrate_s,
        a=a,
        W=W,
        events=events,
        steps=steps,
        compile_s=compile_s,
        integrate_s=integrate_s,
        note=f"{note}, {how}",
    )


def _event_index(outcome: Any, n_events: int) -> int | None:
    """Index of the terminal event behind ``outcome`` (heyoka reports event i as −i−1
    when it stops, i when a callback lets it go on), None for the other outcomes."""
    v = int(outcome.value)
    if -n_events <= v <= -1:
        return -v - 1
    if 0 <= v < n_events:
        return v
    return None


@contextlib.contextmanager
def cold_heyoka(hy: Any) -> Iterator[None]:
    """Compile cold: heyoka's on-disk cache of compiled code off (restored afterwards) and
    its in-memory cache cleared, so construction time is what a first run pays."""
    disk = hy.llvm_state.get_diskcache_enabled()
    hy.llvm_state.set_diskcache_enabled(False)
    hy.llvm_state.clear_memcache()
    try:
        yield
    finally:
        hy.llvm_state.set_diskcache_enabled(disk)


def heyoka_run(hy: Any, model: Model, t_end: Fraction, digits: int | None, repeat: int, one_compile: bool) -> Run:
    best = None
    for _ in range(repeat):
        with cold_heyoka(hy):
            run = heyoka_once(hy, model, t_end, digits, one_compile)
        if best is None or run.time_s < best.time_s:
            best = run
    return best


# ---------------------------------------------------------------------------------------
# λ scaling


def scaling(repeat: int) -> list[ScalingRow]:
    rows = []
    for lam in LAMBDAS:
        decades = _log10_inv(lam)
        t_end = T_B1 * decades / 30
        p = b1(lam)
        dt, tr = best_of(repeat, lambda p=p, t_end=t_end: solve(p, t_end=t_end, digits=30))
        hi = solve(p, t_end=t_end, digits=45)
        rows.append(ScalingRow(lam, float(t_end), len(tr.segments), dt, dt / decades, agreement(tr, hi)))
    return rows


def _log10_inv(lam: str) -> Fraction:
    """log10(1/λ) for λ = 10^-e (exact)."""
    q = Fraction(lam)
    e = round(-math.log10(q.numerator) + math.log10(q.denominator))
    if Fraction(1, 10**e) != q:
        raise ValueError(f"λ must be a power of ten, got {lam}")
    return Fraction(e)


# ---------------------------------------------------------------------------------------
# output


def fmt(x: float | None, spec: str = ".2e") -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return format(x, spec)


def print_table(runs: list[Run], ref: Trajectory, ref_s: float) -> None:
    print()
    print(
        f"B1 (λ = {LAMBDA_B1}, T = {T_B1}, m = 6, n = d = 4), reference: reluflow dps={REF_DPS}, "
        f"{len(ref.segments)} steps, {ref_s:.2f} s, {len(ref.events)} events"
    )
    head = (
        f"{'method':<16}{'digits':>7}{'time s':>10}{'target':>8}{'ratio':>9}{'compile s':>11}"
        f"{'integr s':>10}{'ratio':>7}{'steps':>7}{'events':>8}{'rel err/neuron':>16}{'worst j':>8}{'err target':>12}"
        f"{'event t err':>13}  note"
    )
    print(head)
    print("-" * len(head))
    for r in runs:
        ev = f"{len(r.events)}{'' if r.events_match else '*'}"
        worst = int(np.argmax(r.rel_err_per_neuron)) if r.rel_err_per_neuron else "-"
        target_err = fmt(10.0**-r.digits, ".0e") if r.method == "reluflow" and r.digits else ""
        print(
            f"{r.method:<16}{(r.digits or 'f64'):>7}{r.time_s:>10.3f}{fmt(r.target_s, '.2f') if r.target_s else '':>8}"
            f"{fmt(r.ratio, '.1f'):>9}{fmt(r.compile_s, '.3f'):>11}{fmt(r.integrate_s, '.3f'):>10}{fmt(r.ratio_integrate, '.2f'):>7}"
            f"{(r.steps if r.steps is not None else '-'):>7}{ev:>8}{fmt(r.rel_err):>16}{worst:>8}{target_err:>12}"
            f"{fmt(r.event_err):>13}  {r.note}"
        )
    print(
        "ratio = time / reluflow time at the same digits (float64 peers: / reluflow at 30 digits); second "
        "ratio: integration only; * = event pairs differ from the reference; 1c = one compile"
    )


def print_per_neuron(runs: list[Run], ref: Trajectory) -> None:
    print()
    print("relative error per neuron, ‖(a_j, w_j) − ref_j‖ / ‖ref_j‖; last row: ‖ref_j‖")
    m = len(ref.a)
    head = f"{'method':<16}{'digits':>7}" + "".join(f"{'j=' + str(j):>10}" for j in range(m))
    print(head)
    print("-" * len(head))
    for r in runs:
        print(f"{r.method:<16}{(r.digits or 'f64'):>7}" + "".join(f"{fmt(e, '.1e'):>10}" for e in r.rel_err_per_neuron))
    norms = [float(HP.sqrt(to_hp(a) ** 2 + HP.fsum(to_hp(v) ** 2 for v in w))) for a, w in zip(ref.a, ref.W)]
    print(f"{'‖ref_j‖':<16}{REF_DPS:>7}" + "".join(f"{x:>10.1e}" for x in norms))


def print_scaling(rows: list[ScalingRow]) -> None:
    print()
    print("λ scaling: reluflow digits=30 on B1, T = 290·log10(1/λ)/30; agreement vs digits=45")
    head = f"{'λ':>8}{'T':>10}{'steps':>8}{'time s':>10}{'s per decade':>14}{'steps/decade':>14}{'agree digits':>14}"
    print(head)
    print("-" * len(head))
    for r in rows:
        dec = float(_log10_inv(r.lam))
        print(
            f"{r.lam:>8}{r.t_end:>10.2f}{r.steps:>8}{r.time_s:>10.3f}{r.per_decade_s:>14.4f}"
            f"{r.steps / dec:>14.2f}{r.agreement_digits:>14.1f}"
        )
    if len(rows) >= 2:
        dec = [float(_log10_inv(r.lam)) for r in rows]
        (s0, s1), (t0, t1) = linear_fit(dec, [r.steps for r in rows]), linear_fit(dec, [r.time_s for r in rows])
        print(
            f"least-squares fit over D = log10(1/λ): steps ≈ {s0:.1f} + {s1:.3f}·D,  time ≈ {t0:.3f} s + {t1 * 1e3:.2f} ms·D"
        )


def linear_fit(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Intercept and slope of the least-squares line through (x, y)."""
    slope, intercept = np.polyfit(np.asarray(x, float), np.asarray(y, float), 1)
    return float(intercept), float(slope)


# ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-odefun", action="store_true", help="skip mpmath.odefun (the slow peer)")
    ap.add_argument("--odefun-digits", type=int, nargs="+", default=[30], help="digits for odefun (slow: once)")
    ap.add_argument("--skip-heyoka", action="store_true", help="skip heyoka")
    ap.add_argument("--skip-scaling", action="store_true", help="skip the λ-scaling table")
    ap.add_argument("--skip-python", action="store_true", help="skip the pure-Python reference kernel rows")
    ap.add_argument("--skip-scale", action="store_true", help="skip the research-scale problems (minutes)")
    ap.add_argument("--digits", type=int, nargs="+", default=list(DIGITS), help="digits for reluflow and heyoka")
    ap.add_argument("--json", metavar="OUT", help="write the results as JSON")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many timed runs")
    return ap.parse_args(argv)


def environment() -> dict[str, str]:
    import scipy

    env = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "reluflow": reluflow.__version__,
        "kernel": kernel.name() + ("" if kernel.available() else f" ({kernel.UNAVAILABLE})"),
        "reluflow_path": reluflow.__file__,
        "mpmath": mpmath.__version__,
        "mpmath_backend": mpmath.libmp.BACKEND,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    hy, _ = heyoka_available()
    if hy is not None:
        env["heyoka"] = hy.__version__
    return env


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    problem = b1(LAMBDA_B1)
    model = Model.of(problem)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)

    global REF_DPS
    REF_DPS = max(REF_DPS, max(args.digits) + 60)
    HP.prec = max(ERR_PREC, math.ceil(REF_DPS * math.log2(10)) + 64)  # errors far below 10^-digits stay visible
    log(f"reference: reluflow dps={REF_DPS} ...")
    ref_s, ref = best_of(1, lambda: solve(problem, t_end=T_B1, dps=REF_DPS))
    runs: list[Run] = []
    base: dict[int, float] = {}
    kernels = ["gmp"] if kernel.available() else []
    if not args.skip_python or not kernels:
        kernels.append("python")
    for dg in args.digits:
        for which in kernels:
            log(f"reluflow digits={dg} ({which} kernel) ...")
            run, _ = reluflow_run(problem, T_B1, dg, args.repeat if dg <= REPEAT_ABOVE else 1, which)
            base.setdefault(dg, run.time_s)
            runs.append(run)
    if not args.skip_odefun:
        for dg in args.odefun_digits:
            log(f"mpmath.odefun dps={dg} (slow) ...")
            runs.append(odefun_run(model, T_B1, ref, dg))
    log("scipy DOP853 ...")
    runs.append(scipy_run(model, T_B1, args.repeat))
    skipped: list[str] = []
    if not args.skip_heyoka:
        hy, why = heyoka_available()
        if hy is None:
            skipped.append(why)
        else:
            for one in (False, True):
                log(f"heyoka double{' (one compile)' if one else ''} ...")
                runs.append(heyoka_run(hy, model, T_B1, None, args.repeat, one))
            mp_why = heyoka_mp_available(hy)
            if mp_why:
                skipped.append(f"heyoka multiprecision (hy.real) unavailable: {mp_why}")
            else:
                for dg in args.digits:
                    for one in (False, True):
                        log(f"heyoka real {dg} digits{' (one compile)' if one else ''} ...")
                        runs.append(heyoka_run(hy, model, T_B1, dg, args.repeat if dg <= REPEAT_ABOVE else 1, one))
    for r in runs:
        score(r, ref)
        r.ratio = r.time_s / base.get(r.digits or DIGITS[0], math.nan)
        if r.integrate_s is not None:
            r.ratio_integrate = r.integrate_s / base.get(r.digits or DIGITS[0], math.nan)
    rows: list[ScalingRow] = []
    if not args.skip_scaling:
        log("λ scaling ...")
        rows = scaling(args.repeat)
    scale_rows: list[dict[str, Any]] = []
    if not args.skip_scale:
        scale_rows = engine_scale.rows(list(engine_scale.GOALS), kernels, timeout=3600)

    print(f"reluflow {reluflow.__version__} from {reluflow.__file__}; mpmath backend {mpmath.libmp.BACKEND}")
    print_table(runs, ref, ref_s)
    print_per_neuron(runs, ref)
    for s in skipped:
        print(f"skipped: {s}")
    if rows:
        print_scaling(rows)
    if scale_rows:
        engine_scale.print_rows(scale_rows, engine_scale.baseline_rss())
    if args.json:
        out = {
            "benchmark": "B1",
            "lambda": LAMBDA_B1,
            "t_end": float(T_B1),
            "reference_dps": REF_DPS,
            "reference_time_s": ref_s,
            "reference_steps": len(ref.segments),
            "reference_events": [[mpmath.nstr(e.t, 30), e.neuron, e.point, e.direction] for e in ref.events],
            "runs": [r.row() for r in runs],
            "skipped": skipped,
            "lambda_scaling": [asdict(r) for r in rows],
            "scale": scale_rows,
            "kernel": kernel.name(),
            "targets": {"time_s": TARGET_S, "rel_err": "10^-digits"},
            "environment": environment(),
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2, default=str)
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
