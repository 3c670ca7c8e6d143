"""Taylor jets of the exact gradient flow on a fixed activation pattern.

Between activation switches the field is a cubic polynomial, so its Taylor coefficients
follow exact recurrences (Cauchy products), computed here order by order.

Arithmetic is fixed point on big integers (gmpy2 ``mpz`` through mpmath's backend, the
representation mpmath's own ``libmp`` uses), vectorised with NumPy object arrays.  Each
neuron j carries its own block exponent ``e_j``: its a_j, u_j· = ⟨w_j, x_·⟩ and w_j are
stored as integers ``N`` with value ``N · 2**(e_j - F)``.  So a neuron of size λ = 1e-100
keeps all F bits of *relative* precision: the error control is relative per neuron.  The
residuals r_k = y_k - h(x_k) are absolute fixed point with F fractional bits.

Variables per neuron j (σ'(0) = 0, loss 1/(2n) Σ r_k²)::

    u̇_jk = (1/n) Σ_l G_kl · a_j r_l · 1[l ∈ A_j]        (G = Gram matrix of the inputs)
    ȧ_j  = (1/n) Σ_{k ∈ A_j} r_k u_jk
    ẇ_j  = (1/n) Σ_{l ∈ A_j} a_j r_l x_l
    r_k  = y_k − Σ_{j : k ∈ A_j} a_j u_jk

A neuron with sliding pairs S_j has its ẇ_j projected off span{x_k : k ∈ S_j} order by
order (the minimum-norm Clarke selection, :mod:`.sliding`), and their u̇_jk set to 0.
"""

from __future__ import annotations

import math

import numpy as np
from mpmath.libmp import MPZ

from . import kernel
from .events import DECIDE_ORDER, candidates
from .fixed import FixedPoint, State
from .sliding import compiled_projector, project, sliding_sets
from .tail import float_from, float_tail, tail_below, tail_maps, to_floats, to_ints

__all__ = ["Jets", "horner", "jets", "prefix_order", "rho"]


class Jets:
    """Taylor coefficients (orders 0..p, scaled time s ∈ [0, 1]) of a, U and C, where
    w_j(s) = λ z_j + Σ_l C_jl(s) x_l, stored side by side in ``Y`` = [a | U | C] so one
    Horner pass evaluates them all; plus the residual jets R (absolute, orders < p).

    From the compiled kernel the coefficients stay in GMP memory (``series``): the solver's
    hot path reads them through :meth:`at`, :meth:`column`, :meth:`top` and
    :meth:`candidates`, and ``Y`` / ``R`` become object arrays only when asked for."""

    def __init__(self, Y: np.ndarray | None = None, R: np.ndarray | None = None, series=None) -> None:
        self._Y, self._R, self.series = Y, R, series
        self.decides = self.order  # the order whose decisions these jets make (> order: a prefix)
        self.origin: tuple | None = None  # a prefix's pattern and H (jets(start=...) continues only those)
        self.measured = DECIDE_ORDER  # the exit quantities' scale is measured below this order (:func:`jets`)
        self.memo: dict = {}  # quantities derived from these jets, each keyed by what else it read

    @property
    def Y(self) -> np.ndarray:  # (p+1, m, 1 + 2n)
        if self._Y is None:
            p, m, n = self.series.shape
            self._Y = _grid(self.series.tolist()[0], (p + 1, m, 1 + 2 * n))
        return self._Y

    @property
    def R(self) -> np.ndarray:  # (p, n): alone, without Y (the sliding checks read only R)
        if self._R is None:
            p, _, n = self.series.shape
            self._R = _grid(self.series.residuals(), (p, n))
        return self._R

    @property
    def order(self) -> int:
        return self.series.shape[0] if self.series is not None else self.Y.shape[0] - 1

    @property
    def A(self) -> np.ndarray:
        return self.Y[:, :, 0]

    @property
    def U(self) -> np.ndarray:
        n = (self.Y.shape[2] - 1) // 2
        return self.Y[:, :, 1 : 1 + n]

    @property
    def C(self) -> np.ndarray:
        n = (self.Y.shape[2] - 1) // 2
        return self.Y[:, :, 1 + n :]

    def at(self, s: int, F: int) -> np.ndarray:
        """[a | U | C] at the scaled time s (Horner; exact up to one unit per order)."""
        if self.series is None:
            return horner(self.Y, s, F)
        _p, m, n = self.series.shape
        return _grid(self.series.horner(0, s), (m, 1 + 2 * n))

    def residuals_at(self, s: int, F: int) -> np.ndarray:
        """r_k at the scaled time s (absolute fixed point)."""
        if self.series is None:
            return horner(self.R, s, F)
        return np.array(self.series.horner(1, s), dtype=object)

    def column(self, j: int, c: int) -> list:
        """Y[:, j, c] (c = 0: a_j; 1 + k: u_jk; 1 + n + k: C_jk)."""
        if self.series is None:
            return list(self.Y[:, j, c])
        return self.series.column(j, c)

    def top(self, k: int, cols: int) -> list:
        """Per neuron, max |Y[k, j, :cols]|."""
        if self.series is None:
            return list(np.abs(self.Y[k, :, :cols]).max(axis=1))
        return self.series.top(k, cols)

    def candidates(self, active: np.ndarray, F: int, s_end: int) -> list[tuple[int, int]]:
        """The pairs whose u_jk may reach 0 in the step (:func:`.events.candidates`)."""
        if self.series is None:
            return candidates(self.U, active, F, s_end)
        return self.series.candidates(np.ascontiguousarray(active, dtype=np.uint8).tobytes(), int(s_end))


