"""``certify``: the validation of a whole trajectory, step by step and event by event, into a :class:`Certificate`."""

from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import flint
from flint import arb, fmpq

from ..trajectory import Trajectory
from ._arb import _arb_q, _down, _exp, _lower_q, _norm_up, _q, _sq, _up
from .balls import _box, _clusters, _drange, _field, _range, _rates, _sign, _udot
from .result import BOOTSTRAP, GUARD_BITS, PIECES, WINDOW, Certificate, CertStatus, EventBall, _Fail
from .steps import _Data, _defect, _Poly, _Step


def _value(poly: _Poly, s: Fraction) -> Fraction:
    v = poly.q(_q(s))
    return Fraction(int(v.p), int(v.q))


def _jump(D: _Data, st_prev: _Step, st_next: _Step) -> list[float]:
    """Per neuron, ω'_j‖x̃_next(0) − x̃_prev(S)‖ (rounding, normalisation, u set to 0 at events)."""
    out = []
    S, zero = _q(st_prev.S), fmpq(0)
    for j in range(D.m):
        sq = (st_next.a[j].q(zero) - st_prev.a[j].q(S)) ** 2
        for c in range(D.d):
            sq += (st_next.w[j][c].q(zero) - st_prev.w[j][c].q(S)) ** 2
        out.append(_norm_up(arb(sq)) * _up(st_next.weight_arb[j]))
    return out


def _initial_error(D: _Data, st: _Step) -> list[float]:
    """Per neuron, ω_j‖x̃(0) − x(0)‖: the engine rounds the exact initial state once."""
    out = []
    lam = D.init.lam
    for j, (z, s) in enumerate(zip(D.init.z, D.init.s)):
        a0 = s * (_arb_q(lam * lam * sum((c * c for c in z), Fraction(0)))).sqrt()
        da = _arb_q(_value(st.a[j], Fraction(0))) - a0
        sq = da * da + _arb_q(
            sum(((_value(st.w[j][c], Fraction(0)) - lam * z[c]) ** 2 for c in range(D.d)), Fraction(0))
        )
        out.append(_norm_up(sq) * _up(_arb_q(st.weight[j])))
    return out


def certify(tr: Trajectory) -> Certificate:
    """Validate ``tr`` (see the module docstring): a :class:`Certificate` with proven balls,
    or status FAILED and the first thing that could not be proven."""
    t_start = time.perf_counter()
    prec = tr.F + GUARD_BITS
    with flint.ctx.workprec(prec):
        try:
            cert = _certify(tr, prec)
        except _Fail as exc:
            cert = Certificate(CertStatus.FAILED, str(exc), prec)
    cert.seconds = time.perf_counter() - t_start
    return cert


# The error state: layers (their bounds add up), each a list of disjoint groups
# (members, ω, E) meaning ‖ω·e restricted to the members‖ ≤ E, with ω one weight per group.


def _singletons(vals: list[float], weights: list[Fraction]) -> list:
    return [((j,), w, v) for j, (v, w) in enumerate(zip(vals, weights))]


def _regroup(layers: list, clusters: list[list[int]], wts: list[Fraction]) -> list[float]:
    """Bounds of ‖ω_C e|_C‖ for the new clusters: per layer the disjoint groups combine in
    quadrature (rescaled by ω_C/ω_G), and the layers add (triangle inequality)."""
    out = []
    for cl, wc in zip(clusters, wts):
        members = set(cl)
        tot = 0.0
        for layer in layers:
            tot += math.sqrt(sum((e * float(wc / w)) ** 2 for g, w, e in layer if members.intersection(g)))
        out.append(tot * (1 + 1e-12))
    return out


def _per_neuron(layers: list, weights: list[Fraction]) -> list[float]:
    """Per-neuron bounds ω_j‖e_j‖ ≤ Σ_layers E_G ω_j/ω_G."""
    out = [0.0] * len(weights)
    for layer in layers:
        for g, w, e in layer:
            for j in g:
                out[j] += e * float(weights[j] / w)
    return [v * (1 + 1e-12) for v in out]


