"""``predict``: every closed-form quantity of the theory for one problem (the early flow, escapes, the jump process, the limit)."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace
from typing import Any

from ...precision import rational
from ...problem import Problem, ProblemError
from .closed_forms import _closed_forms
from .prediction import Prediction
from .records import ClassTheory, Deactivation, EarlySegment, Jump, NeuronTheory, _dot, _sq, check_assumptions


def beta_star_sq(data) -> dict[int, Fraction]:
    """‖β*_±‖² = Σ_{k∈S_±} y_k²/‖x_k‖² exactly (orthogonal inputs, R10), keyed by the sign ±1;
    the R10 bound is ‖θ‖² ≥ 2(‖β*₊‖ + ‖β*₋‖).

    >>> from reluflow.datasets import e2
    >>> beta_star_sq(e2().data)
    {1: Fraction(4, 1), -1: Fraction(0, 1)}
    """
    X, y = data.X, data.y
    return {s: sum((y[k] ** 2 / _sq(X[k]) for k in range(len(y)) if s * y[k] > 0), Fraction(0)) for s in (1, -1)}


def _early(ctx, fns, j: int, z, s: int, X, y, n: int) -> NeuronTheory:
    """Run the R3 segment map for neuron j: shed wrong-sign points, then grow along D_j."""
    d = len(z)
    nx = [_sq(x) for x in X]
    Xm = [[rational(ctx, c) for c in x] for x in X]
    A0 = tuple(k for k, x in enumerate(X) if sum((a * b for a, b in zip(z, x)), Fraction(0)) > 0)
    P = tuple(k for k in A0 if s * y[k] > 0)
    N = tuple(k for k in A0 if s * y[k] < 0)
    active = set(A0)
    w = [rational(ctx, c) for c in z]
    t = ctx.zero
    segs, events = [], []
    while True:
        Dq = [sum((s * y[k] * X[k][i] for k in active), Fraction(0)) for i in range(d)]
        Dm = [rational(ctx, c) for c in Dq]
        segs.append(EarlySegment(t, tuple(w), tuple(Dm)))
        wrong = [k for k in active if s * y[k] < 0]
        if not wrong or all(c == 0 for c in Dq):
            break
        nD, nw, B = ctx.sqrt(rational(ctx, _sq(Dq))), ctx.sqrt(_dot(w, w)), _dot(w, Dm)
        if nD * nw + B <= 16 * ctx.eps * nD * nw:  # ŵ_j antiparallel to D_j: it shrinks to 0 along the line
            raise ProblemError(
                f"init.z[{j}]",
                "the neuron's direction becomes antiparallel to D_j while wrong-sign "
                f"points {sorted(active)} are active: it decays to 0 without shedding "
                "them, and the R3 segment map has no finite switch time; perturb z_j",
            )
        # ς_k = û_jk/(|y_k| ‖x_k‖²): the wrong-sign pair with the smallest ς leaves first
        vs = {k: _dot(w, Xm[k]) / (abs(rational(ctx, y[k])) * rational(ctx, nx[k])) for k in wrong}
        k_out = min(wrong, key=lambda k: vs[k])
        t = t + fns["segment_time"](vs[k_out], n, nD, nw, B)
        w = [a + vs[k_out] * b for a, b in zip(w, Dm)]
        u = _dot(w, Xm[k_out]) / rational(ctx, nx[k_out])
        w = [a - u * b for a, b in zip(w, Xm[k_out])]  # exactly on the surface: û_jk = 0
        active.discard(k_out)
        events.append(Deactivation(j, k_out, t))
    Dj = tuple(rational(ctx, sum((abs(y[k]) * X[k][i] for k in P), Fraction(0))) for i in range(d))
    nDj = ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in P)) if P else ctx.zero
    nDs = ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in range(len(X)) if s * y[k] > 0))
    K = C = None
    if P:
        nw, B = ctx.sqrt(_dot(w, w)), _dot(w, Dj)
        K = fns["K"](nw, B, nDj, n, t)
        # C ∝ a − B ≥ 0 (Cauchy–Schwarz, R3c); when ŵ_N is exactly along D_j the difference is
        # pure rounding and may come out a few units negative: it is 0
        C = max(fns["C"](n, nDj, nw, B, t), ctx.zero)
    full = bool(P) and len(P) == sum(1 for v in y if s * v > 0)
    return NeuronTheory(
        index=j,
        sign=s,
        initially_active=A0,
        kept=P,
        wrong=N,
        D=Dj,
        norm_D=nDj,
        coverage=nDj / nDs if nDs else ctx.zero,
        full=full,
        deactivations=tuple(events),
        t_N=t,
        w_N=tuple(w),
        K=K,
        C=C,
        segments=tuple(segs),
    )


def _jump_process(ctx, neurons, X, y, n: int):
    """R11/R12: e_j(0) = −1, ė_j = ‖D_j^U‖/n while e_j < 0 with D_j^U over the kept points
    not yet fitted; a neuron reaching 0 fits its kept unfitted points.  Returns the jumps
    and the piecewise-linear exponent knots."""
    U = set(range(len(X)))
    e = {nb.index: ctx.mpf(-1) for nb in neurons}
    grown: set[int] = set()
    T = ctx.zero
    knots = [(T, dict(e))]
    jumps = []
    nx = [_sq(x) for x in X]

    def rate(nb):
        if nb.index in grown:
            return ctx.zero
        pts = [k for k in nb.kept if k in U]
        return ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in pts)) / n

    tol = ctx.mpf(10) ** (-(ctx.dps - 8))
    while True:
        rates = {nb.index: rate(nb) for nb in neurons}
        cand = [(-e[j] / r, j) for j, r in rates.items() if r > 0]
        if not cand:
            break
        dt = min(c for c, _ in cand)
        T = T + dt
        for j, r in rates.items():
            e[j] = e[j] + r * dt
        now = tuple(sorted(j for c, j in cand if c - dt <= tol * (1 + dt)))
        for j in now:
            e[j] = ctx.zero
        pts = tuple(sorted({k for j in now for k in neurons[j].kept if k in U}))
        grown.update(now)
        U -= set(pts)
        jumps.append(Jump(T, now, pts))
        knots.append((T, dict(e)))
    return tuple(jumps), knots, U


def _jump_groups(neurons, jumps) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(neurons, points) per rank-one group of the R12 limit: within each jump, neurons are
    joined when their fitted sets Q_j = P_j ∩ U overlap (neurons of opposite signs never do)."""
    fitted: set[int] = set()
    out = []
    for jp in jumps:
        groups: list[tuple[set, set]] = []
        for j in jp.neurons:
            g_n, g_p = {j}, {k for k in neurons[j].kept if k not in fitted}
            rest = []
            for gn, gp in groups:
                if gp & g_p:
                    g_n, g_p = g_n | gn, g_p | gp
                else:
                    rest.append((gn, gp))
            groups = [*rest, (g_n, g_p)]
        out.extend((tuple(sorted(gn)), tuple(sorted(gp))) for gn, gp in sorted(groups, key=lambda g: min(g[0])) if gp)
        fitted |= set(jp.points)
    return out


