"""Read a SPEC file (TOML, or JSON with the same keys) into a :class:`Problem` (the mapping's
codec is :mod:`reluflow.codec`).

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

from .codec import dataset_from_dict, problem_from_dict
from .limits import MAX_SPEC_BYTES
from .problem import Dataset, Problem, ProblemError

__all__ = ["dataset_from_dict", "load_data", "load_spec", "parse_spec_text", "problem_from_dict"]


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
