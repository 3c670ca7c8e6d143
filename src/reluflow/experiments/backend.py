"""A tiny array shim so that the gradient-descent update is written once for NumPy (CPU)
and PyTorch (CUDA when available, else CPU): only the handful of operations the engine
needs, always in float64.  PyTorch is an optional extra (``pip install reluflow[gpu]``).

>>> xp = get_backend("numpy")
>>> xp.name, xp.device, xp.to_numpy(xp.relu(xp.asarray([-1.0, 2.0]))).tolist()
('numpy', 'cpu', [0.0, 2.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..problem import ProblemError

__all__ = ["BACKENDS", "Backend", "NumpyBackend", "TorchBackend", "get_backend", "torch_available"]

BACKENDS = ("numpy", "torch", "auto")


def torch_available() -> bool:
    """True when PyTorch can be imported."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


class Backend:
    """The operations the engine uses; subclasses bind them to one array library."""

    name: str = ""
    device: str = "cpu"

    def asarray(self, a: Any) -> Any:  # float64 array on the backend's device
        raise NotImplementedError

    def to_numpy(self, a: Any) -> np.ndarray:
        raise NotImplementedError

    def relu(self, a: Any) -> Any:
        raise NotImplementedError

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        raise NotImplementedError

    def sum(self, a: Any, axis: int) -> Any:
        raise NotImplementedError

    def mean(self, a: Any, axis: int) -> Any:
        raise NotImplementedError

    def all_rows(self, a: Any) -> Any:  # all() over every axis but the first
        raise NotImplementedError

    def transpose(self, a: Any) -> Any:  # swap the last two axes
        raise NotImplementedError

    def take(self, a: Any, index: np.ndarray) -> Any:  # rows of the first axis
        raise NotImplementedError

    def copy(self, a: Any) -> Any:
        raise NotImplementedError

    def full(self, shape: tuple[int, ...], value: Any, dtype: str = "float64") -> Any:
        raise NotImplementedError

    def synchronize(self) -> None:
        """Wait for queued device work (a no-op on the CPU)."""

    def __repr__(self) -> str:
        return f"<backend {self.name} on {self.device}>"


class NumpyBackend(Backend):
    name = "numpy"
    device = "cpu"

    def asarray(self, a):
        return np.array(a, dtype=np.float64)

    def to_numpy(self, a):
        return np.asarray(a)

    def relu(self, a):
        return np.maximum(a, 0.0)

    def where(self, cond, a, b):
        return np.where(cond, a, b)

    def sum(self, a, axis):
        return a.sum(axis=axis)

    def mean(self, a, axis):
        return a.mean(axis=axis)

    def all_rows(self, a):
        return a.reshape(a.shape[0], -1).all(axis=1)

    def transpose(self, a):
        return np.swapaxes(a, -1, -2)

    def take(self, a, index):
        return a[index]

    def copy(self, a):
        return a.copy()

    def full(self, shape, value, dtype="float64"):
        return np.full(shape, value, dtype={"float64": np.float64, "bool": bool, "int64": np.int64}[dtype])


class TorchBackend(Backend):
    name = "torch"

    def __init__(self, device: str | None = None):
        try:
            import torch
        except ImportError:
            raise ProblemError(
                "backend", "'torch' needs PyTorch; install it with `pip install reluflow[gpu]` (or use backend='numpy')"
            ) from None
        self.torch = torch
        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = str(device)
        self._dev = torch.device(self.device)

    def asarray(self, a):
        if isinstance(a, self.torch.Tensor):
            return a.to(device=self._dev, dtype=self.torch.float64)
        return self.torch.tensor(np.array(a, dtype=np.float64), device=self._dev)

    def to_numpy(self, a):
        if isinstance(a, self.torch.Tensor):
            return a.detach().cpu().numpy()
        return np.asarray(a)

    def relu(self, a):
        return self.torch.clamp(a, min=0.0)

    def where(self, cond, a, b):
        t = self.torch
        a = a if isinstance(a, t.Tensor) else t.as_tensor(a, device=self._dev)
        b = b if isinstance(b, t.Tensor) else t.as_tensor(b, device=self._dev)
        return t.where(cond, a, b)

    def sum(self, a, axis):
        return a.sum(dim=axis)

    def mean(self, a, axis):
        return a.mean(dim=axis)

    def all_rows(self, a):
        return a.reshape(a.shape[0], -1).all(dim=1)

    def transpose(self, a):
        return a.transpose(-1, -2)

    def take(self, a, index):
        return a[self.torch.as_tensor(np.asarray(index), device=self._dev, dtype=self.torch.long)]

    def copy(self, a):
        return a.clone()

    def full(self, shape, value, dtype="float64"):
        t = self.torch
        return t.full(
            shape, value, dtype={"float64": t.float64, "bool": t.bool, "int64": t.int64}[dtype], device=self._dev
        )

    def synchronize(self):
        if self.device.startswith("cuda"):
            self.torch.cuda.synchronize()


def get_backend(backend: str | Backend = "numpy", device: str | None = None) -> Backend:
    """``"numpy"``; ``"torch"`` (CUDA if available, else CPU; or the given ``device``);
    ``"auto"``: torch on CUDA when PyTorch and a GPU are present, else numpy."""
    if isinstance(backend, Backend):
        return backend
    if backend == "numpy":
        if device not in (None, "cpu"):
            raise ProblemError("device", f"the numpy backend runs on the CPU only, got {device!r}")
        return NumpyBackend()
    if backend == "torch":
        return TorchBackend(device)
    if backend == "auto":
        if torch_available():
            import torch

            if torch.cuda.is_available():
                return TorchBackend(device or "cuda")
        return NumpyBackend()
    raise ProblemError("backend", f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
