"""Run specifications and grids: what one run of a sweep is, and how a GRID file expands.

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
import itertools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..precision import budget
from ..problem import Problem, ProblemError, exact
from ..specfile import dataset_from_dict, parse_spec_text, problem_from_dict

__all__ = ["AXES", "SCHEMA", "RunSpec", "expand", "load_grid", "num_text", "parse_grid", "spec_hash"]

SCHEMA = "reluflow.sweep/1"
"""Schema of the run store; part of every key, so a format change never reuses old results."""

AXES = ("dataset", "lambda", "seed", "width", "digits")
"""The keys a ``[grid]`` table may list, in the order of the Cartesian product (last fastest)."""

_SOLVE_KEYS = ("digits", "dps", "t_end", "loss_below")


# ---- numbers ---------------------------------------------------------------------------------
def _q(q: Fraction) -> str:
    """The canonical text of an exact number: ``"p"`` or ``"p/q"`` in lowest terms."""
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def num_text(value: Any) -> str:
    """A short exact text of a number: a decimal when it has one (``1e-10``, ``0.5``), else
    ``p/q``.

    >>> num_text("1/10000000000"), num_text("0.50"), num_text(7), num_text("1/3"), num_text("1e-300")
    ('1e-10', '0.5', '7', '1/3', '1e-300')
    """
    q = exact(value, "number")
    if q.denominator == 1:
        return str(q.numerator)
    den, twos, fives = q.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return _q(q)
    with localcontext() as ctx:  # the quotient is an exact decimal: give it enough digits
        ctx.prec = len(str(abs(q.numerator))) + max(twos, fives) + 2
        ctx.Emin, ctx.Emax = -(10**9), 10**9
        d = (Decimal(q.numerator) / Decimal(q.denominator)).normalize()
    return format(d, "g")


def _canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _positive_int(value: Any, fld: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ProblemError(fld, f"must be a positive integer, got {value!r}")
    return int(value)


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
        data = problem.data
        canon_data: dict[str, Any] = {"X": [[_q(v) for v in row] for row in data.X], "y": [_q(v) for v in data.y]}
        if data.teacher is not None:
            canon_data["teacher"] = [_q(v) for v in data.teacher]
        if "z" in init:
            canon_init: dict[str, Any] = {
                "lambda": _q(problem.init.lam),
                "z": [[_q(v) for v in row] for row in problem.init.z],
                "s": list(problem.init.s),
            }
        else:
            canon_init = {"lambda": _q(problem.init.lam), "width": int(init["width"]), "seed": int(init["seed"])}
        digits = None if self.digits is None else _positive_int(self.digits, "digits")
        dps = None if self.dps is None else _positive_int(self.dps, "dps")
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
        object.__setattr__(self, "spec", _freeze({"data": canon_data, "init": canon_init}))
        object.__setattr__(self, "digits", digits)
        object.__setattr__(self, "dps", dps)
        object.__setattr__(self, "t_end", None if t_end is None else _q(t_end))
        object.__setattr__(self, "loss_below", None if loss_below is None else _q(loss_below))
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


# ---- grids ---------------------------------------------------------------------------------------
def _axis(grid: Mapping[str, Any], key: str, root: Path) -> list[tuple[Any, Any]] | None:
    """The values of one axis as (value, canonical identity) pairs, each validated."""
    if key not in grid:
        return None
    values = grid[key]
    fld = f"grid.{key}"
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise ProblemError(
            fld,
            f"must be a list of values, got {type(values).__name__} (write {key} = [{values!r}] for a single value)",
        )
    if not values:
        raise ProblemError(fld, "is empty; give at least one value or leave the key out")
    out: list[tuple[Any, Any]] = []
    seen: dict[Any, int] = {}
    for i, v in enumerate(values):
        fi = f"{fld}[{i}]"
        if key == "lambda":
            q = _positive(v, fi, "the initialisation scale")
            item = (v, q)
        elif key == "seed":
            item = (_seed(v, fi), _seed(v, fi))
        elif key in ("width", "digits"):
            item = (_positive_int(v, fi), _positive_int(v, fi))
        else:  # dataset: a SPEC or data file, relative to the GRID file
            if not isinstance(v, str):
                raise ProblemError(fi, f"must be the path of a SPEC/data file, got {type(v).__name__}")
            path = (root / v) if not Path(v).is_absolute() else Path(v)
            if not path.is_file():
                raise ProblemError(fi, f"file {str(path)!r} does not exist")
            try:
                text = path.read_text(encoding="utf-8")
                table = parse_spec_text(text, "json" if path.suffix.lower() == ".json" else "toml")
            except (ProblemError, OSError, UnicodeDecodeError) as exc:
                raise ProblemError(fi, f"cannot read {str(path)!r}: {exc}") from None
            if not isinstance(table, dict) or not isinstance(table.get("data"), dict):
                raise ProblemError(fi, f"{str(path)!r} has no [data] table")
            try:
                ds = dataset_from_dict({"data": table["data"]})
            except ProblemError as exc:
                raise ProblemError(fi, f"in {str(path)!r}: {exc}") from None
            item = ((v, table["data"]), (ds.X, ds.y, ds.teacher))
        if item[1] in seen:
            raise ProblemError(fi, f"repeats {fld}[{seen[item[1]]}]; each value may appear once")
        seen[item[1]] = i
        out.append(item)
    return out


def parse_grid(mapping: Mapping[str, Any], *, root: str | Path = ".") -> tuple[RunSpec, ...]:
    """Expand a GRID mapping (``base``: a SPEC with optional ``solve``; ``grid``: lists for
    ``dataset``, ``lambda``, ``seed``, ``width``, ``digits``) into its runs: the Cartesian
    product in the order of :data:`AXES`, the last varying fastest.  ``dataset`` paths are
    relative to ``root`` (the GRID file's folder).  Bad input raises
    :class:`~reluflow.problem.ProblemError` naming the field (``grid.lambda[1]``,
    ``base.init.width``, ``base.solve.dps`` …).

    >>> runs = parse_grid({"base": {"data": {"X": [[1, 0], [0, 1]], "y": [1, -1]},
    ...                             "init": {"width": 2}, "solve": {"t_end": 3}},
    ...                    "grid": {"lambda": ["1e-10", "1e-20"], "seed": [0, 1, 2]}})
    >>> [(r.lam_text, r.seed) for r in runs][:4], len(runs)
    ([('1e-10', 0), ('1e-10', 1), ('1e-10', 2), ('1e-20', 0)], 6)
    >>> parse_grid({"base": {"data": {"X": [[1]], "y": [1]}, "init": {"width": 1, "seed": 0}},
    ...             "grid": {"lambda": ["1e-10", "-1"]}})
    Traceback (most recent call last):
    ...
    reluflow.problem.ProblemError: grid.lambda[1]: must be > 0 (the initialisation scale), got -1
    """
    if not isinstance(mapping, Mapping):
        raise ProblemError("grid", "must be a table with [base] and [grid]")
    unknown = sorted(set(mapping) - {"base", "grid"})
    if unknown:
        raise ProblemError(unknown[0], "unknown table; a GRID file has [base] (a SPEC) and [grid] (lists)")
    base = mapping.get("base")
    if not isinstance(base, Mapping):
        raise ProblemError("base", "missing [base] table: the SPEC every run starts from ([base.data], [base.init])")
    grid = mapping.get("grid", {})
    if not isinstance(grid, Mapping):
        raise ProblemError("grid", "must be a table of lists (lambda, seed, width, digits, dataset)")
    unknown = sorted(set(grid) - set(AXES))
    if unknown:
        raise ProblemError(f"grid.{unknown[0]}", f"unknown key; allowed keys: {', '.join(AXES)}")
    unknown = sorted(set(base) - {"data", "init", "solve"})
    if unknown:
        raise ProblemError(f"base.{unknown[0]}", "unknown table; [base] has data, init and optionally solve")
    root = Path(root)
    axes = {key: _axis(grid, key, root) for key in AXES}

    init = base.get("init")
    if init is None:
        init = {}
    if not isinstance(init, Mapping):
        raise ProblemError("base.init", "must be a table (lambda and either z, s or width, seed)")
    init = dict(init)
    if base.get("data") is None and axes["dataset"] is None:
        raise ProblemError("base.data", "missing [base.data] table (or list data files in grid.dataset)")
    if base.get("data") is not None and axes["dataset"] is not None:
        raise ProblemError("grid.dataset", "the data come from [base.data] or from grid.dataset, not both")
    explicit = "z" in init or "s" in init
    for key in ("seed", "width"):
        if axes[key] is not None and explicit:
            raise ProblemError(
                f"grid.{key}",
                "the base [init] gives z and s explicitly; give width and seed instead to vary the initialisation",
            )
    if axes["lambda"] is None and "lambda" not in init:
        raise ProblemError("base.init.lambda", "is missing (give it, or list values in grid.lambda)")
    if not explicit:
        for key in ("width", "seed"):
            if axes[key] is None and key not in init:
                raise ProblemError(f"base.init.{key}", f"is missing (give it, or list values in grid.{key})")
    solve = _solve_table(base.get("solve"), "base.solve")

    lists = [axes[k] if axes[k] is not None else [None] for k in AXES]
    runs: list[RunSpec] = []
    for combo in itertools.product(*lists):
        chosen = dict(zip(AXES, combo))
        spec_init = dict(init)
        for key in ("lambda", "seed", "width"):
            if chosen[key] is not None:
                spec_init[key] = chosen[key][0]
        data, label = base.get("data"), None
        if chosen["dataset"] is not None:
            label, data = chosen["dataset"][0]
        opts = {k: solve.get(k) for k in _SOLVE_KEYS}
        if chosen["digits"] is not None:
            opts["digits"] = chosen["digits"][0]
        try:
            runs.append(RunSpec({"data": data, "init": spec_init}, dataset=label, **opts))
        except ProblemError as exc:
            fld = exc.field
            if fld in ("digits", "dps") and chosen["digits"] is not None:  # this digits with the base dps
                raise ProblemError(f"grid.digits[{axes['digits'].index(chosen['digits'])}]", _message(exc)) from None
            if fld in _SOLVE_KEYS:
                raise _prefixed(exc, "base.solve.") from None
            if fld.startswith("data") and chosen["dataset"] is not None:
                i = axes["dataset"].index(chosen["dataset"])
                raise ProblemError(f"grid.dataset[{i}]", str(exc)) from None
            raise _prefixed(exc, "base.") from None
    return tuple(runs)


def expand(
    base: Mapping[str, Any], grid: Mapping[str, Iterable[Any]] | None = None, *, root: str | Path = "."
) -> tuple[RunSpec, ...]:
    """The runs of ``base`` (a SPEC mapping with optional ``solve``) over ``grid`` (lists
    keyed by :data:`AXES`); the same as the ``[base]`` and ``[grid]`` tables of a GRID file.

    >>> base = {"data": {"X": [[1]], "y": [1]}, "init": {"lambda": "1e-10", "width": 1, "seed": 0}}
    >>> [r.digits for r in expand(base, {"digits": [20, 30]})]
    [20, 30]
    """
    grid = {} if grid is None else {k: list(v) if isinstance(v, (list, tuple, range)) else v for k, v in grid.items()}
    return parse_grid({"base": base, "grid": grid}, root=root)


def load_grid(path: str | Path) -> tuple[RunSpec, ...]:
    """Read a GRID file (TOML, or ``.json`` with the same keys) and expand it
    (:func:`parse_grid`; ``dataset`` paths are relative to the file's folder).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "grid.toml"
    >>> _ = path.write_text('[base.data]\\nX = [[1, 0], [0, 1]]\\ny = [1, -0.5]\\n[base.init]\\nwidth = 2\\n'
    ...                     '[grid]\\nlambda = ["1e-10", "1e-30"]\\nseed = [0, 1]\\n')
    >>> [(r.lam_text, r.seed, r.width) for r in load_grid(path)]
    [('1e-10', 0, 2), ('1e-10', 1, 2), ('1e-30', 0, 2), ('1e-30', 1, 2)]
    """
    path = Path(path)
    if not path.is_file():
        raise ProblemError("grid", f"file {str(path)!r} does not exist")
    fmt = "json" if path.suffix.lower() == ".json" else "toml"
    try:
        mapping = parse_spec_text(path.read_text(encoding="utf-8"), fmt)
    except ProblemError as exc:
        raise ProblemError("grid", _message(exc)) from None
    return parse_grid(mapping, root=path.parent)