def _limit_exponent(neurons, jumps, knots):
    """λ-exponent of the limit errors (‖θ_∞‖², h_∞, the split), from the jump process
    (R9, R12): a neuron that is still small (e_j < 0) when others fit some of its kept
    points keeps a frozen component of size λ^{−e_j} along them; if it grows later, that
    component changes the outputs at first order (exponent −e_j); if it never grows, it
    contributes its squared norm (exponent −2e_j(∞), = 2(1 − ρ_j) under A3).  None when
    no neuron is left behind."""
    later = {j: i for i, jp in enumerate(jumps) for j in jp.neurons}
    final = knots[-1][1]
    cands = []
    for i, jp in enumerate(jumps):
        e_at = knots[i + 1][1]
        for nb in neurons:
            j = nb.index
            if j in jp.neurons or not set(nb.kept) & set(jp.points) or e_at[j] >= 0:
                continue
            cands.append(-e_at[j] if later.get(j, -1) > i else -2 * final[j])
    return min(cands) if cands else None


def _rates(ctx, X, y, S, n: int, norm_beta):
    """μ_± (R8): the smallest eigenvalue of J_± = ‖β*‖(I + β̄*β̄*ᵀ)(1/n)Σ x_k x_kᵀ that the
    orbit excites.  In the basis x_k/‖x_k‖ of span{x_k : k ∈ S}, J is similar to the
    symmetric M = ‖β*‖G^{1/2}(I + bbᵀ)G^{1/2}, G = diag(‖x_k‖²/n), b = β̄*.  The orbit
    starts along D̄ and, on each group of points with equal norms, keeps its coordinates
    proportional to |y_k| (the R5 field preserves this), so it lives in the span V of the
    group vectors u_g = (|y_k|)_{k∈g}; V is invariant under J and M, and μ is the smallest
    eigenvalue of M on V (generic within V).  One group (e.g. orthonormal inputs): V is the
    line of β̄* and μ = 2‖β*‖‖x‖²/n (R8's orthonormal exception).  Returns (μ, λ_min(J)):
    at finite λ the modes outside V are excited at a small amplitude and show at low loss."""
    S = list(S)
    nx = [_sq(X[k]) for k in S]
    g = [ctx.sqrt(rational(ctx, v) / n) for v in nx]
    b = [abs(rational(ctx, y[k])) / ctx.sqrt(rational(ctx, v)) / norm_beta for k, v in zip(S, nx)]
    groups = [[i for i in range(len(S)) if nx[i] == v] for v in sorted(set(nx))]
    U = ctx.matrix(len(S), len(groups))  # orthonormal basis of V (disjoint supports)
    for c, grp in enumerate(groups):
        w = ctx.sqrt(ctx.fsum(rational(ctx, y[S[i]]) ** 2 for i in grp))
        for i in grp:
            U[i, c] = abs(rational(ctx, y[S[i]])) / w
    M = ctx.matrix(len(S), len(S))
    for i in range(len(S)):
        for l in range(len(S)):
            M[i, l] = norm_beta * g[i] * ((1 if i == l else 0) + b[i] * b[l]) * g[l]
    return min(ctx.eigsy(U.T * M * U, eigvals_only=True)), min(ctx.eigsy(M, eigvals_only=True))


