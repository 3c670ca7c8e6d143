"""Settling: what each pair on its activation surface u_jk = 0 does next.

At the start of every step the engine decides, from the exact jets, every pair resting on
its surface: it stays frozen, leaves downwards, enters, or slides (the minimum-norm Clarke
selection, :mod:`.sliding`); sliding pairs whose mode ends are decided afresh.  Pairs of
one neuron interact, so the decisions are checked together, with an exhaustive fallback;
a surface that repels from both sides is flagged.  See :func:`settle`.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .events import Short, motion
from .fixed import State
from .sliding import exit_jets, leaving_now, parallel, projector
from .taylor import jets, prefix_order

__all__ = ["settle"]


def settle(
    fx, st: State, J, p: int, H: int, float_below: int | None, t: int, log, entered: dict, unslid: set
) -> tuple[Any, str]:
    """Decide every pair on its activation surface u_jk = 0, from the jets ``J`` of the
    state's pattern (full or prefix jets; exact signs).

    - A sliding group whose mode ends at once (:func:`.sliding.leaving_now`: the active
      set of its neuron changed, or the caller located an exit and pinned it) stops being
      held, and its pairs are decided like any surface pair below; ``unslid`` collects
      them, so that the event says where each went (``slide-on`` / ``slide-off``).
    - An inactive surface pair: all jets zero → it stays frozen at 0; first non-zero
      coefficient negative → it leaves downwards (``slide-off`` if it was sliding);
      positive → it enters (``on`` / ``slide-on``) if the field *with* the pair active also
      points up; otherwise both sides push into the surface and it slides (``slide``).  A
      point and its positive multiples are decided together; a pair whose input lies in
      the span of its neuron's sliding inputs is held with them.
    - Several surface pairs of one neuron interact (a pair that enters or slides changes
      the field of the others): the decisions are re-checked together, and when deciding
      them one at a time does not settle or does not agree, every
      assignment (inactive / sliding / active) of that neuron's surface pairs is tried, the
      fewest active and then the fewest sliding first, and the first consistent one taken.
    - A surface that repels from both sides (inactive field down, active field up; reachable
      only from the initial state, a tangency or a change of pattern at one instant) has two
      classical continuations: the pair takes the inactive side, as σ'(0) = 0 and gradient
      descent from that state do, and a ``repel`` event records the choice.

    The patterns tried on the way are decided from prefix jets (orders 0..DECIDE_ORDER,
    :func:`.taylor.prefix_order`): a decision reads only the first orders whenever they
    tell, and full jets cost more with every order (m = 100, n = 20: 8 ms at order 4,
    81 ms at order 38).  Where a prefix cannot
    tell (:class:`.events.Short`), the instant is settled again from full jets; both give
    the same decisions wherever the prefix decides.

    Returns the jets of the settled pattern and "" or, when no consistent pattern is found,
    the reason."""
    saved = _snapshot(st, entered, unslid)
    try:
        return _settle(fx, st, J, _Trials(fx, p, H, float_below, prefix=True), t, log, entered, unslid)
    except Short:
        _restore(saved, st, entered, unslid)
        trial = _Trials(fx, p, H, float_below, prefix=False)
        return _settle(fx, st, trial.full(st, J), trial, t, log, entered, unslid)


class _Trials:
    """The jets of the patterns tried at one instant: prefix jets while deciding (with
    ``prefix``), full order-p jets for the settled pattern (:meth:`full`)."""

    def __init__(self, fx, p: int, H: int, float_below: int | None, prefix: bool) -> None:
        self.fx, self.p, self.H, self.float_below = fx, p, H, float_below
        self.upto = prefix_order(fx, p, float_below) if prefix else None

    def __call__(self, st: State):
        return jets(self.fx, st, self.p, self.H, self.float_below, self.upto)

    def full(self, st: State, J):
        """The full jets of ``st``'s pattern, continuing its prefix jets ``J``."""
        return J if J.decides == J.order else jets(self.fx, st, self.p, self.H, self.float_below, start=J)


