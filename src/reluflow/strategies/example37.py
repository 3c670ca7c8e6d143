"""Slightly perturbed instances of Example 37 with the sign of 𝓜 certified exactly."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..datasets import example37_negative, example37_positive, perturbed
from ..linalg import dot, inverse
from ..problem import Dataset, Problem, ProblemError
from ..theory.single_neuron_assumptions import data_conditions
from ._validation import _number
from .single_neuron import _all_hold, _init_options, single_neuron_inits

_E37_FAMILIES = ("negative", "positive")
_E37_XI = tuple(Fraction(k, 8) for k in range(1, 8))  # ξ grid, capped by the π/4 angle bound
_E37_B = (16, 25, 36, 49, 64, 100)  # b ≥ 11 with √b rational


def _m_sign_certified(data: Dataset, family: str) -> bool:
    """An exact certificate of the family's sign of 𝓜 (spec §3.6), or False.

    ``negative``: ⟨χ_k, χ_i⟩ ≤ 0 for all k ≠ i (the inverse Gram matrix is a Z-matrix), the
    spec's sufficient condition for 𝓜 < 0.  ``positive``: the Example 37 witness K = {1},
    p = χ_1, q = χ_2 (0-based; the paper's χ_2, χ_3) has cos∠(p, q) > sin∠(p, v*), so
    𝓜 > 0; decided through squares: ⟨p, q⟩ > 0 and ⟨p, q⟩²‖v*‖² > ‖q‖²(‖p‖²‖v*‖² − ⟨p, v*⟩²).
    """
    H = inverse([[dot(a, b) for b in data.X] for a in data.X])  # ⟨χ_k, χ_i⟩ for the dual basis
    d = data.d
    if family == "negative":
        return all(H[k][i] <= 0 for k in range(d) for i in range(d) if k != i)
    pq, pp, qq = H[1][2], H[1][1], H[2][2]
    pv = sum((H[1][i] * dot(data.X[i], data.teacher) for i in range(d)), Fraction(0))
    vv = dot(data.teacher, data.teacher)
    return pq > 0 and pq * pq * vv > qq * (pp * vv - pv * pv)


def _e37_values(build, family: str, d: int, shape: str, name: Any) -> list:
    """The family's shape values to draw from (ξ or b): the given one, checked, or those of
    the default grid that are valid at this d; an invalid d or value is an InvalidArgument."""
    try:
        build(_E37_XI[0] if family == "negative" else _E37_B[0])
    except ProblemError as exc:
        raise InvalidArgument(f"d={d!r} is invalid for family={family!r}: {exc}") from None
    if name is not None:
        try:
            build(name)
        except ProblemError as exc:
            raise InvalidArgument(f"{shape}={name!r} is invalid for family={family!r}: {exc}") from None
        return [name]
    values = []
    for v in _E37_XI if family == "negative" else _E37_B:
        try:
            build(v)
        except ProblemError:
            continue
        values.append(v)
    return values


def example37_problems(
    *,
    family: str = "negative",
    d: int | None = None,
    xi: Any = None,
    b: Any = None,
    eps: Any = "1e-3",
    width: int | tuple[int, int] = (2, 4),
    lam: Any = "1e-30",
    j_minus: bool = True,
    idle: bool = True,
    margin: Any = Fraction(1, 1000),
) -> st.SearchStrategy[Problem]:
    """Slightly perturbed instances of the paper's Example 37 (spec §3.6 and §7 pitfall 3)
    that satisfy the data and init parts of Assumption 1 **and** keep the family's sign of 𝓜,
    all checked exactly, for Theorems 6–8 on the two sides of the norm question.

    ``family="negative"`` (𝓜 < 0): :func:`reluflow.datasets.example37_negative` with ``d``
    (a perfect square ≥ 4, default 4, so that v* = s/√d is rational) and ``xi`` (default:
    drawn from k/8 below the π/4 bound √(2(√2 − 1)/(d − 1))).  ``family="positive"``
    (𝓜 > 0): :func:`reluflow.datasets.example37_positive` with ``d`` ≥ 3 (default 3) and ``b``
    (a rational square ≥ 11; default: drawn from 16, 25, 36, 49, 64, 100).  The inputs are
    moved by :func:`reluflow.datasets.perturbed` (‖r_i‖ ≤ ``eps``, seed drawn), which breaks
    the symmetry that makes Example 37 violate Assumption 1(iii); the sign of 𝓜 is then
    certified exactly (negative: the inverse Gram matrix is a Z-matrix; positive: the paper's
    witness χ_2, χ_3 still has cos∠(χ_2, χ_3) > sin∠(χ_2, v*)).  The initialisation comes
    from :func:`single_neuron_inits` (``width`` — Theorem 8 needs m > 1, hence the default
    (2, 4) — ``lam``, ``j_minus``, ``idle``, ``margin``).

    >>> from hypothesis import Phase, find, settings
    >>> from reluflow.theory.single_neuron_assumptions import data_conditions
    >>> quick = settings(database=None, phases=[Phase.generate])  # no shrinking: any valid draw
    >>> p = find(example37_problems(family="positive"), lambda p: True, settings=quick)
    >>> p.d, p.n, p.data.teacher, all(data_conditions(p.data).values())
    (3, 3, (Fraction(4, 5), Fraction(0, 1), Fraction(3, 5)), True)
    >>> example37_problems(family="negative", d=5)
    Traceback (most recent call last):
        ...
    hypothesis.errors.InvalidArgument: d=5 is invalid for family='negative': d: must be a perfect square (4, 9, 16, …) so that v* = s/√d is exact; got d = 5
    """
    if family not in _E37_FAMILIES:
        raise InvalidArgument(f"family={family!r} must be 'negative' (𝓜 < 0) or 'positive' (𝓜 > 0)")
    if d is None:
        d = 4 if family == "negative" else 3
    builder = example37_negative if family == "negative" else example37_positive
    shape, name = ("xi", xi) if family == "negative" else ("b", b)
    other = b if family == "negative" else xi
    if other is not None:
        raise InvalidArgument(
            f"{'b' if family == 'negative' else 'xi'}={other!r} does not apply to family={family!r} (use {shape}=…)"
        )

    def build(value):
        return builder(d, value, lam="1", width=1, seed=0)

    values = _e37_values(build, family, d, shape, name)
    e = _number(eps, "eps")
    if e <= 0:
        raise InvalidArgument(f"eps={eps!r} must be > 0 (the size of the perturbation of each input)")
    _init_options(width, lam, j_minus, idle, margin)

    @st.composite
    def problems(draw) -> Problem:
        base = build(draw(st.sampled_from(values)))
        try:
            data = perturbed(base, e, draw(st.integers(0, 2**32 - 1))).data
        except ProblemError:  # ε too large for an angle: another seed may do
            assume(False)
        assume(_all_hold(data_conditions(data)) and _m_sign_certified(data, family))
        init = draw(single_neuron_inits(data, width=width, lam=lam, j_minus=j_minus, idle=idle, margin=margin))
        return Problem(data, init)

    return problems()


# ============================================================================= general data
#
# Outside both papers' assumptions: any correlation, n > d, repeated or parallel inputs,
# labels of both signs.  Here the flow slides (issue 15): the engine must still end every
# run with a normal status.
