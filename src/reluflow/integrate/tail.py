"""The float64 tail of a step's Taylor jets: orders whose coefficients are all tiny.

Once every coefficient of an order is below ``2**float_below`` fixed-point units, the
remaining orders are computed in float64 (values ·2^-F) and truncated back to integers.
Their rounding, 2^-53 of terms of that size, stays below the step tolerance: the engine
picks ``float_below`` with a margin of FLOAT_MARGIN_BITS, and on general inputs
:func:`tail_below` lowers it by the bits the Gram product and the sliding projections can
amplify a rounding error.  Orders 0..k0 (the state and every larger coefficient) stay
exact, so every decision at a switch, made from the first orders, is unchanged.

:func:`float_tail` is the reference; the compiled recurrence runs the same operations in
the same order in C (``csrc/tail.c``: only elementwise operations and sums in index order,
no multiply-add fused, no excess precision), from the same correctly rounded doubles of
its rows 0..k0, so the two hold the same integers.
"""

from __future__ import annotations

import math

import numpy as np

from .events import DECIDE_ORDER
from .fixed import FixedPoint, State
from .sliding import projector, sliding_sets

__all__ = ["FLOAT_MAX_BITS", "float_from", "float_tail", "tail_below", "tail_maps", "to_floats", "to_ints"]

FLOAT_MAX_BITS = 960  # below this F, fixed-point integers convert to float64 without overflow


