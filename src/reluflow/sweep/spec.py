"""Run specifications: what one run of a sweep is (the grids that expand into them: :mod:`.grid`).

A :class:`RunSpec` is one ``reluflow solve``: a SPEC mapping (``[data]``, ``[init]``) plus
the solve options ``digits``/``dps``, ``t_end`` and ``loss_below``.  It is validated and
*canonicalised* on construction: every number becomes its exact value written as ``"p"`` or
``"p/q"`` (so ``"1e-10"``, ``"1E-10"`` and ``Fraction(1, 10**10)`` are the same spec), labels
derived from a teacher are written out, and the key order of the mapping is irrelevant.  The
key of a run, :func:`spec_hash`, is the SHA-256 of the canonical JSON of the spec together
with the reluflow version and the store :data:`SCHEMA`.

>>> a = RunSpec({"data": {"X": [[1, 0], [0, 1]], "y": [1, "-0.5"]},
...              "init": {"lambda": "1e-10", "width": 2, "seed": 0}}, t_end=5)
>>> b = RunSpec({"init": {"seed": 0, "width": 2, "lambda": "1E-10"},
...              "data": {"y": ["1", "-1/2"], "X": [[1, 0], [0, 1]]}}, t_end="5.0")
>>> a == b, a.spec_hash == b.spec_hash, a.lam_text, a.width, a.seed
(True, True, '1e-10', 2, 0)
>>> a.vary(lam="1e-20").spec_hash == a.spec_hash
False
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from .._version import __version__
from ..codec import num_text, problem_from_dict, problem_to_dict
from ..precision import budget
from ..problem import Problem, ProblemError, exact, exact_text, positive_int

__all__ = ["AXES", "SCHEMA", "RunSpec", "num_text", "spec_hash", "varied_paths"]

SCHEMA = "reluflow.sweep/1"
"""Schema of the run store; part of every key, so a format change never reuses old results."""

AXES = ("dataset", "lambda", "seed", "width", "digits")
"""The keys a ``[grid]`` table may list, in the order of the Cartesian product (last fastest)."""

_SOLVE_KEYS = ("digits", "dps", "t_end", "loss_below")


def _canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _seed(value: Any, fld: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ProblemError(fld, f"must be a non-negative integer, got {value!r}")
    return int(value)


def _positive(value: Any, fld: str, what: str) -> Fraction:
    q = exact(value, fld)
    if q <= 0:
        raise ProblemError(fld, f"must be > 0 ({what}), got {num_text(q)}")
    return q


def _message(exc: ProblemError) -> str:
    return str(exc).removeprefix(f"{exc.field}: ")


def _prefixed(exc: ProblemError, prefix: str) -> ProblemError:
    return ProblemError(f"{prefix}{exc.field}", _message(exc))


# ---- one run -----------------------------------------------------------------------------------
def _solve_table(solve, field: str) -> Mapping:
    """The ``[solve]`` options of a run or of a grid's base, checked (errors name ``field``)."""
    solve = solve or {}
    if not isinstance(solve, Mapping):
        raise ProblemError(field, "must be a table (digits, dps, t_end, loss_below)")
    unknown = sorted(set(solve) - set(_SOLVE_KEYS))
    if unknown:
        raise ProblemError(f"{field}.{unknown[0]}", f"unknown key; allowed keys: {', '.join(_SOLVE_KEYS)}")
    return solve


