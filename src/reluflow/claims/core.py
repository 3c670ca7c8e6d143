"""The claims framework: a registry of checkable claims, profiles, a run cache, verdicts.

A claim (ids O1…, N1…) takes a problem, runs the engine at the precision it needs,
compares with the theory's prediction under the spec's tolerance notion and returns a
:class:`ClaimResult`: verdict, predicted, observed, tolerance, λ and dps.  Limits are
checked as trends: the error must shrink as λ decreases, at the predicted log–log rate.

>>> trend([1e-4, 1e-6], [1e-8, 1e-12], rate=2.0, rel=0.1).verdict
<Verdict.PASS: 'PASS'>
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..integrate import Trajectory, solve
from ..problem import Problem, ProblemError
from ..verdict import Verdict

__all__ = [
    "FIXTURES",
    "PROFILES",
    "REGISTRY",
    "Claim",
    "ClaimResult",
    "NotObserved",
    "Outcome",
    "Profile",
    "Session",
    "claim",
    "fmt",
    "lam_str",
    "loglog_slope",
    "run",
    "trend",
]


@dataclass(frozen=True)
class Profile:
    """How hard to check: the λ ladders of the trend claims and the sample counts.

    ``quick`` fits CI (about a minute for one paper); ``thorough`` goes to smaller λ
    and denser samples, by hand."""

    name: str
    digits: int
    early_lams: tuple[str, ...]  # λ-free early phase, errors O(λ²) (O4, O5)
    window_lams: tuple[str, ...]  # alignment window (O8)
    escape_lams: tuple[str, ...]  # escape and plateau times (O9, O11, O12)
    curve_lams: tuple[str, ...]  # whole loss curve (O10)
    limit_lams: tuple[str, ...]  # limits t → ∞ then λ → 0 (O15–O18)
    incremental_lams: tuple[str, ...]  # without A3 (O20)
    samples: int
    interpolators: int
    sn_early_lams: tuple[str, ...] = ()  # single neuron: crossing gaps and early errors, O(λ²) (N6, N9)
    sn_escape_lams: tuple[str, ...] = ()  # single neuron: escape time T2 (N15)
    sn_limit_lams: tuple[str, ...] = ()  # single neuron: limits t → ∞ then λ → 0 (N14, N18, N19, N24)


PROFILES = {
    "quick": Profile(
        "quick",
        30,
        early_lams=("1e-3", "1e-4", "1e-5", "1e-6"),
        window_lams=("1e-10", "1e-20", "1e-40"),
        escape_lams=("1e-10", "1e-30", "1e-100"),
        curve_lams=("1e-10", "1e-20", "1e-40"),
        limit_lams=("1e-20", "1e-40", "1e-80", "1e-160"),
        incremental_lams=("1e-20", "1e-40", "1e-80"),
        samples=60,
        interpolators=40,
        sn_early_lams=("1e-5", "1e-10", "1e-20", "1e-40", "1e-60"),
        sn_escape_lams=("1e-5", "1e-10", "1e-20", "1e-40"),
        sn_limit_lams=("1e-3", "1e-5", "1e-8", "1e-12"),
    ),
    "thorough": Profile(
        "thorough",
        40,
        early_lams=("1e-3", "1e-4", "1e-5", "1e-6", "1e-8", "1e-10"),
        window_lams=("1e-10", "1e-20", "1e-40", "1e-80", "1e-160"),
        escape_lams=("1e-10", "1e-30", "1e-100", "1e-300"),
        curve_lams=("1e-10", "1e-20", "1e-40", "1e-80"),
        limit_lams=("1e-20", "1e-40", "1e-80", "1e-160", "1e-320"),
        incremental_lams=("1e-20", "1e-40", "1e-80", "1e-160"),
        samples=200,
        interpolators=400,
        sn_early_lams=("1e-5", "1e-10", "1e-20", "1e-40", "1e-60", "1e-100"),
        sn_escape_lams=("1e-5", "1e-10", "1e-20", "1e-40", "1e-100"),
        sn_limit_lams=("1e-3", "1e-5", "1e-8", "1e-12", "1e-20", "1e-30"),
    ),
}


@dataclass(frozen=True)
class Outcome:
    """What a claim function measured (the runner adds id, statement and time)."""

    verdict: Verdict
    predicted: str
    observed: str
    tolerance: str
    lam: str
    dps: int
    detail: str = ""
    certified: bool = False  # the verdict was decided by proven enclosures (Arb balls)


class NotObserved(Exception):
    """Raised inside a claim when the run does not show what the theory predicts; the
    runner reports its ``outcome`` (FAIL where the hypotheses hold, else INCONCLUSIVE)."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.detail)
        self.outcome = outcome


