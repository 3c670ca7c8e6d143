"""The claims framework: a registry of checkable claims, profiles, a run cache, verdicts.

A claim (ids O1…, N1…) takes a problem, runs the engine at the precision it needs,
compares with the theory's prediction under the spec's tolerance notion and returns a
:class:`ClaimResult`: verdict, predicted, observed, tolerance, λ and dps.  Limits are
checked as trends: the error must shrink as λ decreases, at the predicted log–log rate.

>>> trend([1e-4, 1e-6], [1e-8, 1e-12], rate=2.0, rel=0.1).verdict
<Verdict.PASS: 'PASS'>
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..integrate import Trajectory, solve
from ..problem import Problem, ProblemError
from ..verdict import Verdict, choose, guarded, register
from .tolerance import Tolerance, fmt, lam_str, loglog_slope, trend

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
    """What a claim measured.  The runner fills what the claim leaves out: the tolerance
    text from the claim's declared :class:`~reluflow.claims.tolerance.Tolerance`, λ and the
    working precision from ``run`` (the trajectory the verdict rests on) or else from the
    instance; it adds id, statement and time."""

    verdict: Verdict
    predicted: str
    observed: str
    tolerance: str | None = None
    lam: str | None = None
    dps: int | None = None
    detail: str = ""
    certified: bool = False  # the verdict was decided by proven enclosures (Arb balls)
    run: Trajectory | None = field(default=None, repr=False, compare=False)


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
    notion: str  # how the spec's notion is measured (prose; defaults to the tolerance's text)
    instance: str  # default fixture name
    tolerance: Tolerance  # the rule the body judges by, handed to it as its third argument
    fn: Callable[[Session, Problem, Any], Outcome] = field(repr=False)


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


def claim(id: str, *, paper: str, source: str, statement: str, instance: str, tolerance: Tolerance, notion: str = ""):
    """Register the decorated ``fn(session, problem, tolerance) -> Outcome`` as a claim; the
    body judges with the ``tolerance`` declared here."""

    def deco(fn):
        register(REGISTRY, Claim(id, paper, source, statement, notion or tolerance.describe(), instance, tolerance, fn))
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
    session = Session(prof)
    results = []
    for c in choose(chosen, ids, "only"):
        if progress is not None:
            progress(c)
        p = problem if problem is not None else FIXTURES[c.instance]()
        out, seconds = guarded(lambda: c.fn(session, p, c.tolerance), lambda exc: _unexpected(c, p, exc))
        out = _filled(out, c, p)
        results.append(
            ClaimResult(
                c,
                "spec" if problem is not None else c.instance,
                out.verdict,
                out.predicted,
                out.observed,
                out.tolerance,
                out.lam,
                out.dps,
                out.detail,
                seconds,
                out.certified,
            )
        )
    return results


def _unexpected(c: Claim, p: Problem, exc: Exception) -> Outcome:
    """What a claim that raised says: its ``NotObserved`` outcome; "not applicable" for a
    ProblemError (the instance violates what the claim needs); for a crash the error —
    INCONCLUSIVE, never PASS."""
    if isinstance(exc, NotObserved):
        return exc.outcome
    why = f"not applicable: {exc}" if isinstance(exc, ProblemError) else f"error: {type(exc).__name__}: {exc}"
    return Outcome(Verdict.INCONCLUSIVE, "—", "—", c.notion, lam_str(p.init.lam), 0, why)


def _filled(out: Outcome, c: Claim, p: Problem) -> Outcome:
    """The outcome with what the claim left to the framework filled in (see :class:`Outcome`)."""
    run = out.run
    return replace(
        out,
        tolerance=c.tolerance.describe() if out.tolerance is None else out.tolerance,
        lam=lam_str((run.problem if run is not None else p).init.lam) if out.lam is None else out.lam,
        dps=(run.dps if run is not None else 0) if out.dps is None else out.dps,
    )