@dataclass(frozen=True, eq=False)
class RunSpec:
    """One run: a SPEC mapping (``data``: X and y or teacher; ``init``: lambda and either z, s
    or width, seed) plus the options of :func:`reluflow.solve`.

    Validated on construction (bad input raises :class:`~reluflow.problem.ProblemError` naming
    the field, as ``reluflow solve`` does, including a ``dps`` too small for ``digits``) and
    stored canonically: ``spec`` holds the exact numbers as ``"p/q"`` strings, ``t_end`` and
    ``loss_below`` likewise.  Two specs are equal, and hash alike, iff their canonical JSON is
    equal.  ``dataset`` is a label only (the GRID file's path of the data); it is not part of
    the spec, its equality or its key.

    >>> s = RunSpec({"data": {"X": [[1]], "y": [1]}, "init": {"lambda": "1e-10", "z": [[1]], "s": [1]}},
    ...             digits=20, t_end="2.5")
    >>> s.t_end, s.digits, s.width, s.seed, s.canonical()["init"]
    ('5/2', 20, 1, None, {'lambda': '1/10000000000', 'z': [['1']], 's': [1]})
    """

    spec: Mapping[str, Any]
    digits: int | None = None
    dps: int | None = None
    t_end: Any = None
    loss_below: Any = None
    dataset: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.spec, Mapping):
            raise ProblemError("spec", f"must be a mapping with [data] and [init], got {type(self.spec).__name__}")
        spec = _thaw(self.spec)
        problem = problem_from_dict(spec)
        init = spec["init"]
        canon = problem_to_dict(problem)  # the one codec: exact text, the same as Trajectory JSON
        if "z" not in init:  # a seeded initialisation stays seeded (the seed is the sweep's axis)
            canon["init"] = {"lambda": canon["init"]["lambda"], "width": int(init["width"]), "seed": int(init["seed"])}
        digits = None if self.digits is None else positive_int(self.digits, "digits")
        dps = None if self.dps is None else positive_int(self.dps, "dps")
        t_end = None if self.t_end is None else _positive(self.t_end, "t_end", "the end time")
        loss_below = None if self.loss_below is None else _positive(self.loss_below, "loss_below", "a loss threshold")
        # the precision budget, as solve() will compute it: a dps too small fails here, not in a worker
        t_span = math.ceil(problem.default_t_end()) if t_end is None else float(t_end)
        budget(
            digits=digits,
            dps=dps,
            log_inv_lambda=problem.log_inv_lambda,
            t_span=t_span,
            time_scale=problem.time_scale(),
        )
        object.__setattr__(self, "spec", _freeze(canon))
        object.__setattr__(self, "digits", digits)
        object.__setattr__(self, "dps", dps)
        object.__setattr__(self, "t_end", None if t_end is None else exact_text(t_end))
        object.__setattr__(self, "loss_below", None if loss_below is None else exact_text(loss_below))
        self.__dict__["problem"] = problem  # the cached_property below, already computed

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], *, dataset: str | None = None) -> RunSpec:
        """From a mapping with ``data``, ``init`` and an optional ``solve`` table (digits, dps,
        t_end, loss_below), or from :meth:`canonical` output.

        >>> s = RunSpec.from_dict({"data": {"X": [[1]], "y": [1]},
        ...                        "init": {"lambda": "1e-10", "width": 1, "seed": 3}, "solve": {"t_end": 4}})
        >>> RunSpec.from_dict(s.canonical()) == s
        True
        """
        if not isinstance(mapping, Mapping):
            raise ProblemError("spec", f"must be a mapping, got {type(mapping).__name__}")
        unknown = sorted(set(mapping) - {"data", "init", "solve"})
        if unknown:
            raise ProblemError(unknown[0], "unknown table; a run has [data], [init] and optionally [solve]")
        solve = _solve_table(mapping.get("solve"), "solve")
        spec = {k: mapping[k] for k in ("data", "init") if k in mapping}
        try:
            return cls(spec, dataset=dataset, **{k: solve.get(k) for k in _SOLVE_KEYS})
        except ProblemError as exc:
            raise (_prefixed(exc, "solve.") if exc.field in _SOLVE_KEYS else exc) from None

    def labelled(self, dataset: str | None) -> RunSpec:
        """The same spec with another ``dataset`` label (no revalidation)."""
        import copy

        out = copy.copy(self)
        object.__setattr__(out, "dataset", dataset)
        return out

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        """Inverse of :attr:`canonical_json`."""
        return cls.from_dict(json.loads(text))

    def vary(
        self,
        *,
        lam: Any = None,
        seed: int | None = None,
        width: int | None = None,
        digits: int | None = None,
        data: Mapping[str, Any] | None = None,
        dataset: str | None = None,
    ) -> RunSpec:
        """A copy with λ, seed, width, digits or the data replaced (``None`` keeps them).

        >>> s = RunSpec({"data": {"X": [[1]], "y": [1]}, "init": {"lambda": 1, "width": 1, "seed": 0}})
        >>> s.vary(lam="1e-5", seed=4).canonical()["init"]
        {'lambda': '1/100000', 'width': 1, 'seed': 4}
        """
        spec = _thaw(self.spec)
        if data is not None:
            spec["data"] = dict(data)
        if lam is not None:
            spec["init"]["lambda"] = lam
        for key, value in (("seed", seed), ("width", width)):
            if value is not None:
                if "z" in spec["init"]:
                    raise ProblemError(
                        f"init.{key}",
                        "this spec gives z and s explicitly; a seeded init (width and seed) is needed to vary it",
                    )
                spec["init"][key] = value
        return RunSpec(
            spec,
            digits=self.digits if digits is None else digits,
            dps=self.dps,
            t_end=self.t_end,
            loss_below=self.loss_below,
            dataset=self.dataset if dataset is None else dataset,
        )

    # ---- identity ----------------------------------------------------------------------------
    def canonical(self) -> dict[str, Any]:
        """The canonical mapping: ``data``, ``init`` and ``solve`` (None for defaults)."""
        out = _thaw(self.spec)
        out["solve"] = {"digits": self.digits, "dps": self.dps, "t_end": self.t_end, "loss_below": self.loss_below}
        return out

    @cached_property
    def canonical_json(self) -> str:
        """Compact JSON of :meth:`canonical`, keys sorted: the text the key is computed from."""
        return _canonical_json(self.canonical())

    @cached_property
    def spec_hash(self) -> str:
        """The run's key in a store: see :func:`spec_hash`."""
        return spec_hash(self)

    @property
    def data_hash(self) -> str:
        """First 12 hex digits of the SHA-256 of the canonical data: tells datasets apart."""
        return hashlib.sha256(_canonical_json(_thaw(self.spec["data"])).encode()).hexdigest()[:12]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunSpec) and self.canonical_json == other.canonical_json

    def __hash__(self) -> int:
        return hash(self.canonical_json)

    def __repr__(self) -> str:
        return (
            f"RunSpec(lambda={self.lam_text}, width={self.width}, seed={self.seed}, digits={self.digits}, "
            f"dps={self.dps}, t_end={self.t_end}, loss_below={self.loss_below}, hash={self.spec_hash[:12]})"
        )

    # ---- views -------------------------------------------------------------------------------
    @cached_property
    def problem(self) -> Problem:
        """The :class:`~reluflow.Problem` this spec solves."""
        return problem_from_dict(_thaw(self.spec))

    @property
    def lam(self) -> Fraction:
        """λ, exactly."""
        return Fraction(self.spec["init"]["lambda"])

    @property
    def lam_text(self) -> str:
        """λ as short exact text (``1e-30``)."""
        return num_text(self.spec["init"]["lambda"])

    @property
    def width(self) -> int:
        """The number of neurons m (given as ``width``, or the rows of ``z``)."""
        init = self.spec["init"]
        return int(init["width"]) if "width" in init else len(init["z"])

    @property
    def seed(self) -> int | None:
        """The seed of a seeded init; None when z and s are explicit."""
        return self.spec["init"].get("seed")

    def solve(self):
        """Run :func:`reluflow.solve` on this spec; returns the :class:`~reluflow.Trajectory`."""
        from ..integrate import solve

        return solve(self.problem, digits=self.digits, dps=self.dps, t_end=self.t_end, loss_below=self.loss_below)


