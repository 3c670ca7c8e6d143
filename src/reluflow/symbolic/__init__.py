"""The symbolic layer: SymPy derives the flow, its invariants and Taylor recurrences, and
generates numeric code (local mpmath contexts, Arb balls) from closed forms.

Modules: ``model`` (loss and field per activation pattern), ``taylor`` (Taylor
coefficients by series substitution and by the engine's Cauchy recurrence), ``sums``
(identities between sums over symbolic sizes), ``formulas`` (the closed forms of both
papers as SymPy expressions), ``codegen`` (SymPy → mpmath / Arb).
"""

from .codegen import to_arb, to_mpmath
from .model import Flow, derive, patterns
from .sums import canonical, is_zero
from .taylor import cauchy_coefficients, recurrence_residual, series_coefficients

__all__ = [
    "Flow",
    "canonical",
    "cauchy_coefficients",
    "derive",
    "is_zero",
    "patterns",
    "recurrence_residual",
    "series_coefficients",
    "to_arb",
    "to_mpmath",
]
