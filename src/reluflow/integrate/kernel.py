"""The big-integer kernel of the Taylor recurrence: compiled (GMP) or pure Python.

Two hot spots of :func:`reluflow.integrate.taylor.jets` are exact integer linear algebra:
the Cauchy products of each order (:class:`Products`) and the product with the fixed
Gram matrix (:func:`gram_times`).  The reference implementation uses NumPy object
arrays of big integers (a Python call per product); the compiled one
(``_kernel.c``, built by ``pip install .`` where a C compiler and GMP's headers exist)
keeps the series in GMP memory.  Integer arithmetic is exact and ``>>`` is a floor shift
in both, so both give the same integers: byte-identical trajectories
(``tests/test_kernel.py``).  The recurrence itself is written once, in Python.

``RELUFLOW_KERNEL=python`` forces the reference; :func:`use` switches within a process.

>>> name() in ("gmp", "python")
True
>>> with use("python"):
...     name()
'python'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np

try:
    from . import _kernel
except ImportError as exc:  # no compiler or no GMP headers at install time
    _kernel = None
    UNAVAILABLE = f"the compiled kernel was not built ({exc})"
else:
    UNAVAILABLE = ""

__all__ = ["NOTICE", "Products", "available", "gram_times", "name", "products", "use"]

NOTICE = ("reluflow: using the pure-Python engine ({why}); results are the same, runs are slower. "
          "Install a C compiler and GMP's headers (e.g. apt install libgmp-dev) and reinstall for the compiled kernel")

_choice = {"name": "python" if os.environ.get("RELUFLOW_KERNEL", "").lower() == "python" or _kernel is None else "gmp"}


def available() -> bool:
    """Whether the compiled kernel was built."""
    return _kernel is not None


def name() -> str:
    """The kernel in use: ``"gmp"`` (compiled) or ``"python"`` (the reference)."""
    return _choice["name"]


def notice() -> str | None:
    """The one-line notice to show when the pure-Python engine runs, or None."""
    if name() == "gmp":
        return None
    why = UNAVAILABLE or "RELUFLOW_KERNEL=python"
    return NOTICE.format(why=why)


@contextlib.contextmanager
def use(which: str) -> Iterator[None]:
    """Run the enclosed solves with kernel ``which`` (``"gmp"`` or ``"python"``)."""
    if which not in ("gmp", "python"):
        raise ValueError(f"kernel: expected 'gmp' or 'python', got {which!r}")
    if which == "gmp" and _kernel is None:
        raise RuntimeError(UNAVAILABLE)
    before = _choice["name"]
    _choice["name"] = which
    try:
        yield
    finally:
        _choice["name"] = before


class Products:
    """Two series ``left``, ``right`` (rows = orders, columns = terms; object arrays) and
    their Cauchy products acc_j = Σ_{i≤k} left[i, j]·right[k−i, j] (reference: ``einsum``)."""

    def __init__(self, rows: int, cols: int) -> None:
        self.left = np.zeros((rows, cols), dtype=object)
        self.right = np.zeros((rows, cols), dtype=object)

    def put(self, side: int, row: int, start: int, values: np.ndarray) -> None:
        """Set ``(left, right)[side][row, start : start + len(values)]``."""
        (self.right if side else self.left)[row, start : start + len(values)] = values

    def order(self, k: int) -> np.ndarray:
        return np.einsum("ij,ij->j", self.left[: k + 1], self.right[k::-1])


class _CompiledProducts(Products):
    """The same, with a GMP copy of the series whose products run in C."""

    def __init__(self, rows: int, cols: int) -> None:
        super().__init__(rows, cols)
        self._c = _kernel.Cauchy(rows, cols)

    def put(self, side: int, row: int, start: int, values: np.ndarray) -> None:
        super().put(side, row, start, values)
        self._c.put(side, row, start, values)

    def order(self, k: int) -> np.ndarray:
        out = np.empty(self.left.shape[1], dtype=object)
        out[:] = self._c.order(k)
        return out


def products(rows: int, cols: int) -> Products:
    """Cauchy products on the kernel in use."""
    return _CompiledProducts(rows, cols) if name() == "gmp" else Products(rows, cols)


def gram_of(fx):
    """The compiled copy of the Gram matrix of ``fx`` (a ``FixedPoint``), made once."""
    gram = fx.cache.get("kernel.gram")
    if gram is None:
        gram = fx.cache["kernel.gram"] = _kernel.Gram(fx.n, fx.F, fx.G.ravel().tolist())
    return gram


def gram_times(fx, M: np.ndarray) -> np.ndarray:
    """(M @ G) >> F for the fixed-point Gram matrix G of ``fx`` (a ``FixedPoint``)."""
    if name() != "gmp":
        return M.dot(fx.G) >> fx.F
    out = np.empty(M.shape, dtype=object)
    out.reshape(-1)[:] = gram_of(fx).times(M.ravel().tolist())
    return out


PACKING = True  # products from packed copies of the series (False: from GMP's own entries; for tests)


def recurrence(*args):
    """The compiled recurrence of one step (``_kernel.recurrence``; see ``taylor.jets``)."""
    return _kernel.recurrence(*args, PACKING)
