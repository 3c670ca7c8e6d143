"""Exact checks of the data- and init-level parts of Assumption 1 (single-neuron paper).

Chistikov, Englert & Lazić (NeurIPS 2023); spec ``single_neuron.md`` §1–§2.  Assumption 1
has five parts; (i)–(iii) depend only on the data and the unscaled initialisation
(z_j, s_j), and are decided here **exactly**, in rational arithmetic (parts (iv) and (v)
are about the yardstick trajectories and are not checked here):

- :func:`data_conditions` — (i) d > 1, span{x_i} = R^d, ‖v*‖ = 1; the teacher's angles
  ∠(v*, x_i) < π/4 (§1, "Teacher and data"); (iii) distinct directions x̄_i, distinct
  eigenvalues of Σ, and v* in the span of no fewer than d eigenvectors of Σ.
- :func:`init_conditions` — (ii) J_+ ≠ ∅, I_0(z_j) = ∅ for all j, and z_j not along
  γ_[n] for j ∈ J_−.

Each returns an ordered ``{name: Condition}``.  A :class:`Condition` says whether it
holds and, in ``message``, what was checked or what fails and how to fix it; a failing
message starts with the field at fault (``"data.X[2]: …"``, ``"init.z[1]: …"``), with
0-based indices as in :class:`reluflow.ProblemError`.  Indices in messages (x_2, z_1)
are the same 0-based ones.

Eigenvalues are never computed: Σ has d distinct eigenvalues iff its characteristic
polynomial p is squarefree, gcd(p, p') = 1; and, given that, v* lies in the span of
fewer than d eigenvectors iff the Krylov matrix [v*, Σv*, …, Σ^{d−1}v*] is singular
(its rank is the number of eigen-components of v* that are non-zero).  Both are computed
on the integer matrix D²n·Σ (D the common denominator of X), with a fast path modulo a
prime — a full rank or a squarefree polynomial modulo P holds over Q — and the exact
rational computation where that path is inconclusive (always on failure, for the message).

>>> from reluflow import Dataset
>>> data = Dataset([[1, 1], [1, 2]], teacher=["3/5", "4/5"])
>>> {name: c.holds for name, c in data_conditions(data).items()}  # doctest: +NORMALIZE_WHITESPACE
{'i_dimension': True, 'i_span': True, 'i_unit_teacher': True, 'teacher_angles': True,
 'iii_distinct_directions': True, 'iii_distinct_eigenvalues': True, 'iii_teacher_generic': True}
>>> data_conditions(Dataset([[1, 0], [1, 2]], teacher=["3/5", "4/5"]))["teacher_angles"].message.split(";")[0]
'data.X[0]: ∠(v*, x_0) ≥ π/4 (cos²∠ = 9/25 ≤ 1/2)'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..linalg import charpoly, dot, poly_gcd, rank
from ..problem import Dataset, Problem, ProblemError

__all__ = [
    "Condition",
    "J_sets",
    "data_conditions",
    "gamma",
    "init_conditions",
    "sigma_matrix",
]

Vector = tuple[Fraction, ...]
Matrix = tuple[tuple[Fraction, ...], ...]


@dataclass(frozen=True)
class Condition:
    """One checked condition: ``holds``, and a ``message`` saying what was checked or,
    when it fails, which field is at fault and how to fix it.

    >>> c = Condition(False, "data.X: rank 1 < d = 2")
    >>> bool(c), c.message
    (False, 'data.X: rank 1 < d = 2')
    """

    holds: bool
    message: str

    def __bool__(self) -> bool:
        return self.holds


# ----------------------------------------------------------------------------- exact algebra


def _poly_text(p: Sequence[Fraction]) -> str:
    terms = []
    for k in range(len(p) - 1, -1, -1):
        c = p[k]
        if c == 0:
            continue
        mono = "" if k == 0 else ("t" if k == 1 else f"t^{k}")
        coef = str(c) if (k == 0 or abs(c) != 1) else ("-" if c < 0 else "")
        terms.append(f"{coef}{'·' if mono and coef not in ('', '-') else ''}{mono}")
    return " + ".join(terms).replace("+ -", "− ") or "0"


def _binomial_power_root(g: list[Fraction]) -> Fraction | None:
    """r when the monic g equals (t − r)^k exactly, else None."""
    k = len(g) - 1
    r = -g[k - 1] / k
    acc = [Fraction(1)]  # (t − r)^0
    for _ in range(k):
        acc = [(acc[i - 1] if i >= 1 else 0) - r * (acc[i] if i < len(acc) else 0) for i in range(len(acc) + 1)]
    return r if acc == g else None


def _positively_parallel(u: Sequence[Fraction], v: Sequence[Fraction]) -> bool:
    """u = c v with c > 0 (both non-zero): Cauchy–Schwarz with equality and ⟨u, v⟩ > 0."""
    uv = dot(u, v)
    return uv > 0 and uv * uv == dot(u, u) * dot(v, v)


def _listing(items: Sequence[str], limit: int = 3) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more" if len(items) > limit else "")


# ----------------------------------------------------------------------------- helpers


def gamma(data: Dataset, I: Iterable[int] | None = None) -> Vector:
    """γ_I = (1/n) Σ_{i∈I} y_i x_i, exactly; ``I`` holds 0-based indices (default: all,
    γ_[n]).

    >>> from reluflow import Dataset
    >>> data = Dataset([[1, 1], [1, 2]], teacher=["3/5", "4/5"])
    >>> gamma(data), gamma(data, [1])
    ((Fraction(9, 5), Fraction(29, 10)), (Fraction(11, 10), Fraction(11, 5)))
    """
    if not isinstance(data, Dataset):
        raise ProblemError("data", "expected a reluflow.Dataset")
    idx = range(data.n) if I is None else list(I)
    for i in idx:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < data.n:
            raise ProblemError("I", f"index {i!r} is not a 0-based point index in [0, {data.n})")
    out = [Fraction(0)] * data.d
    for i in sorted(set(idx)):  # I is a set: a repeated index counts once
        out = [a + data.y[i] * b for a, b in zip(out, data.X[i])]
    return tuple(c / data.n for c in out)


def sigma_matrix(data: Dataset) -> Matrix:
    """Σ = (1/n) Σ_i x_i x_iᵀ (the spec's XXᵀ/n with inputs as columns), exactly.

    >>> from reluflow import Dataset
    >>> sigma_matrix(Dataset([[1, 1], [1, 2]], [1, 1]))
    ((Fraction(1, 1), Fraction(3, 2)), (Fraction(3, 2), Fraction(5, 2)))
    """
    if not isinstance(data, Dataset):
        raise ProblemError("data", "expected a reluflow.Dataset")
    d, n = data.d, data.n
    return tuple(tuple(sum((x[a] * x[b] for x in data.X), Fraction(0)) / n for b in range(d)) for a in range(d))


def _I_plus(z: Sequence[Fraction], data: Dataset) -> tuple[int, ...]:
    return tuple(i for i, x in enumerate(data.X) if dot(z, x) > 0)


def J_sets(problem: Problem) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(J_+, J_−): 0-based indices of the neurons with s_j = ±1 and I_+(z_j) ≠ ∅ (the
    neurons that move; all others stay at their initialisation).

    >>> from reluflow import Dataset, Init, Problem
    >>> data = Dataset([[1, 1], [1, 2]], teacher=["3/5", "4/5"])
    >>> J_sets(Problem(data, Init("1e-9", [[1, 0], [-1, -1], [0, 1], [2, -1]], [1, 1, -1, -1])))
    ((0,), (2, 3))
    """
    if not isinstance(problem, Problem):
        raise ProblemError("problem", "expected a reluflow.Problem")
    plus, minus = [], []
    for j, (z, s) in enumerate(zip(problem.init.z, problem.init.s)):
        if _I_plus(z, problem.data):
            (plus if s == 1 else minus).append(j)
    return tuple(plus), tuple(minus)


# ----------------------------------------------------------------------------- data


def data_conditions(data: Dataset) -> dict[str, Condition]:
    """The data-level parts of Assumption 1 and the teacher's angle condition, exactly.

    Keys, in order: ``i_dimension`` (d > 1), ``i_span`` (rank X = d), ``i_unit_teacher``
    (‖v*‖ = 1), ``teacher_angles`` (⟨v*, x_i⟩ > 0 and 2⟨v*, x_i⟩² > ‖v*‖²‖x_i‖² for all i),
    ``iii_distinct_directions`` (no two inputs positively parallel),
    ``iii_distinct_eigenvalues`` (the characteristic polynomial of Σ is squarefree),
    ``iii_teacher_generic`` (the Krylov matrix of v* under Σ has rank d).  Every condition
    is evaluated, whatever the others give.  Raises ``ProblemError("data.teacher", …)``
    when the dataset has no teacher.

    >>> from reluflow import Dataset
    >>> bad = data_conditions(Dataset([[2, 1], [1, 2]], teacher=[1, 1]))
    >>> [name for name, c in bad.items() if not c]
    ['i_unit_teacher', 'iii_teacher_generic']
    >>> bad["i_unit_teacher"].message
    'data.teacher: ‖v*‖² = 2, not 1; Assumption 1(i) needs a unit teacher: divide v* by its norm (or pick a rational unit vector, e.g. (3/5, 4/5))'
    """
    if not isinstance(data, Dataset):
        raise ProblemError("data", "expected a reluflow.Dataset")
    v = data.teacher
    if v is None:
        raise ProblemError(
            "data.teacher",
            "is missing; the single-neuron assumptions are about a teacher v* — "
            "build the dataset as Dataset(X, teacher=v*)",
        )
    X, n, d = data.X, data.n, data.d
    vv = dot(v, v)
    A, scale = _scaled_sigma(X, n, d)
    g = _repeated_eigenvalues(A, scale)
    return {
        "i_dimension": _dimension(d),
        "i_span": _span(X, n, d),
        "i_unit_teacher": _unit_teacher(vv),
        "teacher_angles": _teacher_angles(X, v, vv, n),
        "iii_distinct_directions": _distinct_directions(X, n),
        "iii_distinct_eigenvalues": _distinct_eigenvalues(g, d),
        "iii_teacher_generic": _teacher_generic(v, A, g, d),
    }


def _dimension(d: int) -> Condition:
    """(i) d > 1."""
    if d > 1:
        return Condition(True, f"d = {d} > 1")
    return Condition(
        False,
        (
            "data.X: the inputs have d = 1; Assumption 1(i) needs d > 1 "
            "(to model a bias, append a constant input 1 and work in dimension d + 1)"
        ),
    )


def _span(X, n: int, d: int) -> Condition:
    """(i) span{x_i} = R^d."""
    r = rank(X)
    if r == d:
        return Condition(True, f"rank X = {d} = d: the inputs span R^{d}")
    hint = f"add inputs (n = {n} < d = {d})" if n < d else "add or move inputs out of their span"
    return Condition(
        False,
        (
            f"data.X: the inputs span only a {r}-dimensional subspace (rank {r} < d = {d}); "
            f"Assumption 1(i) needs span{{x_i}} = R^d: {hint}"
        ),
    )


def _unit_teacher(vv: Fraction) -> Condition:
    """(i) ‖v*‖ = 1."""
    if vv == 1:
        return Condition(True, "‖v*‖ = 1 exactly")
    return Condition(
        False,
        (
            f"data.teacher: ‖v*‖² = {vv}, not 1; Assumption 1(i) needs a unit teacher: divide v* by its norm "
            "(or pick a rational unit vector, e.g. (3/5, 4/5))"
        ),
    )


def _teacher_angles(X, v, vv: Fraction, n: int) -> Condition:
    """§1: ∠(v*, x_i) < π/4 for every input."""
    bad = []
    for i, x in enumerate(X):
        u = dot(v, x)
        if not (u > 0 and 2 * u * u > vv * dot(x, x)):
            cos2 = u * u / (vv * dot(x, x))
            what = f"⟨v*, x_{i}⟩ = {u} ≤ 0" if u <= 0 else f"cos²∠ = {cos2} ≤ 1/2"
            bad.append(f"data.X[{i}]: ∠(v*, x_{i}) ≥ π/4 ({what})")
    if not bad:
        return Condition(True, f"∠(v*, x_i) < π/4 for all {n} inputs")
    return Condition(
        False,
        (
            _listing(bad) + "; the setting needs every input within π/4 of the teacher: move the input towards v* "
            "(x = v* + r with ‖r‖ < 1/√2 always qualifies)"
        ),
    )


def _distinct_directions(X, n: int) -> Condition:
    """(iii) distinct directions x̄_i (no input a positive multiple of another)."""
    bad = [
        f"data.X[{k}]: x̄_{k} = x̄_{i} (x_{k} is a positive multiple of x_{i})"
        for k in range(n)
        for i in range(k)
        if _positively_parallel(X[k], X[i])
    ]
    if not bad:
        return Condition(True, f"the {n} directions x̄_i are distinct")
    return Condition(
        False,
        (
            _listing(bad) + "; Assumption 1(iii) needs distinct directions x̄_i: merge the parallel inputs or "
            "rotate one slightly"
        ),
    )


def _scaled_sigma(X, n: int, d: int) -> tuple[list[list[int]], Fraction]:
    """A = Σ_i (D x_i)(D x_i)ᵀ = c Σ in integers, with D the lcm of the denominators of X and
    c = D²n (the same eigenvectors, eigenvalues × c); returns (A, c)."""
    D = math.lcm(*(c.denominator for x in X for c in x))
    Xi = [[int(c * D) for c in x] for x in X]
    return [[sum(x[a] * x[b] for x in Xi) for b in range(d)] for a in range(d)], Fraction(D * D * n)


def _repeated_eigenvalues(A, scale: Fraction) -> list[Fraction]:
    """gcd(p, p′) of Σ's characteristic polynomial p, monic: [1] iff the eigenvalues are distinct
    (the gcd of A's polynomial g0, at t = c·t, made monic)."""
    p = charpoly(A)
    dp = [k * c for k, c in enumerate(p)][1:] or [0]
    g0 = poly_gcd(p, dp)
    deg = len(g0) - 1
    return [c * scale ** (k - deg) for k, c in enumerate(g0)]


def _distinct_eigenvalues(g: list[Fraction], d: int) -> Condition:
    """(iii) Σ has d distinct eigenvalues ⇔ gcd(p, p′) = 1."""
    if len(g) == 1:
        return Condition(True, (f"Σ has {d} distinct eigenvalues (its characteristic polynomial is squarefree)"))
    root = _binomial_power_root(g)
    if root is not None:
        what = f"the eigenvalue {root} has multiplicity {len(g)}"
    else:
        what = f"the roots of gcd(p, p′) = {_poly_text(g)} are repeated eigenvalues"
    return Condition(
        False,
        (
            f"data.X: Σ = (1/n) Σ_i x_i x_iᵀ has a repeated eigenvalue ({what}); Assumption 1(iii) needs d "
            "distinct eigenvalues: perturb the inputs slightly to break the symmetry (spec §7 pitfall 3)"
        ),
    )


def _teacher_generic(v, A, g: list[Fraction], d: int) -> Condition:
    """(iii) v* is not in the span of fewer than d eigenvectors ⇔ its Krylov matrix under
    A = cΣ has rank d."""
    L = math.lcm(*(c.denominator for c in v))
    K, w = [], [int(c * L) for c in v]
    for _ in range(d):
        K.append(w)
        w = [sum(a * b for a, b in zip(row, w)) for row in A]
    kr = rank(K)
    if kr == d:
        return Condition(
            True, (f"v* has a non-zero component along each of the {d} eigenvectors of Σ (Krylov rank {d})")
        )
    if len(g) > 1:
        also = "; v* is moreover an eigenvector of Σ" if kr == 1 else ""
        return Condition(
            False,
            (
                f"data.teacher: Σ has a repeated eigenvalue, so v* (like every vector) lies in the span of fewer than d "
                f"eigenvectors (Krylov rank {kr} < d = {d}{also}); Assumption 1(iii) fails: perturb the inputs slightly "
                "(spec §7 pitfall 3)"
            ),
        )
    what = "v* is an eigenvector of Σ" if kr == 1 else f"v* lies in the span of {kr} of the {d} eigenvectors of Σ"
    return Condition(
        False,
        (
            f"data.teacher: {what} (Krylov rank {kr} < d = {d}); Assumption 1(iii) needs a non-zero component "
            "along every eigenvector: tilt v* slightly, or perturb the inputs"
        ),
    )


# ----------------------------------------------------------------------------- init


def init_conditions(problem: Problem) -> dict[str, Condition]:
    """Assumption 1(ii), exactly, on the unscaled directions z_j and signs s_j.

    Keys, in order: ``ii_J_plus_nonempty`` (some j with s_j = +1 and I_+(z_j) ≠ ∅),
    ``ii_no_zero_preactivation`` (⟨z_j, x_i⟩ ≠ 0 for all i, j), ``ii_J_minus_off_gamma``
    (for j ∈ J_−, z_j is not a positive multiple of γ_[n]).  The labels y are the data's,
    so no teacher is needed.

    >>> from reluflow import Dataset, Init, Problem
    >>> data = Dataset([[1, 1], [1, 2]], teacher=["3/5", "4/5"])
    >>> ok = init_conditions(Problem(data, Init("1e-9", [[1, 0], [-1, 2]], [1, -1])))
    >>> [c.holds for c in ok.values()]
    [True, True, True]
    >>> init_conditions(Problem(data, Init("1e-9", [[1, -1]], [1])))["ii_no_zero_preactivation"].message
    'init.z[0]: ⟨z_0, x_0⟩ = 0 (data.X[0] is on the kink of neuron 0, I_0(z_0) ≠ ∅); Assumption 1(ii) needs every pre-activation non-zero: perturb z_j slightly'
    """
    if not isinstance(problem, Problem):
        raise ProblemError("problem", "expected a reluflow.Problem")
    data, z, s = problem.data, problem.init.z, problem.init.s
    J_plus, J_minus = J_sets(problem)
    return {
        "ii_J_plus_nonempty": _J_plus_nonempty(J_plus, s),
        "ii_no_zero_preactivation": _no_zero_preactivation(data, z),
        "ii_J_minus_off_gamma": _J_minus_off_gamma(data, z, J_minus),
    }


def _J_plus_nonempty(J_plus, s) -> Condition:
    """(ii) some j with s_j = +1 and I_+(z_j) ≠ ∅."""
    if J_plus:
        return Condition(True, f"J_+ = {list(J_plus)} is non-empty")
    if all(sj == -1 for sj in s):
        return Condition(
            False,
            (
                "init.s: every sign s_j is −1, so J_+ = ∅ (no neuron can learn the teacher); Assumption 1(ii) needs "
                "a neuron with s_j = +1 that is active on some input: flip a sign"
            ),
        )
    pos = [j for j, sj in enumerate(s) if sj == 1]
    return Condition(
        False,
        (
            f"init.z[{pos[0]}]: no neuron with s_j = +1 (j ∈ {pos}) is active on any input (I_+(z_j) = ∅), so "
            "J_+ = ∅; Assumption 1(ii) needs one: turn such a z_j towards the data (e.g. z_j ≈ v*)"
        ),
    )


def _no_zero_preactivation(data: Dataset, z) -> Condition:
    """(ii) I_0(z_j) = ∅: ⟨z_j, x_i⟩ ≠ 0 for all i, j."""
    bad = [
        f"init.z[{j}]: ⟨z_{j}, x_{i}⟩ = 0 (data.X[{i}] is on the kink of neuron {j}, I_0(z_{j}) ≠ ∅)"
        for j, zj in enumerate(z)
        for i, x in enumerate(data.X)
        if dot(zj, x) == 0
    ]
    if not bad:
        return Condition(True, "⟨z_j, x_i⟩ ≠ 0 for every neuron and input")
    return Condition(
        False, (_listing(bad) + "; Assumption 1(ii) needs every pre-activation non-zero: perturb z_j slightly")
    )


def _J_minus_off_gamma(data: Dataset, z, J_minus) -> Condition:
    """(ii) ∠(z_j, γ_[n]) > 0 for j ∈ J_−."""
    g = gamma(data)
    if not J_minus:
        return Condition(True, "J_− is empty")
    if not any(g):
        return Condition(
            False,
            (
                f"data.y: γ_[n] = 0 (the labels cancel), so ∠(z_j, γ_[n]) is undefined for j ∈ J_− = {list(J_minus)}; "
                "Assumption 1(ii) needs it > 0: the teacher's labels are positive on valid data"
            ),
        )
    bad = [
        f"init.z[{j}]: z_{j} is a positive multiple of γ_[n] (∠ = 0) with j ∈ J_− (s_{j} = −1, I_+(z_{j}) ≠ ∅)"
        for j in J_minus
        if _positively_parallel(z[j], g)
    ]
    if not bad:
        return Condition(True, f"∠(z_j, γ_[n]) > 0 for every j ∈ J_− = {list(J_minus)}")
    return Condition(False, (_listing(bad) + "; Assumption 1(ii) needs ∠(z_j, γ_[n]) > 0 on J_−: rotate z_j slightly"))