def _tube(
    D: _Data, st: _Step, i: int, layers: list, delta: list[float], guess: float = 0.0
) -> tuple[list[float], list, float]:
    """Per-neuron tube radii over the step, the end-of-step error layer (one group per
    cluster) and the step's largest growth exponent ∫μ⁺, by bootstrap over the
    :func:`_clusters` of the step.  The step is cut into PIECES sub-intervals with their
    own μ_C and L_CD over the tube; then E_C(s) ≤ e^{H∫μ_C⁺}(E_C(0) + sδ_C + H∫Σ_D L_CD ρ_D)
    must stay below ρ_C (comparison principle for ė_C ≤ μ_C e_C + Σ_D L_CD e_D + δ_C), with
    errors weighted by the cluster's ω_C."""
    S, H = float(st.S), float(st.H)
    clusters = _clusters(st)
    wts = [min(st.weight[j] for j in cl) for cl in clusters]
    e_c = _regroup(layers, clusters, wts)
    d_c = _regroup([_singletons(delta, st.weight)], clusters, wts)
    cuts = [st.S * Fraction(q, PIECES) for q in range(PIECES + 1)]
    rho = [2 * _exp(guess) * (e + S * dl) + 1e-300 for e, dl in zip(e_c, d_c)]  # guess: the last growth
    nc = len(clusters)
    for _ in range(BOOTSTRAP):
        per_neuron = [0.0] * D.m
        for cl, r, wc in zip(clusters, rho, wts):
            for j in cl:
                per_neuron[j] = r * float(st.weight[j] / wc)
        expo, drive = [0.0] * nc, [0.0] * nc
        for lo, hi in itertools.pairwise(cuts):
            mu, L = _rates(D, st, st.active, _box(D, st, lo, hi, per_neuron), clusters)
            w = float(hi - lo) * H
            for p in range(nc):
                expo[p] += max(mu[p], 0.0) * w
                drive[p] += w * sum(L[p][q] * rho[q] for q in range(nc) if q != p)
        bound = [_exp(expo[p]) * (e_c[p] + S * d_c[p] + drive[p]) * (1 + 1e-12) for p in range(nc)]
        if not all(math.isfinite(b) for b in bound) or not all(math.isfinite(r) for r in rho):
            break
        if all(b <= r for b, r in zip(bound, rho)):
            return per_neuron, [(tuple(cl), wc, bd) for cl, wc, bd in zip(clusters, wts, bound)], max(expo)
        rho = [max(r, 4 * b) for r, b in zip(rho, bound)]
    raise _Fail(
        f"step {i} (t = {float(st.t0):.6g}): no tube validates (the step is too large for its Taylor "
        f"polynomial, or the error grew too much: defect {max(delta):.3g}, error {max(e_c):.3g})"
    )


def _events_at_boundaries(tr: Trajectory, steps: list[_Step]) -> tuple[dict[int, list], list[EventBall]]:
    """The events grouped by the step they end (its index → [(event index, event)]); an
    entry at t = 0 from u = 0 exactly is a ball of radius 0 at once.  An event elsewhere
    than at an interior step boundary is a failure."""
    bounds = {nxt.t0: i for i, nxt in enumerate(steps[1:])}  # boundary time → the step it ends
    by_boundary: dict[int, list] = {}
    ev_out: list[EventBall] = []
    for index, ev in enumerate(tr.events):
        man, exp = ev.t.man_exp
        tq = Fraction(int(man)) * Fraction(2) ** int(exp)
        i = bounds.get(tq)
        if i is None:
            if tq == 0 and ev.direction == "on":  # a pair entering at t = 0 from u = 0 exactly
                ev_out.append(EventBall(arb(0), ev.neuron, ev.point, ev.direction, index))
                continue
            raise _Fail(f"event at t = {float(tq):.6g} is not at an interior step boundary")
        by_boundary.setdefault(i, []).append((index, ev))
    return by_boundary, ev_out


