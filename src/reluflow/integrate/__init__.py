"""The exact gradient-flow engine: Taylor jets, activation events, the solve loop."""

from .fixed import taylor_order
from .records import Event, NetworkState, Status
from .solve import solve
from .trajectory import Trajectory

__all__ = ["Event", "NetworkState", "Status", "Trajectory", "solve", "taylor_order"]
