"""Reading a trajectory file back: :meth:`Trajectory.from_json` and :meth:`Trajectory.from_dict`.

The file is untrusted (damaged, edited or hostile), so every key, type and shape is checked
against the problem's (m, n, d), and integers, exponents, dps and nesting are bounded: no file
makes the reader hang or build a huge number.  The step times, events and start state must agree
with the jets, and the redundant summary (t_end, loss, a, W, invariants) with the exact state.
Anything else raises :class:`~reluflow.ProblemError` naming the JSON path, e.g. ``exact.segments[3].H``.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any, NoReturn, TypeVar

import mpmath
import numpy as np

from ..codec import problem_from_dict
from ..limits import MAX_DPS
from ..precision import MIN_DPS, context, to_str
from ..problem import Problem, ProblemError
from .fields import (
    MAX_BLOCK_EXPONENT,
    REWRITE,
    _array,
    _big_int,
    _bool_grid,
    _exponents,
    _fail,
    _int_grid,
    _json_value,
    _key,
    _numbers,
    _object,
    _show,
    _small_int,
)
from .fixed import GUARD_BITS, State, taylor_order
from .records import DIRECTIONS, MAX_INT_DIGITS, SCHEMA, Event, Segment, Status

__all__ = ["MAX_BLOCK_EXPONENT", "load_json", "read"]

_TOP = (
    "schema",
    "status",
    "message",
    "t_end",
    "loss",
    "events",
    "a",
    "W",
    "invariants",
    "dps",
    "digits",
    "order",
    "steps",
    "metadata",
    "problem",
    "exact",
)
_TOP_OPTIONAL = ("certificate", "loss_ball")  # written for certified runs; not read back
_SEGMENT = ("t0", "H", "s_end", "e", "active", "Y")
_FINAL = ("t", "a", "U", "C", "e", "active")
_EVENT = ("t", "neuron", "point", "direction")
T = TypeVar("T")  # the Trajectory class (the model module imports this one)


def load_json(text: Any) -> Any:
    """Parse untrusted JSON text: bounded integers, finite numbers, no duplicate keys, no
    RecursionError; anything else raises :class:`ProblemError` with field ``json``."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            _fail("json", f"is not UTF-8 text ({exc.reason} at byte {exc.start}); {REWRITE}")
    if not isinstance(text, str):
        _fail("json", f"expected JSON text (str or bytes), got {type(text).__name__}")

    def big(s: str) -> int:
        if len(s) > MAX_INT_DIGITS + 1:
            _fail("json", f"holds an integer literal of {len(s)} digits (at most {MAX_INT_DIGITS}); {REWRITE}")
        return int(s)

    def real(s: str) -> float:
        x = float(s)
        if not math.isfinite(x):
            _fail("json", f"holds the number {s[:30]!r}, beyond the range of a float; {REWRITE}")
        return x

    def constant(s: str) -> NoReturn:
        _fail("json", f"holds {s}, which is not JSON (numbers are finite); {REWRITE}")

    def pairs(items: list) -> dict:
        out = dict(items)
        if len(out) != len(items):
            seen = set()
            dup = next(k for k, _ in items if k in seen or seen.add(k))
            _fail(_key("json", dup), f"appears twice in one object; {REWRITE}")
        return out

    try:
        return json.loads(text, parse_int=big, parse_float=real, parse_constant=constant, object_pairs_hook=pairs)
    except RecursionError:
        _fail("json", f"is nested too deeply to be a trajectory file; {REWRITE}")
    except ValueError as exc:  # json.JSONDecodeError, or an int over the interpreter's limit
        if isinstance(exc, ProblemError):
            raise
        _fail("json", f"is not valid JSON ({str(exc)[:200]}); {REWRITE}")


