"""The closed forms of the orthogonal-inputs paper (SymPy, :mod:`reluflow.symbolic.formulas`) compiled once per precision into mpmath functions."""

from __future__ import annotations

import functools

import sympy as sp

from ...precision import context
from ...symbolic import formulas, to_mpmath

_tau, _n, _D, _w0, _B, _tN, _lam, _K2, _t, _t0 = sp.symbols("tau n D w0 B t_N lam K2 t t0", real=True)


@functools.lru_cache(maxsize=8)
def _closed_forms(dps: int):
    """The R3/R7 closed forms compiled once per precision into one local context."""
    ctx = context(dps)
    varsigma, _E = formulas.segment(_tau, n=_n, D=_D, w0=_w0, B=_B)
    seg = (_n, _D, _w0, _B)
    return ctx, {
        "varsigma": to_mpmath([_tau, *seg], varsigma, ctx),
        "segment_time": to_mpmath([_tau, *seg], formulas.segment_time(_tau, n=_n, D=_D, w0=_w0, B=_B), ctx),
        "gap": to_mpmath([_tau, *seg], formulas.alignment_gap(_tau, n=_n, D=_D, w0=_w0, B=_B), ctx),
        "C": to_mpmath([*seg, _tN], formulas.alignment_constant(n=_n, D=_D, w0=_w0, B=_B, t_N=_tN), ctx),
        "K": to_mpmath(
            [_w0, _B, _D, _n, _tN], formulas.growth_prefactor(w0=_w0, cos=_B / (_D * _w0), D=_D, n=_n, t_N=_tN), ctx
        ),
        "half_time": to_mpmath([_D, _n, _lam, _K2], formulas.half_time(D=_D, n=_n, lam=_lam, K2=_K2), ctx),
        "radius": to_mpmath([_t, _t0, _D, _n], formulas.logistic_radius(_t, t0=_t0, D=_D, n=_n), ctx),
    }
