"""The proof-check framework: a registry of checks, verdicts, and the two proof tools.

A check proves one statement of the spec (its ids are in ``refs``) and returns an
``Outcome``.  Identities are proved by simplification to zero; when SymPy cannot reduce an
expression to zero, it is evaluated at random points of its domain: a non-zero value is a
counterexample (FAIL), otherwise the verdict is INCONCLUSIVE, never PASS.  Inequalities
are proved by polynomial positivity (all coefficients of the shifted polynomial
non-negative) or by Arb balls that exclude zero (python-flint).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from reluflow.verdict import Verdict, choose, guarded, register

__all__ = [
    "REGISTRY",
    "Check",
    "Outcome",
    "Result",
    "Verdict",
    "all_of",
    "arb_positive",
    "check",
    "positive",
    "positive_poly_from",
    "run",
    "zero",
]


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    detail: str = ""


@dataclass(frozen=True)
class Check:
    id: str
    paper: str  # "model", "orthogonal", "single-neuron"
    refs: str  # spec ids of the statement
    statement: str
    method: str
    fn: Callable[[], Outcome] = field(repr=False)


@dataclass(frozen=True)
class Result:
    check: Check
    verdict: Verdict
    detail: str
    seconds: float


REGISTRY: list[Check] = []


def check(id: str, *, paper: str, refs: str, statement: str, method: str):
    """Register the decorated function (returning an ``Outcome``) as a proof check."""

    def deco(fn: Callable[[], Outcome]) -> Callable[[], Outcome]:
        register(REGISTRY, Check(id, paper, refs, statement, method, fn))
        return fn

    return deco


def _sample_value(sym: sp.Symbol, rng: random.Random) -> sp.Rational:
    v = sp.Rational(rng.randint(1, 97), rng.randint(1, 29))
    if sym.is_positive or sym.is_nonnegative:
        return v
    return v if rng.random() < 0.5 else -v


def zero(
    expr: sp.Expr,
    what: str,
    *,
    domain: Callable[[random.Random], dict] | None = None,
    samples: int = 12,
    simplify: Callable[[sp.Expr], sp.Expr] | None = None,
) -> Outcome:
    """Prove ``expr`` ≡ 0 by simplification; if that fails, look for a counterexample at
    random rational points (``domain`` draws a substitution dict in the statement's domain;
    default: every free symbol a random rational, positive where the symbol is)."""
    expr = sp.sympify(expr)
    tries = [sp.expand, sp.simplify] if simplify is None else [simplify]
    for f in tries:
        if f(expr) == 0:
            return Outcome(Verdict.PASS, f"{what}: simplifies to 0")
    rng = random.Random(20261123)
    for _ in range(samples):
        point = domain(rng) if domain else {s: _sample_value(s, rng) for s in expr.free_symbols}
        value = sp.N(expr.xreplace(point), 50)
        if value.is_number and abs(value) > sp.Float("1e-30"):
            pt = ", ".join(f"{k}={v}" for k, v in sorted(point.items(), key=lambda kv: str(kv[0])))
            return Outcome(Verdict.FAIL, f"{what}: ≠ 0, counterexample {pt}: value {sp.N(value, 8)}")
    return Outcome(Verdict.INCONCLUSIVE, f"{what}: not simplified to 0, no counterexample in {samples} samples")


def positive(expr: sp.Expr, what: str) -> Outcome:
    """Prove ``expr`` > 0 from the assumptions on its symbols (SymPy's assumption system)."""
    e = sp.simplify(expr)
    if e.is_positive:
        return Outcome(Verdict.PASS, f"{what}: positive under the assumptions")
    if e.is_nonpositive:
        return Outcome(Verdict.FAIL, f"{what}: is ≤ 0")
    return Outcome(Verdict.INCONCLUSIVE, f"{what}: sign not decided")


def positive_poly_from(poly: sp.Expr, var: sp.Symbol, lo: sp.Rational, what: str) -> Outcome:
    """Prove p(var) > 0 for all var ≥ lo: with var = lo + s, every coefficient of p(lo + s)
    is ≥ 0 and the constant one > 0 (sufficient).  A negative value at some var ≥ lo is FAIL."""
    s = sp.Symbol("s_shift", nonnegative=True)
    shifted = sp.Poly(sp.expand(poly.subs(var, lo + s)), s)
    coeffs = shifted.all_coeffs()
    if all(c >= 0 for c in coeffs) and coeffs[-1] > 0:
        return Outcome(Verdict.PASS, f"{what}: p({lo} + s) has non-negative coefficients {coeffs[::-1]}")
    for v in [lo + k for k in range(200)]:
        if poly.subs(var, v) <= 0:
            return Outcome(Verdict.FAIL, f"{what}: p({v}) = {poly.subs(var, v)} ≤ 0")
    return Outcome(Verdict.INCONCLUSIVE, f"{what}: shifted coefficients {coeffs[::-1]} not all ≥ 0")


def arb_positive(expr: sp.Expr, what: str, prec: int = 200) -> Outcome:
    """Prove the constant ``expr`` > 0 by an Arb enclosure (python-flint) that excludes 0."""
    from reluflow.symbolic import to_arb

    ball = to_arb([], expr, prec=prec)()
    if ball > 0:
        return Outcome(Verdict.PASS, f"{what}: Arb ball {ball.str(12)} > 0")
    if ball < 0:
        return Outcome(Verdict.FAIL, f"{what}: Arb ball {ball.str(12)} < 0")
    return Outcome(Verdict.INCONCLUSIVE, f"{what}: Arb ball {ball.str(12)} contains 0")


def all_of(*outcomes: Outcome) -> Outcome:
    """PASS iff every part passes; FAIL if any fails; else INCONCLUSIVE.  Details joined."""
    v = Verdict.combine(o.verdict for o in outcomes)
    if v is Verdict.PASS:
        shown = [o.detail for o in outcomes if o.detail]
        more = f"; … ({len(shown) - 3} more)" if len(shown) > 3 else ""
        return Outcome(v, f"all {len(outcomes)} parts proved: " + "; ".join(shown[:3]) + more)
    return Outcome(v, "; ".join(o.detail for o in outcomes if o.verdict is not Verdict.PASS))


def run(ids: list[str] | None = None, *, progress: Callable[[Check], None] | None = None) -> list[Result]:
    """Run the registered checks (all, or those whose id is in ``ids``), in order; a crashing
    proof is not a proof (INCONCLUSIVE); an unknown id is a ProblemError on ``only``."""
    results = []
    for c in choose(REGISTRY, ids, "only"):
        if progress is not None:
            progress(c)
        out, seconds = guarded(c.fn, lambda exc: Outcome(Verdict.INCONCLUSIVE, f"error: {type(exc).__name__}: {exc}"))
        results.append(Result(c, out.verdict, out.detail, seconds))
    return results