def _grid(values: list, shape: tuple[int, ...]) -> np.ndarray:
    """A flat list of integers (from the compiled kernel) as an object array of ``shape``."""
    out = np.empty(shape, dtype=object)
    out.reshape(-1)[:] = values
    return out


class _Groups:
    """Sums of per-pair values per group (point or neuron): exact integer sums by
    ``np.add.reduceat`` over the pairs sorted by group (a 0/1 incidence matrix product
    costs a multiplication per pair and group); groups without pairs get 0."""

    def __init__(self, index: np.ndarray, size: int) -> None:
        self.order = np.argsort(index, kind="stable")
        keys = index[self.order]
        self.starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        self.present = keys[self.starts]
        self.size = size

    def sum(self, values: np.ndarray) -> np.ndarray:
        out = np.empty(self.size, dtype=values.dtype)
        out[...] = MPZ(0) if values.dtype == object else 0
        out[self.present] = np.add.reduceat(values[self.order], self.starts)
        return out


def jets(
    fx: FixedPoint,
    st: State,
    p: int,
    H: int,
    float_below: int | None = None,
    upto: int | None = None,
    start: Jets | None = None,
) -> Jets:
    """Taylor coefficients up to order ``p`` at the state ``st`` on its pattern ``st.active``,
    of the time-scaled series y(s·H), s ∈ [0, 1] (``H`` fixed point).

    With ``upto`` < p, only the orders 0..upto, which stand for the order-p jets in the
    decisions at a switch (``J.decides == p``, :class:`.events.Short` where they cannot
    tell): the same integers as the first orders of the full jets, at a fraction of the
    cost (see :func:`prefix_order`).  With ``start``, such prefix jets of this very state,
    pattern and ``H``: the compiled recurrence continues from their orders rather than
    making them again (the settled pattern's full jets after a decision), the reference
    makes them again; the same integers.  Prefix and full jets of one step measure the
    scale of the sliding exit quantities (:func:`.sliding.exit_jets`) on the same orders,
    those below ``J.measured``: below DECIDE_ORDER and below the step's prefix order.

    Scaling by the step makes every stored coefficient c_k H^k proportional to its
    contribution to the step, so the rounding noise of high orders is never amplified.
    All three Cauchy products of an order (a·u, a·r, r·u over the active pairs) run in one
    ``einsum``; the two terms that need the not-yet-known r_k are added afterwards.

    Mixed precision: once every coefficient of an order is below ``2**float_below``
    fixed-point units (less the gain of :func:`.tail.tail_below` on general inputs), the
    remaining orders are computed in float64 (:mod:`.tail`).  The caller picks
    ``float_below`` so that their rounding (2^-53 of terms of that size) stays below the
    step tolerance by a safety margin; the state and all larger coefficients stay exact."""
    J = _jets(fx, st, p, H, float_below, upto, start)
    J.measured = min(DECIDE_ORDER, prefix_order(fx, p, float_below))
    return J


