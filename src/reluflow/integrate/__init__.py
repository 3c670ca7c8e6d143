"""The exact gradient-flow engine: Taylor jets, activation events, the solve loop."""

from .solve import solve, taylor_order
from .trajectory import Event, NetworkState, Status, Trajectory

__all__ = ["Event", "NetworkState", "Status", "Trajectory", "solve", "taylor_order"]