def read(cls: type[T], d: Any) -> T:
    """:meth:`Trajectory.from_dict`: validate ``d``, build a ``cls``, cross-check it."""
    _check_schema(d)
    dps, digits, order, ctx, F, ex = _precision(d)  # first: everything after computes at it
    problem = _problem(d["problem"])
    m, n = problem.m, problem.n
    status, message = _status(d)
    final = _final(ex, m, n)
    segments = _segments(d, ex, order, F, m, n)
    bounds = _check_times(segments, final[0], ctx, F)
    st0 = State.initial(problem, F)
    _check_start(problem, st0, segments, final)
    t_end = ctx.ldexp(ctx.mpf(int(final[0])), -F)
    _same(d["t_end"], to_str(t_end), "t_end", "the exact final time (exact.final.t)")
    events, logged = _events(d, bounds, ctx, F, m, n)
    _check_patterns(st0, segments, final, logged, m, n)
    metadata = _metadata(d, F)
    traj = cls(
        problem=problem,
        F=F,
        dps=dps,
        digits=digits,
        order=order,
        status=status,
        message=message,
        t_end=t_end,
        events=events,
        segments=segments,
        final=final,
        metadata=metadata,
    )
    _check_summary(d, traj)
    return traj


def _check_schema(d: Any) -> None:
    """A JSON object of this schema, in the dense form, with exactly the expected keys."""
    if not isinstance(d, dict):
        _fail("json", f"expected a JSON object (a trajectory file), got {_show(d)}")
    if "schema" not in d:
        _fail("schema", f"is missing: not a reluflow trajectory file (expected schema {SCHEMA!r})")
    if not isinstance(d["schema"], str) or d["schema"] != SCHEMA:
        _fail(
            "schema",
            f"is {_show(d['schema'])}, expected {SCHEMA!r}: not a reluflow trajectory file of this "
            "format (write it again with this version's Trajectory.to_json)",
        )
    if "exact" not in d:
        _fail("json", "written with dense=False (no exact jets to rebuild from); write it with dense=True")
    _object(d, "", _TOP, _TOP_OPTIONAL)


def _precision(d: dict) -> tuple:
    """(dps, digits, order, context, F, the ``exact`` object), consistent with each other."""
    dps = _small_int(d["dps"], "dps", MIN_DPS, MAX_DPS, "the working precision (decimal digits)")
    digits = _small_int(d["digits"], "digits", 1, dps, "the correct digits asked for (at most dps)")
    order = _small_int(d["order"], "order", 1, None, "the Taylor order")
    if order != taylor_order(digits):
        _fail("order", f"is {order} but digits = {digits} gives the Taylor order {taylor_order(digits)}; {REWRITE}")
    ctx = context(dps)
    ex = _object(d["exact"], "exact", ("F", "final", "segments"))
    F = _small_int(ex["F"], "exact.F", 1, None, "the fixed-point bits")
    if ctx.prec + GUARD_BITS != F:
        _fail("exact.F", f"is {F} but dps = {dps} works with F = {ctx.prec + GUARD_BITS} fixed-point bits; {REWRITE}")
    return dps, digits, order, ctx, F, ex


def _status(d: dict) -> tuple[Status, str]:
    """The status and its message (the status's own text, then an optional detail)."""
    status_text = d["status"]
    codes = [s.value for s in Status]
    if not isinstance(status_text, str) or status_text not in codes:
        _fail("status", f"is {_show(status_text)}; expected one of {', '.join(codes)}")
    status = Status(status_text)
    message = d["message"]
    if not isinstance(message, str):
        _fail("message", f"expected a string, got {_show(message)}; {REWRITE}")
    _json_value(message, "message")
    rest = message[len(status.message) :]
    if not message.startswith(status.message) or (rest and not (rest.startswith(" (") and rest.endswith(")"))):
        _fail(
            "message",
            f"does not go with status {status_text!r} (it begins {status.message!r}, then an "
            f"optional detail in parentheses); {REWRITE}",
        )
    return status, message


