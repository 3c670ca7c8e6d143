"""Minimum-norm and rank-one interpolators of a data set, solved by a conic solver and
certified exactly (issue 6; spec ``orthogonal_inputs.md`` R9–R10, ``single_neuron.md`` §3.6).

For a network h(x) = Σ_j a_j σ(⟨w_j, x⟩) that fits y exactly, ‖θ‖² ≥ 2 Σ_j ‖u_j‖ with
u_j = |a_j| w_j, with equality when balanced.  Each u_j lies in the closed cone K_D of its
activation pattern D = {i : ⟨x_i, u_j⟩ > 0}, on which σ(Xu) = D X u is linear.  So

    min ‖θ‖² over interpolators of any width
        = 2 · min Σ_b ‖u_b‖   s.t.   Σ_b s_b D_b X u_b = y,   u_b ∈ K_{D_b},

one block b = (D, s) per non-empty pattern D ⊆ [n] and output sign s = ±1: a second-order
cone program (the convex reformulation of two-layer ReLU networks, Pilanci & Ergen 2020).
Every sign pattern is kept, realised or not, so that the blocks cover every neuron without
trusting an enumeration of the arrangement (an unrealised pattern's cone is just smaller).

- **Solver.** Clarabel (interior point, a well-kept Rust SOCP solver and CVXPY's default)
  gives the primal u_b and the dual μ, λ.
- **Upper bound.** The support is rounded to rationals and repaired exactly: pre-activations
  that are zero to solver accuracy are made exactly 0, the fit is restored by the least-norm
  rational correction, and every neuron's sign pattern is re-checked.  The result is an
  exact rational network (a, W) with h(x_i) = y_i in Fractions; ``hi`` is its exact ‖θ‖².
- **Lower bound.** Weak duality: if ‖s_b X D_b μ + Σ_i λ_bi e_bi x_i‖ ≤ r for every block
  (e_bi = ±1 the pattern's signs, λ ≥ 0), then every interpolator has ‖θ‖² ≥ 2μᵀy/r.  The
  solver's μ, λ are taken as exact rationals and r is an exact rational upper bound of the
  largest norm, so ``lo`` is proven.  The enclosure [lo, hi] is therefore certified,
  whatever the solver's accuracy; its width shows that accuracy.

Rank one (the shape of the small-initialisation limit in both papers: one neuron direction
per label sign, W₊ = c₊v₊ᵀ and W₋ = c₋v₋ᵀ with c± ≥ 0; a sign class is used only when a
label has that sign) is a union of such programs, one per pair of patterns (P ⊇ S₊, Q ⊇ S₋)
of the two directions; each is solved and certified the same way, an infeasible one by a
Farkas ray, and the enclosure is the minimum over pairs.

>>> from reluflow.problem import Dataset
>>> r = minimum_norm(Dataset([[1, 0], [0, 2]], [1, -1]))
>>> r.certified, r.rank, float(r.theta_sq.lo) <= 3 <= float(r.theta_sq.hi)
(True, 2, True)
"""

from .interpolation import Interpolation, interpolate
from .minima import minimum_norm, rank_one_minimum
from .results import MAX_POINTS, Enclosure, Minimum

__all__ = ["MAX_POINTS", "Enclosure", "Interpolation", "Minimum", "interpolate", "minimum_norm", "rank_one_minimum"]