def _snapshot(st: State, entered: dict, unslid: set) -> tuple:
    pins = {pair: set(names) for pair, names in st.pinned.items()}
    return st.active.copy(), st.sliding.copy(), pins, dict(entered), set(unslid)


def _restore(saved: tuple, st: State, entered: dict, unslid: set) -> None:
    active, sliding, pins, entered0, unslid0 = saved
    st.active[...], st.sliding[...] = active, sliding
    st.pinned.clear()
    st.pinned.update(pins)
    entered.clear()
    entered.update(entered0)
    unslid.clear()
    unslid.update(unslid0)


def _motion(fx, st: State, J, j: int, k: int) -> tuple[int, int] | None:
    """:func:`.events.motion` of the surface pair (j, k) from jets ``J`` (a prefix or full).
    A pair whose input is orthogonal to every input its neuron's field uses (active or
    sliding) has u̇_jk = 0 at every order: frozen, which its prefix shows as all zeros."""
    coeffs = J.column(j, 1 + k)[1:]
    if J.decides > J.order and not any(coeffs):
        coupled = fx.cache.get("coupled")
        if coupled is None:  # (n, n): x_k not orthogonal to x_l
            coupled = fx.cache["coupled"] = np.asarray(fx.G != 0, dtype=bool)
        if not (coupled[k] & (st.active[j] | st.sliding[j])).any():
            return None
    return motion(coeffs, fx.F, J.decides)


def _settle(fx, st: State, J, trial: _Trials, t: int, log, entered: dict, unslid: set) -> tuple[Any, str]:
    """:func:`settle` with the trial patterns' jets from ``trial``."""
    was_active, was_sliding = st.active.copy(), st.sliding.copy()
    for j, k in unslid:
        was_sliding[j, k] = True
    logs: list[tuple[int, int, str]] = []
    settled = False
    seen: set[tuple] = set()  # the loop is deterministic in this key: a repeat is a cycle that never settles
    for _ in range(2 * int(np.count_nonzero(st.U == 0)) + 4):
        key = _loop_key(st, unslid)
        if key in seen:
            break
        seen.add(key)
        if st.sliding.any():
            out = leaving_now(fx, st, J)
            if out is not None:
                _release(st, *out, unslid)
                J = trial(st)
                continue
        J, decided = _decide_next(fx, st, J, trial, t, entered, unslid, logs)
        if not decided:
            for j, k in sorted(unslid):  # what is left went down
                logs.append((j, k, "slide-off"))
            settled = True
            break
    # a pair decided early may no longer agree with the field the later decisions made.
    # The sliding groups need no second look (exits=False): the loop ended on these jets
    # and this state right after leaving_now found every group going on
    if settled and (
        not logs or all(_consistent(fx, st, J, j, F, exits=False) for j, F in _surface_sets(st, entered, t))
    ):
        return _finish(fx, st, J, trial, logs, log, unslid)
    # one at a time did not settle: assignments per neuron, from the state on entry
    for j, k in np.argwhere(st.active & ~was_active):
        entered.pop((int(j), int(k)), None)
    st.active[...], st.sliding[...] = was_active, was_sliding
    J, logs = _assign(fx, st, trial, t, entered, was_active, was_sliding)
    if J is None:
        unslid.clear()
        return None, "no consistent activation pattern found on the surface"
    return _finish(fx, st, J, trial, logs, log, unslid)


def _loop_key(st: State, unslid: set) -> tuple:
    """What the one-at-a-time loop of :func:`settle` decides from (the jets are a function
    of the state): the pattern, the pins and the released pairs."""
    return st.pattern_key(), frozenset(unslid)


def _release(st: State, pairs: list[tuple[int, int]], at_bound: bool, unslid: set) -> None:
    """End the sliding mode of ``pairs`` (a group whose mode ends at the step's start); at a
    bound their first-order rates are rounding noise, so they are pinned."""
    for j, k in pairs:
        st.sliding[j, k] = False
        if at_bound:
            st.pinned.setdefault((j, k), set())  # its first-order rate is noise
        else:
            st.pinned.pop((j, k), None)
        unslid.add((j, k))


