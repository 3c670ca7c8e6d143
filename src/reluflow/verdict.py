"""The checks core shared by claims and proof checks: the three-valued verdict, how verdicts
combine, a registry of uniquely named checks, the choice of ids, and a guarded timed call.

>>> Verdict.combine([Verdict.PASS, Verdict.INCONCLUSIVE]), Verdict.combine([True, None, False])
(<Verdict.INCONCLUSIVE: 'INCONCLUSIVE'>, <Verdict.FAIL: 'FAIL'>)
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from .problem import ProblemError

__all__ = ["Verdict", "choose", "guarded", "register"]

T = TypeVar("T")


class _Named(Protocol):
    @property
    def id(self) -> str: ...


N = TypeVar("N", bound=_Named)


class Verdict(enum.Enum):
    """PASS and FAIL only when the evidence decides; INCONCLUSIVE otherwise (including a
    claim that does not apply to the instance, with the reason in its detail)."""

    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"

    @classmethod
    def combine(cls, parts: Iterable[Verdict | bool | None]) -> Verdict:
        """All parts together (a bool is PASS/FAIL, None undecided): FAIL if any fails,
        else INCONCLUSIVE if any is undecided, else PASS."""
        vals = [
            v if isinstance(v, Verdict) else cls.INCONCLUSIVE if v is None else cls.PASS if v else cls.FAIL
            for v in parts
        ]
        return cls.FAIL if cls.FAIL in vals else cls.INCONCLUSIVE if cls.INCONCLUSIVE in vals else cls.PASS

    @classmethod
    def overall(cls, texts: Iterable[str]) -> Verdict:
        """:meth:`combine` of verdicts written as text (a report's column); entries that are no
        verdict ("—": nothing judged) are skipped.

        >>> Verdict.overall(["PASS", "—", "INCONCLUSIVE"]).value
        'INCONCLUSIVE'
        """
        return cls.combine(cls(t) for t in texts if t in cls._value2member_map_)


def register(registry: list[N], item: N) -> None:
    """Append ``item`` (anything with an ``id``) unless its id is taken."""
    if any(c.id == item.id for c in registry):
        raise ValueError(f"duplicate id {item.id}")
    registry.append(item)


def choose(items: Sequence[N], ids: Sequence[str] | None, field: str) -> list[N]:
    """The items whose id is in ``ids`` (all for None), in registry order; an unknown id is a
    :class:`ProblemError` on ``field`` listing the known ones."""
    if not ids:
        return list(items)
    known = [c.id for c in items]
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise ProblemError(field, f"unknown id(s) {unknown}; known: {known}")
    return [c for c in items if c.id in ids]


def guarded(call: Callable[[], T], on_error: Callable[[Exception], T]) -> tuple[T, float]:
    """(result, seconds) of ``call()``; an exception becomes ``on_error(exc)`` — a check that
    crashes decides nothing, it never passes."""
    start = time.perf_counter()
    try:
        out = call()
    except Exception as exc:  # every failure of a check is reported, none escapes
        out = on_error(exc)
    return out, time.perf_counter() - start
