"""reluflow: the exact gradient flow of one-hidden-layer ReLU networks from tiny
initialisation, at arbitrary precision, checked against small-initialisation theory.

>>> from reluflow import Problem, Dataset, Init, solve
>>> tr = solve(Problem(Dataset([[1]], [1]), Init("1e-10", [[1]], [1])), t_end=20, digits=20)
>>> tr.status
<Status.T_END: 't_end'>
"""

from ._version import __version__
from .integrate import Event, NetworkState, Status, Trajectory, solve
from .problem import Dataset, Init, Problem, ProblemError

__all__ = [
    "Dataset",
    "Event",
    "Init",
    "NetworkState",
    "Problem",
    "ProblemError",
    "Status",
    "Trajectory",
    "__version__",
    "solve",
]
