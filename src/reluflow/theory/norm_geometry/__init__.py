"""Minimum norm versus rank one: the norm geometry of the single-neuron paper
(Chistikov, Englert & Lazić 2023; spec ``single_neuron.md`` §3.6, Theorem 8, Example 37,
Remark 38; claims N20–N22).

For n = d inputs (rows of ``X``) the dual basis χ_k are the rows of X⁻¹ in the spec's
column convention, i.e. χ_kᵀx_i = δ_ki; they are computed exactly in Fractions.  Theorem 8
compares the rank-one interpolators Θ_{v*} (‖θ‖² = 2‖v*‖) with the minimum-norm ones
through the sign of

    𝓜 = max { cos∠(p, q) − sin∠(p, v*) : ∅ ⊊ K ⊊ [d], 0 ≠ p ∈ cone{χ_k}_{k∈K},
                                             0 ≠ q ∈ cone{χ_k}_{k∉K} }.

- **Value** (:func:`compute_M`): the 2^d − 2 subsets K are enumerated; for fixed p the best
  q is the projection of p on C = cone{χ_k}_{k∉K} (max_{q∈C} cos∠(p, q) = ‖Π_C p‖/‖p‖ when
  Π_C p ≠ 0, else the best extreme ray), by a Lawson–Hanson NNLS in the Gram coordinates
  of the χ_k; p is searched by multistart projected-gradient ascent on the simplex of its
  coefficients (floats), and the best point of each K is re-evaluated in a local mpmath
  context.  The value is attained by an explicit (K, p, q): a lower bound of 𝓜, exact to
  ``dps`` digits; the search may miss a higher maximum (pitfall 11).
- **Sign** (:func:`dual_certificate`, derived here, not in the paper): with μ_i = χ_iᵀv*,
  sign 𝓜 = sign(κ² − ‖v*‖²), where κ² is the largest squared norm of the projection of
  ±Σ_{i∈D} μ_i x_i on the simplicial cone {u : x_iᵀu ≥ 0 (i ∈ D), ≤ 0 (i ∉ D)} over the
  proper non-empty D — 2(2^d − 2) convex projections, done exactly in Fractions.  The
  same numbers give, by weak duality, ‖θ‖² ≥ 2μᵀy/κ for every zero-loss network, which is
  2‖v*‖ when 𝓜 ≤ 0: Theorem 8(i)'s minimality, by an argument independent of its proof.
- **Certificates**: 𝓜 > 0 is also certified by the §3.6 counterexample, rebuilt from
  rational (p, q) so that it interpolates exactly (residuals 0 in Fractions) with
  ‖θ‖² < 2‖v*‖ decided exactly; 𝓜 < 0 by the spec's sufficient conditions where they hold
  (χ_kᵀχ_i ≤ 0 for k ≠ i with positive labels, which covers orthogonal data and d = 2).
- The minimum itself, for any sign of 𝓜, is certified by :mod:`reluflow.theory.interpolators`.

>>> from reluflow.datasets import example37_positive, example37_negative
>>> mv = compute_M(example37_positive(d=3, b=16).data)
>>> mv.sign, mv.certified, mv.how, round(float(mv.value), 6)
(1, True, 'counterexample, duality', 0.069225)
>>> neg = compute_M(example37_negative(d=4).data)
>>> neg.sign, neg.certified, neg.how
(-1, True, 'Z-matrix, duality')

Everything works in a local mpmath context (``reluflow.precision.context``); nothing
changes ``mpmath.mp``.  Indices (K, neurons, points) are 0-based.  The cost grows like
2^d (d ≤ 6 takes seconds, d = 9 several).
"""

from .dual import dual_basis, example37_gap, remark38_bound, z_matrix
from .duality import DualCertificate, dual_certificate
from .mvalue import Counterexample, MValue, angles_below_pi4, compute_M, counterexample

__all__ = [
    "Counterexample",
    "DualCertificate",
    "MValue",
    "angles_below_pi4",
    "compute_M",
    "counterexample",
    "dual_basis",
    "dual_certificate",
    "example37_gap",
    "remark38_bound",
    "z_matrix",
]
