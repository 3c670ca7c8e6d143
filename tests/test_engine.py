"""The exact gradient-flow engine: invariants, closed forms, precision, events, statuses."""

from fractions import Fraction

import mpmath
import pytest

from reluflow import Dataset, Init, Problem, Status, Trajectory, solve
from reluflow.datasets import e1
from reluflow.integrate import fixed
from reluflow.summary import agreement, loss_digits


def hp(dps=120):
    ctx = mpmath.MPContext()
    ctx.dps = dps
    return ctx


@pytest.fixture(scope="module")
def e1_run():
    return solve(e1("1e-30"), digits=30)


def test_invariants_and_signs_along_the_flow(e1_run):
    tr = e1_run
    for t in [0, "0.5", 1, 2, 50, 87, 120, 206, 250, tr.t_end]:
        st = tr.evaluate(t)
        for j, inv in enumerate(tr.invariants(t)):
            w2 = sum(w * w for w in st.W[j])
            assert abs(inv) <= mpmath.mpf(10) ** (-tr.digits) * w2, (t, j)  # relative, per neuron
            assert (st.a[j] > 0) == (tr.problem.init.s[j] > 0)


def _grad_norm2(tr, st):
    p = tr.problem
    n = p.n
    ctx = tr.ctx
    y = [ctx.mpf(v.numerator) / v.denominator for v in p.data.y]
    X = [[ctx.mpf(c.numerator) / c.denominator for c in x] for x in p.data.X]
    r = [y[k] - ctx.fsum(st.a[j] * st.U[j][k] for j in range(p.m) if st.active[j][k]) for k in range(n)]
    total = ctx.mpf(0)
    for j in range(p.m):
        ga = -ctx.fsum(r[k] * st.U[j][k] for k in range(n) if st.active[j][k]) / n
        gw = [-st.a[j] * ctx.fsum(r[k] * X[k][i] for k in range(n) if st.active[j][k]) / n for i in range(p.d)]
        total += ga * ga + ctx.fsum(g * g for g in gw)
    return total


def test_loss_decreases_at_rate_grad_norm_squared():
    """dL/dt = −‖∇L‖², dL/dt by a fourth-order central difference of the dense output."""
    tr = solve(e1("1e-4"), digits=40, t_end=40)
    ctx = tr.ctx
    h = ctx.mpf("1e-8")
    for t in ["3", "7.5", "12", "16", "25", "31"]:
        t = ctx.mpf(t)
        L = [tr.loss(t + k * h) for k in (-2, -1, 1, 2)]
        dL = (L[0] - 8 * L[1] + 8 * L[2] - L[3]) / (12 * h)
        g2 = _grad_norm2(tr, tr.evaluate(t))
        assert g2 > 1e-12
        assert abs(dL + g2) <= ctx.mpf("1e-25") * g2, (t, dL, g2)


def test_escape_time_matches_closed_form_to_50_digits():
    """One neuron, one point: q = c·w² is logistic, q(t) = y/(1 + (y/q0 − 1) e^{−2cyt}), so the
    half-fit time (L = y²/8) is ln(y/q0 − 1)/(2cy) exactly."""
    c, y, z, lam = Fraction(3, 2), Fraction(2), Fraction(7, 10), Fraction(1, 10**30)
    p = Problem(Dataset([[c]], [y]), Init(lam, [[z]], [1]))
    tr = solve(p, digits=60, loss_below=y * y / 8, t_end=200)
    assert tr.status is Status.LOSS_BELOW
    ctx = hp()
    q0 = ctx.mpf(c.numerator) / c.denominator * (ctx.mpf(z.numerator) / z.denominator) ** 2 / ctx.mpf(10) ** 60
    cy = ctx.mpf(3)
    t_half = ctx.log(2 / q0 - 1) / (2 * cy)
    assert abs(ctx.mpf(tr.t_end) - t_half) <= ctx.mpf("1e-50") * t_half


def test_precision_doubling_agrees_to_dps_minus_5():
    p = e1("1e-30")
    for dps in (30, 45):
        tr = solve(p, dps=dps, t_end=300)
        ref = solve(p, dps=2 * dps, t_end=300)
        assert agreement(tr, ref) >= dps - 5


