"""The exact gradient-flow engine: Taylor jets, activation events, the solve loop."""

from .records import Event, NetworkState, Status
from .solve import solve
from .taylor import taylor_order
from .trajectory import Trajectory

__all__ = ["Event", "NetworkState", "Status", "Trajectory", "solve", "taylor_order"]
