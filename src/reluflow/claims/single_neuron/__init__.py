"""Claims N1–N19 and N24 of the single-neuron paper (spec ``single_neuron.md`` §5), each
checked against the exact flow under the spec's tolerance notion (N20–N23, the norm
geometry and the probability bound, live in :mod:`.geometry`).

Default fixture: SN1 (d = n = 3, m = 6; three J_+ neurons, two J_− neurons, one that never
moves; every condition of Assumption 1 holds).  Assumption 2 is unreachable, so the
phase claims run at λ = 1e-30, where the phases are well separated (T0 ≈ 1.4 < T1 ≈ 4),
and limits are trends along λ ladders at the rates of D5 (gaps and 1 − cos O(λ²); bundle
angles, ratio errors and nuclear-norm excess O(λ); ‖θ‖² − 2 O(λ²)).
"""

# the import order is the claims' order (N1–N19, N24, N20–N23): isort is off for this file (pyproject.toml)
from ._shared import PAPER
from . import flow, phase1, phase2, limits, geometry, bounds  # noqa: F401  (importing registers them)

__all__ = ["PAPER"]
