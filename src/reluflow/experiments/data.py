"""Data of the gradient-descent experiments of Chistikov, Englert & Lazić (2023), §8 and
Apps. H–I (spec ``single_neuron.md`` §6.1), in float64.

Rows of ``X`` are the inputs x_i (the package's convention; the paper's X is d × n).

- ``centred``: μ ~ U(S^{d−1}), x_i ~ N(μ, (ρ/d) I_d) with ρ = 1, teacher v* = μ.
- ``uncentred``: ρ = √2 − 1 and one extra x_0 from the same law; v* = x_0/‖x_0‖.
- ``two_teachers`` (Figs. 10–11): n = 2d points, d around +μ and d around −μ, labels
  y = σ(⟨v_1, x⟩) − σ(⟨v_2, x⟩) with v_1 = u and v_2 = −3u' (norms 1 and 3, opposite);
  u = u' = μ for the centred teacher, u = x̄_0⁺ and u' = −x̄_0⁻ (extra points drawn around
  +μ and −μ) for the uncentred one.

The noise standard deviation is √ρ/√d (the official script's ``noise_scale/sqrt(d)``),
n = d for the one-teacher schemes, and a draw is repeated while some label is exactly 0
(the official script's rule; for one teacher it is the same as excluding angles > π/2).
All randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "RHO",
    "SCHEMES",
    "TeacherData",
    "TwoTeacherData",
    "balanced_init",
    "centred",
    "gaussian_inputs",
    "make_data",
    "two_teachers",
    "uncentred",
]

SCHEMES = ("centred", "uncentred")
RHO = {"centred": 1.0, "uncentred": math.sqrt(2.0) - 1.0}
MAX_RESAMPLES = 10_000


class _Sized:
    """n (rows of X) and d (columns) of a training set."""

    X: np.ndarray

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


@dataclass(frozen=True, eq=False)
class TeacherData(_Sized):
    """One training set: ``X`` (n, d), labels ``y`` (n,), the teacher ``teacher`` (d,) with
    ‖v*‖ = 1 up to rounding, the scheme's name and variance multiplier ρ, and how many
    draws were rejected because some y_i was 0."""

    X: np.ndarray
    y: np.ndarray
    teacher: np.ndarray
    scheme: str
    rho: float
    rejected: int = 0

    def labels(self, X: np.ndarray) -> np.ndarray:
        """Teacher labels σ(⟨v*, x⟩) of the rows of ``X`` (0 allowed: used for test points)."""
        return np.maximum(X @ self.teacher, 0.0)


@dataclass(frozen=True, eq=False)
class TwoTeacherData(_Sized):
    """Two-teacher training set (Figs. 10–11): ``X`` (2d, d), ``y`` (2d,), teachers ``v1``
    (norm 1) and ``v2`` (norm 3, opposite to v1), the teacher kind and ρ."""

    X: np.ndarray
    y: np.ndarray
    v1: np.ndarray
    v2: np.ndarray
    scheme: str
    rho: float
    rejected: int = 0

    def labels(self, X: np.ndarray) -> np.ndarray:
        """σ(⟨v_1, x⟩) − σ(⟨v_2, x⟩) for the rows of ``X``."""
        return np.maximum(X @ self.v1, 0.0) - np.maximum(X @ self.v2, 0.0)


def _check_d(d: int, minimum: int = 1) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < minimum:
        raise ValueError(f"d: must be an integer ≥ {minimum}, got {d!r}")
    return int(d)


def _check_rho(rho: float) -> float:
    rho = float(rho)
    if not math.isfinite(rho) or rho <= 0:
        raise ValueError(f"rho: the variance multiplier must be a finite number > 0, got {rho!r}")
    return rho


def _unit(rng: np.random.Generator, d: int) -> np.ndarray:
    g = rng.standard_normal(d)
    return g / np.linalg.norm(g)


def _one_teacher(d: int, rng: np.random.Generator, scheme: str, rho: float) -> TeacherData:
    std = math.sqrt(rho) / math.sqrt(d)
    for rejected in range(MAX_RESAMPLES):
        mu = _unit(rng, d)
        if scheme == "uncentred":
            x0 = mu + std * rng.standard_normal(d)
            v = x0 / np.linalg.norm(x0)
        else:
            v = mu
        X = mu + std * rng.standard_normal((d, d))
        y = np.maximum(X @ v, 0.0)
        if np.all(y > 0):
            return TeacherData(X, y, v, scheme, rho, rejected)
    raise RuntimeError(f"no draw with all labels > 0 in {MAX_RESAMPLES} tries (d = {d}, ρ = {rho})")


def centred(d: int, rng: np.random.Generator, *, rho: float = 1.0) -> TeacherData:
    """Centred scheme: v* = μ, x_i ~ N(μ, ρ/d I), n = d (ρ = 1 in the paper).

    >>> D = centred(4, np.random.default_rng(0))
    >>> D.X.shape, bool(np.all(D.y > 0)), round(float(np.linalg.norm(D.teacher)), 12)
    ((4, 4), True, 1.0)
    """
    return _one_teacher(_check_d(d), rng, "centred", _check_rho(rho))


def uncentred(d: int, rng: np.random.Generator, *, rho: float = RHO["uncentred"]) -> TeacherData:
    """Uncentred scheme: v* = x̄_0 for one extra x_0 ~ N(μ, ρ/d I), ρ = √2 − 1, n = d.

    >>> D = uncentred(8, np.random.default_rng(1))
    >>> D.n, D.scheme, round(D.rho, 6)
    (8, 'uncentred', 0.414214)
    """
    return _one_teacher(_check_d(d), rng, "uncentred", _check_rho(rho))


def make_data(scheme: str, d: int, rng: np.random.Generator) -> TeacherData:
    """The paper's data for ``scheme`` ∈ {"centred", "uncentred"} at dimension d (n = d)."""
    if scheme == "centred":
        return centred(d, rng)
    if scheme == "uncentred":
        return uncentred(d, rng)
    raise ValueError(f"scheme: unknown scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")