def predict(problem: Problem, *, dps: int = 30) -> Prediction:
    """Every closed-form quantity of the orthogonal-inputs theory for ``problem`` at ``dps``
    digits, in a local mpmath context (``mpmath.mp`` is never touched).

    Raises :class:`ProblemError` if the inputs are not exactly orthogonal (A1), a label is 0,
    or some ⟨z_j, x_k⟩ = 0.  A3 (coverage) and A4 (distinct rates) are reported in
    ``assumptions`` with ``notes``; quantities that need them are None.

        >>> from reluflow.datasets import e1
        >>> pr = predict(e1("1e-30"), dps=20)
        >>> [(ev.neuron, ev.point, pr.ctx.nstr(ev.t, 10)) for nb in pr.neurons for ev in nb.deactivations]
        [(0, 3, '0.8932852273'), (1, 2, '1.022982684'), (2, 1, '0.1243547089'), (3, 0, '1.856759382')]
        >>> pr.ctx.nstr(pr.min_theta_sq, 15), pr.ctx.nstr(pr.L_mid, 5)
        ('7.1748101905387', '0.3125')
    """
    if not isinstance(problem, Problem):
        raise ProblemError("problem", f"expected a reluflow.Problem, got {type(problem).__name__}")
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise ProblemError("dps", f"must be an integer ≥ 15, got {dps!r}")
    check_assumptions(problem)
    ctx, fns = _closed_forms(dps)
    X, y, n = problem.data.X, problem.data.y, problem.n
    c = _classes(ctx, problem)
    S, nD, nbeta = c.S, c.nD, c.nbeta
    neurons = tuple(
        _early(ctx, fns, j, z, sg, X, y, n) for j, (z, sg) in enumerate(zip(problem.init.z, problem.init.s))
    )
    F = {s: tuple(nb.index for nb in neurons if nb.sign == s and nb.full) for s in S}
    A3, A4, both, covered, notes = _assumptions(S, F, nD, neurons, n)
    fast, t_esc, L_mid = _escapes(ctx, problem, S, F, nD, neurons, both and A4, both)
    rates = {s: (_rates(ctx, X, y, S[s], n, nbeta[s]) if S[s] else (None, None)) for s in S}
    mu = {s: rates[s][0] for s in S}
    jumps, knots, unfitted = _jump_process(ctx, neurons, X, y, n)
    limit_w_sq, limit_theta_sq = _limit_split(ctx, neurons, jumps, F, nbeta, c.nx, y, A3)
    m = problem.m
    classes = {
        s: ClassTheory(
            s,
            S[s],
            c.Dv[s],
            nD[s],
            c.beta[s],
            nbeta[s],
            F[s],
            n / nD[s] if S[s] else None,
            t_esc[s],
            mu[s],
            rates[s][1],
        )
        for s in (1, -1)
    }
    return Prediction(
        problem=problem,
        dps=dps,
        plus=classes[1],
        minus=classes[-1],
        neurons=neurons,
        assumptions={"A1": True, "A3": A3, "A4": A4, "covered": covered, "both_signs": both},
        notes=tuple(notes),
        fast=fast,
        L0=ctx.fsum(rational(ctx, v) ** 2 for v in y) / (2 * n),
        L_mid=L_mid,
        loss_rate=2 * min(v for v in mu.values() if v is not None),
        min_variation_norm=nbeta[1] + nbeta[-1],
        min_theta_sq=2 * (nbeta[1] + nbeta[-1]),
        limit_w_sq=tuple(limit_w_sq),
        jumps=jumps,
        limit_theta_sq=limit_theta_sq if not unfitted else None,
        limit_exponent=_limit_exponent(neurons, jumps, knots),
        knots=tuple(knots),
        saddle_coefficient=-(nD[-1 if fast == "+" else 1]) / n if (both and A4) else None,
        prob_A3=1 - sum((1 - ctx.mpf(2) ** (-len(S[s]) - 1)) ** m for s in S if S[s]),
        prob_covered=1 - n * (ctx.mpf(3) / 4) ** m,
    )


