"""One codec for numbers and problems, shared by SPEC files, ``Trajectory`` JSON and sweep specs.

Numbers travel as exact text: :func:`~reluflow.problem.exact_text` ("p", "p/q", or "pe-k"
for the powers of ten beyond 1000 bits) where the text must read back exactly, and
:func:`num_text` (a decimal when the number has one: "1e-10", "0.5") where a person reads
it.  A problem travels as the mapping of a SPEC file: :func:`problem_to_dict` writes it,
:func:`problem_from_dict` reads it (with every check of :class:`~reluflow.problem.Problem`).

    >>> from reluflow.datasets import e1
    >>> p = e1("1e-30")
    >>> problem_from_dict(problem_to_dict(p)) == p, problem_to_dict(p)["init"]["lambda"]
    (True, '1/1000000000000000000000000000000')
    >>> num_text("1/10000000000"), num_text("0.50"), num_text(7), num_text("1/3"), num_text("1e-300")
    ('1e-10', '0.5', '7', '1/3', '1e-300')
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from .problem import Dataset, Init, Problem, ProblemError, exact, exact_text

__all__ = ["dataset_from_dict", "num_text", "problem_from_dict", "problem_to_dict"]

_DATA_KEYS = {"X", "y", "teacher"}
_INIT_KEYS = {"lambda", "z", "s", "width", "seed"}


def num_text(value: Any) -> str:
    """A short exact text of a number for people: a decimal when it has one (``1e-10``,
    ``0.5``), else ``p/q``."""
    q = exact(value, "number")
    if q.denominator == 1:
        return exact_text(q)
    den, twos, fives = q.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return exact_text(q)
    with localcontext() as ctx:  # the quotient is an exact decimal: give it enough digits
        ctx.prec = q.numerator.bit_length() // 3 + max(twos, fives) + 4
        ctx.Emin, ctx.Emax = -(10**9), 10**9
        d = (Decimal(q.numerator) / Decimal(q.denominator)).normalize()
    return format(d, "g")


def problem_to_dict(p: Problem) -> dict[str, Any]:
    """The SPEC mapping of ``p`` (``data``: X, y and the teacher if any; ``init``: lambda, z,
    s), every number as exact text; :func:`problem_from_dict` reads it back to ``p``."""
    data: dict[str, Any] = {"X": [[exact_text(v) for v in r] for r in p.data.X], "y": [exact_text(v) for v in p.data.y]}
    if p.data.teacher is not None:
        data["teacher"] = [exact_text(v) for v in p.data.teacher]
    init = {"lambda": exact_text(p.init.lam), "z": [[exact_text(v) for v in r] for r in p.init.z], "s": list(p.init.s)}
    return {"data": data, "init": init}


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
    return Dataset(data["X"], data.get("y"), data.get("teacher"))  # type: ignore[arg-type]  # raw values, checked


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
