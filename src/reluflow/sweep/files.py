"""The files of a run store, written and read safely: atomic writes (a reader sees the old
file or the whole new one, even if the writer is killed) and trajectory files read back
gunzipped within the size their record states.

Written by hand: it is the few lines of ``tempfile`` + ``os.replace`` + fsync that atomic
replacement needs (no dependency does exactly this on every platform), and ``zlib`` with an
output bound, which ``gzip.decompress`` lacks."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zlib
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "trajectory_names", "unpack"]


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


def trajectory_names(h: str) -> tuple[str, str]:
    """The trajectory file names a record of run ``h`` may give: compressed, or plain (older stores)."""
    return f"{h}.traj.json.gz", f"{h}.traj.json"


def unpack(path: Path, size: Any) -> bytes:
    """A trajectory file's JSON bytes: gunzipped when it is ``.gz``, never more than ``size``
    (the record's) plus one byte, so that a damaged or hostile file cannot inflate without bound."""
    data = path.read_bytes()
    if path.suffix != ".gz":
        return data
    limit = size + 1 if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else 1  # 0 = unbounded
    inflate = zlib.decompressobj(wbits=31)  # gzip framing
    out = inflate.decompress(data, limit)
    if not inflate.eof and len(out) <= limit - 1:
        raise EOFError("the compressed stream ends early")
    return out
