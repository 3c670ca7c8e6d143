"""Validators for the fields of an untrusted trajectory file: each checks one JSON value
(object keys, arrays, bounded integers and integer grids, block exponents, free-form JSON)
and raises :class:`~reluflow.ProblemError` naming its JSON path, e.g. ``exact.segments[3].H``."""

from __future__ import annotations

import math
import re
from typing import Any, NoReturn

import numpy as np
from mpmath.libmp import MPZ

from ..limits import MAX_NESTING
from ..problem import ProblemError
from .records import MAX_INT_DIGITS

__all__ = ["MAX_BLOCK_EXPONENT", "REWRITE"]

MAX_BLOCK_EXPONENT = 10**9
"""Largest |e_j| (bits) of a neuron's block exponent in a file; a real run stays within
a few times ln(1/λ)/ln 2 + F."""

REWRITE = "the file is damaged or was edited; write it again with Trajectory.to_json()"
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
        _fail(path, f"expected a JSON object with keys {', '.join(required)}, got {_show(v)}; {REWRITE}")
    for k in required:
        if k not in v:
            _fail(_key(path, k), f"is missing; {REWRITE}")
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
        _fail(path, f"expected a JSON array{f' of {what}' if what else ''}, got {_show(v)}; {REWRITE}")
    if length is not None and len(v) != length:
        _fail(path, f"has {len(v)} entries, expected {length} ({what}); {REWRITE}")
    return v


def _small_int(v: Any, path: str, lo: int, hi: int | None, what: str) -> int:
    """A JSON integer (not a boolean, not a string) in [lo, hi]."""
    if type(v) is not int:
        _fail(path, f"expected {what}, a JSON integer, got {_show(v)}; {REWRITE}")
    if v < lo or (hi is not None and v > hi):
        _fail(path, f"is {_show(v)}; {what} must be {f'in [{lo}, {hi}]' if hi is not None else f'≥ {lo}'}")
    return v


def _big_int(v: Any, path: str, lo: int | None = None, what: str = "") -> int:
    """An integer written as a decimal string (as ``to_json`` writes exact values), ≥ ``lo``."""
    if not isinstance(v, str) or len(v) - v.startswith("-") > MAX_INT_DIGITS or not _INT_TEXT.fullmatch(v):
        _fail(
            path,
            f'expected an integer written as a decimal string (e.g. "-12", at most {MAX_INT_DIGITS} '
            f"digits), got {_show(v)}; {REWRITE}",
        )
    try:
        out = MPZ(v)
    except ValueError:  # an interpreter whose int-string limit was lowered
        _fail(path, f"cannot convert {_show(v)} to an integer on this interpreter (raise sys.set_int_max_str_digits)")
    if lo is not None and out < lo:
        _fail(path, f"is {_show(v)}; {what} must be ≥ {lo}; {REWRITE}")
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
                _fail(f"{path}[{j}][{k}]", f"expected true or false, got {_show(b)}; {REWRITE}")
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
        _fail(path, f"is nested more than {MAX_NESTING} deep; {REWRITE}")
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
