"""A content-addressed store of solved runs, safe against crashes and concurrent writers.

Layout of a store directory ``DIR`` (``H`` is a run's key, :func:`~reluflow.sweep.spec_hash`)::

    DIR/runs/H.traj.json.gz  the trajectory: Trajectory.to_json(dense=True), lossless, with the
                           volatile metadata (wall time, platform) removed, gzip-compressed
                           (about 3× smaller; stores written before 0.2 hold H.traj.json, read
                           the same way)
    DIR/runs/H.json        the record: schema, key, reluflow version, canonical spec, a summary
                           (status, final loss, t_end, events, steps, dps, digits), the name
                           of the trajectory file and the SHA-256 and size of its JSON, and a
                           checksum of the record itself
    DIR/meta/H.json        non-keyed metadata of the computation: wall time, host, pid,
                           platform, start/finish times (UTC) — never compared, never trusted

``runs/`` is a pure function of the spec (the same bytes whichever worker, host or number of
workers computed it); ``meta/`` is not.  Every file is written atomically (a temporary file in
the same directory, fsync, :func:`os.replace`, fsync of the directory); the record is written
last, so a run is present exactly when its record is.  A record that does not parse, whose
checksum, key, spec or trajectory hash does not match, whose trajectory does not pass
:meth:`~reluflow.Trajectory.from_json`'s checks, or whose summary (status, final loss, t_end,
events …) or spec disagrees with that trajectory (an edited record with its checksum
recomputed), is *corrupt*: :meth:`Store.get` returns ``None`` for it, :meth:`Store.load`
raises :class:`CorruptRun` naming the file and the field, :meth:`Store.inspect` says why,
and :func:`~reluflow.sweep.run` recomputes it.

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
>>> store.check(spec), store.get(spec) is None, store.inspect(spec)[2].startswith(f"runs/{spec.spec_hash}.json")
('corrupt', True, True)
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import json
import re
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .._version import __version__
from ..integrate import Trajectory
from ..problem import ProblemError
from .files import atomic_write, trajectory_names, unpack
from .spec import SCHEMA, RunSpec, _canonical_json

__all__ = ["VOLATILE_METADATA", "CorruptRun", "Record", "Store", "atomic_write", "summary_of"]

VOLATILE_METADATA = ("wall_time_s", "platform", "kernel")
"""Keys of ``Trajectory.metadata`` that differ between identical runs (the kernel too: the
compiled and the pure-Python engine give the same trajectory); they go to ``meta/``."""

_HASH = re.compile(r"[0-9a-f]{64}")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checksum(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "checksum"}
    return _sha256(_canonical_json(body).encode("utf-8"))


class CorruptRun(ProblemError, KeyError):
    """A stored run that is present but cannot be trusted; ``field`` names the file and what in
    it is wrong (e.g. ``runs/H.json summary.final_loss``).  A ``KeyError`` too, as for a run
    that is missing."""

    def __str__(self) -> str:  # the message, not KeyError's repr of it
        return ValueError.__str__(self)


def summary_of(trajectory) -> dict[str, Any]:
    """The summary a record keeps of a trajectory (the keys of :data:`_SUMMARY`): what a
    record claims and what its stored trajectory gives are compared through this."""
    from ..precision import to_str

    return {
        "status": trajectory.status.value,
        "ok": bool(trajectory.status.ok),
        "message": trajectory.message,
        "final_loss": to_str(trajectory.final_loss),
        "t_end": to_str(trajectory.t_end),
        "events": len(trajectory.events),
        "steps": len(trajectory.segments),
        "dps": trajectory.dps,
        "digits": trajectory.digits,
        "order": trajectory.order,
    }


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
            "spec_hash": self.spec_hash,
            "dataset": self.spec.dataset,
            "data_hash": self.spec.data_hash,
            "lambda": self.spec.lam_text,
            "seed": self.spec.seed,
            "width": self.spec.width,
            "digits": self.digits,
            "dps": self.dps,
            "status": self.status,
            "ok": self.ok,
            "final_loss": self.final_loss,
            "t_end": self.t_end,
            "events": self.events,
            "steps": self.steps,
            "message": self.message,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON form passed from workers (the record file's ``spec`` and ``summary``)."""
        return {
            "spec_hash": self.spec_hash,
            "spec": self.spec.canonical(),
            "dataset": self.spec.dataset,
            "summary": {k: getattr(self, k) for k in _SUMMARY},
        }

    @classmethod
    def of(cls, spec: RunSpec, summary: Mapping[str, Any]) -> Record:
        """The record of ``spec`` from a stored ``summary`` mapping."""
        return cls(spec_hash=spec.spec_hash, spec=spec, **{k: summary[k] for k in _SUMMARY})

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Record:
        spec = RunSpec.from_dict(d["spec"], dataset=d.get("dataset"))
        return cls(spec_hash=d["spec_hash"], spec=spec, **{k: d["summary"][k] for k in _SUMMARY})


