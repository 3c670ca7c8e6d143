"""``interpolate``: both minima with the theory’s checks (Theorem 8, the closed forms, the §3.6 network)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING
from fractions import Fraction
from typing import Any

import flint

from ...linalg import dot, inverse, to_fmpq
from ...problem import Dataset
from .minima import minimum_norm, rank_one_minimum
from .results import _Q0, Minimum, _decimal


def _arb(q: Fraction):
    return flint.arb(to_fmpq(q))


@dataclass(frozen=True)
class Interpolation:
    """The minimum-norm and the rank-one minimum of one data set, and the theory's values.

    ``closed_form`` (orthogonal data, R10): 2(‖β*₊‖ + ‖β*₋‖) as an Arb ball.  ``teacher_norm``
    (a teacher v*): 2‖v*‖, the norm of Θ_{v*}, the rank-one limit of Theorem 7.  ``M_sign``
    (teacher, n = d, X invertible): the exact sign of 𝓜, and ``counterexample_theta_sq`` the
    §3.6 network's exact ‖θ‖² when 𝓜 > 0.  ``checks`` maps each statement of the theory that
    applies to True/False when the enclosures decide it (None when they do not):

    - ``closed_form_in_minimum``, ``closed_form_in_rank_one`` (orthogonal data);
    - ``theorem8`` (teacher, n = d, X invertible, all labels positive — the theorem's
      setting, angles below π/2 by Remark 38(iii)): 𝓜 < 0 ⇒ the minimum is 2‖v*‖;
      𝓜 > 0 ⇒ it is < 2‖v*‖;
    - ``below_counterexample`` (𝓜 > 0): minimum ≤ the §3.6 network's ‖θ‖².

    >>> from reluflow.datasets import example37_positive
    >>> r = interpolate(example37_positive(d=3, b=16).data)
    >>> r.M_sign, r.checks, r.minimum.rank
    (1, {'theorem8': True, 'below_counterexample': True}, 3)
    """

    data: Dataset
    minimum: Minimum
    rank_one: Minimum
    closed_form: Any = None
    teacher_norm: Any = None
    M_sign: int | None = None
    counterexample_theta_sq: Fraction | None = None
    checks: dict = None  # type: ignore[assignment]

    @property
    def strict_gap(self) -> bool | None:
        """True if the minimum is certified strictly below the rank-one minimum, False if
        the two enclosures overlap (equal up to the solver's accuracy), None if not known."""
        a, b = self.minimum.theta_sq, self.rank_one.theta_sq
        if a is None or a.hi is None:
            return None
        if b is None:
            return True if not self.rank_one.feasible else None
        return a.hi < b.lo

    def to_dict(self, digits: int = 20) -> dict:
        m, r = self.minimum, self.rank_one

        def ball(x):
            return (
                None
                if x is None
                else {"mid": flint.arb(x.mid()).str(digits, radius=False), "rad": x.rad().str(3, radius=False)}
            )

        return {
            "n": self.data.n,
            "d": self.data.d,
            "min_theta_sq": None if m.theta_sq is None else m.theta_sq.to_dict(digits),
            "rank_one_min_theta_sq": None if r.theta_sq is None else r.theta_sq.to_dict(digits),
            "minimiser": {
                "a": [str(float(v)) for v in m.a],
                "W": [[str(float(c)) for c in row] for row in m.W],
                "exact_a": [str(v) for v in m.a],
                "exact_W": [[str(c) for c in row] for row in m.W],
            },
            "rank": m.rank,
            "neurons": m.neurons,
            "certified": m.certified and r.certified,
            "min_certified": m.certified,
            "rank_one": r.to_dict(digits),
            "rank_one_feasible": r.feasible,
            "strictly_below_rank_one": self.strict_gap,
            "closed_form_theta_sq": ball(self.closed_form),
            "teacher_theta_sq": ball(self.teacher_norm),
            "M_sign": self.M_sign,
            "counterexample_theta_sq": None
            if self.counterexample_theta_sq is None
            else _decimal(self.counterexample_theta_sq, digits, ROUND_CEILING),
            "checks": dict(self.checks),
            "programs": m.programs + r.programs,
            "blocks": m.blocks,
        }


def interpolate(data: Dataset, *, tol: float = 1e-12, rtol: float = 1e-6) -> Interpolation:
    """Certified minimum-norm and rank-one interpolators of ``data``, compared with the
    closed forms of both papers where they apply (see :class:`Interpolation`)."""
    minimum = minimum_norm(data, tol=tol, rtol=rtol)
    rank_one = rank_one_minimum(data, tol=tol, rtol=rtol)
    with flint.ctx.workprec(256):  # the closed forms as Arb balls of radius ~1e-75
        return _interpolation(data, minimum, rank_one)


def _interpolation(data: Dataset, minimum: Minimum, rank_one: Minimum) -> Interpolation:
    from .. import norm_geometry as ng

    checks: dict[str, bool | None] = {}
    closed = teacher = sign = cex = None
    if data.is_orthogonal:
        parts = [
            sum((y * y / dot(x, x) for x, y in zip(data.X, data.y) if (y > 0) == (sgn > 0) and y != 0), _Q0)
            for sgn in (1, -1)
        ]
        closed = 2 * (_arb(parts[0]).sqrt() + _arb(parts[1]).sqrt())
        for key, res in (("closed_form_in_minimum", minimum), ("closed_form_in_rank_one", rank_one)):
            c = None if res.theta_sq is None else res.theta_sq.locate(closed)
            checks[key] = None if c is None else c == 0
    if data.teacher is not None:
        teacher = 2 * _arb(dot(data.teacher, data.teacher)).sqrt()
        # Theorem 8's setting: n = d, X invertible, every angle with v* below π/2 (Remark 38(iii))
        if data.n == data.d >= 2 and inverse(data.X) is not None and all(v > 0 for v in data.y):
            sign = ng.dual_certificate(data).sign
            enc = minimum.theta_sq
            c = None if enc is None else enc.locate_sqrt(4 * dot(data.teacher, data.teacher))
            if c is not None and c == 0 and enc.hi is None:
                c = None  # 2‖v*‖ above lo, and no upper end: undecided
            if sign < 0:  # the minimum is 2‖v*‖
                checks["theorem8"] = None if c is None else c == 0
            elif sign > 0:  # the minimum is below 2‖v*‖
                checks["theorem8"] = None if c in (None, 0) else c == 1
                cex = ng.counterexample(data).exact_theta_sq
                below = None
                if enc is not None and enc.hi is not None and enc.hi <= cex:
                    below = True
                elif enc is not None and enc.lo > cex:
                    below = False
                checks["below_counterexample"] = below
    return Interpolation(data, minimum, rank_one, closed, teacher, sign, cex, checks)
