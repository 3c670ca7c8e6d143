"""A content-addressed store of solved runs, safe against crashes and concurrent writers.

Layout of a store directory ``DIR`` (``H`` is a run's key, :func:`~reluflow.sweep.spec_hash`)::

    DIR/runs/H.traj.json   the trajectory: Trajectory.to_json(dense=True), lossless, with the
                           volatile metadata (wall time, platform) removed
    DIR/runs/H.json        the record: schema, key, reluflow version, canonical spec, a summary
                           (status, final loss, t_end, events, steps, dps, digits), the SHA-256
                           and size of the trajectory file, and a checksum of the record itself
    DIR/meta/H.json        non-keyed metadata of the computation: wall time, host, pid,
                           platform, start/finish times (UTC) — never compared, never trusted

``runs/`` is a pure function of the spec (the same bytes whichever worker, host or number of
workers computed it); ``meta/`` is not.  Every file is written atomically (a temporary file in
the same directory, fsync, :func:`os.replace`, fsync of the directory); the record is written
last, so a run is present exactly when its record is.  A record that does not parse, whose
checksum, key, spec or trajectory hash does not match, is *corrupt*: :meth:`Store.get`
returns ``None`` for it and :func:`~reluflow.sweep.run` recomputes it.

>>> import tempfile
>>> from reluflow.sweep import RunSpec
>>> spec = RunSpec({"data": {"X": [[1]], "y": [1]}, "init": {"lambda": "1e-10", "z": [[1]], "s": [1]}},
...                t_end=5, digits=20)
>>> store = Store(tempfile.mkdtemp())
>>> store.get(spec) is None
True
>>> rec = store.put(spec, spec.solve())
>>> rec.status, rec.ok, store.check(spec), store.load(spec).status.value
('t_end', True, 'valid', 't_end')
>>> _ = store.record_path(spec).write_text("{ truncated")
>>> store.check(spec), store.get(spec) is None
('corrupt', True)
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..problem import ProblemError
from .spec import SCHEMA, RunSpec, _canonical_json

__all__ = ["VOLATILE_METADATA", "Record", "Store", "atomic_write"]

VOLATILE_METADATA = ("wall_time_s", "platform")
"""Keys of ``Trajectory.metadata`` that differ between identical runs; they go to ``meta/``."""

_HASH = re.compile(r"[0-9a-f]{64}")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover  (platforms without directory fds)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the whole new one,
    never a part, even if the writer is killed (temporary file in the same directory,
    flush, fsync, :func:`os.replace`, fsync of the directory).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.json"
    >>> atomic_write(p, b"[1]"); p.read_bytes(), sorted(q.name for q in p.parent.iterdir())
    (b'[1]', ['x.json'])
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checksum(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "checksum"}
    return _sha256(_canonical_json(body).encode("utf-8"))


@dataclass(frozen=True)
class Record:
    """The stored summary of one run (the trajectory itself: :meth:`Store.load`).

    ``final_loss`` and ``t_end`` are full-precision decimal strings, as in the trajectory's
    JSON; ``digits`` and ``dps`` are those the solve used (the budget's, when the spec left
    them open)."""

    spec_hash: str
    spec: RunSpec
    status: str
    ok: bool
    message: str
    final_loss: str
    t_end: str
    events: int
    steps: int
    dps: int
    digits: int
    order: int

    @property
    def lam_text(self) -> str:
        return self.spec.lam_text

    def row(self) -> dict[str, Any]:
        """A flat JSON-able summary: spec_hash, lambda, seed, width, digits, dps, status, ok,
        final_loss (decimal string), t_end, events, steps, message."""
        return {
            "spec_hash": self.spec_hash, "dataset": self.spec.dataset, "data_hash": self.spec.data_hash,
            "lambda": self.spec.lam_text, "seed": self.spec.seed, "width": self.spec.width, "digits": self.digits,
            "dps": self.dps, "status": self.status, "ok": self.ok, "final_loss": self.final_loss,
            "t_end": self.t_end, "events": self.events, "steps": self.steps, "message": self.message,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON form passed from workers (the record file's ``spec`` and ``summary``)."""
        return {"spec_hash": self.spec_hash, "spec": self.spec.canonical(), "dataset": self.spec.dataset,
                "summary": {k: getattr(self, k) for k in _SUMMARY}}

    @classmethod
    def of(cls, spec: RunSpec, summary: Mapping[str, Any]) -> Record:
        """The record of ``spec`` from a stored ``summary`` mapping."""
        return cls(spec_hash=spec.spec_hash, spec=spec, **{k: summary[k] for k in _SUMMARY})

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Record:
        spec = RunSpec.from_dict(d["spec"], dataset=d.get("dataset"))
        return cls(spec_hash=d["spec_hash"], spec=spec, **{k: d["summary"][k] for k in _SUMMARY})