_SUMMARY = ("status", "ok", "message", "final_loss", "t_end", "events", "steps", "dps", "digits", "order")


def _short(v: Any) -> str:
    """A bounded description of a record value for a message (never huge, never raises)."""
    if isinstance(v, list):
        return f"an array of {len(v)} items"
    if isinstance(v, dict):
        return f"an object with {len(v)} keys"
    text = repr(v) if not isinstance(v, int) or abs(v) < 10**40 else f"an integer of {v.bit_length()} bits"
    return text if len(text) <= 60 else text[:57] + "…"


Check = Literal["valid", "missing", "corrupt"]


@dataclass(frozen=True)
class _Found:
    """One read of a run: its check, the record (valid only), the parsed trajectory (when read),
    and for a corrupt run the file and field at fault and why."""

    check: Check
    record: Record | None = None
    trajectory: Any = None
    field: str | None = None
    why: str | None = None

    @property
    def reason(self) -> str | None:
        return None if self.field is None else f"{self.field}: {self.why}"


def _mismatch(rec_name: str, traj_name: str, d: dict, summary: dict, rec: Record, tr) -> _Found | None:
    """A record whose summary, problem, precision or version disagree with the trajectory it
    points to is corrupt (edited, swapped or from another version); None when they agree."""
    bad = lambda field, why: _Found("corrupt", field=field, why=why)
    stored = summary_of(tr)
    for key in _SUMMARY:
        mine, theirs = summary[key], stored[key]
        if type(mine) is not type(theirs) or mine != theirs:
            return bad(
                f"{rec_name} summary.{key}",
                f"is {_short(mine)} but the stored trajectory gives "
                f"{_short(theirs)}: the record was edited after its run; "
                "discard it (a sweep recomputes it)",
            )
    if tr.problem != rec.spec.problem:
        return bad(
            f"{rec_name} spec",
            f"is not the problem {traj_name} solved: the record or the trajectory was swapped or edited; discard it",
        )
    for key in ("digits", "dps"):
        asked = getattr(rec.spec, key)
        if asked is not None and asked != getattr(tr, key):
            return bad(
                f"{rec_name} spec.{key}",
                f"asks for {asked} but the stored trajectory ran with {getattr(tr, key)}; discard it",
            )
    version = tr.metadata.get("reluflow")
    if version is not None and version != d.get("reluflow"):
        return bad(
            f"{rec_name} reluflow",
            f"is {_short(d.get('reluflow'))} but the trajectory was written by reluflow {_short(version)}; discard it",
        )
    return None


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
        self._verified: dict[str, tuple[str, str, Record]] = {}  # key → (record sha, trajectory sha, record)

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
        """Where :meth:`put` writes the trajectory (gzip-compressed JSON)."""
        return self.root / "runs" / f"{self.key(spec)}.traj.json.gz"

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
        summary = summary_of(trajectory)
        record: dict[str, Any] = {
            "schema": SCHEMA,
            "spec_hash": h,
            "reluflow": __version__,
            "spec": spec.canonical(),
            "summary": summary,
            "trajectory": {"file": self.trajectory_path(h).name, "sha256": _sha256(traj), "bytes": len(traj)},
        }
        record["checksum"] = _checksum(record)
        atomic_write(self.trajectory_path(h), gzip.compress(traj, compresslevel=6, mtime=0))  # no timestamp: same bytes
        atomic_write(
            self.record_path(h),
            (json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8"),
        )
        info = {"spec_hash": h, "solve": volatile, **dict(meta or {})}
        atomic_write(self.meta_path(h), (json.dumps(info, sort_keys=True, indent=1, default=str) + "\n").encode())
        return Record(spec_hash=h, spec=spec, **summary)

    def discard(self, spec: RunSpec | str) -> None:
        """Remove a run (record first, so it is never half present)."""
        h = self.key(spec)
        for path in (
            self.record_path(h),
            *(self.root / "runs" / name for name in trajectory_names(h)),
            self.meta_path(h),
        ):
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
    def _read(self, h: str, *, want_trajectory: bool = False) -> _Found:
        """Read and verify run ``h``: the record's checksum, key and spec, the trajectory's size
        and hash, the trajectory itself (:meth:`Trajectory.from_json`, every check), and the
        record's summary and spec against it.  A verified run is remembered by the hashes of its
        two files, so reading it again costs two hashes."""
        rec_name, traj_name = f"runs/{h}.json", f"runs/{h}.traj.json.gz"
        path = self.record_path(h)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return _Found("missing")
        except OSError as exc:
            return _Found("corrupt", field=rec_name, why=f"cannot be read ({exc})")
        bad = lambda field, why: _Found("corrupt", field=field, why=why)
        try:
            d = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            return bad(rec_name, f"is not a JSON record ({str(exc)[:120]}); discard it (a sweep recomputes it)")
        if not isinstance(d, dict) or d.get("schema") != SCHEMA or d.get("spec_hash") != h:
            return bad(rec_name, f"is not a record of this store (schema {SCHEMA!r}, key {h})")
        try:
            if d.get("checksum") != _checksum(d):
                return bad(f"{rec_name} checksum", "does not match the record: it was edited or damaged")
        except (TypeError, ValueError, RecursionError) as exc:
            return bad(rec_name, f"cannot be checksummed ({str(exc)[:120]})")
        info = d.get("trajectory")
        if not isinstance(info, dict) or info.get("file") not in trajectory_names(h):
            return bad(f"{rec_name} trajectory", f"names no trajectory file of run {h}")
        traj_name = f"runs/{info['file']}"
        try:
            traj = unpack(self.root / traj_name, info.get("bytes"))
        except OSError as exc:
            return bad(traj_name, f"cannot be read ({exc.strerror or exc}); the run is incomplete")
        except (EOFError, zlib.error, ValueError) as exc:
            return bad(traj_name, f"is not a whole gzip file ({str(exc)[:120]}); discard the run")
        if len(traj) != info.get("bytes") or _sha256(traj) != info.get("sha256"):
            return bad(f"{rec_name} trajectory", f"the size or SHA-256 of {traj_name} does not match the record")
        try:
            if not isinstance(d.get("dataset"), (str, type(None))):
                raise ProblemError("dataset", "expected a label (a string) or null")
            summary = d["summary"]
            if not isinstance(summary, dict) or set(summary) != set(_SUMMARY):
                raise ProblemError("summary", f"expected an object with exactly the keys {', '.join(_SUMMARY)}")
            rec = Record.from_dict(d)
        except KeyError as exc:
            return bad(f"{rec_name} {_short(exc.args[0]) if exc.args else 'entry'}", "is missing; discard the run")
        except (TypeError, ValueError) as exc:
            field = f"{rec_name} {exc.field}" if isinstance(exc, ProblemError) else rec_name
            why = str(exc).removeprefix(f"{exc.field}: ") if isinstance(exc, ProblemError) else str(exc)
            return bad(field, f"is not a valid record entry ({why[:160]}); discard the run")
        if rec.spec.spec_hash != h:  # stored under another version's key, or tampered
            return bad(f"{rec_name} spec", "does not hash to the record's key (another reluflow version, or edited)")
        seal = (_sha256(raw), info["sha256"])
        known = self._verified.get(h)
        if known is not None and known[:2] == seal and not want_trajectory:
            return _Found("valid", known[2])
        try:
            tr = Trajectory.from_json(traj)
        except ProblemError as exc:
            return bad(f"{traj_name} {exc.field}", str(exc).removeprefix(f"{exc.field}: "))
        mismatch = _mismatch(rec_name, traj_name, d, summary, rec, tr)
        if mismatch is not None:
            return mismatch
        self._verified[h] = (*seal, rec)
        return _Found("valid", rec, tr if want_trajectory else None)

    def inspect(self, spec: RunSpec | str) -> tuple[Check, Record | None, str | None]:
        """``(check, record, reason)``: the record when valid; for a corrupt run the file and
        field at fault and why, e.g. ``runs/H.json summary.final_loss: is '0.0' but the stored
        trajectory gives '0.4999…'``."""
        found = self._read(self.key(spec))
        return found.check, self._labelled(found.record, spec), found.reason

    def _labelled(self, rec: Record | None, spec: RunSpec | str) -> Record | None:
        if rec is not None and isinstance(spec, RunSpec) and spec.dataset is not None:
            rec = dataclasses.replace(rec, spec=rec.spec.labelled(spec.dataset))
        return rec

    def lookup(self, spec: RunSpec | str) -> tuple[Check, Record | None]:
        """``(check, record)`` in one read: the record when valid, else ``None``."""
        state, rec, _ = self.inspect(spec)
        return state, rec

    def check(self, spec: RunSpec | str) -> Check:
        """``"valid"``, ``"missing"`` or ``"corrupt"`` (present but unreadable or inconsistent)."""
        return self._read(self.key(spec)).check

    def get(self, spec: RunSpec | str) -> Record | None:
        """The record of a run, or ``None`` when it is missing or corrupt (never a bad one)."""
        return self.lookup(spec)[1]

    def __contains__(self, spec: RunSpec | str) -> bool:
        return self.check(spec) == "valid"

    def load(self, spec: RunSpec | str):
        """The stored :class:`~reluflow.Trajectory` (dense output and all), parsed from the very
        bytes whose hash was checked.  ``KeyError`` when the run is missing; :class:`CorruptRun`
        (a ``KeyError`` and a :class:`~reluflow.ProblemError`) naming the file and field when it is
        corrupt."""
        h = self.key(spec)
        found = self._read(h, want_trajectory=True)
        if found.check == "missing":
            raise KeyError(f"run {h} is not in {self!r}")
        if found.check == "corrupt":
            raise CorruptRun(found.field, f"{found.why} (store {self.root})")
        return found.trajectory

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
