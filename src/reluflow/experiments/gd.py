"""Vectorised float64 full-batch gradient descent, the training of the paper's experiments
(spec ``single_neuron.md`` §6.1, pitfall 6).

The loss minimised is the MSE-mean (1/n) Σ_i (h(x_i) − y_i)² = 2L with learning rate 0.01,
i.e. step 0.02 on L, so iteration k is flow time 0.02·k.  σ'(0) = 0.  One call trains a
*batch* of B networks at once, arrays of shape (B, m, d): typically the λ sweep of one
trial (one dataset, one unscaled initialisation z, s, several scales λ), but every member
may also have its own data and directions.  Each member stops on its own

- ``"loss"``: when 2L < ``loss_threshold`` (1e-9) at the current parameters;
- ``"cap"``: after ``max_iter`` updates (2·10⁷ in the paper);
- ``"stall"``: when its hidden weights are bit-identical at two logging points;
- ``"nonfinite"``: when 2L overflows or becomes NaN (the step is too large for the data:
  GD diverges; not in the paper's script, which would run on to the cap with NaN);

and a stopped member is frozen (its update is multiplied by 0, exactly) until the next
host synchronisation, where it is dropped from the batch.  The update is written once
against the array shim of :mod:`.backend`: NumPy on the CPU, PyTorch on CUDA (or CPU).

>>> import numpy as np
>>> X = np.array([[1.0, 0.2], [0.3, 1.0]]); y = np.maximum(X @ [0.8, 0.6], 0)
>>> res = run_gd(X, y, [0.5, 0.25], [[0.3, 0.1], [0.2, -0.4]], [1.0, -1.0], GDConfig(max_iter=50_000))
>>> res.stop.tolist(), bool(np.all(res.loss < 1e-9))
(['loss', 'loss'], True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..problem import positive_int
from .backend import BACKENDS, Backend, get_backend

__all__ = ["STOP_REASONS", "GDConfig", "GDResult", "Snapshots", "init_params", "log_iterations", "run_gd"]

STOP_REASONS = ("loss", "cap", "stall", "nonfinite")

INF = float("inf")
Observer = Callable[[int, np.ndarray, np.ndarray, np.ndarray], None]


@dataclass(frozen=True)
class GDConfig:
    """Options of :func:`run_gd`; the defaults are the paper's protocol.

    ``lr`` is on the MSE-mean (= 2L); ``loss_threshold`` is on 2L; ``n_log`` geometrically
    spaced logging iterations (plus 0); ``check_every`` iterations between host
    synchronisations (where stopped members leave the batch); ``backend`` "numpy" |
    "torch" | "auto" and an optional torch ``device``.

    >>> GDConfig(max_iter=0)
    Traceback (most recent call last):
    ...
    reluflow.problem.ProblemError: max_iter: must be a positive integer, got 0
    """

    lr: float = 0.01
    max_iter: int = 20_000_000
    loss_threshold: float = 1e-9
    n_log: int = 1000
    check_every: int = 1000
    backend: str = "numpy"
    device: str | None = None

    def __post_init__(self) -> None:
        positive_int(self.max_iter, "max_iter")
        positive_int(self.n_log, "n_log")
        positive_int(self.check_every, "check_every")
        for name in ("lr", "loss_threshold"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"{name}: must be a finite number > 0, got {v!r}")
        if not isinstance(self.backend, Backend) and self.backend not in BACKENDS:
            raise ValueError(f"backend: unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")


def log_iterations(max_iter: int, n_log: int = 1000) -> np.ndarray:
    """0 and ``n_log`` distinct, geometrically spaced iterations in [1, max_iter] (all of them
    when max_iter ≤ n_log).

    >>> log_iterations(100, 5).tolist()
    [0, 1, 3, 10, 32, 100]
    """
    positive_int(max_iter, "max_iter")
    positive_int(n_log, "n_log")
    want = min(n_log, max_iter)
    count = want
    while True:  # rounding merges the first points: draw more until ``want`` distinct remain
        geo = np.unique(np.rint(np.geomspace(1, max_iter, count)).astype(np.int64))
        if len(geo) >= want:
            return np.concatenate([[0], geo])
        count += want - len(geo)


def init_params(lam: Any, z: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Balanced initialisation of a batch: W = λ z (B, m, d), a = s ‖w_j‖ (B, m).

    >>> a, W = init_params([1.0, 0.5], np.array([[3.0, 4.0]]), np.array([-1.0]))
    >>> a.tolist(), W[1].tolist()
    ([[-5.0], [-2.5]], [[1.5, 2.0]])
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    z = np.asarray(z, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    W = lam[:, None, None] * (z if z.ndim == 3 else z[None])
    a = (s if s.ndim == 2 else s[None]) * np.linalg.norm(W, axis=2)
    return a, W


@dataclass(frozen=True, eq=False)
class GDResult:
    """The outcome of :func:`run_gd` for a batch of B members (NumPy arrays).

    ``a`` (B, m), ``W`` (B, m, d): the final parameters; ``iterations`` (B,): updates
    done; ``stop`` (B,): one of :data:`STOP_REASONS`; ``loss`` (B,): 2L at the final
    parameters; ``log_iter`` (L,) and ``log_loss`` (B, L): 2L at the logging iterations
    (NaN after a member stopped); ``seconds``: wall time; ``backend``/``device`` used.
    """

    lam: np.ndarray
    a: np.ndarray
    W: np.ndarray
    iterations: np.ndarray
    stop: np.ndarray
    loss: np.ndarray
    log_iter: np.ndarray
    log_loss: np.ndarray
    config: GDConfig
    backend: str
    device: str
    seconds: float
    updates: int = 0

    @property
    def batch(self) -> int:
        return len(self.lam)

    @property
    def iterations_per_second(self) -> float:
        """Batch iterations per wall-clock second (every member advances once per iteration)."""
        return self.updates / self.seconds if self.seconds > 0 else float("nan")

    def counts(self) -> dict[str, int]:
        """How many members stopped for each reason."""
        return {r: int(np.sum(self.stop == r)) for r in STOP_REASONS}


@dataclass
class Snapshots:
    """An observer for :func:`run_gd` that keeps (a, W) of every member at every logging
    iteration: ``a`` (L, B, m) and ``W`` (L, B, m, d), NaN where a member had stopped.
    Meant for small runs (figures); memory is L·B·m·d floats."""

    batch: int
    iterations: np.ndarray
    a: np.ndarray = field(init=False)
    W: np.ndarray | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.iterations = np.asarray(self.iterations)
        self._row = {int(k): i for i, k in enumerate(self.iterations)}
        self.a = np.empty(0)

    def __call__(self, k: int, members: np.ndarray, a: np.ndarray, W: np.ndarray) -> None:
        if self.W is None:
            L, (m, d) = len(self.iterations), W.shape[1:]
            self.a = np.full((L, self.batch, m), np.nan)
            self.W = np.full((L, self.batch, m, d), np.nan)
        i = self._row[int(k)]
        self.a[i, members] = a
        self.W[i, members] = W


def _batched(value: Any, ndim: int, B: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == ndim:
        return arr
    if arr.ndim == ndim + 1 and arr.shape[0] == B:
        return arr
    raise ValueError(
        f"{name}: expected {ndim} axes (shared) or {ndim + 1} with a leading batch axis of {B}, got shape {arr.shape}"
    )


def _descend(xp, X, y, a0, W0, config: GDConfig, logs, out: SimpleNamespace, observe) -> int:
    """The GD loop on the backend ``xp``: one update per iteration for the members still
    running (the loss, the gradient, θ_{k+1}); at the sync points (:func:`_sync`) members that
    stopped leave the batch and their results go to ``out``.  Returns the number of updates."""
    B, n = len(a0), X.shape[-2]
    b = SimpleNamespace(
        idx=np.arange(B),
        Xd=xp.asarray(X),
        yd=xp.asarray(np.broadcast_to(y, (B, n))),
        a=xp.asarray(a0),
        W=xp.asarray(W0),
        running=xp.full((B,), True, "bool"),
        stop_k=xp.full((B,), -1, "int64"),
        stop_loss=xp.full((B,), np.nan),
        W_prev=None,
        per_member_X=X.ndim == 3,
        log_set={int(k) for k in logs},
        log_row={int(k): i for i, k in enumerate(logs)},
    )
    b.Xt = xp.transpose(b.Xd)
    lr = float(config.lr)
    thr = float(config.loss_threshold)
    two_over_n = 2.0 / n
    updates = 0
    k = 0
    while True:
        # ---- the one update, on whatever backend: θ_k → loss, gradient, θ_{k+1}
        U = b.W @ b.Xt  # (b, m, n) pre-activations ⟨w_j, x_i⟩
        act = U > 0  # σ'(0) = 0
        H = xp.relu(U)
        r = (b.a[:, None, :] @ H)[:, 0, :] - b.yd  # (b, n) residuals h(x_i) − y_i
        loss = xp.mean(r * r, 1)  # 2L (the MSE-mean)
        hit = loss < thr
        newly = b.running & (hit | ~(loss < INF))  # below the threshold, or NaN / inf
        b.stop_k = xp.where(newly, k, b.stop_k)
        b.stop_loss = xp.where(newly, loss, b.stop_loss)
        b.running = b.running & ~newly
        if k in b.log_set or k % config.check_every == 0 or k == config.max_iter:
            kept = _sync(xp, b, k, loss, thr, config, out, observe, (act, H, r))
            if kept is None:
                break
            act, H, r = kept
        c = (r * two_over_n) * b.running[:, None]  # dMSE/dh_i, 0 for stopped members (frozen exactly)
        grad_a = (H @ c[:, :, None])[:, :, 0]  # (b, m): Σ_i c_i σ(u_ji)
        grad_W = (act * c[:, None, :]) @ b.Xd  # (b, m, d): Σ_i c_i 1[u_ji > 0] x_i ...
        grad_W *= b.a[:, :, None]  # ... times a_j
        grad_W *= lr
        grad_a *= lr
        b.W -= grad_W  # in place: large temporaries are slow to allocate
        b.a -= grad_a
        k += 1
        updates += 1
    return updates


def _sync(xp, b: SimpleNamespace, k: int, loss, thr: float, config: GDConfig, out, observe, temps):
    """A sync point: log the losses (and call ``observe``), stop the members that stalled or
    reached the cap, move the finished members' results to ``out`` and drop them from the
    batch.  Returns the per-iteration arrays ``temps`` restricted to the members still
    running, or None when none is."""
    run_h = xp.to_numpy(b.running).copy()
    loss_h = xp.to_numpy(loss)
    done_k = xp.to_numpy(b.stop_k)
    sl = xp.to_numpy(b.stop_loss)
    reason = np.where(done_k >= 0, np.where(sl < thr, "loss", "nonfinite"), "")
    if k in b.log_set:
        was = run_h | (done_k == k)  # running at the start of iteration k
        out.log_loss[b.idx[was], b.log_row[k]] = loss_h[was]
        if observe is not None and np.any(was):
            observe(k, b.idx[was], xp.to_numpy(b.a)[was], xp.to_numpy(b.W)[was])
        if b.W_prev is not None:
            same = xp.to_numpy(xp.all_rows(b.W_prev == b.W)) & run_h
            reason = np.where(same, "stall", reason)
            run_h &= ~same
        b.W_prev = xp.copy(b.W)
    if k == config.max_iter:
        reason = np.where(run_h, "cap", reason)
        run_h[:] = False
    gone = ~run_h
    if not np.any(gone):
        return temps
    a_h, W_h = xp.to_numpy(b.a), xp.to_numpy(b.W)
    members = b.idx[gone]
    out.a[members] = a_h[gone]
    out.W[members] = W_h[gone]
    out.stop[members] = reason[gone]
    early = (reason[gone] == "loss") | (reason[gone] == "nonfinite")
    out.iter[members] = np.where(early, done_k[gone], k)
    out.loss[members] = np.where(early, sl[gone], loss_h[gone])
    keep = np.flatnonzero(run_h)
    if len(keep) == 0:
        return None
    b.idx = b.idx[keep]
    b.a, b.W, b.yd = xp.take(b.a, keep), xp.take(b.W, keep), xp.take(b.yd, keep)
    b.running, b.stop_k, b.stop_loss = xp.take(b.running, keep), xp.take(b.stop_k, keep), xp.take(b.stop_loss, keep)
    b.W_prev = xp.take(b.W_prev, keep) if b.W_prev is not None else None
    if b.per_member_X:
        b.Xd = xp.take(b.Xd, keep)
        b.Xt = xp.transpose(b.Xd)
    return tuple(xp.take(t, keep) for t in temps)


def run_gd(
    X: Any,
    y: Any,
    lam: Sequence[float] | float,
    z: Any,
    s: Any,
    config: GDConfig = GDConfig(),
    *,
    observe: Observer | None = None,
    backend: str | Backend | None = None,
) -> GDResult:
    """Train the batch by full-batch GD on the MSE-mean from w_j = λ z_j, a_j = s_j‖w_j‖.

    ``X`` is (n, d) or (B, n, d), ``y`` (n,) or (B, n), ``lam`` (B,), ``z`` (m, d) or
    (B, m, d), ``s`` (m,) or (B, m).  ``observe(k, members, a, W)`` is called at every
    logging iteration k with the indices of the members still running and their
    parameters θ_k (NumPy copies), before the update.  ``backend`` overrides
    ``config.backend``.
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    if lam.ndim != 1 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(f"lam: must be a non-empty list of finite scales > 0, got {lam!r}")
    B = len(lam)
    X = _batched(X, 2, B, "X")
    y = _batched(y, 1, B, "y")
    z = _batched(z, 2, B, "z")
    s = _batched(s, 1, B, "s")
    n, d = X.shape[-2:]
    m = z.shape[-2]
    if y.shape[-1] != n:
        raise ValueError(f"y: has {y.shape[-1]} labels but X has n = {n} rows")
    if z.shape[-1] != d:
        raise ValueError(f"z: rows have {z.shape[-1]} entries but the inputs have d = {d}")
    if s.shape[-1] != m:
        raise ValueError(f"s: has {s.shape[-1]} signs but z has m = {m} rows")
    xp = get_backend(backend if backend is not None else config.backend, config.device)
    a0, W0 = init_params(lam, z, s)
    a0 = np.broadcast_to(a0, (B, m)).copy()
    W0 = np.broadcast_to(W0, (B, m, d)).copy()

    logs = log_iterations(config.max_iter, config.n_log)
    out = SimpleNamespace(
        a=a0.copy(),
        W=W0.copy(),
        iter=np.zeros(B, dtype=np.int64),
        stop=np.full(B, "", dtype=object),
        loss=np.full(B, np.nan),
        log_loss=np.full((B, len(logs)), np.nan),
    )
    t0 = time.perf_counter()
    saved = np.seterr(over="ignore", invalid="ignore")  # a diverging member stops as "nonfinite"
    try:
        updates = _descend(xp, X, y, a0, W0, config, logs, out, observe)
    finally:
        np.seterr(**saved)
    xp.synchronize()
    seconds = time.perf_counter() - t0
    return GDResult(
        lam=lam,
        a=out.a,
        W=out.W,
        iterations=out.iter,
        stop=out.stop.astype(str),
        loss=out.loss,
        log_iter=logs,
        log_loss=out.log_loss,
        config=config,
        backend=xp.name,
        device=xp.device,
        seconds=seconds,
        updates=updates,
    )