def _certify(tr: Trajectory, prec: int) -> Certificate:
    D = _Data(tr)
    if not tr.segments:
        raise _Fail("the trajectory has no steps to certify")
    slides = [i for i, seg in enumerate(tr.segments) if seg.sliding is not None]
    if slides or any(ev.direction not in ("on", "off") for ev in tr.events):
        where = f"steps {slides[0]}–{slides[-1]} ({len(slides)} of {len(tr.segments)})" if slides else "its events"
        raise _Fail(
            f"the trajectory slides in {where}: sliding modes (the projected field and their "
            "exits) are not covered by the validator, so nothing is certified"
        )
    steps = [D.step(seg) for seg in tr.segments]
    by_boundary, ev_out = _events_at_boundaries(tr, steps)
    layers = [_singletons(_initial_error(D, steps[0]), steps[0].weight)]
    growth = 0.0
    radii = []  # per step: absolute error bounds per neuron (ρ_j/ω_j), for state balls
    windows: dict = {}  # per step ending in switches: their lower time ends and mismatch errors
    for i, st in enumerate(steps):
        ends = [ev for _, ev in by_boundary.get(i, [])]
        starts = [ev for _, ev in by_boundary.get(i - 1, [])]
        rho, end, growth = _tube(D, st, i, layers, _defect(D, st), growth)
        radii.append([r / float(w) for r, w in zip(rho, st.weight)])
        _check_signs(D, st, i, rho, ends, starts)
        if i + 1 == len(steps):
            layers = [end]
            break
        nxt = steps[i + 1]
        jump = _jump(D, st, nxt)
        base = _per_neuron([end], nxt.weight)
        rho_next = [2 * (b + jp) + 1e-300 for b, jp in zip(base, jump)]  # for nxt's event windows
        for _ in range(BOOTSTRAP):
            extra, balls = [0.0] * D.m, []
            for index, ev in by_boundary.get(i, []):  # the event window: crossing time and pattern mismatch
                ball, mismatch = _event(D, st, nxt, ev, rho, rho_next)
                balls.append(EventBall(ball, ev.neuron, ev.point, ev.direction, index))
                windows.setdefault(i, []).append(
                    (_lower_q(ball), [m / float(w) * 2 for m, w in zip(mismatch, st.weight)])
                )
                # the part of the mismatch inside st still grows over the window: ≤ e^{growth·WINDOW}
                extra = [x + y * _exp(growth * float(WINDOW)) for x, y in zip(extra, mismatch)]
            gap = nxt.t0 - (st.t0 + st.S * st.H)  # the engine's step ends a hair before nxt.t0
            if gap:
                f = _field(D, _box(D, st, st.S, st.S, rho), st.active)
                for j in range(D.m):
                    speed = _norm_up(sum((_sq(v * st.weight_arb[j]) for v in f[j]), arb(0)))
                    extra[j] += speed * _up(_arb_q(gap))
            layers = [end, _singletons(extra, st.weight), _singletons(jump, nxt.weight)]
            eps_next = _per_neuron(layers, nxt.weight)
            if not ends or all(e * (1 + 1e-6) <= r for e, r in zip(eps_next, rho_next)):
                break
            rho_next = [max(r, 2 * e) for r, e in zip(rho_next, eps_next)]
        else:
            raise _Fail(f"step {i}: the error after the switch exceeds every radius its window was proven for")
        ev_out += balls
    eps = _per_neuron(layers, steps[-1].weight)
    out = _final_balls(D, steps[-1], eps)
    ev_out.sort(key=lambda e: e.index)
    return Certificate(
        CertStatus.CERTIFIED,
        f"{len(steps)} steps and {len(ev_out)} events proven",
        prec,
        ev_out,
        out[0],
        out[1],
        out[2],
        out[3],
        max(eps),
        len(steps),
        radii=radii,
        windows=windows,
        trajectory=tr,
    )


def _u_margin(D: _Data, st: _Step, j: int, k: int, rho: float) -> arb:
    """|⟨e_wj, x_k⟩| ≤ ‖x_k‖ ρ_j/ω_j (ρ_j: neuron j's weighted radius)."""
    return D.xnorm[k] * arb(rho) / st.weight_arb[j]


def _frozen(D: _Data, st: _Step, j: int, k: int) -> bool:
    """An inactive pair that the true flow cannot move, so no sign proof is needed.
    Orthogonal inputs: d⟨w_j, x_k⟩/dt = (a_j/n)Σ_{l∈A_j} r_l⟨x_l, x_k⟩ = 0 when k ∉ A_j, so the
    pre-activation keeps its exact value: λ⟨z_j, x_k⟩ < 0 if it never was active, and 0
    after its (certified) switch-off.  Any data: a neuron with no active point does not move
    (ȧ_j = 0, ẇ_j = 0), so its pairs keep the signs proven up to its last switch-off (0
    for that pair) and none can enter."""
    if st.active[j, k]:
        return False
    return D.orthogonal or not st.active[j].any()


def _check_signs(D: _Data, st: _Step, i: int, rho: list[float], ends, starts) -> None:
    """Every pair keeps its sign over the step, outside the event windows at its ends."""
    win_end = {(e.neuron, e.point) for e in ends}
    win_start = {(e.neuron, e.point) for e in starts}
    for j in range(D.m):
        for k in range(D.n):
            if _frozen(D, st, j, k):
                continue
            sign = 1 if st.active[j, k] else -1
            lo, hi = Fraction(0), st.S
            if (j, k) in win_start:
                lo = st.S * WINDOW
            if (j, k) in win_end:
                hi = st.S - st.S * WINDOW
            if (j, k) in win_start and (j, k) in win_end:
                raise _Fail(f"step {i}: pair ({j}, {k}) switches at both ends of one step")
            if not _sign(st.u[j][k], lo, hi, _u_margin(D, st, j, k, rho[j]), sign):
                raise _Fail(
                    f"step {i} (t = {float(st.t0):.6g}): cannot prove the sign of ⟨w_{j}, x_{k}⟩ over the "
                    f"step (tube radius {rho[j]:.3g})"
                )