def _final(ex: dict, m: int, n: int) -> tuple:
    """The exact state at t_end: (t, a, U, C, e, active, sliding)."""
    fin = _object(ex["final"], "exact.final", _FINAL, ("sliding",))
    neurons = f"m = {m}, one per neuron"
    pair_axes = (neurons, f"n = {n}, one per point")
    return (
        _big_int(fin["t"], "exact.final.t", 0, "a time"),
        _int_grid(fin["a"], "exact.final.a", (m,), (neurons,)),
        _int_grid(fin["U"], "exact.final.U", (m, n), pair_axes),
        _int_grid(fin["C"], "exact.final.C", (m, n), pair_axes),
        np.array(_exponents(fin["e"], "exact.final.e", m), dtype=object),
        _bool_grid(fin["active"], "exact.final.active", m, n),
        _bool_grid(fin["sliding"], "exact.final.sliding", m, n) if "sliding" in fin else np.zeros((m, n), dtype=bool),
    )


def _segments(d: dict, ex: dict, order: int, F: int, m: int, n: int) -> list[Segment]:
    """The steps, each with its jets of the declared shape (its own order at most the run's)."""
    raw = _array(ex["segments"], "exact.segments", what="steps")
    steps = _small_int(d["steps"], "steps", 0, None, "the number of steps")
    if steps != len(raw):
        _fail("steps", f"is {steps} but exact.segments holds {len(raw)} steps; {REWRITE}")
    neurons = f"m = {m}, one per neuron"
    segments = []
    for i, s in enumerate(raw):
        path = f"exact.segments[{i}]"
        s = _object(s, path, _SEGMENT, ("sliding", "order"))
        q = (
            _small_int(s["order"], f"{path}.order", 1, order, f"a step's Taylor order (at most {order})")
            if "order" in s
            else order
        )
        jet_axes = (f"order + 1 = {q + 1} Taylor coefficients", neurons, f"1 + 2n = {1 + 2 * n}: a, U, C")
        segments.append(
            Segment(
                t0=_big_int(s["t0"], f"{path}.t0", 0, "a time"),
                H=_big_int(s["H"], f"{path}.H", 1, "a step length"),
                s_end=_big_int(s["s_end"], f"{path}.s_end", 0, "the end of the step"),
                e=tuple(_exponents(s["e"], f"{path}.e", m)),
                active=_bool_grid(s["active"], f"{path}.active", m, n),
                jets=_int_grid(s["Y"], f"{path}.Y", (q + 1, m, 1 + 2 * n), jet_axes),
                sliding=_bool_grid(s["sliding"], f"{path}.sliding", m, n) if "sliding" in s else None,
            )
        )
        if segments[-1].s_end > 1 << F:
            _fail(f"{path}.s_end", f"is beyond 2^F (the end of the unit step s = 1); {REWRITE}")
    return segments


def _check_times(segments: list[Segment], t_final: int, ctx, F: int) -> list[int]:
    """Step times from 0, never decreasing, each step reaching the next start, each
    representable at the working precision; returns the step boundaries."""
    prec = ctx.prec
    bounds = [seg.t0 for seg in segments] + [t_final]
    names = [f"exact.segments[{i}].t0" for i in range(len(segments))] + ["exact.final.t"]
    tm = lambda t: mpmath.nstr(ctx.ldexp(ctx.mpf(int(t)), -F), 12)
    if segments and bounds[0] != 0:
        _fail(names[0], f"is t = {tm(bounds[0])}; the first step starts at t = 0; {REWRITE}")
    if not segments and t_final != 0:
        _fail(
            "exact.segments",
            f"is empty but the run ends at t = {tm(t_final)}: the steps that reach it are missing; {REWRITE}",
        )
    for i, seg in enumerate(segments):
        nxt = bounds[i + 1]
        if nxt < seg.t0:
            _fail(
                names[i + 1],
                f"is t = {tm(nxt)}, before the start of step {i} (t = {tm(seg.t0)}); step times "
                f"never decrease; {REWRITE}",
            )
        gap = nxt - seg.t0 - ((seg.s_end * seg.H) >> F)
        if not 0 <= gap <= (seg.H >> F) + 2 + (1 << max(nxt.bit_length() - prec + 1, 0)):
            _fail(
                f"exact.segments[{i}]",
                f"step {i} covers t ∈ [{tm(seg.t0)}, "
                f"{tm(seg.t0 + ((seg.s_end * seg.H) >> F))}] (t0 + s_end·H) but the next "
                f"one starts at t = {tm(nxt)}; H or s_end do not match; {REWRITE}",
            )
    for b, name in zip(bounds, names):
        if not _representable(b, prec):
            _fail(name, f"has more significant bits than the working precision ({prec}); {REWRITE}")
    return bounds


