"""The three-valued outcome shared by claims and proof checks."""

from __future__ import annotations

import enum

__all__ = ["Verdict"]


class Verdict(enum.Enum):
    """PASS and FAIL only when the evidence decides; INCONCLUSIVE otherwise (including a
    claim that does not apply to the instance, with the reason in its detail)."""

    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"