def test_components_of_size_lambda_squared_keep_their_digits():
    """At λ = 1e-60 the network output h = a·u ~ λ² ~ 1e-120 is still correct to all requested
    digits, relative (checked against the closed-form logistic)."""
    c, y, lam = Fraction(1), Fraction(1), Fraction(1, 10**60)
    p = Problem(Dataset([[c]], [y]), Init(lam, [[1]], [1]))
    tr = solve(p, digits=40, t_end=10)
    ctx = hp(200)
    q0 = ctx.mpf(10) ** -120
    for t in ["0.001", "1", "5", "10"]:
        st = tr.evaluate(t)
        h = ctx.mpf(st.a[0]) * ctx.mpf(st.U[0][0])
        exact = 1 / (1 + (1 / q0 - 1) * ctx.exp(-2 * ctx.mpf(t)))
        assert exact < ctx.mpf("1e-110")
        assert abs(h / exact - 1) <= ctx.mpf("1e-40"), t


def test_events_in_time_order_and_frozen_pairs_stay_exactly_zero(e1_run):
    tr = e1_run
    times = [e.t for e in tr.events]
    assert len(times) == 4 and times == sorted(times) and len(set(times)) == len(times)
    assert all(e.direction == "off" for e in tr.events)
    for e in tr.events:
        for t in [e.t, e.t + 1, 100, 200, tr.t_end]:
            st = tr.evaluate(min(tr.ctx.mpf(t), tr.t_end))
            assert st.U[e.neuron][e.point] == 0 and not st.active[e.neuron][e.point]
            assert st.W[e.neuron][e.point] == 0  # axis-aligned inputs: the coordinate itself is 0


def test_a_point_enters_a_neuron():
    """u_12 < 0 at start, pushed up through 0 by the correlated point 1: it enters ('on')."""
    p = Problem(Dataset([[1, 0], [1, 1]], [1, 1]), Init("1e-3", [[1, "-1.5"]], [1]))
    tr = solve(p, t_end=60, digits=20)
    assert tr.status is Status.T_END
    assert [(e.neuron, e.point, e.direction) for e in tr.events] == [(0, 1, "on")]
    t_on = tr.events[0].t
    assert tr.evaluate(t_on / 2).U[0][1] < 0 < tr.evaluate(t_on + 1).U[0][1]


def test_reactivation_off_then_on():
    """Found by a random search over correlated data and pinned: point 3 leaves neuron 1 and
    later re-enters it."""
    X = [[0.2, -0.9], [0.7, -1.4], [-0.6, -0.5], [2.0, -1.6]]
    p = Problem(
        Dataset([[str(v) for v in r] for r in X], ["0.6", "0.9", "0.4", "1.2"]),
        Init("1e-2", [["-1.0", "-2.3"], ["0.8", "-1.2"]], [1, -1]),
    )
    tr = solve(p, t_end=60, digits=25)
    assert tr.status is Status.T_END
    assert [(e.neuron, e.point, e.direction) for e in tr.events] == [(1, 3, "off"), (1, 3, "on")]
    t_off, t_on = (e.t for e in tr.events)
    assert 3 < t_off < 4 and 18 < t_on < 19
    assert tr.evaluate((t_off + t_on) / 2).U[1][3] < 0
    ref = solve(p, t_end=60, digits=40)
    assert agreement(tr, ref) >= 25


def test_sliding_continues_through_the_mode():
    """x2 correlated with x1 and y2 ≪ 0: once point 2 leaves, the inactive field pushes u_12 up
    and the active field pushes it down, a Filippov sliding mode; the flow goes on along it
    (more in test_sliding.py)."""
    p = Problem(Dataset([[1, 0], [1, 1]], [1, -10]), Init("1e-3", [[1, "0.2"]], [1]))
    tr = solve(p, t_end=50, digits=20)
    assert tr.status is Status.T_END
    assert [(e.neuron, e.point, e.direction) for e in tr.events] == [(0, 1, "off"), (0, 1, "slide")]
    assert tr.events[0].t == tr.events[1].t


