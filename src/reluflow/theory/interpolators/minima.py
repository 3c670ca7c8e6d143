"""The certified minimum of ‖θ‖² over all interpolators and over the rank-one ones."""

from __future__ import annotations

import itertools

from ...problem import Dataset
from .conic import _Block, _check_data, _minimum, _Network, _Part, _solve_blocks
from .results import _Q0, Minimum


def minimum_norm(data: Dataset, *, tol: float = 1e-12, rtol: float = 1e-6) -> Minimum:
    """Certified min ‖θ‖² over exact interpolators of any width, and an exact minimiser.

    One block per non-empty sign pattern and output sign (2(2^n − 1) blocks).  ``tol`` is
    the solver's tolerance; ``rtol`` the relative width below which the enclosure counts
    as certified.  Orthogonal data: the minimum is 2(‖β*₊‖ + ‖β*₋‖) (R10):

    >>> from reluflow.problem import Dataset
    >>> r = minimum_norm(Dataset([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 2, -2]))
    >>> r.certified, r.rank, r.theta_sq.to_dict(8)
    (True, 2, {'lo': '8.4721359', 'hi': '8.4721360'})
    """
    data = _check_data(data, tol, rtol)
    n = data.n
    blocks = [_Block(signs, out) for signs in itertools.product((1, -1), repeat=n) if 1 in signs for out in (1, -1)]
    return _minimum([_solve_blocks(data, blocks, tol)], 1, len(blocks), rtol)


def rank_one_minimum(data: Dataset, *, tol: float = 1e-12, rtol: float = 1e-6) -> Minimum:
    """Certified min ‖θ‖² over interpolators with one neuron direction per label sign.

    The shape of the small-initialisation limit in both papers (R9's β*±, Theorem 7's
    Θ_{v*}): the neurons with a_j > 0 are non-negative multiples of one v₊, those with
    a_j < 0 of one v₋, and a sign is used only if some label has it.  One two-block program
    per pair of patterns (P ⊇ S₊, Q ⊇ S₋) of v₊, v₋.

    >>> from reluflow.problem import Dataset
    >>> r = rank_one_minimum(Dataset([[1, 0], [1, 1]], teacher=[1, 0]))
    >>> r.theta_sq.to_dict(8), r.rank
    ({'lo': '1.9999999', 'hi': '2'}, 1)
    """
    data = _check_data(data, tol, rtol)
    n, y = data.n, data.y
    need = {1: [i for i in range(n) if y[i] > 0], -1: [i for i in range(n) if y[i] < 0]}

    def patterns(sign):
        if not need[sign]:
            return [None]
        free = [i for i in range(n) if i not in need[sign]]
        out = []
        for bits in itertools.product((1, -1), repeat=len(free)):
            signs = [1] * n
            for i, b in zip(free, bits):
                signs[i] = b
            out.append(tuple(signs))
        return out

    parts, count = [], 0
    for P in patterns(1):
        for Q in patterns(-1):
            blocks = [_Block(s, out) for s, out in ((P, 1), (Q, -1)) if s is not None]
            if not blocks:  # all labels zero: the empty network
                parts.append(_Part(_Q0, _Network((), (), _Q0)))
                continue
            parts.append(_solve_blocks(data, blocks, tol))
            count += 1
    return _minimum(parts, count, 2, rtol)
