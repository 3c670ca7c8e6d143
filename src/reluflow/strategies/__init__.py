"""Hypothesis strategies for both papers' settings: exact data and initialisations.

Everything is an exact :class:`fractions.Fraction`, so the rows of a generated dataset are
orthogonal **exactly** (``Dataset.is_orthogonal``), not up to rounding:

- :func:`orthogonal_datasets` takes ``n`` rows of a rational rotation Q = (I − A)(I + A)⁻¹
  (the Cayley transform of a random skew-symmetric A with entries k/4, |k| ≤ 4) and scales
  row k by a rational norm c_k, so ‖x_k‖ = c_k exactly; labels are rational with both signs.
- :func:`inits` draws balanced initialisations (directions z_j, signs s_j) for a given
  orthogonal dataset that satisfy the coverage assumption A3 (``coverage=True``), violate
  it while still keeping every point (``coverage=False``, the R12 incremental-learning
  setting), or are unconstrained (``coverage=None``); every direction is generic:
  |⟨z_j, x_k⟩| ≥ margin·‖z_j‖‖x_k‖.
- :func:`orthogonal_problems` combines the two into a :class:`reluflow.Problem`.

For the single-neuron paper (spec ``single_neuron.md``), every instance satisfies the
data and init parts of Assumption 1, as decided exactly by
:mod:`reluflow.theory.single_neuron_assumptions`:

- :func:`teacher_vectors`: exact rational unit vectors v* (inverse stereographic projection);
- :func:`single_neuron_datasets`: x_i = v* + r_i with ‖r_i‖ < 1/√2, labels σ(⟨v*, x_i⟩);
- :func:`single_neuron_inits`, :func:`single_neuron_problems`: generic inits with J_+ ≠ ∅,
  optionally J_− neurons and neurons that never move;
- :func:`example37_problems`: slightly perturbed instances of the paper's Example 37, with
  the sign of 𝓜 certified exactly.

Options are keyword-only and validated when the strategy is built; a bad option raises
:class:`hypothesis.errors.InvalidArgument` naming it.  Numbers, denominators and sizes are
kept small on purpose: the generated problems feed an exact arbitrary-precision engine.
Shrinking goes towards A = 0 (so Q = I), the smallest norms and labels, and few neurons.

>>> from hypothesis import find, settings
>>> ds = find(orthogonal_datasets(), lambda ds: ds.n == 3, settings=settings(database=None))
>>> ds.n, ds.is_orthogonal, {v > 0 for v in ds.y}
(3, True, {False, True})
>>> orthogonal_datasets(min_n=0)
Traceback (most recent call last):
    ...
hypothesis.errors.InvalidArgument: min_n=0 must be an integer ≥ 1 (the number of data points)
"""

from ._validation import rates_separated
from .example37 import example37_problems
from .general import general_problems
from .orthogonal import inits, orthogonal_datasets, orthogonal_problems
from .single_neuron import single_neuron_datasets, single_neuron_inits, single_neuron_problems, teacher_vectors

__all__ = [
    "example37_problems",
    "general_problems",
    "inits",
    "orthogonal_datasets",
    "orthogonal_problems",
    "rates_separated",
    "single_neuron_datasets",
    "single_neuron_inits",
    "single_neuron_problems",
    "teacher_vectors",
]
