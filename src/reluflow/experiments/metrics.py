"""The paper's measurements of a trained network (spec ``single_neuron.md`` §6.1 and
pitfalls 8–10), in float64, exactly as the official script defines them:

- *active neurons* J_+: s_j = +1 and ⟨z_j, x_i⟩ > 0 for some i, fixed at initialisation;
- *maximum angle*: arccos(clamp(⟨w̄_j, w̄_j'⟩, −1, 1)) in degrees, the largest over the
  r × r matrix of J_+ (the diagonal is included, as in a matrix computation: it only
  matters at the float64 floor, ≈ 1e-6 degrees);
- *average angle*: the sum of that matrix over all ordered pairs, diagonal included,
  divided by r(r − 1);
- *nuclear norm* ‖W‖_* over all m rows (the tiny inactive rows included);
- ‖θ‖² = ‖a‖² + ‖W‖_F²; the *combined neuron* v = Σ_{J_+} a_j w_j; the alignment target
  Σ_i y_i x_i = n γ_[n]; ν*_k − ν_k in the sign-fixed eigenbasis of Σ = XᵀX/n (rows of
  X are inputs here), eigenvalues decreasing;
- *test loss*: MSE-mean on teacher-labelled Gaussian points (labels may be 0).

Clamp-arccos cannot resolve angles below arccos(1 − 2⁻⁵³) ≈ 1.5e-8 rad; the chord form
2 arcsin(‖ū − v̄‖/2) has no such floor (:func:`chord_angle`, :func:`max_chord_angle`).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "active_minus",
    "active_plus",
    "alignment_target",
    "angle",
    "angle_matrix",
    "average_angle",
    "chord_angle",
    "combined_neuron",
    "eigenbasis",
    "max_angle",
    "max_chord_angle",
    "mse",
    "nu_gap",
    "nuclear_norm",
    "output",
    "theta_sq",
]


def _rows(W: np.ndarray) -> np.ndarray:
    return np.asarray(W, dtype=np.float64)


def active_plus(X: np.ndarray, z: np.ndarray, s: np.ndarray) -> np.ndarray:
    """J_+ as a boolean mask (m,): s_j = +1 and some ⟨z_j, x_i⟩ > 0.

    >>> active_plus(np.eye(2), np.array([[1.0, 0], [-1, -1], [0, 1]]), np.array([1, 1, -1])).tolist()
    [True, False, False]
    """
    return (np.asarray(s) > 0) & np.any(np.asarray(z) @ np.asarray(X).T > 0, axis=1)


def active_minus(X: np.ndarray, z: np.ndarray, s: np.ndarray) -> np.ndarray:
    """J_−: s_j = −1 and some ⟨z_j, x_i⟩ > 0."""
    return (np.asarray(s) < 0) & np.any(np.asarray(z) @ np.asarray(X).T > 0, axis=1)


def angle_matrix(W: np.ndarray, degrees: bool = True) -> np.ndarray:
    """arccos(clamp(cos)) between all rows of ``W`` (r, r), in degrees by default.

    >>> A = angle_matrix(np.array([[1.0, 0.0], [1.0, 1.0]]))
    >>> A.round(3).tolist(), float(A[1, 1]) > 0   # the diagonal can sit at the float64 floor
    ([[0.0, 45.0], [45.0, 0.0]], True)
    """
    W = _rows(W)
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    ang = np.arccos(np.clip(U @ U.T, -1.0, 1.0))
    return np.degrees(ang) if degrees else ang


def max_angle(W: np.ndarray, mask: np.ndarray | None = None, degrees: bool = True) -> float:
    """Maximum pairwise clamp-arccos angle among the rows in ``mask`` (NaN if none).

    >>> round(max_angle(np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])), 9)
    90.0
    """
    W = _rows(W) if mask is None else _rows(W)[np.asarray(mask, dtype=bool)]
    if len(W) == 0:
        return float("nan")
    return float(angle_matrix(W, degrees).max())


def average_angle(W: np.ndarray, mask: np.ndarray | None = None, degrees: bool = True) -> float:
    """Sum of the clamp-arccos angle matrix over all ordered pairs (diagonal included)
    divided by r(r − 1), r = number of rows in ``mask`` (NaN if r < 2).

    >>> round(average_angle(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])), 9)   # (2·90 + 2·180 + 2·90)/6
    120.0
    """
    W = _rows(W) if mask is None else _rows(W)[np.asarray(mask, dtype=bool)]
    r = len(W)
    if r < 2:
        return float("nan")
    return float(angle_matrix(W, degrees).sum() / (r * (r - 1)))


def chord_angle(u: np.ndarray, v: np.ndarray, degrees: bool = False) -> float:
    """Angle between u and v as 2 arcsin(‖ū − v̄‖/2): no floor near 1e-8 (pitfall 8).

    >>> chord_angle(np.array([1.0, 0.0]), np.array([1.0, 1e-12]))
    1e-12
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    c = np.linalg.norm(u / np.linalg.norm(u) - v / np.linalg.norm(v))
    ang = 2.0 * math.asin(min(c / 2.0, 1.0))
    return math.degrees(ang) if degrees else ang