def _escapes(ctx, problem: Problem, S: dict, F: dict, nD: dict, neurons, two_jumps: bool, both: bool):
    """The class fitted first (``fast``: "+" or "-"), the finite-λ escape times t_esc[±]
    (under A3 for that class) and the plateau loss L_mid between the two jumps."""
    y, n = problem.data.y, problem.n
    fast = None
    if two_jumps:
        fast = "+" if nD[1] > nD[-1] else "-"
    elif not both:
        fast = "+" if S[1] else "-"
    lam = rational(ctx, problem.init.lam)
    t_esc = {}
    for s in S:
        t_esc[s] = None
        if S[s] and F[s]:
            K2 = ctx.fsum(neurons[j].K ** 2 for j in F[s])
            t_esc[s] = n / (2 * nD[s]) * ctx.log(1 / (lam**2 * K2))
    L_mid = None
    if two_jumps:
        slow = -1 if fast == "+" else 1
        L_mid = ctx.fsum(rational(ctx, y[k]) ** 2 for k in S[slow]) / (2 * n)
    return fast, t_esc, L_mid


def _classes(ctx, problem: Problem) -> SimpleNamespace:
    """Per sign s = ±1: the class S_s, D_s and ‖D_s‖, β*_s and ‖β*_s‖; and ‖x_k‖²."""
    X, y, n = problem.data.X, problem.data.y, problem.n
    nx = [_sq(x) for x in X]
    S = {1: tuple(k for k in range(n) if y[k] > 0), -1: tuple(k for k in range(n) if y[k] < 0)}
    Dv = {
        s: tuple(rational(ctx, sum((abs(y[k]) * X[k][i] for k in S[s]), Fraction(0))) for i in range(problem.d))
        for s in S
    }
    nD = {
        s: ctx.sqrt(ctx.fsum(rational(ctx, y[k]) ** 2 * rational(ctx, nx[k]) for k in S[s])) if S[s] else None
        for s in S
    }
    beta = {
        s: tuple(rational(ctx, sum((abs(y[k]) / nx[k] * X[k][i] for k in S[s]), Fraction(0))) for i in range(problem.d))
        for s in S
    }
    nbeta = {s: ctx.sqrt(rational(ctx, q)) for s, q in beta_star_sq(problem.data).items()}
    return SimpleNamespace(S=S, Dv=Dv, nD=nD, beta=beta, nbeta=nbeta, nx=nx)


