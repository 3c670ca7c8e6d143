"""Certified enclosures of a solved trajectory (issue 7): every number a ball that provably
contains the true gradient flow's value, or an honest failure.

The engine's dense output x̃(t) (exact rational Taylor polynomials, step by step) is
*validated*, not re-integrated, so there is no wrapping effect: the error e = x − x̃ of the
true flow obeys ė = f(x) − f(x̃) − δ with the defect δ = x̃' − f(x̃), and while x stays in
a tube around x̃, cluster by cluster (neurons that share points, of similar size),

    ‖e_C(t₀ + τ)‖ ≤ e^{∫μ_C⁺} (‖e_C(t₀)‖ + τ sup ‖δ_C‖ + ∫ Σ_D L_CD ρ_D),

where μ_C bounds the largest eigenvalue of the cluster's block of the Jacobian −∇²L over
the tube (proven by an interval LDLᵀ in Arb), L_CD the coupling to the other clusters, and
errors are weighted by each neuron's block exponent 2^{−e_j}, so they are relative per
neuron like the engine's.  Per step:

- **Defect** — computed exactly: the step's polynomials are FLINT rationals, the field on
  the step's pattern is a polynomial in them, and sup_τ |δ| ≤ Σ_k |δ_k| S^k.
- **Tube** (a-priori enclosure, Picard–Lindelöf style): a radius ρ is guessed, μ is bounded
  over the polynomials' range ± ρ, and the step is accepted only if the Gronwall bound
  stays below ρ (bootstrap); the jumps between steps (rounding, normalisation, u set to 0
  at events) are added exactly.
- **Pattern** — every pair's pre-activation ⟨w_j, x_k⟩ is proven to keep its sign over the
  step (polynomial range by Arb with subdivision); a pair resting at 0 is accepted only
  where the structure freezes it (orthogonal inputs, or a neuron with no active point).
- **Sliding modes** are not covered: a trajectory with a sliding step (or a slide /
  repel event) fails with the steps named, never a certificate that ignores them.
- **Events** — in a window around each switch the derivative of ⟨w_j, x_k⟩ is proven
  sign-definite in both patterns (one crossing, no other), and the crossing time is
  enclosed; the pattern mismatch inside that interval is added to the error.

Anything that cannot be proven ends the certificate with status FAILED and the reason;
no interval is reported then.

>>> from reluflow import Problem, Dataset, Init, solve
>>> p = Problem(Dataset([[1, 0], [0, 1]], [1, "-0.5"]), Init("1e-10", [["0.6", "0.8"], ["0.3", "-0.9"]], [1, -1]))
>>> c = certify(solve(p, t_end=40, digits=30))
>>> c.status.value, float(c.loss_ball.rad()) < 1e-25
('certified', True)
"""

from .result import Certificate, CertStatus, EventBall, ball_dict
from .validate import certify

__all__ = ["CertStatus", "Certificate", "EventBall", "ball_dict", "certify"]
