"""The big-integer kernel of the Taylor recurrence: compiled (GMP) or pure Python.

The Taylor recurrence of a step (:func:`reluflow.integrate.taylor.jets`) is exact integer
arithmetic.  The reference implementation runs it on NumPy object arrays of big integers
(a Python call per product); the compiled one (``_kernel.c``, built by ``pip install .``
where a C compiler and GMP's headers exist) runs the same statements on GMP integers and
keeps the step's jets in GMP memory (:func:`recurrence`, ``Series``), with the Gram
product of the drift check (:func:`gram_times`).  Integer arithmetic is exact and ``>>``
is a floor shift in both, so both give the same integers: byte-identical trajectories
(``tests/test_kernel.py``).

``RELUFLOW_KERNEL=python`` forces the reference; :func:`use` switches within a process.
On CPUs with AVX-512 IFMA the compiled recurrence sums eight pairs at a time
(:func:`simd`; ``RELUFLOW_SIMD=0`` or :func:`vectors` turns it off): the same integers.

>>> name() in ("gmp", "python")
True
>>> with use("python"):
...     name()
'python'
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator

import numpy as np

API = 8  # the interface version this module expects of ``_kernel`` (KERNEL_API in _kernel.c)

try:
    from . import _kernel
except ImportError as exc:
    _kernel = None
    if importlib.util.find_spec(f"{__package__}._kernel") is None:  # no compiler or no GMP headers at install time
        UNAVAILABLE = "the compiled kernel was not built when reluflow was installed"
    else:  # built, but it does not load (e.g. libgmp missing at run time)
        UNAVAILABLE = f"the compiled kernel does not load ({exc})"
else:
    UNAVAILABLE = ""
    if getattr(_kernel, "API", None) != API:  # a build left over from another version of this file
        _kernel = None
        UNAVAILABLE = "the compiled kernel is from another version of reluflow (reinstall: pip install .)"

__all__ = [
    "NOTICE",
    "available",
    "describe",
    "exits",
    "gram_of",
    "gram_times",
    "name",
    "notice",
    "projector",
    "recurrence",
    "simd",
    "use",
    "vectors",
]

NOTICE = (
    "reluflow: using the pure-Python engine ({why}); results are the same, runs are slower. "
    "Install a C compiler and GMP's headers (e.g. apt install libgmp-dev) and reinstall for the compiled kernel"
)

if _kernel is not None and os.environ.get("RELUFLOW_SIMD", "") == "0":
    _kernel.simd(False)

_choice = {"name": "python" if os.environ.get("RELUFLOW_KERNEL", "").lower() == "python" or _kernel is None else "gmp"}


def available() -> bool:
    """Whether the compiled kernel was built."""
    return _kernel is not None


def name() -> str:
    """The kernel in use: ``"gmp"`` (compiled) or ``"python"`` (the reference)."""
    return _choice["name"]


def simd() -> bool:
    """Whether the compiled recurrence sums eight pairs at a time (AVX-512 IFMA, on CPUs that
    have it; ``RELUFLOW_SIMD=0`` or :func:`vectors` turns it off).  The same integers either way."""
    return _kernel is not None and bool(_kernel.simd())


def describe() -> str:
    """The kernel as the run metadata names it: ``gmp``, ``gmp+ifma`` or ``python``."""
    return name() + ("+ifma" if name() == "gmp" and simd() else "")


@contextlib.contextmanager
def vectors(on: bool) -> Iterator[None]:
    """Run the enclosed solves with the compiled kernel's vector sums on (where the CPU has
    them) or off: the tests run both ways and compare the bytes."""
    before = simd()
    if _kernel is not None:
        _kernel.simd(on)
    try:
        yield
    finally:
        if _kernel is not None:
            _kernel.simd(before)


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


def projector(n: int, S, basis, ginv: list[int], gb: list[int]):
    """The compiled copy of one sliding set's projector (``_kernel.Projector``): S, its basis
    B, G_BB⁻¹ (|B|², row-major) and G_B· (|B|·n) as F-bit fixed-point ints."""
    return _kernel.Projector(n, list(S), list(basis), ginv, gb)


PACKING = True  # products from packed copies of the series (False: from GMP's own entries; for tests)


def recurrence(*args, start=None):
    """The compiled recurrence of one step (``_kernel.recurrence``; see ``taylor.jets``),
    continued from the prefix jets ``start`` (a ``Series``) when given."""
    return _kernel.recurrence(*args, PACKING, start)


def exits(*args):
    """The sliding groups' exit quantities on a step's compiled jets (``_kernel.exits``;
    see ``sliding.exit_jets``): the same integers as the object-array path."""
    return _kernel.exits(*args)
