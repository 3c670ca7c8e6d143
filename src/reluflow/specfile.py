"""Read a SPEC file (TOML, or JSON with the same keys) into a :class:`Problem`.

>>> text = '''
... [data]
... X = [[1, 0], [0, 1]]
... y = [1, "-0.5"]
... [init]
... lambda = "1e-30"
... width = 3
... seed = 0
... '''
>>> p = problem_from_dict(parse_spec_text(text, "toml"))
>>> p.m, p.init.lam
(3, Fraction(1, 1000000000000000000000000000000))
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from .limits import MAX_SPEC_BYTES
from .problem import Dataset, Init, Problem, ProblemError

__all__ = ["dataset_from_dict", "load_data", "load_spec", "parse_spec_text", "problem_from_dict"]

_DATA_KEYS = {"X", "y", "teacher"}
_INIT_KEYS = {"lambda", "z", "s", "width", "seed"}


def parse_spec_text(text: str, fmt: str) -> dict:
    """Parse TOML or JSON text; syntax errors become a :class:`ProblemError` on ``spec``.

    Floats are read as :class:`~decimal.Decimal`, so ``0.3`` in a file means exactly 3/10.
    Integers too long for Python's ``int`` parser, nesting deeper than the parser's
    recursion and files over :data:`~reluflow.limits.MAX_SPEC_BYTES` are refused here."""
    if len(text) > MAX_SPEC_BYTES:
        raise ProblemError("spec", f"has {len(text)} characters; at most {MAX_SPEC_BYTES} are read")
    try:
        if fmt == "toml":
            return tomllib.loads(text, parse_float=Decimal)
        return json.loads(text, parse_float=Decimal, parse_int=_json_int)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ProblemError("spec", f"is not valid {fmt.upper()}: {exc}") from None
    except ValueError as exc:  # tomllib: an integer literal beyond int()'s 4300 digits
        raise ProblemError(
            "spec",
            f"holds a number {fmt.upper()} cannot read ({str(exc)[:80]}); "
            'write large or small numbers with an exponent, e.g. "1e-300"',
        ) from None
    except RecursionError:
        raise ProblemError("spec", "nests lists or tables too deeply to read; a SPEC needs two levels (X)") from None


def _json_int(text: str) -> int | Decimal:
    """JSON integers: Python ints, or Decimals beyond int()'s 4300-digit limit (bounded later)."""
    return int(text) if len(text) < 4000 else Decimal(text)


def _read(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise ProblemError("spec", f"{str(path)!r} {what}; give the path of a SPEC file (.toml or .json)")
    fmt = "json" if path.suffix.lower() == ".json" else "toml"
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise ProblemError(
            "spec", f"file {str(path)!r} has {path.stat().st_size} bytes; at most {MAX_SPEC_BYTES} are read"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            "spec", f"file {str(path)!r} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ProblemError("spec", f"cannot read {str(path)!r}: {exc.strerror}") from None
    return parse_spec_text(text, fmt)


def load_spec(path: str | Path) -> Problem:
    """Load a SPEC file; ``.json`` files are read as JSON, anything else as TOML."""
    return problem_from_dict(_read(path))


def load_data(path: str | Path) -> Dataset:
    """Load only the ``[data]`` table of a SPEC file (``[init]`` may be absent); for the
    commands that need no initialisation, such as ``reluflow interpolate``."""
    return dataset_from_dict(_read(path))


def _table(spec: dict, name: str, allowed: set[str]) -> dict:
    table = spec.get(name)
    if not isinstance(table, dict):
        raise ProblemError(name, f"missing [{name}] table; see the SPEC format in the README")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ProblemError(f"{name}.{unknown[0]}", f"unknown key; allowed keys: {', '.join(sorted(allowed))}")
    return table


def _tables(spec: Any) -> None:
    if not isinstance(spec, dict):
        raise ProblemError("spec", "must be a table/object with [data] and [init]")
    unknown = sorted(set(spec) - {"data", "init"})
    if unknown:
        raise ProblemError(unknown[0], "unknown table; a SPEC has [data] and [init]")


def dataset_from_dict(spec: Any) -> Dataset:
    """The Dataset of a SPEC mapping's ``[data]`` table (X and y, or X and ``teacher``)."""
    _tables(spec)
    data = _table(spec, "data", _DATA_KEYS)
    if "X" not in data:
        raise ProblemError("data.X", "is missing")
    if "y" not in data and "teacher" not in data:
        raise ProblemError("data.y", "is missing; give the labels y, or a teacher v* (labels σ(⟨v*, x⟩))")
    return Dataset(data["X"], data.get("y"), data.get("teacher"))


def problem_from_dict(spec: Any) -> Problem:
    """Build a Problem from the SPEC mapping (``[data]`` X and y, or X and ``teacher``
    with y optional; ``[init]`` lambda and either z, s or width, seed)."""
    dataset = dataset_from_dict(spec)
    init = _table(spec, "init", _INIT_KEYS)
    if "lambda" not in init:
        raise ProblemError("init.lambda", "is missing (the initialisation scale λ > 0)")
    explicit = "z" in init or "s" in init
    seeded = "width" in init or "seed" in init
    if explicit and seeded:
        raise ProblemError("init", "give either z and s, or width and seed, not both")
    if explicit:
        for key in ("z", "s"):
            if key not in init:
                raise ProblemError(f"init.{key}", "is missing (z and s go together)")
        return Problem(dataset, Init(init["lambda"], init["z"], init["s"]))
    if not seeded:
        raise ProblemError("init", "give the directions z and signs s, or width and seed")
    for key in ("width", "seed"):
        if key not in init:
            raise ProblemError(f"init.{key}", "is missing (width and seed go together)")
    return Problem(dataset, Init.random(width=init["width"], seed=init["seed"], d=dataset.d, lam=init["lambda"]))