def _events(d: dict, bounds: list[int], ctx, F: int, m: int, n: int) -> tuple[list[Event], list[tuple]]:
    """The events: at step boundaries, in time order, on existing pairs, of known directions;
    with their exact (fixed-point time, neuron, point, direction) for the pattern check."""
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
            _fail(
                f"{path}.t",
                f"is {_show(ev['t'])}, not a step boundary of the run (events happen where a "
                f"step starts or the run ends); {REWRITE}",
            )
        ti = at[ev["t"]]
        if ti < last:
            _fail(f"{path}.t", f"is before the previous event's time; events are in time order; {REWRITE}")
        last = ti
        j = _small_int(ev["neuron"], f"{path}.neuron", 0, m - 1, f"a neuron index (the problem has m = {m})")
        k = _small_int(ev["point"], f"{path}.point", 0, n - 1, f"a point index (the problem has n = {n})")
        if not isinstance(ev["direction"], str) or ev["direction"] not in DIRECTIONS:
            _fail(f"{path}.direction", f"is {_show(ev['direction'])}; expected one of {', '.join(DIRECTIONS)}")
        if "t_ball" in ev:
            _json_value(ev["t_ball"], f"{path}.t_ball")
        events.append(Event(ctx.ldexp(ctx.mpf(int(ti)), -F), j, k, ev["direction"]))
        logged.append((ti, j, k, ev["direction"]))
    return events, logged


def _metadata(d: dict, F: int) -> dict:
    """The free-form parts (kept: a private copy of the metadata; dropped: the certificate,
    re-derived by certify), checked to be plain JSON."""
    for key in ("metadata", *_TOP_OPTIONAL):
        if key in d:
            if not isinstance(d[key], dict):
                _fail(key, f"expected a JSON object, got {_show(d[key])}; {REWRITE}")
            _json_value(d[key], key)
    metadata = json.loads(json.dumps(d["metadata"]))
    if "fixed_point_bits" in metadata and not (
        type(metadata["fixed_point_bits"]) is int and metadata["fixed_point_bits"] == F
    ):
        _fail("metadata.fixed_point_bits", f"is {_show(metadata['fixed_point_bits'])} but exact.F is {F}; {REWRITE}")
    return metadata


def _check_summary(d: dict, traj) -> None:
    """The redundant summary (loss, a, W, invariants) against the exact final state."""
    st, ctx, m = traj.final_state, traj.ctx, traj.problem.m
    neurons = f"m = {m}, one per neuron"
    _same(d["loss"], to_str(traj.loss_of(st)), "loss", "the exact final state")
    for j, v in enumerate(_array(d["a"], "a", m, neurons)):
        _same(v, to_str(st.a[j]), f"a[{j}]", "the exact final state")
    for j, row in enumerate(_array(d["W"], "W", m, neurons)):
        for i, v in enumerate(_array(row, f"W[{j}]", traj.problem.d, f"d = {traj.problem.d} coordinates")):
            _same(v, to_str(st.W[j][i]), f"W[{j}][{i}]", "the exact final state")
    inv = [a * a - ctx.fsum(w * w for w in row) for a, row in zip(st.a, st.W)]
    for j, v in enumerate(_array(d["invariants"], "invariants", m, neurons)):
        _same(v, to_str(inv[j]), f"invariants[{j}]", "the exact final state")