def max_chord_angle(W: np.ndarray, mask: np.ndarray | None = None, degrees: bool = True) -> float:
    """Largest chord-formula angle over pairs j ≠ j' of the rows in ``mask`` (NaN if r < 2)."""
    W = _rows(W) if mask is None else _rows(W)[np.asarray(mask, dtype=bool)]
    if len(W) < 2:
        return float("nan")
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    diff = np.linalg.norm(U[:, None, :] - U[None, :, :], axis=2)
    ang = float((2.0 * np.arcsin(np.minimum(diff / 2.0, 1.0))).max())
    return math.degrees(ang) if degrees else ang


def angle(u: np.ndarray, v: np.ndarray, degrees: bool = True) -> float:
    """Clamp-arccos angle between two vectors (degrees by default)."""
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    c = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    ang = math.acos(min(max(c, -1.0), 1.0))
    return math.degrees(ang) if degrees else ang


def nuclear_norm(W: np.ndarray) -> float:
    """‖W‖_*: the sum of the singular values of all m rows.

    >>> nuclear_norm(np.array([[3.0, 0.0], [0.0, -4.0], [0.0, 0.0]]))
    7.0
    """
    return float(np.linalg.svd(_rows(W), compute_uv=False).sum())


def theta_sq(a: np.ndarray, W: np.ndarray) -> float:
    """‖θ‖² = Σ a_j² + Σ ‖w_j‖²."""
    return float(np.sum(np.square(a)) + np.sum(np.square(W)))


def combined_neuron(a: np.ndarray, W: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """v = Σ_{j ∈ mask} a_j w_j (mask = J_+ in the paper).

    >>> combined_neuron(np.array([2.0, 1.0]), np.array([[1.0, 0.0], [0.0, 5.0]]), np.array([True, False])).tolist()
    [2.0, 0.0]
    """
    mask = np.asarray(mask, dtype=bool)
    return np.asarray(a)[mask] @ np.asarray(W)[mask]


def alignment_target(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Σ_i y_i x_i = n γ_[n] (rows of X are the inputs)."""
    return np.asarray(y) @ np.asarray(X)


def eigenbasis(X: np.ndarray, teacher: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues η_1 ≥ … ≥ η_d of Σ = XᵀX/n and unit eigenvectors u_k as columns, each
    signed so that ν*_k = ⟨u_k, v*⟩ ≥ 0.

    >>> eta, U = eigenbasis(np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0.6, -0.8]))
    >>> eta.tolist(), (U.T @ [0.6, -0.8]).round(12).tolist()
    ([2.0, 0.5], [0.6, 0.8])
    """
    X = np.asarray(X, dtype=np.float64)
    eta, U = np.linalg.eigh(X.T @ X / X.shape[0])
    order = np.argsort(eta)[::-1]
    eta, U = eta[order], U[:, order]
    sign = np.where(U.T @ np.asarray(teacher) < 0, -1.0, 1.0)
    return eta, U * sign


def nu_gap(v: np.ndarray, U: np.ndarray, teacher: np.ndarray) -> np.ndarray:
    """ν*_k − ν_k = ⟨u_k, v* − v⟩ for the columns u_k of ``U`` (from :func:`eigenbasis`)."""
    return U.T @ (np.asarray(teacher) - np.asarray(v))


def output(a: np.ndarray, W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """h(x_i) = Σ_j a_j σ(⟨w_j, x_i⟩) for the rows of X; a batch (B, m), (B, m, d) gives (B, n)."""
    a = np.asarray(a)
    H = np.maximum(np.asarray(W) @ np.asarray(X).T, 0.0)
    return np.sum(a[..., :, None] * H, axis=-2)


def mse(a: np.ndarray, W: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray | float:
    """MSE-mean (1/n) Σ_i (h(x_i) − y_i)² (= 2L on the training set; the test loss on test points).

    >>> float(mse(np.array([1.0]), np.array([[1.0, 0.0]]), np.eye(2), np.array([1.0, 1.0])))
    0.5
    """
    r = output(a, W, X) - np.asarray(y)
    out = np.mean(r * r, axis=-1)
    return float(out) if np.ndim(out) == 0 else out