def _jets(fx, st, p, H, float_below, upto, start) -> Jets:
    """:func:`jets`, but for ``J.measured``."""
    if upto is not None and upto < p:
        J = jets(fx, st, upto, H, None)
        J.decides, J.origin = p, (st.pattern_key(), int(H))
        return J
    if start is not None and (start.origin != (st.pattern_key(), int(H)) or start.order >= p):
        raise ValueError("start: prefix jets of this state, pattern and H, of an order below p")
    F = fx.F
    aj, ak = np.nonzero(st.active)
    if aj.size == 0:  # no neuron sees any point: everything is constant
        Y, R = _start(fx, st, p)
        R[0] = fx.y
        return Jets(Y, R)
    hshift = F - 2 * st.e[aj]  # a·u → absolute scale (object array)
    if hshift.min() < 0:
        raise OverflowError("a neuron grew beyond 2**(F/2); the flow is diverging")
    slide = bool(st.sliding.any())
    diag = None if slide or st.pinned else fx.gdiag
    if kernel.name() == "gmp":
        return _compiled_jets(fx, st, p, H, float_below, aj, ak, hshift, diag is not None, slide, start)
    return _python_jets(fx, st, p, H, float_below, aj, ak, hshift, diag, slide)


def _start(fx: FixedPoint, st: State, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Zeroed jets of orders 0..p with the state as order 0, and zeroed residual jets."""
    Y = np.zeros((p + 1, fx.m, 1 + 2 * fx.n), dtype=object)
    Y[0, :, 0], Y[0, :, 1 : 1 + fx.n], Y[0, :, 1 + fx.n :] = st.a, st.U, st.C
    return Y, np.zeros((p, fx.n), dtype=object)


def _python_jets(fx, st, p, H, float_below, aj, ak, hshift, diag, slide) -> Jets:
    """:func:`jets` in Python: the reference the compiled kernel must match integer for integer."""
    F, m, n = fx.F, fx.m, fx.n
    Y, R = _start(fx, st, p)
    A, U, C = Y[:, :, 0], Y[:, :, 1 : 1 + n], Y[:, :, 1 + n :]
    na = aj.size
    F2 = 2 * F
    to_point, to_neuron = _Groups(ak, n), _Groups(aj, m)  # pair → point (h_k), pair → neuron (ȧ_j)
    # columns: [a_j | a_j | r_k] against [u_jk | r_k | u_jk], one column per active pair
    left = np.zeros((p + 1, 3 * na), dtype=object)
    right = np.zeros((p + 1, 3 * na), dtype=object)
    a0, u0 = st.a[aj], st.U[aj, ak]
    left[0, : 2 * na] = np.concatenate((a0, a0))
    right[0, :na], right[0, 2 * na :] = u0, u0
    if diag is not None:  # orthogonal inputs: only active pairs move, so stay in pair space
        g = diag[ak]
        Cp = np.zeros((p + 1, na), dtype=object)
        Up = np.zeros((p + 1, na), dtype=object)
    else:
        full = np.zeros((m, n), dtype=object)  # inactive entries stay 0
    below = None if float_below is None else tail_below(fx, st, float_below, diag is not None)
    for k in range(p):
        if below is not None and k >= float_from(p):
            if diag is not None:  # a, u of the order's active pairs and r of the last
                top = np.abs(np.concatenate((left[k, :na], right[k, :na], R[k - 1]))).max()
            else:  # every a, u and C of the order, and r of the last
                top = max(np.abs(Y[k]).max(), np.abs(R[k - 1]).max())
            if int(top).bit_length() <= below:
                lf, rf = to_floats(left[: k + 1], F), to_floats(right[: k + 1], F)
                tail = to_ints(float_tail(fx, st, H, k, p, aj, ak, lf, rf, diag is not None), F)
                A[k + 1 :], R[k:] = tail[:, :m], tail[:, -n:]
                if diag is not None:
                    Cp[k + 1 :], Up[k + 1 :] = tail[:, m : m + na], tail[:, m + na : m + 2 * na]
                else:
                    C[k + 1 :] = tail[:, m : m + m * n].reshape(-1, m, n)
                    U[k + 1 :] = tail[:, m + m * n : m + 2 * m * n].reshape(-1, m, n)
                break
        acc = np.einsum("ij,ij->j", left[: k + 1], right[k::-1])
        r = -to_point.sum(acc[:na] >> hshift)  # −(a u)_k summed per point, absolute
        if k == 0:
            r = r + fx.y
        R[k] = r
        rk = r[ak]
        c = MPZ(H) // (n * (k + 1))  # H/(n(k+1)), fixed point
        ak1 = (to_neuron.sum(acc[2 * na :] + rk * u0) * c) >> F2  # from (r u)_k
        A[k + 1] = ak1
        q = acc[na : 2 * na] + a0 * rk  # (a r)_k, 2F fractional bits
        if diag is not None:
            ck = (q * c) >> F2
            uk = (ck * g) >> F
            Cp[k + 1], Up[k + 1] = ck, uk
            uk1 = uk
        else:
            full[aj, ak] = q
            Ck = (full * c) >> F2
            Uk = kernel.gram_times(fx, Ck)
            if slide:
                project(fx, st.sliding, Ck, Uk)
            if k == 0:  # a pin removes rounding noise only, never a rate above 2^(F/2) units
                for j, l in st.pinned:
                    if abs(Uk[j, l]) >> (F // 2) == 0:
                        Uk[j, l] = 0
            C[k + 1], U[k + 1] = Ck, Uk
            uk1 = U[k + 1][aj, ak]
        right[k, na : 2 * na] = rk
        left[k, 2 * na :] = rk
        a1 = ak1[aj]
        left[k + 1, :na] = a1
        left[k + 1, na : 2 * na] = a1
        right[k + 1, :na] = uk1
        right[k + 1, 2 * na :] = uk1
    if diag is not None:
        C[1:, aj, ak] = Cp[1:]
        U[1:, aj, ak] = Up[1:]
    return Jets(Y, R)


def _compiled_jets(fx, st, p, H, float_below, aj, ak, hshift, ortho, slide, start) -> Jets:
    """:func:`jets` by the compiled recurrence (:mod:`.kernel`): the same integers."""
    F, m, n = fx.F, fx.m, fx.n
    projs = [(j, compiled_projector(fx, S)) for j, S in sliding_sets(st.sliding)] if slide else []
    pins = [v for pair in st.pinned for v in pair]
    below = None if float_below is None else tail_below(fx, st, float_below, ortho)
    series, _k0 = kernel.recurrence(
        F,
        p,
        int(H),
        m,
        n,
        aj.tolist(),
        ak.tolist(),
        hshift.tolist(),
        fx.y.tolist(),
        fx.gdiag[ak].tolist() if ortho else None,
        None if ortho else kernel.gram_of(fx),
        st.a.tolist(),
        st.U.ravel().tolist(),
        st.C.ravel().tolist(),
        -1 if below is None else float_from(p),
        0 if below is None else below,
        projs,
        pins,
        tail_maps(fx, st) if below is not None and slide else None,
        start=None if start is None else start.series,
    )
    return Jets(series=series)


def prefix_order(fx: FixedPoint, p: int, float_below: int | None) -> int:
    """The order of the prefix jets that decide a switch for order-``p`` jets: orders
    0..DECIDE_ORDER, and never into the float64 tail of the full jets (:mod:`.tail`),
    where the two would hold different integers.  The prefix is exact, so any order below
    the tail's first is shared.  A step of order ≤ 2·DECIDE_ORDER (after a switch at a
    near-instant: the order drops to 6) gets its full jets: their prefix would cost most of
    what they cost, and a decision from them is the same (tests/test_kernel.py)."""
    if p <= 2 * DECIDE_ORDER:
        return p
    return min(DECIDE_ORDER, p if float_below is None else float_from(p))


def horner(J: np.ndarray, s: int, F: int) -> np.ndarray:
    """Evaluate jets ``J`` (orders along axis 0) at the fixed-point scaled time ``s`` ∈ [0, 1]."""
    acc = J[-1].copy()
    for k in range(J.shape[0] - 2, -1, -1):
        acc = ((acc * s) >> F) + J[k]
    return acc


def _log_norms(J: Jets, k: int) -> list[float]:
    """ln max(|a_j|, |u_j·|) of order k, per neuron (−inf for zero)."""
    n = J.series.shape[2] if J.series is not None else (J.Y.shape[2] - 1) // 2
    return [
        math.log(int(v)) if v else -math.inf  # int: math.log of a huge mpz overflows
        for v in J.top(k, 1 + n)
    ]


def rho(J: Jets) -> float:
    """Jorba–Zou radius estimate in units of the scaled time s, relative per neuron:
    min_j min_{k∈{p-1,p}} (‖b_0‖/‖b_k‖)^{1/k}.  Returns ``inf`` when no neuron moves."""
    p = J.order
    base = _log_norms(J, 0)
    best = math.inf
    for k in (p - 1, p):
        for b0, bk in zip(base, _log_norms(J, k)):
            if bk == -math.inf or b0 == -math.inf:
                continue
            best = min(best, math.exp((b0 - bk) / k))
    return best