@dataclass(frozen=True)
class Claim:
    id: str
    paper: str  # "orthogonal", "single-neuron"
    source: str  # spec results it rests on
    statement: str
    notion: str  # the spec's tolerance notion
    instance: str  # default fixture name
    fn: Callable[[Session, Problem], Outcome] = field(repr=False)


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    instance: str
    verdict: Verdict
    predicted: str
    observed: str
    tolerance: str
    lam: str
    dps: int
    detail: str
    seconds: float
    certified: bool = False

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def label(self) -> str:
        """'certified PASS' when proven enclosures decided the verdict, else the verdict."""
        return (
            "certified " if self.certified and self.verdict is not Verdict.INCONCLUSIVE else ""
        ) + self.verdict.value

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "verdict": self.verdict.value,
            "predicted": self.predicted,
            "observed": self.observed,
            "tolerance": self.tolerance,
            "lambda": self.lam,
            "dps": self.dps,
            "instance": self.instance,
            "statement": self.claim.statement,
            "source": self.claim.source,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
            "certified": self.certified,
        }


REGISTRY: list[Claim] = []
FIXTURES: dict[str, Callable[[], Problem]] = {}  # default instances by name, registered with the claims


def claim(id: str, *, paper: str, source: str, statement: str, notion: str, instance: str):
    """Register the decorated ``fn(session, problem) -> Outcome`` as a claim."""

    def deco(fn):
        if any(c.id == id for c in REGISTRY):
            raise ValueError(f"duplicate claim id {id}")
        REGISTRY.append(Claim(id, paper, source, statement, notion, instance, fn))
        return fn

    return deco


class Session:
    """One checking session: a profile and a cache of engine runs and predictions, so
    claims that need the same run share it."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self._runs: dict = {}
        self._predictions: dict = {}
        self._certs: dict = {}

    def solve(self, problem: Problem, *, digits: int | None = None, **options) -> Trajectory:
        digits = digits or self.profile.digits
        key = (problem, digits, tuple(sorted((k, str(v)) for k, v in options.items())))
        if key not in self._runs:
            self._runs[key] = solve(problem, digits=digits, **options)
        return self._runs[key]

    def certify(self, tr: Trajectory):
        """The :mod:`~reluflow.integrate.certify` certificate of a run, cached."""
        key = id(tr)
        if key not in self._certs:
            from ..integrate.certify import certify

            self._certs[key] = (tr, certify(tr))  # keep tr alive so its id stays unique
        return self._certs[key][1]

    def predict(self, problem: Problem, dps: int = 30, paper: str = "orthogonal"):
        """The theory's prediction for ``paper`` ("orthogonal" or "single-neuron"), cached."""
        key = (problem, dps, paper)
        if key not in self._predictions:
            from ..theory import orthogonal, single_neuron

            module = {"orthogonal": orthogonal, "single-neuron": single_neuron}[paper]
            self._predictions[key] = module.predict(problem, dps=dps)
        return self._predictions[key]


# ----------------------------------------------------------------------------- helpers


def fmt(x: Any, digits: int = 6) -> str:
    """A number for a report cell (floats and mpmath numbers; None as '—')."""
    if x is None:
        return "—"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(fmt(v, digits) for v in x) + "]"
    if hasattr(x, "_mpf_"):
        import mpmath

        return mpmath.nstr(x, digits)
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, (int, Fraction)):
        return str(x)
    return f"{float(x):.{digits}g}"


def lam_str(lam: Fraction | str | Sequence) -> str:
    """λ for reports: '1e-30' for powers of ten, else the exact fraction; ladders joined."""
    if isinstance(lam, (list, tuple)):
        return ", ".join(lam_str(v) for v in lam)
    if isinstance(lam, str):
        return lam
    q = Fraction(lam)
    if q.numerator == 1 and q.denominator > 1:
        k = len(str(q.denominator)) - 1
        if 10**k == q.denominator:
            return f"1e-{k}"
    return str(q)