def _decide_next(fx, st: State, J, trial: _Trials, t: int, entered: dict, unslid: set, logs: list):
    """Decide the first surface pair that is not frozen (see :func:`settle`): it is held by
    its neuron's sliding span, enters, or slides.  Returns the jets of the new pattern and
    whether a pair was decided (False: every surface pair stays frozen or goes down)."""
    for j, k in np.argwhere((~st.active) & (~st.sliding) & (st.U == 0)):
        j, k = int(j), int(k)
        if st.sliding[j].any() and _spanned(fx, st, j, k):
            st.sliding[j, k] = True  # held on its surface by the projection itself
            logs.append((j, k, "slide"))
            return trial(st), True
        q = _motion(fx, st, J, j, k)
        if q is None or q[1] < 0:
            continue
        # a point and its positive multiples on the surface have one sign: decided together
        group = [(j, l) for l in _twins(fx, k) if st.U[j, l] == 0 and not st.active[j, l] and not st.sliding[j, l]]
        for pair in group:
            st.active[pair] = True
        J2 = trial(st)
        q2 = _motion(fx, st, J2, j, k)
        if q2 is not None and q2[1] > 0:
            for pair in group:
                entered[pair] = t
                logs.append((*pair, "slide-on" if pair in unslid else "on"))
                unslid.discard(pair)
            return J2, True
        for pair in group:
            st.active[pair], st.sliding[pair] = False, True
        J = trial(st)
        for pair in group:
            if pair in unslid:
                unslid.discard(pair)  # held again: it never left its surface
            else:
                logs.append((*pair, "slide"))
        return J, True
    return J, False


def _finish(fx, st: State, J, trial: _Trials, logs: list, log, unslid: set) -> tuple[Any, str]:
    """Flag every surface pair that both sides repel, log the settled events (only once
    nothing is left to decide: a :class:`.events.Short` starts the instant again), and
    return the full jets of the settled pattern."""
    repel = []
    for j, k in np.argwhere((~st.active) & (~st.sliding) & (st.U == 0)):
        q = _motion(fx, st, J, int(j), int(k))
        if q is not None and q[1] < 0 and _repels(fx, st, J, int(j), int(k), trial):
            repel.append((int(j), int(k), "repel"))
    J = trial.full(st, J)
    unslid.clear()
    for j, k, d in logs + repel:
        log(j, k, d)
    return J, ""


def _surface_sets(st: State, entered: dict, t: int) -> list[tuple[int, list[int]]]:
    """Per neuron, its pairs on the surface at time t: sliding, inactive at 0, or entered now."""
    out = []
    for j in range(st.U.shape[0]):
        F = [
            int(k)
            for k in np.nonzero(st.U[j] == 0)[0]
            if st.sliding[j, k] or not st.active[j, k] or entered.get((j, int(k))) == t
        ]
        if F:
            out.append((j, F))
    return out


def _twins(fx, k: int) -> tuple[int, ...]:
    """Point k and the points whose inputs are positive multiples of x_k (exact), cached."""
    key = ("twins", k)
    if key not in fx.cache:
        fx.cache[key] = tuple(l for l in range(fx.n) if (beta := parallel(fx, k, l)) is not None and beta > 0)
    return fx.cache[key]


def _spanned(fx, st: State, j: int, k: int) -> bool:
    """Whether x_k lies in the span of the inputs neuron j slides on (exact rank test)."""
    S = tuple(sorted({int(v) for v in np.nonzero(st.sliding[j])[0]} | {k}))
    return k in projector(fx, S).held


WEAK_ORDER = 3  # a disagreement first showing at this order of the step or later is too weak to decide by


