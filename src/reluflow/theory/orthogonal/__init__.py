"""Closed-form predictions for orthogonal inputs (Boursier, Pillaud-Vivien & Flammarion 2022).

``predict(problem)`` evaluates every closed-form quantity of the spec's table
(``orthogonal_inputs.md`` §4; results R1–R12, claims O1–O22; the paper's own numbers are
unknown and never cited): the classes S_± and directions D_±, per neuron the sets A_j⁰,
P_j, N_j, the λ-free early trajectory ŵ_j(t) by the R3 segment map with its deactivation
times, the growth prefactors K_j, the rescaled jump times T_± and the finite-λ escape and
half-fit times, the plateau losses, the heteroclinic loss curve (logistic for orthonormal
classes, one λ-free solve of the engine per class otherwise), the final rates, the
minimum-norm interpolator θ* with its per-neuron split, and the jump process of R11/R12
(which also covers data where the coverage assumption A3 fails).

The closed forms are the SymPy expressions of :mod:`reluflow.symbolic.formulas` (those the
proof checks verify), evaluated through the code generator in a local mpmath context.

>>> from reluflow.datasets import e1
>>> pr = predict(e1("1e-30"))
>>> pr.fast, [float(c.T) for c in (pr.plus, pr.minus)]
('+', [1.2649110640673518, 2.9814239699997196])
>>> [nb.full for nb in pr.neurons], pr.assumptions["A3"]
([True, True, True, True, False, False], True)
"""

from .compute import beta_star_sq, predict
from .prediction import Prediction
from .records import ClassTheory, Deactivation, EarlySegment, Jump, NeuronTheory, check_assumptions

__all__ = [
    "ClassTheory",
    "Deactivation",
    "EarlySegment",
    "Jump",
    "NeuronTheory",
    "Prediction",
    "beta_star_sq",
    "check_assumptions",
    "predict",
]