def spec_hash(spec: RunSpec, *, version: str | None = None, schema: str = SCHEMA) -> str:
    """SHA-256 (hex) of the canonical JSON of ``{"schema", "reluflow": version, "spec"}``:
    the key of a run in a :class:`~reluflow.sweep.Store`.  A new reluflow version or store
    schema gives new keys, so results are never reused across them.

    >>> s = RunSpec({"data": {"X": [[1]], "y": [1]}, "init": {"lambda": "1e-10", "z": [[1]], "s": [1]}})
    >>> len(spec_hash(s)), spec_hash(s) == spec_hash(s, version="0.0.0"), spec_hash(s) == spec_hash(s, schema="x")
    (64, False, False)
    """
    if version is None:
        version = __version__
    text = _canonical_json({"schema": schema, "reluflow": version, "spec": spec.canonical()})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _freeze(obj: Any) -> Any:
    from types import MappingProxyType

    if isinstance(obj, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return tuple(_freeze(v) for v in obj)
    return obj


def _thaw(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {k: _thaw(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_thaw(v) for v in obj]
    return obj


_PATHS = (
    ("data", "X"),
    ("data", "y"),
    ("data", "teacher"),
    ("init", "z"),
    ("init", "s"),
    ("solve", "t_end"),
    ("solve", "loss_below"),
)  # beside the columns above


def varied_paths(specs: list[RunSpec]) -> dict[str, list[str | None]]:
    """``{"data.y": [...], …}``: the SPEC paths whose values differ between the runs (a sweep
    over a dotted path), each value as its compact JSON text, one per run; the data are left
    out when the runs carry dataset labels (a ``dataset`` axis names them already)."""
    if len(specs) < 2:
        return {}
    out = {}
    labelled = any(s.dataset is not None for s in specs)  # a dataset axis: its label names the data
    for table, key in _PATHS:
        if table == "data" and labelled:
            continue
        values = [_json_text(s.canonical()[table].get(key)) for s in specs]
        if len(set(values)) > 1:
            out[f"{table}.{key}"] = values
    return out


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
