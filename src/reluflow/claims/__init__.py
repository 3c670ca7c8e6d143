"""Checkable claims of both papers against the exact flow: ``run(paper, profile=...)``
returns one :class:`ClaimResult` per claim (verdict, predicted, observed, tolerance, λ,
dps); ``report`` writes them as Markdown and JSON.

>>> [c.id for c in REGISTRY if c.paper == "orthogonal"][:3]
['O1', 'O2', 'O3']
"""

from ..verdict import Verdict
from . import orthogonal, single_neuron  # noqa: F401  (register O1–O22, N1–N24)
from .core import PROFILES, REGISTRY, Claim, ClaimResult, Outcome, Profile, Session, run

__all__ = ["PROFILES", "REGISTRY", "Claim", "ClaimResult", "Outcome", "Profile", "Session", "Verdict", "run"]
