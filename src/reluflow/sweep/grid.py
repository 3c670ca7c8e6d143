"""Grids of runs: ``[grid]`` lists over the axes of a sweep expanded into
:class:`~.spec.RunSpec` s, from a mapping or a GRID file.  The named axes (dataset, λ, seed,
width, digits) come first, in that order; any other SPEC key can be swept too, by its dotted
path (``"data.y"``, ``"init.z"``, ``"solve.t_end"`` …), after them in the order given (the last
varies fastest)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..problem import ProblemError, positive_int
from ..specfile import dataset_from_dict, parse_spec_text
from .spec import _SOLVE_KEYS, AXES, RunSpec, _message, _positive, _prefixed, _seed, _solve_table

__all__ = ["SWEEPABLE", "expand", "load_grid", "parse_grid"]

SWEEPABLE = {"data": ("X", "y", "teacher"), "init": ("lambda", "z", "s", "width", "seed"), "solve": _SOLVE_KEYS}
"""The SPEC keys a ``[grid]`` may list by dotted path (``"table.key"``), beside the named axes."""
_NAMED = {"init.lambda": "lambda", "init.seed": "seed", "init.width": "width", "solve.digits": "digits"}


def _dotted(key: str) -> tuple[str, str] | None:
    """``("table", "key")`` for a sweepable dotted grid key, else None."""
    table, _, name = key.partition(".")
    return (table, name) if name in SWEEPABLE.get(table, ()) else None


def _path_axis(grid: Mapping[str, Any], key: str) -> list[tuple[Any, Any]]:
    """A dotted axis: any values (the run's own checks validate them), none repeated."""
    values = grid[key]
    fld = f"grid.{key}"
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or not values:
        raise ProblemError(fld, f"must be a non-empty list of values for {key} (write {key} = [value] for one)")
    seen: dict[str, int] = {}
    for i, v in enumerate(values):
        ident = json.dumps(v, sort_keys=True, default=str)
        if ident in seen:
            raise ProblemError(f"{fld}[{i}]", f"repeats {fld}[{seen[ident]}]; each value may appear once")
        seen[ident] = i
    return [(v, None) for v in values]


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
            item = (positive_int(v, fi), positive_int(v, fi))
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


def _expand_product(axes: dict, paths: dict, base: Mapping, init: dict, solve: Mapping) -> tuple[RunSpec, ...]:
    """The runs of the Cartesian product of the named axes, in the order of AXES, then the
    dotted ``paths`` (last fastest); a run that does not validate names the grid entry or base
    field that made it."""
    lists = [axes[k] if axes[k] is not None else [None] for k in AXES] + list(paths.values())
    runs: list[RunSpec] = []
    for combo in itertools.product(*lists):
        chosen = dict(zip(AXES, combo[: len(AXES)]))
        picked = dict(zip(paths, combo[len(AXES) :]))
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
        data = dict(data) if isinstance(data, Mapping) else data
        for key, (value, _) in picked.items():
            table, name = key.split(".", 1)
            target = {"data": data, "init": spec_init, "solve": opts}[table]
            if isinstance(target, dict):
                target[name] = value
        try:
            runs.append(RunSpec({"data": data, "init": spec_init}, dataset=label, **opts))
        except ProblemError as exc:
            fld = exc.field
            for key in paths:  # the entry of a dotted axis whose value failed
                table, name = key.split(".", 1)
                if fld == key or fld.startswith((f"{key}[", f"{key}.")) or (table == "solve" and fld == name):
                    i = [v for v, _ in paths[key]].index(picked[key][0])
                    raise ProblemError(f"grid.{key}[{i}]", _message(exc)) from None
            if fld in ("digits", "dps") and chosen["digits"] is not None:  # this digits with the base dps
                raise ProblemError(f"grid.digits[{axes['digits'].index(chosen['digits'])}]", _message(exc)) from None
            if fld in _SOLVE_KEYS:
                raise _prefixed(exc, "base.solve.") from None
            if fld.startswith("data") and chosen["dataset"] is not None:
                i = axes["dataset"].index(chosen["dataset"])
                raise ProblemError(f"grid.dataset[{i}]", str(exc)) from None
            raise _prefixed(exc, "base.") from None
    return tuple(runs)


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
    unknown = sorted(k for k in grid if k not in AXES and _dotted(k) is None)
    if unknown:
        dotted = ", ".join(f"{t}.{k}" for t, keys in SWEEPABLE.items() for k in keys)
        raise ProblemError(
            f"grid.{unknown[0]}", f"unknown key; allowed keys: {', '.join(AXES)}, or a SPEC path: {dotted}"
        )
    for key, named in _NAMED.items():
        if key in grid:
            raise ProblemError(f"grid.{key}", f"is the named axis {named!r}: list the values under grid.{named}")
    unknown = sorted(set(base) - {"data", "init", "solve"})
    if unknown:
        raise ProblemError(f"base.{unknown[0]}", "unknown table; [base] has data, init and optionally solve")
    root = Path(root)
    axes = {key: _axis(grid, key, root) for key in AXES}
    paths = {key: _path_axis(grid, key) for key in grid if key not in AXES}

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
    explicit = any(k in init or f"init.{k}" in paths for k in ("z", "s"))
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

    return _expand_product(axes, paths, base, init, solve)


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