def test_limits_end_with_their_status():
    tr = solve(e1("1e-30"), digits=20, max_steps=3)
    assert tr.status is Status.MAX_STEPS and len(tr.segments) == 3
    tr = solve(e1("1e-30"), digits=20, max_events=2)
    assert tr.status is Status.MAX_EVENTS and len(tr.events) == 2


def test_loss_threshold_is_located_to_working_precision():
    tr = solve(e1("1e-30"), digits=30, loss_below="1e-12")
    assert tr.status is Status.LOSS_BELOW
    # located to the loss's own accuracy: residuals ~1e-6 leave it ~digits − 6 correct digits
    d = loss_digits(tr)
    assert 22 <= d <= 30
    assert abs(tr.final_loss / tr.ctx.mpf("1e-12") - 1) <= tr.ctx.mpf(10) ** (1 - d)


def test_general_gram_path_equals_orthogonal_path(monkeypatch):
    """The dense Gram-matrix recurrence and the orthogonal pair-space one give the same flow."""
    p = e1("1e-10")
    fast = solve(p, digits=25, t_end=80)
    real_of = fixed.FixedPoint.of.__func__

    def no_diag(cls, problem, F):
        fx = real_of(cls, problem, F)
        return fixed.FixedPoint(fx.F, fx.n, fx.m, fx.d, fx.y, fx.G, None, fx.X)

    monkeypatch.setattr(fixed.FixedPoint, "of", classmethod(no_diag))
    slow = solve(p, digits=25, t_end=80)
    assert agreement(slow, fast) >= 24


def test_rotated_orthogonal_inputs_match_axis_inputs():
    """Orthogonal but not axis-aligned inputs (an exact rational rotation) give the same u-dynamics."""
    rot = [[Fraction(3, 5), Fraction(4, 5)], [Fraction(-4, 5), Fraction(3, 5)]]  # rows orthonormal
    z = [[Fraction(1, 2), Fraction(-1, 3)], [Fraction(2, 7), Fraction(5, 11)]]
    y = [1, Fraction(-3, 4)]
    axis = Problem(Dataset([[1, 0], [0, 1]], y), Init("1e-20", z, [1, -1]))
    zr = [[sum(zi[i] * rot[i][k] for i in range(2)) for k in range(2)] for zi in z]  # z rotated along
    rotated = Problem(Dataset(rot, y), Init("1e-20", zr, [1, -1]))
    ta, tb = solve(axis, digits=25, t_end=60), solve(rotated, digits=25, t_end=60)
    for t in [1, 20, 45, 60]:
        sa, sb = ta.evaluate(t), tb.evaluate(t)
        for j in range(2):
            assert abs(sa.a[j] - sb.a[j]) <= mpmath.mpf("1e-24") * abs(sa.a[j])
            for k in range(2):
                assert abs(sa.U[j][k] - sb.U[j][k]) <= mpmath.mpf("1e-24") * abs(sa.a[j])


def test_dense_output_is_continuous_across_steps(e1_run):
    tr = e1_run
    for _seg_prev, seg in zip(tr.segments[:-1], tr.segments[1:]):
        t = tr.ctx.ldexp(tr.ctx.mpf(int(seg.t0)), -tr.F)
        left = tr.evaluate(t - mpmath.mpf(10) ** -30)
        right = tr.evaluate(t)
        for j in range(tr.problem.m):
            assert abs(left.a[j] - right.a[j]) <= mpmath.mpf(10) ** -28 * abs(right.a[j])


def test_json_round_trip_is_lossless():
    tr = solve(e1("1e-10"), digits=20, t_end=60)
    text = tr.to_json()
    back = Trajectory.from_json(text)
    assert back.to_json() == text
    for t in ["0.3", "17.25", "59"]:
        a, b = tr.evaluate(t), back.evaluate(t)
        assert a.a == b.a and a.W == b.W and a.U == b.U
    assert [(e.t, e.neuron, e.point, e.direction) for e in back.events] == [
        (e.t, e.neuron, e.point, e.direction) for e in tr.events
    ]
    assert back.status is tr.status and back.final_loss == tr.final_loss


