"""Closed-form predictions for one teacher neuron with correlated inputs (Chistikov,
Englert & Lazić 2023; spec ``single_neuron.md`` §3–§4, claims N1–N24).

``predict(problem)`` evaluates, in a local mpmath context: γ_I and γ_[n] = Σv*, the spectrum
of Σ = (1/n)Σ x_i x_iᵀ with the sign-fixed teacher coordinates ν*, δ and Δ, the checks of
Assumption 1 (each condition separately) and the Assumption 2 bound (in logarithms: it is
astronomically small), the sets J_±, n_j, the yardsticks in closed form (D1: crossing order,
crossing times τ_j^ℓ, angles, great-circle directions), T0, T1, the escape time T2 (D3,
sharpened by one λ-free run of the engine: the reduced phase-2 model D4 is exactly one
balanced neuron active on every point), the S predicates, the limit network (D2: κ_j split,
rank one, ‖θ‖² = 2, nuclear norm 1), the asymptotic rate 2λ_min((I + v*v*ᵀ)Σ), and for
n = d the quantity 𝓜 of Theorem 8 with its sign (and the counterexample network if 𝓜 > 0).

>>> from reluflow.datasets import sn1
>>> pr = predict(sn1("1e-30"))
>>> pr.J_plus, pr.J_minus, [c.point for c in pr.crossings]
((0, 1, 2), (3, 4), [2, 1, 0, 1, 1, 2, 1])
>>> all(pr.assumption1.values()), round(float(pr.T1_over_eps_log), 6)
(True, 0.229676)
"""

from .compute import predict
from .prediction import Prediction
from .records import EPS, Crossing, Stage, Yardstick

__all__ = ["EPS", "Crossing", "Prediction", "Stage", "Yardstick", "predict"]
