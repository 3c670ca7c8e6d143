"""Sweeps: many exact solves over a grid, run in parallel, stored content-addressed, resumable.

* :class:`RunSpec` — one run (a SPEC plus solve options), validated and canonical;
  :func:`load_grid` / :func:`parse_grid` / :func:`expand` — a GRID (a ``[base]`` SPEC and a
  ``[grid]`` of lists over dataset, lambda, seed, width, digits) as its Cartesian product.
* :class:`Store` — a directory of results keyed by :func:`spec_hash` (SHA-256 of the canonical
  spec, the reluflow version and :data:`SCHEMA`); atomic writes, corrupt files detected.
* :func:`run` — solve what is not stored yet, over any :class:`concurrent.futures.Executor`
  (a "spawn" process pool by default, or a Dask client's executor); resumable after a kill.
* :func:`collect` — the stored runs as a pandas DataFrame.

>>> import tempfile
>>> from reluflow.sweep import expand, run, collect
>>> specs = expand({"data": {"X": [[1, 0], [0, 1]], "y": [1, "-0.5"]},
...                 "init": {"width": 2}, "solve": {"t_end": 4, "digits": 20}},
...                {"lambda": ["1e-10", "1e-20"], "seed": [0, 1]})
>>> res = run(specs, tempfile.mkdtemp(), workers=2, progress=False)
>>> res.ok, len(res.records), sorted({r.status for r in res.records})
(True, 4, ['t_end'])

The command line: ``reluflow sweep GRID.toml --store DIR [--workers N] [--scheduler ADDR]
[--summary-json OUT]`` (:mod:`reluflow.cli.sweep`).
"""

from .collect import COLUMNS, collect
from .grid import expand, load_grid, parse_grid
from .runner import SweepResult, run
from .spec import AXES, SCHEMA, RunSpec, num_text, spec_hash
from .store import VOLATILE_METADATA, CorruptRun, Record, Store, atomic_write

__all__ = [
    "AXES",
    "COLUMNS",
    "SCHEMA",
    "VOLATILE_METADATA",
    "CorruptRun",
    "Record",
    "RunSpec",
    "Store",
    "SweepResult",
    "atomic_write",
    "collect",
    "expand",
    "load_grid",
    "num_text",
    "parse_grid",
    "run",
    "spec_hash",
]