def _problem(v: Any) -> Problem:
    pd = _object(v, "problem", ("data", "init"))
    data = _object(pd["data"], "problem.data", ("X", "y"), ("teacher",))
    init = _object(pd["init"], "problem.init", ("lambda", "z", "s"))
    for key, sec, depth in (
        ("X", data, 2),
        ("y", data, 1),
        ("teacher", data, 1),
        ("lambda", init, 0),
        ("z", init, 2),
        ("s", init, 1),
    ):
        if key in sec:
            _numbers(sec[key], f"problem.{'data' if sec is data else 'init'}.{key}", depth)
    try:
        return problem_from_dict(pd)
    except ProblemError as exc:
        raise ProblemError(f"problem.{exc.field}", str(exc).removeprefix(f"{exc.field}: ")) from None


def _representable(t: int, prec: int) -> bool:
    """Whether the fixed-point time ``t`` has at most ``prec`` significant bits (every step
    boundary the solver makes has)."""
    t = abs(int(t))
    return t == 0 or (t >> ((t & -t).bit_length() - 1)).bit_length() <= prec


def _same(got: Any, want: str, path: str, what: str) -> None:
    if not isinstance(got, str) or got != want:
        _fail(path, f"is {_show(got)} but {what} gives {want!r}; {REWRITE}")


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
            _fail(
                f"{where}.e[{j}]", f"is {int(e[j])} but neuron {j} starts at block exponent {int(st0.e[j])}; {REWRITE}"
            )
        start = [st0.a[j], *st0.U[j]]
        start = [v >> shift for v in start] if shift >= 0 else [v << -shift for v in start]
        if (
            a[j] != start[0]
            or any(U[j, k] != 0 and U[j, k] != start[1 + k] for k in range(n))
            or any(C[j, k] != 0 for k in range(n))
        ):
            _fail(
                "problem.init",
                f"does not give the state the run starts from ({where}, neuron {j}: a_j = "
                f"s_j‖λ z_j‖, u_jk = λ⟨z_j, x_k⟩ or 0, C = 0); the problem or the jets were "
                f"edited; {REWRITE}",
            )


_AFTER = {
    "on": (True, False),
    "slide-on": (True, False),
    "off": (False, False),
    "slide-off": (False, False),
    "repel": (False, False),
    "slide": (None, True),
}
"""The pattern (active, sliding) of a pair after its last event at an instant (None: either)."""


def _check_patterns(
    st0: State, segments: list[Segment], final: tuple, events: list[tuple[int, int, int, str]], m: int, n: int
) -> None:
    """Events against the activation and sliding patterns: a pair whose pattern differs between
    consecutive steps (from the initial u_jk > 0) has an event at the later step's start, and
    its last event there leaves it as the direction says."""
    none = np.zeros((m, n), dtype=bool)
    states = [("problem.init", np.asarray(st0.active, dtype=bool), none, 0)]
    states += [
        (f"exact.segments[{i}]", seg.active, none if seg.sliding is None else seg.sliding, seg.t0)
        for i, seg in enumerate(segments)
    ]
    states.append(("exact.final", final[5], final[6], final[0]))
    logged: dict[int, dict[tuple[int, int], str]] = {}
    for t, j, k, direction in events:
        logged.setdefault(t, {})[(j, k)] = direction  # the last one at t wins
    for (_, a0, s0, _), (where, a1, s1, t1) in itertools.pairwise(states):
        at = logged.get(t1, {})
        for j, k in zip(*np.nonzero((a0 != a1) | (s0 != s1))):
            if (int(j), int(k)) not in at:
                _fail(
                    f"{where}.active",
                    f"pair (neuron {j}, point {k}) changes its pattern here but no event "
                    f"records it at this time; {REWRITE}",
                )
    after = {t: (a, s, where) for where, a, s, t in states[1:]}  # the last pattern at each instant
    for t, pairs in logged.items():
        a1, s1, where = after[t]
        for (j, k), direction in pairs.items():
            want_a, want_s = _AFTER[direction]
            if bool(s1[j, k]) != want_s or (want_a is not None and bool(a1[j, k]) != want_a):
                _fail(
                    f"{where}.active",
                    f"pair (neuron {j}, point {k}) is {'' if a1[j, k] else 'in'}active"
                    f"{' and sliding' if s1[j, k] else ''} after its event {direction!r} "
                    f"at this time; {REWRITE}",
                )