def loglog_slope(lams: Sequence[float], errs: Sequence[float]) -> float:
    """Least-squares slope of log(err) against log(λ) (λ and err may be mpmath numbers)."""
    xs = [_log(v) for v in lams]
    ys = [_log(v) for v in errs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def _log(v) -> float:
    if hasattr(v, "_mpf_"):
        import mpmath

        return float(mpmath.log(v)) if v > 0 else -math.inf
    if isinstance(v, Fraction):
        return math.log(v.numerator) - math.log(v.denominator)
    return math.log(float(v)) if float(v) > 0 else -math.inf


@dataclass(frozen=True)
class Trend:
    verdict: Verdict
    slope: float
    detail: str


def trend(lams: Sequence, errs: Sequence, *, rate: float, rel: float | None = None, at_least: bool = False) -> Trend:
    """Judge errors measured along a decreasing λ ladder against the predicted rate
    err ≍ λ^rate: PASS when every error is positive, they shrink monotonically, and the
    least-squares log–log slope is within ``rel`` (relative) of ``rate`` — or, with
    ``at_least``, at least (1 − rel)·rate (an upper bound on the error).  A ladder that
    does not shrink, or shrinks at another rate, is FAIL."""
    rel = 0.1 if rel is None else rel
    vals = [float(_log(e)) for e in errs]
    if any(not math.isfinite(v) for v in vals):
        return Trend(Verdict.INCONCLUSIVE, math.nan, "an error is exactly 0 (below resolution): no rate measurable")
    slope = loglog_slope(lams, errs)
    shrinking = all(b < a for a, b in itertools.pairwise(vals))
    ok = slope >= (1 - rel) * rate if at_least else abs(slope - rate) <= rel * rate
    detail = f"log–log slope {slope:.4g} (predicted {'≥ ' if at_least else ''}{rate:.4g}); errors " + ", ".join(
        f"{math.exp(v):.3g}" if v > -700 else f"1e{v / math.log(10):.1f}" for v in vals
    )
    if not shrinking:
        return Trend(Verdict.FAIL, slope, detail + "; errors do not shrink monotonically as λ decreases")
    return Trend(Verdict.PASS if ok else Verdict.FAIL, slope, detail)


def run(
    paper: str = "orthogonal",
    *,
    profile: str | Profile = "quick",
    problem: Problem | None = None,
    ids: Sequence[str] | None = None,
    progress: Callable[[Claim], None] | None = None,
) -> list[ClaimResult]:
    """Run the registered claims of ``paper`` (all, or ``ids``) on their default fixtures,
    or all on ``problem``; a claim that does not apply says so (INCONCLUSIVE)."""
    prof = PROFILES.get(profile) if isinstance(profile, str) else profile
    if prof is None:
        raise ProblemError("profile", f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    chosen = [c for c in REGISTRY if c.paper == paper]
    if not chosen:
        raise ProblemError("paper", f"no claims registered for {paper!r}; known: {sorted({c.paper for c in REGISTRY})}")
    if ids:
        unknown = sorted(set(ids) - {c.id for c in chosen})
        if unknown:
            raise ProblemError("only", f"unknown claim id(s) {unknown}; known: {[c.id for c in chosen]}")
        chosen = [c for c in chosen if c.id in ids]
    session = Session(prof)
    results = []
    for c in chosen:
        if progress is not None:
            progress(c)
        inst = "spec" if problem is not None else c.instance
        p = problem if problem is not None else FIXTURES[c.instance]()
        start = time.perf_counter()
        try:
            out = c.fn(session, p)
        except NotObserved as exc:
            out = exc.outcome
        except ProblemError as exc:  # the instance violates what the claim needs
            out = Outcome(Verdict.INCONCLUSIVE, "—", "—", c.notion, lam_str(p.init.lam), 0, f"not applicable: {exc}")
        except Exception as exc:  # a crashing check decides nothing; say so, never PASS
            out = Outcome(
                Verdict.INCONCLUSIVE, "—", "—", c.notion, lam_str(p.init.lam), 0, f"error: {type(exc).__name__}: {exc}"
            )
        results.append(
            ClaimResult(
                c,
                inst,
                out.verdict,
                out.predicted,
                out.observed,
                out.tolerance,
                out.lam,
                out.dps,
                out.detail,
                time.perf_counter() - start,
                out.certified,
            )
        )
    return results
