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
import re
from typing import Any, NoReturn, TypeVar

import mpmath
import numpy as np
from mpmath.libmp import MPZ

from ..limits import MAX_DPS, MAX_NESTING
from ..precision import MIN_DPS, context, to_str
from ..problem import Dataset, Init, Problem, ProblemError
from .records import DIRECTIONS, MAX_INT_DIGITS, SCHEMA, Event, Segment, Status
from .taylor import GUARD_BITS, State, taylor_order

__all__ = ["MAX_BLOCK_EXPONENT", "load_json", "read"]

MAX_BLOCK_EXPONENT = 10**9
"""Largest |e_j| (bits) of a neuron's block exponent in a file; a real run stays within
a few times ln(1/λ)/ln 2 + F."""

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
_REWRITE = "the file is damaged or was edited; write it again with Trajectory.to_json()"
_INT_TEXT = re.compile(r"0|-?[1-9][0-9]*", re.ASCII)
_INT_LIST = re.compile(r"(?:0|-?[1-9][0-9]*)(?:,(?:0|-?[1-9][0-9]*))*", re.ASCII)
_NUMBER_TEXT = re.compile(r"(0|-?[1-9][0-9]*)(/[1-9][0-9]*|e-[1-9][0-9]{0,5})?", re.ASCII)
_INT_LIMIT = 10**MAX_INT_DIGITS


def load_json(text: Any) -> Any:
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


def read(cls: type[T], d: Any) -> T:
    """:meth:`Trajectory.from_dict`: validate ``d``, build a ``cls``, cross-check it."""
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
    if prec + GUARD_BITS != F:
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
    rest = message[len(status.message) :]
    if not message.startswith(status.message) or (rest and not (rest.startswith(" (") and rest.endswith(")"))):
        _fail(
            "message",
            f"does not go with status {status_text!r} (it begins {status.message!r}, then an "
            f"optional detail in parentheses); {_REWRITE}",
        )

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
            _fail(f"{path}.s_end", f"is beyond 2^F (the end of the unit step s = 1); {_REWRITE}")

    # step times: from 0, non-decreasing, each step reaching the next start, representable
    bounds = [seg.t0 for seg in segments] + [t_final]
    names = [f"exact.segments[{i}].t0" for i in range(len(segments))] + ["exact.final.t"]
    tm = lambda t: mpmath.nstr(ctx.ldexp(ctx.mpf(int(t)), -F), 12)
    if segments and bounds[0] != 0:
        _fail(names[0], f"is t = {tm(bounds[0])}; the first step starts at t = 0; {_REWRITE}")
    if not segments and t_final != 0:
        _fail(
            "exact.segments",
            f"is empty but the run ends at t = {tm(t_final)}: the steps that reach it are missing; {_REWRITE}",
        )
    for i, seg in enumerate(segments):
        nxt = bounds[i + 1]
        if nxt < seg.t0:
            _fail(
                names[i + 1],
                f"is t = {tm(nxt)}, before the start of step {i} (t = {tm(seg.t0)}); step times "
                f"never decrease; {_REWRITE}",
            )
        gap = nxt - seg.t0 - ((seg.s_end * seg.H) >> F)
        if not 0 <= gap <= (seg.H >> F) + 2 + (1 << max(nxt.bit_length() - prec + 1, 0)):
            _fail(
                f"exact.segments[{i}]",
                f"step {i} covers t ∈ [{tm(seg.t0)}, "
                f"{tm(seg.t0 + ((seg.s_end * seg.H) >> F))}] (t0 + s_end·H) but the next "
                f"one starts at t = {tm(nxt)}; H or s_end do not match; {_REWRITE}",
            )
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
            _fail(
                f"{path}.t",
                f"is {_show(ev['t'])}, not a step boundary of the run (events happen where a "
                f"step starts or the run ends); {_REWRITE}",
            )
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
    if "fixed_point_bits" in metadata and not (
        type(metadata["fixed_point_bits"]) is int and metadata["fixed_point_bits"] == F
    ):
        _fail("metadata.fixed_point_bits", f"is {_show(metadata['fixed_point_bits'])} but exact.F is {F}; {_REWRITE}")

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
            _fail(
                _key(path, k),
                f"is not a key of {path or 'a trajectory file'} (its keys: "
                f"{', '.join(required + optional)}); remove it",
            )
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
        _fail(
            path,
            f'expected an integer written as a decimal string (e.g. "-12", at most {MAX_INT_DIGITS} '
            f"digits), got {_show(v)}; {_REWRITE}",
        )
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
        if (
            max(map(len, x), default=0) <= MAX_INT_DIGITS
            and joined.count(",") == len(x) - 1
            and (not x or _INT_LIST.fullmatch(joined))
        ):
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
    return [
        _small_int(x, f"{path}[{j}]", -MAX_BLOCK_EXPONENT, MAX_BLOCK_EXPONENT, "a block exponent (bits)")
        for j, x in enumerate(_array(v, path, m, f"m = {m} block exponents, one per neuron"))
    ]


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
    if not (
        isinstance(v, str)
        and len(v) <= 2 * MAX_INT_DIGITS + 2
        and (mt := _NUMBER_TEXT.fullmatch(v))
        and len(mt.group(1).lstrip("-")) <= MAX_INT_DIGITS
        and len(mt.group(2) or "/") <= MAX_INT_DIGITS + 1
    ):
        _fail(
            path,
            f'expected an exact number written as "p" or "p/q" (integers of at most {MAX_INT_DIGITS} '
            f"digits, as to_json writes them), got {_show(v)}",
        )


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
            _fail(
                f"{where}.e[{j}]", f"is {int(e[j])} but neuron {j} starts at block exponent {int(st0.e[j])}; {_REWRITE}"
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
                f"edited; {_REWRITE}",
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
                    f"records it at this time; {_REWRITE}",
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
                    f"at this time; {_REWRITE}",
                )
