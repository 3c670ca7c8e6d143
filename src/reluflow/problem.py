"""The problem model: data, balanced initialisation, and their validation.

Every number is stored exactly, as a :class:`fractions.Fraction`: decimal strings such
as ``"1e-100"`` are read digit for digit and never pass through a float, and a float
is taken at its exact binary value.  Bad input raises :class:`ProblemError`, which
names the offending field and says how to fix it.

>>> p = Problem(Dataset([[1, 0], [0, 2]], [1, "-0.5"]), Init("1e-30", [[3, 4]], [1]))
>>> p.n, p.m, p.d, p.init.lam
(2, 1, 2, Fraction(1, 1000000000000000000000000000000))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Rational
from typing import Any

import numpy as np

from .limits import (
    DATA_EXPONENT,
    MAX_ENTRIES,
    MAX_EXPONENT,
    MAX_LAMBDA_EXPONENT,
    MAX_PAIRS,
    MAX_SEED_BITS,
    MAX_SIGNIFICANT,
    MAX_WIDTH,
    MIN_LAMBDA_EXPONENT,
)
from .linalg import dot

__all__ = ["Dataset", "Init", "Problem", "ProblemError", "exact", "exact_text", "ln_exact", "positive_int", "shown"]


class ProblemError(ValueError):
    """Invalid input; ``field`` names the offending field (e.g. ``"data.X[1]"``)."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")

    def __reduce__(self):  # picklable across processes (sweep workers): rebuilt from both arguments
        return type(self), (self.field, self.message)


def shown(value: Any) -> str:
    """A short, always-printable form of a number for an error message (Python refuses to
    print integers over 4,300 digits).

    >>> shown(Fraction(1, 3)), shown(10**5000), shown(-2)
    ('1/3', 'a number of about 5001 digits', '-2')
    """
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        q = Fraction(value)
        big = max(q.numerator.bit_length(), q.denominator.bit_length())
        return str(q) if big < 200 else f"a number of about {int(big * 0.30103) + 1} digits"
    return repr(value)[:40]


def positive_int(value: Any, field: str) -> int:
    """``value`` as a positive int (bools and non-integers refused), else a ProblemError on ``field``.

    >>> positive_int(3, "n"), positive_int(np.int64(2), "n")
    (3, 2)
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ProblemError(field, f"must be a positive integer, got {value!r}")
    return int(value)


def ln_exact(q: Fraction) -> float:
    """ln q of a positive exact rational of any size, as a float (``float(q)`` may overflow).

    >>> round(ln_exact(Fraction(1, 10**400)), 6) == round(-400 * math.log(10), 6)
    True
    """
    return math.log(q.numerator) - math.log(q.denominator)


_MAX_BITS = int(MAX_EXPONENT * math.log2(10)) + 64  # numerator or denominator of 10^±MAX_EXPONENT


def _too_large(field: str, what: str) -> ProblemError:
    return ProblemError(
        field,
        f"{what}; reluflow reads numbers with |decimal exponent| ≤ {MAX_EXPONENT} and at most "
        f"{MAX_SIGNIFICANT} significant digits (an exact number beyond that takes minutes to build)",
    )


def _sized(q: Fraction, field: str) -> Fraction:
    if max(q.numerator.bit_length(), q.denominator.bit_length()) > _MAX_BITS:
        raise _too_large(field, "is too large or too small")
    return q


def _decimal(dec: Decimal, field: str, value: Any) -> Fraction:
    if not dec.is_finite():
        raise ProblemError(field, f"{value!r} is not finite; give a finite number")
    if dec.is_zero():
        return Fraction(0)
    digits = len(dec.as_tuple().digits)
    if digits > MAX_SIGNIFICANT:
        raise _too_large(field, f"has {digits} digits")
    if abs(dec.adjusted()) > MAX_EXPONENT:
        raise _too_large(field, f"has decimal exponent {dec.adjusted()}")
    return Fraction(dec)


def exact(value: Any, field: str) -> Fraction:
    """Read one number exactly: int, Fraction, float (its binary value), Decimal, str.
    Numbers beyond :data:`~reluflow.limits.MAX_EXPONENT` or with more than
    :data:`~reluflow.limits.MAX_SIGNIFICANT` digits are refused before they are built.

    >>> exact("1e-3", "x"), exact(0.5, "x"), exact("2/3", "x")
    (Fraction(1, 1000), Fraction(1, 2), Fraction(2, 3))
    >>> exact("1e1000000000", "init.lambda")
    Traceback (most recent call last):
    ...
    reluflow.problem.ProblemError: init.lambda: has decimal exponent 1000000000; reluflow reads numbers with \
