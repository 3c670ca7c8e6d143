"""Code generation from SymPy: numeric functions bound to a local mpmath context, or to
python-flint's Arb balls (rigorous enclosures).

SymPy's ``MpmathPrinter`` writes ``mpmath.sqrt(x)``, ``mpmath.mpf(1)/mpmath.mpf(3)``; the
generated code runs with the name ``mpmath`` bound to the *given* context (or to an Arb
shim), never to the global ``mpmath.mp``.  Exact rationals stay exact until the final
rounding (or become enclosing balls).

>>> import sympy as sp
>>> from reluflow.precision import context
>>> x = sp.Symbol("x")
>>> ctx = context(30)
>>> f = to_mpmath([x], sp.sqrt(x) / 3, ctx)
>>> ctx.nstr(f(2), 30)
'0.471404520791031682933896241403'
>>> g = to_arb([x], sp.sqrt(x) / 3, prec=100)
>>> g(2).contains(f(2))
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace

import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from ..problem import exact

__all__ = ["arb_namespace", "to_arb", "to_mpmath"]


def _source(args: Sequence[sp.Symbol], expr) -> str:
    names = [f"_a{i}" for i in range(len(args))]
    sub = dict(zip(args, (sp.Symbol(nm) for nm in names)))
    exprs = expr if isinstance(expr, (list, tuple)) else [expr]
    printer = MpmathPrinter({"fully_qualified_modules": True})
    body = ", ".join(printer.doprint(sp.sympify(e).xreplace(sub)) for e in exprs)
    if isinstance(expr, (list, tuple)):
        body = f"[{body}]"
    return f"def _generated({', '.join(names)}):\n    return {body}\n"


def _compile(args, expr, namespace: dict) -> Callable:
    src = _source(args, expr)
    ns = dict(namespace)
    exec(compile(src, "<reluflow.symbolic.codegen>", "exec"), ns)
    fn = ns["_generated"]
    fn.__doc__ = f"Generated from: {expr}"
    return fn


def to_mpmath(args: Sequence[sp.Symbol], expr, ctx) -> Callable:
    """A function of ``args`` evaluating ``expr`` (or a list of them) in the mpmath
    context ``ctx`` (e.g. ``reluflow.precision.context(dps)``); arguments are read by
    ``reluflow.problem.exact`` and rounded once to the context."""
    shim = SimpleNamespace(**{name: getattr(ctx, name) for name in dir(ctx) if not name.startswith("_")})
    fn = _compile(args, expr, {"mpmath": shim})

    def value(i, v):
        q = exact(v, f"argument {i}")  # read exactly, then one rounding to the context
        return ctx.mpf(q.numerator) / q.denominator

    def call(*values):
        return fn(*(value(i, v) for i, v in enumerate(values)))

    call.__doc__ = fn.__doc__
    return call


def arb_namespace():
    """The functions the printer emits, as Arb operations (python-flint)."""
    from flint import arb, fmpz

    def mpf(v):
        if isinstance(v, tuple):  # (sign, mantissa, exponent, bits): an exact binary float
            sign, man, exp, _ = v
            return arb(fmpz((-1) ** sign * int(man))) * arb(2) ** exp
        return arb(v)

    one = lambda f: lambda v: f(arb(v))
    return SimpleNamespace(
        mpf=mpf,
        sqrt=one(arb.sqrt),
        exp=one(arb.exp),
        log=one(arb.log),
        sin=one(arb.sin),
        cos=one(arb.cos),
        tan=one(arb.tan),
        atan=one(arb.atan),
        asin=one(arb.asin),
        acos=one(arb.acos),
        sinh=one(arb.sinh),
        cosh=one(arb.cosh),
        tanh=one(arb.tanh),
        atanh=one(arb.atanh),
        asinh=one(arb.asinh),
        acosh=one(arb.acosh),
        atan2=lambda y, x: arb.atan2(arb(y), arb(x)),
        fabs=lambda v: abs(arb(v)),
        power=lambda b, e: arb(b) ** e,
        pi=_Lazy(arb.pi),
        e=_Lazy(lambda: arb(1).exp()),
        inf=arb("inf"),
    )


class _Lazy:
    """A constant evaluated at the working precision of the moment it is used."""

    def __init__(self, make):
        self.make = make

    def _v(self):
        return self.make()

    def __add__(self, o):
        return self._v() + o

    def __radd__(self, o):
        return o + self._v()

    def __sub__(self, o):
        return self._v() - o

    def __rsub__(self, o):
        return o - self._v()

    def __mul__(self, o):
        return self._v() * o

    def __rmul__(self, o):
        return o * self._v()

    def __truediv__(self, o):
        return self._v() / o

    def __rtruediv__(self, o):
        return o / self._v()

    def __neg__(self):
        return -self._v()

    def __pow__(self, o):
        return self._v() ** o


def to_arb(args: Sequence[sp.Symbol], expr, *, prec: int = 128) -> Callable:
    """A function of ``args`` returning an Arb ball (or a list) that is guaranteed to
    contain the exact value of ``expr``, computed at ``prec`` bits.  Arguments are Arb
    balls or anything ``reluflow.problem.exact`` reads exactly (ints, Fractions, floats,
    decimal strings, mpmath numbers).  python-flint's working
    precision is set only for the call (``flint.ctx.workprec``) and restored after."""
    from flint import arb, ctx, fmpq

    fn = _compile(args, expr, {"mpmath": arb_namespace()})
    if not isinstance(prec, int) or prec < 2:
        raise ValueError(f"prec: must be an integer ≥ 2 bits, got {prec!r}")

    def ball(i, v):
        if isinstance(v, arb):
            return v
        q = exact(v, f"argument {i}")
        return arb(fmpq(q.numerator, q.denominator))

    def call(*values):
        with ctx.workprec(prec):
            return fn(*(ball(i, v) for i, v in enumerate(values)))

    call.__doc__ = fn.__doc__
    return call