def _event(D: _Data, st: _Step, nxt: _Step, ev, rho: list[float], rho_next: list[float]) -> tuple[arb, list[float]]:
    """Enclose the true switch time of ``ev`` (at the boundary between ``st`` and ``nxt``):
    in the windows [S(1 − WINDOW), S] of st and [0, S'·WINDOW] of nxt the derivative of
    ⟨w_j, x_k⟩ has one sign in both patterns, so there is exactly one crossing; the
    crossing lies where |ũ| ≤ the error margin.  Returns the time ball and the weighted
    error that the pattern mismatch around the crossing can add."""
    j, k = ev.neuron, ev.point
    sgn = -1 if ev.direction == "off" else 1  # the sign of the derivative at the crossing
    wl, wr = st.S * WINDOW, nxt.S * WINDOW
    boxes = [(_box(D, st, st.S - wl, st.S, rho), st), (_box(D, nxt, Fraction(0), wr, rho_next), nxt)]
    approach = ev.direction == "off"  # the pair is active on the approach side of an off switch
    c = None
    for box, _s in boxes:
        for pat in (st.active, nxt.active):
            for on in (True, False):
                p2 = pat.copy()
                p2[j, k] = on
                v = _udot(D, box, p2, j, k) * sgn
                strict = on == approach  # approach side: a transversal crossing; far side: no return
                if not (v > 0 if strict else v >= 0):
                    raise _Fail(
                        f"event ({j}, {k}) at t = {float(nxt.t0):.6g}: cannot prove a single transversal crossing"
                    )
                if strict:
                    c = _down(v) if c is None else min(c, _down(v))
    margin = _up(_u_margin(D, st, j, k, rho[j]))
    # before the window: sgn·ũ < −margin proves no crossing
    if not _sign(st.u[j][k], Fraction(0), st.S - wl, arb(margin), -sgn):
        raise _Fail(f"event ({j}, {k}): the pre-activation is not away from 0 before the window")
    # in the window sgn·ũ increases at least at rate c_s (per unit s): crossing after s_lo
    c_s = _down(_drange(st.u[j][k], st.S - wl, st.S) * sgn)
    g_end = _range(st.u[j][k], st.S, st.S) * sgn
    if not c_s > 0:
        raise _Fail(f"event ({j}, {k}): the step's polynomial is not monotone in the window")
    s_lo = st.S - Fraction(max(_up(g_end + margin), 0.0) / c_s) * (1 + Fraction(1, 10**9))
    if s_lo < st.S - wl:
        raise _Fail(f"event ({j}, {k}): the crossing may lie before the window")
    t_lo = st.t0 + s_lo * st.H
    # after: the true sgn·u rises at least at rate c (per unit time) from ≥ g(S) − margin
    t_hi = nxt.t0 + Fraction(max(_up(margin - g_end), 0.0) / c) * (1 + Fraction(1, 10**9))
    if t_hi > nxt.t0 + wr * nxt.H:
        raise _Fail(f"event ({j}, {k}): the crossing may lie beyond the certified window")
    ball = arb(_q((t_lo + t_hi) / 2), _q((t_hi - t_lo) / 2))
    # pattern mismatch on [t_lo, t_hi]: |f_P − f_P'| on the windows' boxes, weighted, per neuron
    worst = [0.0] * D.m
    for box, _s in boxes:
        f1 = _field(D, box, st.active)
        f2 = _field(D, box, nxt.active)
        for jj in range(D.m):
            w = _arb_q(st.weight[jj])  # in st's weights: the mismatch joins st's error before reweighting
            tot = sum((_sq((a1 - a2) * w) for a1, a2 in zip(f1[jj], f2[jj])), arb(0))
            worst[jj] = max(worst[jj], _norm_up(tot))
    return ball, [v * float(t_hi - t_lo) * (1 + 1e-9) for v in worst]


def _final_balls(D: _Data, st: _Step, eps: list[float]):
    """Loss, a, W and invariants at the end of the last step, as balls."""
    S = st.S
    A, W = [], []
    for j in range(D.m):
        e = arb(0, arb(eps[j]) / _arb_q(st.weight[j]))
        A.append(_range(st.a[j], S, S) + e)
        W.append([_range(st.w[j][c], S, S) + e for c in range(D.d)])
    X = D.Xa
    loss = arb(0)
    for k in range(D.n):  # the pattern is proven over the last step: σ(u_jk) = u_jk on active pairs, else 0
        h = sum(
            (A[j] * sum((W[j][c] * X[k][c] for c in range(D.d)), arb(0)) for j in range(D.m) if st.active[j, k]), arb(0)
        )
        r = _arb_q(D.y[k]) - h
        loss += r * r
    loss /= 2 * D.n
    inv = [A[j] * A[j] - sum((v * v for v in W[j]), arb(0)) for j in range(D.m)]
    return loss, A, W, inv