def test_library_never_touches_global_mpmath_context():
    before = (mpmath.mp.prec, mpmath.mp.dps)
    p = e1("1e-20")
    try:
        mpmath.mp.dps = 5
        low = solve(p, digits=20, t_end=50)
        assert (mpmath.mp.prec, mpmath.mp.dps) == (20, 5)
        mpmath.mp.dps = 80
        high = solve(p, digits=20, t_end=50)
    finally:
        mpmath.mp.prec = before[0]
    assert low.to_json(dense=False).replace(str(low.metadata["wall_time_s"]), "") == high.to_json(dense=False).replace(
        str(high.metadata["wall_time_s"]), ""
    )


def _duplicated_e1(copies: int) -> Problem:
    p = e1("1e-30")
    z = list(p.init.z) + [p.init.z[0]] * copies
    s = list(p.init.s) + [p.init.s[0]] * copies
    return Problem(p.data, Init(p.init.lam, z, s))


def test_simultaneous_switches_of_identical_neurons():
    """Copies of neuron 0 switch at the same instant; each is logged and frozen exactly."""
    tr = solve(_duplicated_e1(2), digits=25, t_end=150)
    assert tr.status is Status.T_END
    offs = [e for e in tr.events if e.point == 3 and e.neuron in (0, 6, 7)]
    assert sorted(e.neuron for e in offs) == [0, 6, 7]
    assert max(e.t for e in offs) - min(e.t for e in offs) <= mpmath.mpf(10) ** -24
    st = tr.evaluate(tr.t_end)
    assert all(st.U[j][3] == 0 and not st.active[j][3] for j in (0, 6, 7))
    assert abs(st.a[0] - st.a[6]) <= mpmath.mpf(10) ** -24 * abs(st.a[0])


def test_identical_neurons_entering_together_log_one_event_each():
    """Two identical positive neurons take in the same point at one instant: one "on" each,
    no spurious off/on pair (Hypothesis found the pair in a single-neuron property run)."""
    q = Fraction
    data = Dataset([[q(33, 65), q(347, 780)], [q(34, 195), q(56, 65)]], teacher=[q(33, 65), q(56, 65)])
    z = [[q(1, 8), q(7, 8)], [q(1, 8), q(7, 8)], [q(3, 4), q(-5, 8)], [q(3, 4), q(-5, 8)]]
    tr = solve(Problem(data, Init("1e-30", z, [1, -1, 1, 1])), digits=30, t_end=6)
    assert [(e.neuron, e.point, e.direction) for e in tr.events] == [
        (2, 1, "on"),
        (3, 1, "on"),
        (1, 0, "off"),
        (1, 1, "off"),
    ]


def test_event_storm_ends_with_its_status(monkeypatch):
    """More simultaneous switches than the storm limit allows end the run with EVENT_STORM."""
    import importlib

    solve_module = importlib.import_module("reluflow.integrate.engine")
    monkeypatch.setattr(solve_module, "storm_limit", lambda m, n: 1)
    tr = solve(_duplicated_e1(3), digits=25, t_end=150)
    assert tr.status is Status.EVENT_STORM
    assert "switches at t" in tr.message


def test_evaluate_outside_the_run_and_summary_json_are_clear_errors():
    from reluflow import ProblemError

    tr = solve(e1("1e-10"), digits=20, t_end=10)
    with pytest.raises(ProblemError, match="^t: "):
        tr.evaluate(11)
    with pytest.raises(ProblemError, match="^json: written with dense=False"):
        Trajectory.from_json(tr.to_json(dense=False))


@pytest.mark.parametrize("lam, digits", [("1e-30", 30), ("1e-100", 50)])
def test_float64_tail_of_high_orders_matches_all_integer_jets(monkeypatch, lam, digits):
    """Mixed precision (float64 for tiny high-order coefficients) changes nothing at the
    requested digits: compare with the all-integer recurrence."""
    import importlib

    p = e1(lam)
    mixed = solve(p, digits=digits, loss_below="1e-15")
    monkeypatch.setattr(importlib.import_module("reluflow.integrate.engine"), "FLOAT_MAX_BITS", 0)
    exact_ints = solve(p, digits=digits, t_end=mixed.t_end)
    assert agreement(mixed, exact_ints) >= digits