|decimal exponent| ≤ 100000 and at most 1000 significant digits (an exact number beyond that takes minutes to build)
    """
    if isinstance(value, (bool, np.bool_)):
        raise ProblemError(field, f"expected a number, got the boolean {value!r}")
    if isinstance(value, np.generic):  # NumPy scalars register as Rational but keep NumPy ints inside a Fraction
        return exact(value.item(), field)
    if isinstance(value, (int, Rational)):
        if isinstance(value, int) and value.bit_length() > _MAX_BITS:
            raise _too_large(field, f"is an integer of {value.bit_length()} bits")
        return _sized(Fraction(value), field)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ProblemError(field, f"{value!r} is not finite; give a finite number")
        return Fraction(value)
    if isinstance(value, Decimal):
        return _decimal(value, field, value)
    if hasattr(value, "_mpf_"):  # an mpmath mpf: its exact binary value, never re-rounded
        sign, man, exp, _ = value._mpf_
        if not man and exp:  # mpmath encodes inf and nan as a zero mantissa with exp != 0
            raise ProblemError(field, f"{value!r} is not finite; give a finite number")
        if abs(int(exp)) > _MAX_BITS or int(man).bit_length() > _MAX_BITS:
            raise _too_large(field, "is too large or too small")
        q = Fraction(int(man)) * (Fraction(2) ** int(exp))
        return -q if sign else q
    if isinstance(value, str):
        text = value.strip()
        if "/" in text and len(text) > 2 * MAX_SIGNIFICANT + 3:
            raise _too_large(field, f"is a fraction of {len(text)} characters")
        try:
            if "/" in text:
                return _sized(Fraction(text), field)
            dec = Decimal(text)
        except (InvalidOperation, ValueError, ZeroDivisionError):
            raise ProblemError(
                field, f"cannot read {value[:40]!r} as a number; use e.g. 0.25, '1e-30' or '1/3'"
            ) from None
        return _decimal(dec, field, value[:40])
    raise ProblemError(field, f"expected a number or a decimal string, got {type(value).__name__}")


_DATA_LO, _DATA_HI = Fraction(1, 10**DATA_EXPONENT), Fraction(10**DATA_EXPONENT)


def _entry(value: Any, field: str) -> Fraction:
    """One entry of the data, labels, teacher or directions: exact, and 0 or of magnitude in
    [1e-100, 1e100] (time scales and budgets are estimated in floats; rescale data beyond)."""
    q = exact(value, field)
    if q and not _DATA_LO <= abs(q) <= _DATA_HI:
        size = f"{float(q):.3g}" if Fraction(1, 10**300) < abs(q) < 10**300 else "beyond 1e±300"
        raise ProblemError(
            field,
            f"is {size}: non-zero entries must "
            f"have magnitude in [1e-{DATA_EXPONENT}, 1e{DATA_EXPONENT}]; rescale the data "
            "(the flow of c·X, c·y is the flow of X, y on another clock)",
        )
    return q


def exact_text(q: Fraction) -> str:
    """An exact number as text that :func:`exact` reads back: "p" or "p/q"; a denominator of
    over 1000 bits that divides a power of ten (λ = 1e-5000) as "pe-k", which stays short and
    within Python's 4300-digit limit on printing integers.

    >>> exact_text(Fraction(-3, 4)), exact_text(Fraction(1, 10**5000)), exact(exact_text(Fraction(1, 10**5000)), "x") == Fraction(1, 10**5000)
    ('-3/4', '1e-5000', True)
    """
    d = q.denominator
    if d.bit_length() > 1000:
        a = (d & -d).bit_length() - 1
        b = round(math.log(d >> a) / math.log(5)) if d >> a > 1 else 0
        if 5**b == d >> a:
            k = max(a, b)
            p = q.numerator * 10**k // d
            if p.bit_length() < 2900:  # at most ~870 digits: exact() reads it back
                return f"{p}e-{k}"
    return str(q.numerator) if d == 1 else f"{q.numerator}/{d}"


def _vector(values: Any, field: str) -> tuple[Fraction, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ProblemError(field, f"expected a list of numbers, got {type(values).__name__}")
    if len(values) > MAX_ENTRIES:
        raise ProblemError(field, f"has {len(values)} entries; at most {MAX_ENTRIES} are read")
    return tuple(_entry(v, f"{field}[{i}]") for i, v in enumerate(values))


def _matrix(rows: Any, field: str, what: str) -> tuple[tuple[Fraction, ...], ...]:
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (Sequence, np.ndarray)):
        raise ProblemError(field, f"expected a list of rows ({what}), got {type(rows).__name__}")
    total = len(rows) if len(rows) > MAX_ENTRIES else sum(len(r) if isinstance(r, Sequence) else 1 for r in rows)
    if total > MAX_ENTRIES:
        raise ProblemError(
            field,
            f"has {total} entries; at most {MAX_ENTRIES} are read (the exact flow of so much data would take days)",
        )
    out = tuple(_vector(r, f"{field}[{i}]") for i, r in enumerate(rows))
    if not out:
        raise ProblemError(field, f"is empty; give at least one row ({what})")
    width = len(out[0])
    if width == 0:
        raise ProblemError(f"{field}[0]", "is an empty row; every row needs d ≥ 1 entries")
    for i, r in enumerate(out):
        if len(r) != width:
            raise ProblemError(
                f"{field}[{i}]",
                f"has {len(r)} entries but row 0 has {width}; every row must have the same length",
            )
    return out


def _nonzero_rows(rows: tuple[tuple[Fraction, ...], ...], field: str, what: str) -> None:
    for i, row in enumerate(rows):
        if all(c == 0 for c in row):
            raise ProblemError(f"{field}[{i}]", f"is the zero vector; every {what} must be non-zero")


@dataclass(frozen=True)
class Dataset:
    """Training set: rows of ``X`` are the inputs x_k ∈ R^d, ``y`` the labels (exact).

    With a ``teacher`` v* (the single-neuron paper), the labels may be omitted: they are
    y_k = σ(⟨v*, x_k⟩), exactly; labels given with a teacher must equal those.

    >>> Dataset([[1, 0]], [2]).gram
    ((Fraction(1, 1),),)
    >>> Dataset([[1, 1], [-1, 0]], teacher=["0.6", "0.8"]).y
    (Fraction(7, 5), Fraction(0, 1))
    """

    X: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...] = None  # type: ignore[assignment]  # None: the teacher's labels (__post_init__)
    teacher: tuple[Fraction, ...] | None = None

    def __post_init__(self) -> None:
        X = _matrix(self.X, "data.X", "one row per input x_k")
        teacher = None
        if self.teacher is not None:
            teacher = _vector(self.teacher, "data.teacher")
            if len(teacher) != len(X[0]):
                raise ProblemError(
                    "data.teacher",
                    f"has {len(teacher)} entries but the inputs have d = {len(X[0])}; "
                    "the teacher v* lives in the input space",
                )
            if all(c == 0 for c in teacher):
                raise ProblemError(
                    "data.teacher", "is the zero vector; give a teacher v* ≠ 0 (the theory takes ‖v*‖ = 1)"
                )
            object.__setattr__(self, "teacher", teacher)
            taught = tuple(max(dot(teacher, x), Fraction(0)) for x in X)
            for k, v in enumerate(taught):
                if v > _DATA_HI:
                    raise ProblemError(
                        "data.teacher",
                        f"gives the label σ(⟨v*, x_{k}⟩) = {float(v):.3g}, beyond "
                        f"1e{DATA_EXPONENT}; rescale the teacher or the inputs",
                    )
        if self.y is None:
            if teacher is None:
                raise ProblemError("data.y", "is missing; give one label per input, or a teacher v*")
            y = taught
        else:
            y = _vector(self.y, "data.y")
        if not y:
            raise ProblemError("data.y", "is empty; give one label per input")
        if len(y) != len(X):
            raise ProblemError(
                "data.y", f"has {len(y)} labels but data.X has {len(X)} inputs; give one label per input"
            )
        if teacher is not None:
            for k, (a, b) in enumerate(zip(y, taught)):
                if a != b:
                    raise ProblemError(
                        f"data.y[{k}]",
                        f"is {a} but the teacher gives σ(⟨v*, x_{k}⟩) = {b}; omit y to take the teacher's labels",
                    )
        _nonzero_rows(X, "data.X", "input")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def d(self) -> int:
        return len(self.X[0])

    @property
    def gram(self) -> tuple[tuple[Fraction, ...], ...]:
        """Exact Gram matrix ⟨x_k, x_l⟩."""
        return tuple(tuple(dot(a, b) for b in self.X) for a in self.X)

    @property
    def is_orthogonal(self) -> bool:
        """True iff ⟨x_k, x_l⟩ = 0 exactly for all k ≠ l."""
        g = self.gram
        return all(g[k][l] == 0 for k in range(self.n) for l in range(self.n) if k != l)


@dataclass(frozen=True)
class Init:
    """Balanced initialisation w_j(0) = λ z_j, a_j(0) = s_j ‖w_j(0)‖ (exact λ, z, s).

    >>> Init.random(width=3, seed=1, d=3).s
    (-1, -1, 1)
    """

    lam: Fraction
    z: tuple[tuple[Fraction, ...], ...]
    s: tuple[int, ...]

    def __post_init__(self) -> None:
        lam = exact(self.lam, "init.lambda")
        if lam <= 0:
            raise ProblemError("init.lambda", f"must be > 0 (the initialisation scale), got {shown(lam)}")
        if not Fraction(10) ** MIN_LAMBDA_EXPONENT <= lam <= Fraction(10) ** MAX_LAMBDA_EXPONENT:
            raise ProblemError(
                "init.lambda",
                f"must lie in [1e{MIN_LAMBDA_EXPONENT}, 1], got {shown(lam)}: the "
                "cost of a run grows with ln(1/λ) (minutes at 1e-100000), and above 1 "
                "the steps shrink with the weights (the papers' regime is λ → 0)",
            )
        z = _matrix(self.z, "init.z", "one row per neuron direction z_j")
        if isinstance(self.s, (str, bytes)) or not isinstance(self.s, (Sequence, np.ndarray)):
            raise ProblemError("init.s", "expected a list of signs, each +1 or -1")
        if len(self.s) != len(z):
            raise ProblemError(
                "init.s", f"has {len(self.s)} signs but init.z has {len(z)} rows; give one sign per neuron"
            )
        s = []
        for j, v in enumerate(self.s):
            val = exact(v, f"init.s[{j}]")
            if val not in (1, -1):
                raise ProblemError(f"init.s[{j}]", f"must be +1 or -1 (the sign of a_j), got {shown(val)}")
            s.append(int(val))
        if len(s) != len(z):
            raise ProblemError("init.s", f"has {len(s)} signs but init.z has {len(z)} rows; give one sign per neuron")
        _nonzero_rows(z, "init.z", "direction z_j")
        object.__setattr__(self, "lam", lam)
        object.__setattr__(self, "z", z)
        object.__setattr__(self, "s", tuple(s))

    @classmethod
    def random(cls, *, width: int, seed: int, d: int, lam: Any = "1e-30") -> Init:
        """z_j ~ N(0, I_d/d), s_j uniform in {±1}, from ``numpy.random.default_rng(seed)``
        (z first, row by row, then s); floats are kept at their exact binary values."""
        if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or not 1 <= width <= MAX_WIDTH:
            raise ProblemError("init.width", f"must be an integer in [1, {MAX_WIDTH}], got {shown(width)}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**MAX_SEED_BITS:
            raise ProblemError("init.seed", f"must be an integer in [0, 2^{MAX_SEED_BITS}), got {shown(seed)}")
        if int(width) * d > MAX_ENTRIES:
            raise ProblemError("init.width", f"{width} neurons × d = {d} exceed {MAX_ENTRIES} weights")
        rng = np.random.default_rng(int(seed))
        z = rng.normal(0.0, 1.0 / math.sqrt(d), size=(int(width), d))
        s = rng.choice((-1, 1), size=int(width))
        return cls(lam, tuple(tuple(Fraction(float(v)) for v in row) for row in z), tuple(int(v) for v in s))


@dataclass(frozen=True)
class Problem:
    """Data plus initialisation; checks that their dimensions agree."""

    data: Dataset
    init: Init

    def __post_init__(self) -> None:
        if not isinstance(self.data, Dataset):
            raise ProblemError("data", "expected a reluflow.Dataset")
        if not isinstance(self.init, Init):
            raise ProblemError("init", "expected a reluflow.Init")
        if self.m * self.n > MAX_PAIRS:
            raise ProblemError("init", f"{self.m} neurons × {self.n} points exceed {MAX_PAIRS} neuron–point pairs")
        if len(self.init.z[0]) != self.data.d:
            raise ProblemError(
                "init.z",
                f"rows have {len(self.init.z[0])} entries but the inputs have d = {self.data.d}; "
                "each z_j must live in the input space",
            )

    @property
    def n(self) -> int:
        return self.data.n

    @property
    def m(self) -> int:
        return len(self.init.z)

    @property
    def d(self) -> int:
        return self.data.d

    def with_lambda(self, lam: Any) -> Problem:
        """The same data and directions at another scale λ."""
        return Problem(self.data, Init(lam, self.init.z, self.init.s))

    @property
    def log_inv_lambda(self) -> float:
        """ln(1/λ) as a float, exact enough for budgets even when λ underflows floats."""
        return -ln_exact(self.init.lam)

    def _growth_norms(self) -> list[float]:
        """‖D_±‖ with D_± = Σ_{±y_k>0} |y_k| x_k, for the signs that have labels."""
        norms = []
        for sign in (1, -1):
            dvec = [Fraction(0)] * self.d
            for x, y in zip(self.data.X, self.data.y):
                if sign * y > 0:
                    dvec = [a + abs(y) * b for a, b in zip(dvec, x)]
            sq = dot(dvec, dvec)
            if sq > 0:  # √ through logs: the square may exceed floats (entries up to 1e100)
                norms.append(math.exp(ln_exact(sq) / 2))
        return norms

    def time_scale(self) -> float:
        """n / min‖D_±‖: the slowest growth time of the small-initialisation theory, used
        only to pick default horizons and budgets (n when all labels are zero)."""
        norms = self._growth_norms()
        return self.n / min(norms) if norms else float(self.n)

    def fast_time_scale(self) -> float:
        """n / max‖D_±‖: the fastest growth time; steps are about this long, so a horizon
        of t_end is about t_end / fast_time_scale() steps (within a factor of a few)."""
        norms = self._growth_norms()
        return self.n / max(norms) if norms else float(self.n)

    def default_t_end(self) -> float:
        """A horizon past the last escape: 1.5 · time_scale · ln(1/λ) + 20 · time_scale."""
        ts = self.time_scale()
        return 1.5 * ts * max(self.log_inv_lambda, 1.0) + 20.0 * ts