def _violation(fx, st: State, J, j: int, F: list[int], exits: bool = True) -> int | None:
    """The lowest order (in the step's time) at which neuron j's surface pairs disagree with
    its jets — an inactive one going up, an active one not going up, a sliding group whose
    multipliers leave their range or whose surface repels — or None when all agree.
    Without ``exits`` the sliding groups are not checked (the caller knows they agree)."""
    worst = None
    for k in F:
        if st.sliding[j, k]:
            continue
        q = _motion(fx, st, J, j, k)
        if (q is not None and q[1] > 0) != bool(st.active[j, k]):
            order = 1 if q is None else q[0] + 1
            worst = order if worst is None else min(worst, order)
    for ex in exit_jets(fx, st, J, j) if exits else ():
        order = ex.leading()
        if order is not None:
            worst = order if worst is None else min(worst, order)
    return worst


def _consistent(fx, st: State, J, j: int, F: list[int], exits: bool = True) -> bool:
    """Neuron j's surface pairs agree with its jets (:func:`_violation`)."""
    return _violation(fx, st, J, j, F, exits) is None


def _assign(fx, st: State, trial: _Trials, t: int, entered: dict, was_active, was_sliding):
    """Decide the surface pairs neuron by neuron by trying their assignments (see
    :func:`settle`); returns the jets and the events, or (None, []) if some neuron has no
    assignment that agrees with its field through order WEAK_ORDER − 1.  When none agrees
    at every order (a nearly degenerate instant: rates that vanish to high order), the one
    whose first disagreement comes latest is taken; the next steps then decide afresh."""
    J = trial(st)
    for _ in range(3):
        changed = False
        for j, F in _surface_sets(st, entered, t):
            if _consistent(fx, st, J, j, F):
                continue
            changed = True
            best = None  # (latest first disagreement, combo)
            for combo in sorted(itertools.product((0, 1, 2), repeat=len(F)), key=lambda c: (c.count(2), c.count(1), c)):
                _apply(st, j, F, combo)
                J = trial(st)
                order = _violation(fx, st, J, j, F)
                if order is None:
                    break
                if best is None or order > best[0]:
                    best = (order, combo)
            else:
                if best[0] < WEAK_ORDER:
                    return None, []
                _apply(st, j, F, best[1])
                J = trial(st)
        if not changed:
            break
    logs = []
    for j, k in np.argwhere((st.active != was_active) | (st.sliding != was_sliding)):
        j, k = int(j), int(k)
        if st.active[j, k]:
            entered[(j, k)] = t
            logs.append((j, k, "slide-on" if was_sliding[j, k] else "on"))
        elif st.sliding[j, k]:
            logs.append((j, k, "off" if was_active[j, k] else "slide"))
            if was_active[j, k]:
                logs.append((j, k, "slide"))
        else:
            logs.append((j, k, "slide-off" if was_sliding[j, k] else "off"))
    return J, logs


def _apply(st: State, j: int, F: list[int], combo) -> None:
    """Set neuron j's surface pairs F to ``combo`` (0 inactive, 1 sliding, 2 active)."""
    for k, v in zip(F, combo):
        st.active[j, k], st.sliding[j, k] = v == 2, v == 1


def _repels(fx, st: State, J, j: int, k: int, trial: _Trials) -> bool:
    """Whether the active field would move the inactive surface pair (j, k) up while the
    inactive one moves it down.  First order when neuron j has no sliding pair:
    u̇_active − u̇_inactive = (a_j/n) r_k ‖x_k‖², else the jets with the pair active."""
    F = fx.F
    r0 = J.R[0][k]
    if st.a[j] * r0 <= 0:
        return False  # the active field then pushes down at least as hard
    if not st.sliding[j].any():
        gain = ((st.a[j] * r0 * fx.G[k, k] * trial.H) >> (3 * F)) // fx.n
        return J.column(j, 1 + k)[1] + gain > 0
    st.active[j, k] = True
    try:
        q2 = _motion(fx, st, trial(st), j, k)
    finally:
        st.active[j, k] = False
    return q2 is not None and q2[1] > 0