def two_teachers(d: int, rng: np.random.Generator, *, rho: float = 1.0, scheme: str = "centred") -> TwoTeacherData:
    """Two opposite teachers of norms 1 and 3, n = 2d points ±μ + noise (Figs. 10–11).

    >>> D = two_teachers(4, np.random.default_rng(0), rho=0.25)
    >>> D.X.shape, int((D.y > 0).sum()), int((D.y < 0).sum())
    ((8, 4), 4, 4)
    """
    d = _check_d(d)
    rho = _check_rho(rho)
    if scheme not in SCHEMES:
        raise ValueError(f"scheme: unknown teacher kind {scheme!r}; choose one of {', '.join(SCHEMES)}")
    std = math.sqrt(rho) / math.sqrt(d)
    for rejected in range(MAX_RESAMPLES):
        mu = _unit(rng, d)
        if scheme == "uncentred":
            xp = mu + std * rng.standard_normal(d)
            xm = -mu + std * rng.standard_normal(d)
            v1, v2 = xp / np.linalg.norm(xp), 3.0 * xm / np.linalg.norm(xm)
        else:
            v1, v2 = mu, -3.0 * mu
        signs = np.repeat([1.0, -1.0], d)[:, None]
        X = signs * mu + std * rng.standard_normal((2 * d, d))
        y = np.maximum(X @ v1, 0.0) - np.maximum(X @ v2, 0.0)
        if np.all(y != 0):
            return TwoTeacherData(X, y, v1, v2, scheme, rho, rejected)
    raise RuntimeError(f"no two-teacher draw with all labels ≠ 0 in {MAX_RESAMPLES} tries (d = {d}, ρ = {rho})")


def balanced_init(m: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Unscaled directions z_j ~ N(0, I/(dm)) (shape (m, d)) and signs s_j uniform in {±1}
    (shape (m,)), drawn in that order; the network starts at w_j = λ z_j, a_j = s_j‖w_j‖.

    >>> z, s = balanced_init(3, 2, np.random.default_rng(0))
    >>> z.shape, s.shape, bool(np.all(np.abs(s) == 1))
    ((3, 2), (3,), True)
    """
    m, d = _check_d(m), _check_d(d)
    z = rng.standard_normal((m, d)) / math.sqrt(d * m)
    s = rng.choice(np.array([-1.0, 1.0]), size=m)
    return z, s


def gaussian_inputs(d: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` test inputs from N(0, I_d) (the paper takes 4n of them)."""
    return rng.standard_normal((_check_d(count), _check_d(d)))
