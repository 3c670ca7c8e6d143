"""Finite sums over symbolic ranges, in a canonical form that decides identities.

SymPy's ``simplify`` does not interchange or merge ``Sum``s, so identities between sums
over 1..m, 1..n, 1..d (Fubini for finite sums, Kronecker deltas, renamed dummies) are
decided here: every term is flattened into one multiple sum with its factors inside
(dummies renamed apart first), sums of a Kronecker delta over a bound index collapse (the
free index is assumed in range), and bound indices are renamed canonically, so two terms
that are equal up to the order and names of their summations become identical.

>>> import sympy as sp
>>> n, d = sp.symbols("n d", integer=True, positive=True)
>>> k, l = sp.symbols("k l", integer=True)
>>> x, w = sp.IndexedBase("x"), sp.IndexedBase("w")
>>> lhs = sp.Sum(sp.Sum(w[l] * x[k, l], (l, 1, d)), (k, 1, n))
>>> rhs = sp.Sum(sp.Sum(x[k, l] * w[l], (k, 1, n)), (l, 1, d))
>>> is_zero(lhs - rhs)
True
"""

from __future__ import annotations

import itertools

import sympy as sp

__all__ = ["canonical", "is_zero"]


def _flatten(e: sp.Expr) -> tuple[sp.Expr, tuple]:
    """A product/sum-free term as (summand, limits): one multiple sum, factors inside,
    every bound index a fresh Dummy."""
    if isinstance(e, sp.Sum):
        summand, limits = e.function, list(e.limits)
        for idx, (v, lo, hi) in enumerate(limits):
            fresh = sp.Dummy(v.name, integer=True)
            summand = summand.xreplace({v: fresh})
            limits[idx] = (fresh, lo, hi)
        inner, inner_limits = _flatten_product(summand)
        return inner, tuple(limits) + inner_limits
    return _flatten_product(e)


def _flatten_product(e: sp.Expr) -> tuple[sp.Expr, tuple]:
    if isinstance(e, sp.Sum):
        return _flatten(e)
    if isinstance(e, sp.Mul):
        summand, limits = sp.S.One, ()
        for f in e.args:
            s, lim = _flatten_product(f)
            summand, limits = summand * s, limits + lim
        return summand, limits
    if isinstance(e, sp.Pow) and e.base.has(sp.Sum) and e.exp.is_Integer and e.exp > 0:
        return _flatten_product(sp.Mul(*([e.base] * int(e.exp)), evaluate=False))
    if e.has(sp.Sum):
        raise ValueError(f"cannot flatten {e}: expand sums of sums first")
    return e, ()


def _collapse_deltas(term: sp.Expr, limits: tuple) -> tuple[sp.Expr, tuple]:
    """Σ_v δ(i, v) f(v) = f(i) for a product ``term``, a bound v and i in range."""
    bound = {lim[0] for lim in limits}
    for delta in term.atoms(sp.KroneckerDelta):
        a, b = delta.args
        v, other = (a, b) if a in bound else (b, a) if b in bound else (None, None)
        if v is not None:
            rest = tuple(lim for lim in limits if lim[0] != v)
            return _collapse_deltas(term.xreplace({delta: 1}).xreplace({v: other}), rest)
    return term, limits


def _rename(summand: sp.Expr, limits: tuple) -> tuple[sp.Expr, tuple]:
    """Canonical names for the bound indices: among all assignments of names per range,
    the one whose summand prints first."""
    by_range: dict = {}
    for v, lo, hi in limits:
        by_range.setdefault((lo, hi), []).append(v)
    groups = sorted(by_range.items(), key=lambda kv: str(kv[0]))
    names = {rng: [sp.Symbol(f"_{g}_{i}", integer=True) for i in range(len(vs))] for g, (rng, vs) in enumerate(groups)}
    best = None
    for perms in itertools.product(*(itertools.permutations(vs) for _, vs in groups)):
        sub = {}
        for (rng, _), perm in zip(groups, perms):
            sub.update(dict(zip(perm, names[rng])))
        cand = sp.expand(summand.xreplace(sub))
        key = sp.srepr(cand)
        if best is None or key < best[0]:
            best = (key, cand)
    new_limits = tuple(sorted(((s, *rng) for rng, ss in names.items() for s in ss), key=str))
    return best[1], new_limits


def canonical(expr: sp.Expr) -> dict[tuple, sp.Expr]:
    """{limits: summand}: the expression as a sum of canonical multiple sums."""
    out: dict[tuple, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        summand, limits = _flatten(term)
        for t in sp.Add.make_args(sp.expand(summand)):
            t, lim = _collapse_deltas(t, limits)
            s, lim = _rename(t, lim) if lim else (t, ())
            out[lim] = sp.expand(out.get(lim, sp.S.Zero) + s)
    return {k: v for k, v in out.items() if v != 0}


def is_zero(expr: sp.Expr) -> bool:
    """True if ``expr`` (sums over symbolic ranges allowed) is identically zero: every
    canonical multiple sum has a zero summand.  False means "not shown", not "non-zero"."""
    return not canonical(expr)