def float_from(p: int) -> int:
    """The first order that may go to the float64 tail (both kernels: the same integers):
    p/3, and never later than just past the orders 0..DECIDE_ORDER that settling reads from
    prefix jets (:func:`.taylor.prefix_order`).  The threshold itself keeps the tail's
    rounding below the step tolerance; an early start pays where every coefficient is tiny
    from the first orders on, as in the slow stiff phase ending a generic run (there every
    order from 3 on is below it: 26 instead of 36 ms a step at m = 100, n = 20)."""
    return max(2, min(p // 3, DECIDE_ORDER + 1))


def to_floats(values: np.ndarray, F: int) -> np.ndarray:
    """Fixed-point integers → float64 values ·2^-F, each correctly rounded (needs F ≤ 960:
    then no value overflows, and none is subnormal since every non-zero one is ≥ 2^-F)."""
    return np.ldexp(np.asarray(values).astype(np.float64), -F)


def to_ints(values: np.ndarray, F: int) -> np.ndarray:
    """float64 values ·2^-F → fixed-point integers (truncated toward 0, as GMP's mpz_set_d)."""
    flat = np.ldexp(values, F).ravel().tolist()
    return np.array([int(v) for v in flat], dtype=object).reshape(values.shape)


def tail_below(fx: FixedPoint, st: State, float_below: int, ortho: bool) -> int:
    """The tail's threshold for this pattern: ``float_below`` on orthogonal inputs, and on
    general ones lowered by log2 of the gain n·max|G|·Π(1 + |B|·max|G_BB⁻¹|)(1 + |B|·max|G_B·|)
    that the Gram product and the worst sliding projection apply to a rounding error."""
    if ortho:
        return float_below
    gain = fx.n * max(1.0, _max_abs(fx, "G", fx.G))
    worst = 1.0
    for _j, S in sliding_sets(st.sliding):
        P = projector(fx, S)
        nb = len(P.basis)
        worst = max(worst, (1 + nb * _max_abs(fx, ("ginv", S), P.ginv)) * (1 + nb * _max_abs(fx, ("gb", S), P.gb)))
    return float_below - math.ceil(math.log2(gain * worst))


def _max_abs(fx: FixedPoint, key, values: np.ndarray) -> float:
    """max |v| · 2^-F over a constant fixed-point matrix, cached on ``fx``."""
    key = ("max_abs", key)
    if key not in fx.cache:
        fx.cache[key] = max((abs(int(v)) for v in np.ravel(values)), default=0) / 2.0**fx.F
    return fx.cache[key]


def _sliding_maps(fx: FixedPoint, st: State) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The sliding projection of one order as two linear maps per sliding neuron j, on the
    row U_j of the order's pre-activations: C_j += U_j·Pc_j and U_j ← U_j·Pu_j, with
    Pc = −E_B G_BB⁻¹ᵀ E_Bᵀ and Pu = (I + Pc·G) with the sliding columns set to 0 (the float
    form of :func:`.sliding.project`)."""
    n, F = fx.n, fx.F
    js, Pcs, Pus = [], [], []
    for j, S in sliding_sets(st.sliding):
        key = ("tail_maps", S)
        if key not in fx.cache:
            P = projector(fx, S)
            B = list(P.basis)
            Pc = np.zeros((n, n))
            Pu = np.eye(n)
            if B:
                Pc[np.ix_(B, B)] = -to_floats(P.ginv, F).T
                Pu += Pc[:, B] @ to_floats(P.gb, F)
            Pu[:, list(S)] = 0.0
            fx.cache[key] = (Pc, Pu)
        Pc, Pu = fx.cache[key]
        js.append(j)
        Pcs.append(Pc)
        Pus.append(Pu)
    if not js:
        return js, np.zeros((0, n, n)), np.zeros((0, n, n))
    return js, np.stack(Pcs), np.stack(Pus)


def tail_maps(fx: FixedPoint, st: State) -> tuple[list[int], bytes, bytes] | None:
    """The sliding maps of :func:`float_tail` for the compiled tail (``_kernel.recurrence``):
    the sliding neurons and their maps Pc, Pu as bytes of doubles; None without any.  The
    last pattern's are kept on ``fx`` (steps in a row mostly slide on the same pairs)."""
    key = st.sliding.tobytes()
    last = fx.cache.get("tail_maps_last")
    if last is None or last[0] != key:
        js, Pc, Pu = _sliding_maps(fx, st)
        last = fx.cache["tail_maps_last"] = (key, (js, Pc.tobytes(), Pu.tobytes()) if js else None)
    return last[1]


def float_tail(fx, st, H, k0, p, aj, ak, lf0, rf0, ortho: bool) -> np.ndarray:
    """Orders k0..p-1 of the recurrence in float64 (values ·2^-F), from the float values
    ``lf0``, ``rf0`` of the Cauchy columns' rows 0..k0 (see :func:`.taylor.jets`).

    Returns one row per order k0+1..p: [A (m) | C | U | R of the order before (n)], with C
    and U per active pair on orthogonal inputs and for all m·n pairs (row-major) otherwise;
    :func:`to_ints` makes them integers.  Only elementwise operations and sums in index
    order from +0 (no ``einsum``, no BLAS, whose order of additions is their own): the
    compiled kernel repeats them operation for operation, and gets the same doubles."""
    F, m, n = fx.F, fx.m, fx.n
    na = aj.size
    lf = np.zeros((p + 1, 3 * na))
    rf = np.zeros((p + 1, 3 * na))
    lf[: k0 + 1] = lf0
    rf[: k0 + 1] = rf0
    a0, u0 = lf[0, :na], rf[0, :na]
    pscale = np.array([2.0 ** (2 * int(st.e[j])) for j in aj])  # (a u) → absolute scale
    Hf = math.ldexp(float(H), -F)
    out = np.zeros((p - k0, m + 2 * (na if ortho else m * n) + n))
    if ortho:
        gf = to_floats(fx.gdiag[ak], F)
    else:
        Gf = to_floats(fx.G, F)
        js, Pc, Pu = _sliding_maps(fx, st)
    for k in range(k0, p):
        acc = np.zeros(3 * na)
        for i in range(k + 1):
            acc += lf[i] * rf[k - i]
        # sums per point and per neuron in pair order (np.bincount adds its weights in order)
        r = -np.bincount(ak, weights=acc[:na] * pscale, minlength=n)
        rk = r[ak]
        c = Hf / (n * (k + 1))
        a1 = np.bincount(aj, weights=acc[2 * na :] + rk * u0, minlength=m) * c
        q = (acc[na : 2 * na] + a0 * rk) * c
        if ortho:
            Ck, Uk = q, q * gf
            u1 = Uk
        else:
            Ck = np.zeros((m, n))
            Ck[aj, ak] = q
            Uk = _times(Ck, Gf)
            if js:
                Us = Uk[js]
                Ck[js] += _times(Us, Pc)
                Uk[js] = _times(Us, Pu)
            u1 = Uk[aj, ak]
        out[k - k0] = np.concatenate((a1, np.ravel(Ck), np.ravel(Uk), r))
        rf[k, na : 2 * na] = rk
        lf[k, 2 * na :] = rk
        lf[k + 1, :na] = lf[k + 1, na : 2 * na] = a1[aj]
        rf[k + 1, :na] = rf[k + 1, 2 * na :] = u1
    return out


def _times(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Row by row X[j] @ M (M one (n, c) matrix), or X[j] @ M[j] (M one per row): the
    products added in index order from +0, each rounded."""
    out = np.zeros((X.shape[0], M.shape[-1]))
    for l in range(X.shape[1]):
        out += X[:, l, None] * M[..., l, :]
    return out
