"""Claims O1–O22 of the orthogonal-inputs paper (spec ``orthogonal_inputs.md`` §5), each
checked against the exact flow under the spec's tolerance notion.

Default fixtures: E1 (orthogonal, non-unit norms, both signs, A3, partial neurons with
coverage 0.316 and 0.949 — so limits converge like λ^0.103 and need λ down to 1e-160),
E1-rotated (E1 turned in R⁵, with components outside the data span), B1 (orthonormal)
and E2 (A3 fails).  Limits are trends along λ ladders; rates come from the theory
(spec R3, R6–R9) and are compared within 10 % unless stated.
"""

# the import order is the claims' order (O1–O22): isort is off for this file (pyproject.toml)
from ._shared import PAPER
from . import invariants, early, saddles, limits, beyond  # noqa: F401  (importing registers them)

__all__ = ["PAPER"]