_SUMMARY = ("status", "ok", "message", "final_loss", "t_end", "events", "steps", "dps", "digits", "order")

Check = Literal["valid", "missing", "corrupt"]


class Store:
    """A directory of solved runs keyed by :func:`~reluflow.sweep.spec_hash` (layout and
    guarantees: the module docstring).  Safe for several processes, or hosts sharing the
    directory, to write at once: writes are atomic and identical runs give identical bytes."""

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser().resolve()
        try:
            (self.root / "runs").mkdir(parents=True, exist_ok=True)
            (self.root / "meta").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProblemError("store", f"cannot create the store directory {str(self.root)!r}: {exc}") from None

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # ---- paths -------------------------------------------------------------------------------
    @staticmethod
    def key(spec: RunSpec | str) -> str:
        """The key of a spec (or a key, checked)."""
        if isinstance(spec, RunSpec):
            return spec.spec_hash
        if isinstance(spec, str) and _HASH.fullmatch(spec):
            return spec
        raise ProblemError("spec", f"expected a RunSpec or a 64-digit hex key, got {spec!r}")

    def record_path(self, spec: RunSpec | str) -> Path:
        return self.root / "runs" / f"{self.key(spec)}.json"

    def trajectory_path(self, spec: RunSpec | str) -> Path:
        return self.root / "runs" / f"{self.key(spec)}.traj.json"

    def meta_path(self, spec: RunSpec | str) -> Path:
        return self.root / "meta" / f"{self.key(spec)}.json"

    # ---- writing -----------------------------------------------------------------------------
    def put(self, spec: RunSpec, trajectory, meta: Mapping[str, Any] | None = None) -> Record:
        """Store the solved ``trajectory`` of ``spec`` (trajectory file, then record, then
        metadata; each atomically) and return its record.  ``meta`` (JSON-able) is merged into
        the non-keyed metadata file with the trajectory's wall time and platform."""
        h = self.key(spec)
        d = trajectory.to_dict(dense=True)
        volatile = {k: d["metadata"].pop(k) for k in VOLATILE_METADATA if k in d["metadata"]}
        traj = json.dumps(d).encode("utf-8")  # exactly Trajectory.to_json(dense=True), less the volatile keys
        summary = {
            "status": d["status"], "ok": bool(trajectory.status.ok), "message": d["message"], "final_loss": d["loss"],
            "t_end": d["t_end"], "events": len(d["events"]), "steps": d["steps"], "dps": d["dps"],
            "digits": d["digits"], "order": d["order"],
        }
        from .. import __version__

        record: dict[str, Any] = {
            "schema": SCHEMA, "spec_hash": h, "reluflow": __version__, "spec": spec.canonical(), "summary": summary,
            "trajectory": {"file": self.trajectory_path(h).name, "sha256": _sha256(traj), "bytes": len(traj)},
        }
        record["checksum"] = _checksum(record)
        atomic_write(self.trajectory_path(h), traj)
        atomic_write(self.record_path(h), (json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False)
                                           + "\n").encode("utf-8"))
        info = {"spec_hash": h, "solve": volatile, **dict(meta or {})}
        atomic_write(self.meta_path(h), (json.dumps(info, sort_keys=True, indent=1, default=str) + "\n").encode())
        return Record(spec_hash=h, spec=spec, **summary)

    def discard(self, spec: RunSpec | str) -> None:
        """Remove a run (record first, so it is never half present)."""
        for path in (self.record_path(spec), self.trajectory_path(spec), self.meta_path(spec)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def clean_tmp(self, older_than_s: float = 3600.0) -> int:
        """Delete temporary files left by killed writers, older than ``older_than_s``; returns
        how many.  (A younger one may belong to a writer still at work.)"""
        count, now = 0, time.time()
        for sub in ("runs", "meta"):
            for path in (self.root / sub).glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    if now - path.stat().st_mtime > older_than_s:
                        path.unlink()
                        count += 1
        return count

    # ---- reading -----------------------------------------------------------------------------
    def _read(self, h: str, *, want_trajectory: bool = False) -> tuple[Check, Record | None, bytes | None]:
        path = self.record_path(h)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return "missing", None, None
        except OSError:
            return "corrupt", None, None
        try:
            d = json.loads(raw.decode("utf-8"))
            if not isinstance(d, dict) or d.get("schema") != SCHEMA or d.get("spec_hash") != h:
                return "corrupt", None, None
            if d.get("checksum") != _checksum(d):
                return "corrupt", None, None
            traj = self.trajectory_path(h).read_bytes()
            if len(traj) != d["trajectory"]["bytes"] or _sha256(traj) != d["trajectory"]["sha256"]:
                return "corrupt", None, None
            rec = Record.from_dict(d)
        except (OSError, ValueError, KeyError, TypeError, ProblemError):
            return "corrupt", None, None
        if rec.spec.spec_hash != h:  # stored under another version's key, or tampered
            return "corrupt", None, None
        return "valid", rec, (traj if want_trajectory else None)

    def lookup(self, spec: RunSpec | str) -> tuple[Check, Record | None]:
        """``(check, record)`` in one read: the record when valid, else ``None``."""
        state, rec, _ = self._read(self.key(spec))
        if rec is not None and isinstance(spec, RunSpec) and spec.dataset is not None:
            rec = dataclasses.replace(rec, spec=rec.spec.labelled(spec.dataset))
        return state, rec

    def check(self, spec: RunSpec | str) -> Check:
        """``"valid"``, ``"missing"`` or ``"corrupt"`` (present but unreadable or inconsistent)."""
        return self._read(self.key(spec))[0]

    def get(self, spec: RunSpec | str) -> Record | None:
        """The record of a run, or ``None`` when it is missing or corrupt (never a bad one)."""
        return self.lookup(spec)[1]

    def __contains__(self, spec: RunSpec | str) -> bool:
        return self.check(spec) == "valid"

    def load(self, spec: RunSpec | str):
        """The stored :class:`~reluflow.Trajectory` (dense output and all), parsed from the very
        bytes whose hash was checked; ``KeyError`` when the run is missing or corrupt."""
        from ..integrate import Trajectory

        h = self.key(spec)
        _, rec, traj = self._read(h, want_trajectory=True)
        if rec is None:
            raise KeyError(f"run {h} is not in {self!r} (or is corrupt)")
        return Trajectory.from_json(traj.decode("utf-8"))

    def meta(self, spec: RunSpec | str) -> dict[str, Any] | None:
        """The non-keyed metadata of a run (wall time, host …), or ``None``."""
        try:
            return json.loads(self.meta_path(spec).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def keys(self) -> Iterator[str]:
        """The keys that have a record file (valid or not), sorted."""
        names = sorted(p.name[:-5] for p in (self.root / "runs").glob("*.json") if not p.name.endswith(".traj.json"))
        return iter(n for n in names if _HASH.fullmatch(n))

    def __iter__(self) -> Iterator[str]:
        return self.keys()

    def records(self) -> list[Record]:
        """Every valid record, by key."""
        return [r for r in (self.get(h) for h in self.keys()) if r is not None]

    def __len__(self) -> int:
        return len(self.records())

