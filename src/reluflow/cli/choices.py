"""The command line's fixed choices as Enums, so ``--help`` lists them and a wrong one is a
usage error naming the choices; and ``--only`` lists in the documented form ``--only A B C``
(as well as ``--only A --only B`` and ``--only A,B``).

>>> ids(["O1", "O5,O9"], ["O21"])
['O1', 'O5', 'O9', 'O21']
"""

from __future__ import annotations

import enum

from ..problem import ProblemError

__all__ = ["Backend", "Paper", "Profile", "ids"]


class Paper(enum.StrEnum):
    orthogonal = "orthogonal"
    single_neuron = "single-neuron"


class Profile(enum.StrEnum):
    quick = "quick"
    thorough = "thorough"


class Backend(enum.StrEnum):
    numpy = "numpy"
    torch = "torch"
    auto = "auto"


def ids(only: list[str] | None, extra: list[str]) -> list[str] | None:
    """The ids of ``--only`` (repeated, comma-separated, or followed by more ids: ``extra`` are
    the command's leftover arguments); None for all.  Leftovers without ``--only`` are refused."""
    if extra and not only:
        raise ProblemError("only", f"unexpected argument(s) {' '.join(extra)}; to choose ids write --only {extra[0]} …")
    chosen = [part.strip() for item in [*(only or []), *extra] for part in item.split(",") if part.strip()]
    return chosen or None