def _assumptions(S: dict, F: dict, nD: dict, neurons, n: int) -> tuple[bool, bool, bool, bool, list[str]]:
    """(A3, A4, both signs, every point covered, notes on what fails)."""
    notes = []
    A3 = all(F[s] or not S[s] for s in S)
    for s in S:
        if S[s] and not F[s]:
            notes.append(
                f"A3 fails for class {'+' if s == 1 else '-'}: no neuron with s_j = {s:+d} is active on all of "
                f"S_{'+' if s == 1 else '-'} = {list(S[s])} at initialisation (incremental learning, R12)"
            )
    both = bool(S[1]) and bool(S[-1])
    A4 = (not both) or nD[1] != nD[-1]
    if not both:
        notes.append("labels of one sign only: no L_mid plateau (R6 needs both signs for two jumps)")
    elif not A4:
        notes.append("A4 fails: ‖D_+‖ = ‖D_−‖, the two jumps merge into one")
    covered = all(any(k in nb.kept for nb in neurons) for k in range(n))
    if not covered:
        notes.append(
            "some point is not kept by any correct-sign neuron: it is never fitted (the loss does not reach 0)"
        )
    return A3, A4, both, covered, notes


def _limit_split(ctx, neurons, jumps, F: dict, nbeta: dict, nx, y, A3: bool) -> tuple[list, Any]:
    """The limit ‖w_j^∞‖² of every neuron and ‖θ^∞‖².  Under A3 the class's norm ‖β*_±‖
    splits by K_j²; otherwise (R12) each group fits β_Q with ‖θ‖² contribution 2‖β_Q‖, a group
    being a set of neurons of one jump whose fitted points Q_j overlap (simultaneous jumps of
    neurons with disjoint Q_j, e.g. both classes when A4 fails, are separate rank-one groups)."""
    limit_w_sq = []
    for nb in neurons:
        if A3 and nb.full:
            K2 = ctx.fsum(neurons[i].K ** 2 for i in F[nb.sign])
            limit_w_sq.append(nbeta[nb.sign] * nb.K**2 / K2)
        else:
            limit_w_sq.append(ctx.zero)
    groups = _jump_groups(neurons, jumps)
    norm_bq = [ctx.sqrt(ctx.fsum(rational(ctx, y[k] ** 2 / nx[k]) for k in Q)) for _, Q in groups]
    limit_theta_sq = ctx.fsum(2 * bq for bq in norm_bq)
    if not A3:
        limit_w_sq = [ctx.zero] * len(neurons)
        for (group, _), bq in zip(groups, norm_bq):
            K2 = ctx.fsum(neurons[j].K ** 2 for j in group)
            for j in group:
                limit_w_sq[j] = bq * neurons[j].K ** 2 / K2
    return limit_w_sq, limit_theta_sq
