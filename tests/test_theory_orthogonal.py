"""reluflow.theory.orthogonal.predict: the closed forms against independent computations,
the λ-free early flow against its ODE and against the engine, and the R11/R12 jump process."""

import json
import math
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given

from reluflow import Dataset, Init, Problem, ProblemError, solve
from reluflow.datasets import b1, e1, e2
from reluflow.strategies import orthogonal_problems
from reluflow.theory.orthogonal import predict

CTX = mpmath.MPContext()
CTX.dps = 40


def q(v):
    return CTX.mpf(v.numerator) / v.denominator


def sq(x):
    return sum((c * c for c in x), Fraction(0))


def dotq(u, v):
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def close(a, b, digits):
    """|a − b| ≤ 10^−digits · max(|b|, 1e-300), evaluated in the 40-digit test context."""
    a, b = CTX.mpf(a), CTX.mpf(b)
    return abs(a - b) <= CTX.mpf(10) ** (-digits) * max(abs(b), CTX.mpf("1e-300"))


def class_norm_sq(problem, s):
    """‖D_±‖² = Σ_{±y_k>0} y_k²‖x_k‖², exactly."""
    return sum((y * y * sq(x) for x, y in zip(problem.data.X, problem.data.y) if s * y > 0), Fraction(0))


def beta_norm_sq(problem, s):
    """‖β*_±‖² = Σ_{±y_k>0} y_k²/‖x_k‖², exactly."""
    return sum((y * y / sq(x) for x, y in zip(problem.data.X, problem.data.y) if s * y > 0), Fraction(0))


@pytest.fixture(scope="module")
def pr_e1():
    return predict(e1("1e-30"), dps=30)


# ----------------------------------------------------------------------------- E1


def test_e1_sets_classes_and_full_neurons(pr_e1):
    pr = pr_e1
    assert pr.plus.points == (0, 1) and pr.minus.points == (2, 3)
    assert pr.plus.full == (0, 1) and pr.minus.full == (2, 3)
    assert [nb.kept for nb in pr.neurons] == [(0, 1), (0, 1), (2, 3), (2, 3), (0,), (1,)]
    assert [nb.wrong for nb in pr.neurons] == [(3,), (2,), (1,), (0,), (), ()]
    assert [nb.full for nb in pr.neurons] == [True] * 4 + [False] * 2
    events = sorted((ev.neuron, ev.point) for nb in pr.neurons for ev in nb.deactivations)
    assert events == [(0, 3), (1, 2), (2, 1), (3, 0)]
    assert pr.fast == "+" and pr.assumptions["A3"] and pr.assumptions["A4"]


def test_e1_rates_plateaus_and_min_norm(pr_e1):
    pr, p = pr_e1, pr_e1.problem
    # ‖D₊‖² = 1 + 4·(3/2)² = 10, ‖D₋‖² = (3/2)²(4/5)² + (1/2)²(6/5)² = 9/5
    assert class_norm_sq(p, 1) == 10 and class_norm_sq(p, -1) == Fraction(9, 5)
    assert close(pr.plus.T, 4 / CTX.sqrt(10), 28)
    assert close(pr.minus.T, 4 / CTX.sqrt(q(Fraction(9, 5))), 28)
    assert close(pr.plus.norm_D, CTX.sqrt(10), 28)
    assert pr.ctx.mpf("0.9375") == pr.L0 and pr.L_mid == pr.ctx.mpf("0.3125")
    # ‖β*₊‖ = √(1 + 16/9) = 5/3, ‖β*₋‖² = 225/64 + 25/144 = 2125/576
    assert beta_norm_sq(p, 1) == Fraction(25, 9) and beta_norm_sq(p, -1) == Fraction(2125, 576)
    expected = 2 * (q(Fraction(5, 3)) + CTX.sqrt(q(Fraction(2125, 576))))
    assert close(pr.min_theta_sq, expected, 28)
    assert close(pr.min_variation_norm, expected / 2, 28)
    assert close(pr.limit_theta_sq, expected, 28)  # A3: the limit is the minimum-norm interpolator
    for s, F, nb in ((1, pr.plus.full, pr.plus.norm_beta), (-1, pr.minus.full, pr.minus.norm_beta)):
        assert close(pr.ctx.fsum(pr.limit_w_sq[j] for j in F), CTX.sqrt(q(beta_norm_sq(p, s))), 28)
        assert close(nb, CTX.sqrt(q(beta_norm_sq(p, s))), 28)
    assert pr.limit_w_sq[4] == 0 and pr.limit_w_sq[5] == 0


def test_e1_limit_network_interpolates(pr_e1):
    pr, p = pr_e1, pr_e1.problem
    a, W = pr.limit_network()
    for x, y in zip(p.data.X, p.data.y):
        out = sum(aj * max(sum(w * q(c) for w, c in zip(wj, x)), 0) for aj, wj in zip(a, W))
        assert close(out, q(y), 25)
    theta_sq = sum(aj**2 for aj in a) + sum(sum(w * w for w in wj) for wj in W)
    assert close(theta_sq, pr.min_theta_sq, 25)


def test_deactivation_times_are_zeros_of_the_early_flow(pr_e1):
    pr, X = pr_e1, pr_e1.problem.data.X
    ctx = pr.ctx
    for nb in pr.neurons:
        for ev in nb.deactivations:
            x = [ctx.mpf(q(c)) for c in X[ev.point]]
            at = lambda t: sum(a * b for a, b in zip(pr.early_direction(nb.index, t), x))
            assert ev.t > 0
            assert abs(at(ev.t)) < ctx.mpf("1e-25")
            for frac in ("0", "0.5", "0.999999"):
                assert at(ev.t * ctx.mpf(frac)) > 0
            assert abs(at(ev.t + 1)) < ctx.mpf("1e-25")  # frozen afterwards


def test_early_direction_solves_the_early_ode(pr_e1):
    """ŵ' = (‖ŵ‖/n) s_j Σ_{k: ⟨ŵ, x_k⟩ > 0} y_k x_k, by central differences, with the active
    set read off ŵ itself (not from the prediction's bookkeeping)."""
    pr, p = pr_e1, pr_e1.problem
    ctx, n = pr.ctx, p.n
    X = [[ctx.mpf(q(c)) for c in x] for x in p.data.X]
    y = [ctx.mpf(q(v)) for v in p.data.y]
    h = ctx.mpf("1e-10")
    events = [ev.t for nb in pr.neurons for ev in nb.deactivations]
    for j, nb in enumerate(pr.neurons):
        for t in ("0.05", "0.3", "0.7", "1", "1.4", "2", "3.5"):
            t = ctx.mpf(t)
            assert all(abs(t - te) > 1e-3 for te in events)
            w = pr.early_direction(j, t)
            deriv = [(a - b) / (2 * h) for a, b in zip(pr.early_direction(j, t + h), pr.early_direction(j, t - h))]
            nw = ctx.sqrt(sum(c * c for c in w))
            active = [k for k in range(n) if sum(a * b for a, b in zip(w, X[k])) > 1e-20]
            rhs = [nw / n * nb.sign * sum(y[k] * X[k][i] for k in active) for i in range(p.d)]
            scale = max(abs(c) for c in rhs)
            assert max(abs(a - b) for a, b in zip(deriv, rhs)) < 1e-15 * scale


def test_growth_prefactors(pr_e1):
    pr, p = pr_e1, pr_e1.problem
    ctx = pr.ctx
    for j, nb in enumerate(pr.neurons):
        z = [q(c) for c in p.init.z[j]]
        nz = CTX.sqrt(sum(c * c for c in z))
        assert nb.K > 0 and nz >= nb.K  # R3: K_j ≤ ‖z_j‖
        if not nb.wrong:  # no events: K_j = ‖z_j‖(1 + cos∠(z_j, D_j))/2
            Dj = [sum((abs(p.data.y[k]) * p.data.X[k][i] for k in nb.kept), Fraction(0)) for i in range(p.d)]
            cos = sum(a * q(b) for a, b in zip(z, Dj)) / (nz * CTX.sqrt(q(sq(Dj))))
            assert nb.t_N == 0
            assert close(nb.K, nz * (1 + cos) / 2, 28)
        # K_j = lim ‖ŵ_j(t)‖ e^{−‖D_j‖t/n}: relative correction O(e^{−2‖D_j‖(t − t_N)/n})
        t = nb.t_N + 40 * p.n / nb.norm_D
        w = pr.early_direction(j, t)
        assert close(ctx.sqrt(sum(c * c for c in w)) * ctx.exp(-nb.norm_D * t / p.n), nb.K, 25)


def test_alignment_gap_and_constant(pr_e1):
    pr, n = pr_e1, pr_e1.problem.n
    ctx = pr.ctx
    for j, nb in enumerate(pr.neurons):
        for dt in ("0", "0.5", "2", "6"):
            t = nb.t_N + ctx.mpf(dt)
            w = pr.early_direction(j, t)
            cos = sum(a * b for a, b in zip(w, nb.D)) / (ctx.sqrt(sum(c * c for c in w)) * nb.norm_D)
            gap = pr.alignment_gap(j, t)
            assert close(gap, 1 - cos, 12)  # 1 − cos loses digits to cancellation
            bound = nb.C * ctx.exp(-2 * nb.norm_D * t / n)
            assert gap <= bound
        t = nb.t_N + 60 * n / nb.norm_D
        assert close(pr.alignment_gap(j, t) / (nb.C * ctx.exp(-2 * nb.norm_D * t / n)), 1, 20)
    with pytest.raises(ProblemError, match="t_N"):
        pr.alignment_gap(3, pr.neurons[3].t_N / 2)


def test_e1_exponents_are_piecewise_linear(pr_e1):
    pr, n = pr_e1, pr_e1.problem.n
    for j, nb in enumerate(pr.neurons):
        Ts = pr.T(nb.sign)
        for T in ("0", "0.3", "1", "1.2", "1.5", "2.5", "3", "5"):
            T = pr.ctx.mpf(T)
            expected = -1 + nb.norm_D * min(T, Ts) / n
            assert close(pr.exponent(j, T) + 2, expected + 2, 25), (j, T)
        if not nb.full:  # partial neurons freeze at −(1 − ρ_j)
            assert close(pr.exponent(j, 10) + 2, -(1 - nb.coverage) + 2, 25)
        else:
            assert abs(pr.exponent(j, 10)) < 1e-25


def test_dead_neurons():
    base = e1()
    # s = +1, active only on the negative points 2 and 3: P_j = ∅
    init = Init(base.init.lam, [*base.init.z, ["-.5", "-.5", ".5", ".5"]], [*base.init.s, 1])
    pr = predict(Problem(base.data, init))
    nb = pr.neurons[6]
    assert not nb.alive and nb.K is None and nb.kept == () and nb.wrong == (2, 3)
    assert sorted(ev.point for ev in nb.deactivations) == [2, 3]  # both wrong-sign points are shed
    assert all(pr.exponent(6, T) == -1 for T in ("0", "1", "2", "4"))
    assert pr.limit_w_sq[6] == 0 and pr.residual_exponent(6) is None
    assert pr.jumps == predict(base).jumps


def test_e1_heteroclinic_half_time_and_staircase(pr_e1):
    pr = pr_e1
    ctx = pr.ctx
    for s in (1, -1):
        th = pr.half_time(s)
        assert pr.t_escape(s) < th
        assert close(pr.class_loss(s, th), pr.class_initial_loss(s) / 4, 25)
        assert close(pr.class_loss(s, th - 60), pr.class_initial_loss(s), 10)
    logl = pr.log_inv_lambda
    assert close(pr.loss(ctx.mpf("0.5") * logl), pr.L0, 10)
    T_mid = (pr.plus.T + pr.minus.T) / 2
    assert close(pr.loss(T_mid * logl), pr.L_mid, 10)
    assert pr.loss(4 * logl) < ctx.mpf("1e-30")  # ≈ e^{−2μ₋(t − t^{1/2}_−)}, t − t^{1/2}_− ≈ 70


# ----------------------------------------------------------------------------- the heteroclinic path


def test_engine_heteroclinic_path_agrees_with_the_orthonormal_closed_form():
    pr = predict(b1("1e-30"), dps=30)
    assert pr.assumptions["A3"]
    for s in (1, -1):
        assert pr.is_orthonormal_class(s)
        het = pr._heteroclinic(s)  # the general, engine-based solve
        t_half = pr.half_time(s)  # the logistic closed form
        assert close(pr.t_escape(s) + het.half_shift, t_half, 20)
        step = pr.problem.n / (2 * pr.norm_D(s))
        for k in (-6, -2, 0, 1, 3, 8, 15):
            t = t_half + k * step
            assert close(het.loss(t - pr.t_escape(s)), pr.class_loss(s, t), 20), (s, k)


# ----------------------------------------------------------------------------- the engine


def test_engine_approaches_the_early_flow_like_lambda_squared():
    errs, event_errs = [], []
    for lam in ("1e-6", "1e-8"):
        p = e1(lam)
        pr = predict(p, dps=30)
        tr = solve(p, t_end=2, digits=30)
        W = tr.evaluate(2).W
        rel = []
        for j in range(p.m):
            w_hat = pr.early_direction(j, 2)
            w = [pr.ctx.mpf(c) / pr.lam for c in W[j]]
            rel.append(
                pr.ctx.sqrt(sum((a - b) ** 2 for a, b in zip(w, w_hat))) / pr.ctx.sqrt(sum(b * b for b in w_hat))
            )
        errs.append(max(rel))
        predicted = sorted((ev.neuron, ev.point, ev.t) for nb in pr.neurons for ev in nb.deactivations)
        seen = sorted((ev.neuron, ev.point, ev.t) for ev in tr.events)
        assert [e[:2] for e in seen] == [e[:2] for e in predicted]
        assert all(ev.direction == "off" for ev in tr.events)
        event_errs.append(max(abs(a[2] - b[2]) for a, b in zip(seen, predicted)))
    ratio = errs[0] / errs[1]
    assert 1e4 / 3 < ratio < 3e4, ratio
    assert errs[1] < 1e-13
    assert 1e4 / 3 < event_errs[0] / event_errs[1] < 3e4  # O5: event times converge like λ²


# ----------------------------------------------------------------------------- E2: no A3


def test_e2_jump_process():
    pr = predict(e2("1e-30"), dps=30)
    ctx = pr.ctx
    assert not pr.assumptions["A3"] and pr.assumptions["covered"]
    assert pr.plus.full == () and pr.notes
    T1 = 4 / CTX.sqrt(3)
    T2 = T1 + 4 * (1 - CTX.sqrt(q(Fraction(2, 3))))
    (j1, j2) = pr.jumps
    assert j1.neurons == (1,) and j1.points == (1, 2, 3) and close(j1.T, T1, 28)
    assert j2.neurons == (0,) and j2.points == (0,) and close(j2.T, T2, 28)
    assert close(pr.limit_theta_sq, 2 * (CTX.sqrt(3) + 1), 28)
    assert pr.min_theta_sq == 4 and pr.limit_theta_sq > pr.min_theta_sq
    assert close(pr.limit_w_sq[1], CTX.sqrt(3), 28) and close(pr.limit_w_sq[0], 1, 28)
    # neuron 0: slope √2/4 until T1 (points 0, 1 unfitted), then 1/4 (point 0 only), then 0
    for T in ("0.5", "2"):
        assert close(pr.exponent(0, T) + 2, -1 + CTX.sqrt(2) / 4 * CTX.mpf(T) + 2, 25)
    mid = (T1 + T2) / 2
    assert close(pr.exponent(0, ctx.mpf(mid)) + 2, -1 + CTX.sqrt(2) / 4 * T1 + (mid - T1) / 4 + 2, 25)
    assert abs(pr.exponent(0, 5)) < 1e-25 and abs(pr.exponent(1, 5)) < 1e-25
    with pytest.raises(ProblemError, match="A3"):
        pr.limit_network()
    with pytest.raises(ProblemError, match="A3"):
        pr.half_time(1)


def test_simultaneous_jumps_of_disjoint_neurons_are_separate_groups():
    """Two neurons reach e_j = 0 together but fit disjoint orthogonal point sets: two rank-one
    groups with ‖θ‖² = 2(‖β_{01}‖ + ‖β_{23}‖) = 4√2, not 2‖β_{0123}‖ = 4 (R12)."""
    X = [[int(i == k) for i in range(4)] for k in range(4)]
    p = Problem(Dataset(X, [1, 1, 1, 1]), Init("1e-30", [[1, 1, "-.5", "-.5"], ["-.5", "-.5", 1, 1]], [1, 1]))
    pr = predict(p)
    assert not pr.assumptions["A3"] and len(pr.jumps) == 1
    assert close(pr.limit_theta_sq, 4 * CTX.sqrt(2), 28)
    assert all(close(v, CTX.sqrt(2), 28) for v in pr.limit_w_sq)


# ----------------------------------------------------------------------------- bad input


def test_non_orthogonal_inputs_are_rejected():
    p = Problem(Dataset([[1, 0], [1, 1]], [1, -1]), Init("1e-30", [[1, 1]], [1]))
    with pytest.raises(ProblemError, match="A1") as info:
        predict(p)
    assert info.value.field == "data.X"


def test_zero_labels_and_degenerate_directions_are_rejected():
    X = [[1, 0], [0, 1]]
    with pytest.raises(ProblemError) as info:
        predict(Problem(Dataset(X, [1, 0]), Init("1e-30", [[1, 1]], [1])))
    assert info.value.field == "data.y[1]"
    with pytest.raises(ProblemError) as info:
        predict(Problem(Dataset(X, [1, -1]), Init("1e-30", [[1, 1], [0, 1]], [1, -1])))
    assert info.value.field == "init.z[1]"
    for dps in (14, 0, 20.0, True):
        with pytest.raises(ProblemError) as info:
            predict(e1(), dps=dps)
        assert info.value.field == "dps"
    with pytest.raises(ProblemError) as info:
        predict("E1")
    assert info.value.field == "problem"


def test_global_precision_is_untouched():
    old = mpmath.mp.dps
    try:
        mpmath.mp.dps = 17
        pr = predict(e2(), dps=45)
        pr.exponent(0, 2)
        pr.early_direction(1, "0.5")
        assert mpmath.mp.dps == 17
        assert pr.ctx.dps == 45
    finally:
        mpmath.mp.dps = old


# ----------------------------------------------------------------------------- to_dict


def test_to_dict(pr_e1):
    d = pr_e1.to_dict()
    text = json.dumps(d)
    assert json.loads(text) == d
    for key in (
        "D_plus",
        "D_minus",
        "T_plus",
        "T_minus",
        "L0",
        "L_mid",
        "min_theta_sq",
        "min_variation_norm",
        "K",
        "deactivation_times",
        "limit_w_sq",
    ):
        assert key in d, key
    for key in (
        "T_plus",
        "T_minus",
        "L0",
        "L_mid",
        "min_theta_sq",
        "min_variation_norm",
        "t_half_plus",
        "t_half_minus",
    ):
        assert isinstance(d[key], str), key
    assert all(isinstance(v, str) for v in d["D_plus"] + d["D_minus"] + d["limit_w_sq"])
    assert d["K"][4] is None and d["K"][5] is None and all(isinstance(v, str) for v in d["K"][:4])
    assert {(e["neuron"], e["point"]) for e in d["deactivation_times"]} == {(0, 3), (1, 2), (2, 1), (3, 0)}
    assert all(isinstance(e["t"], str) for e in d["deactivation_times"])

    def no_floats(v):
        if isinstance(v, dict):
            return all(no_floats(x) for x in v.values())
        if isinstance(v, list):
            return all(no_floats(x) for x in v)
        return not isinstance(v, float)

    assert no_floats(d)
    assert close(pr_e1.ctx.mpf(d["T_plus"]), pr_e1.plus.T, 28)
    short = pr_e1.to_dict(digits=6)
    assert short["L0"] == "0.937500" and short["K"][4] is None


def test_to_dict_numbers_round_trip(pr_e1):
    d = pr_e1.to_dict()
    ctx = pr_e1.ctx
    assert d["L_mid"] == "0.3125"  # a short dyadic value keeps all its digits
    assert ctx.mpf(d["L_mid"]) == pr_e1.L_mid
    assert ctx.mpf(d["L0"]) == pr_e1.L0
    assert all(ctx.mpf(s) == v for s, v in zip(d["limit_w_sq"], pr_e1.limit_w_sq))


# ----------------------------------------------------------------------------- random problems


TIE = Problem(Dataset([[1, 0], [0, 1]], [1, -1]), Init("1e-30", [[1, "-.5"], ["-.5", 1]], [1, -1]))


@given(orthogonal_problems(coverage=True))
@example(TIE)  # A4 fails: both classes jump together, yet each is its own rank-one group
def test_predictions_for_random_covered_problems(problem):
    pr = predict(problem, dps=30)
    ctx = pr.ctx
    assert pr.assumptions["A1"] and pr.assumptions["A3"] and pr.assumptions["covered"]
    for s in (1, -1):
        F = pr.full(s)
        if not pr.points(s):
            continue
        assert F and all(pr.neurons[j].K > 0 for j in F)
        nb_sq = beta_norm_sq(problem, s)
        assert close(ctx.fsum(pr.limit_w_sq[j] for j in F), CTX.sqrt(q(nb_sq)), 25)
        assert close(pr.T(s), problem.n / CTX.sqrt(q(class_norm_sq(problem, s))), 25)
    # R9/R10: the limit norm is the minimum over interpolators
    assert close(pr.limit_theta_sq, pr.min_theta_sq, 25)
    assert close(2 * ctx.fsum(pr.limit_w_sq), pr.min_theta_sq, 25)
    for j, nb in enumerate(pr.neurons):
        if nb.alive:
            z = problem.init.z[j]
            assert CTX.sqrt(q(sq(z))) * (1 + CTX.mpf(10) ** -25) >= nb.K  # R3
            assert set(nb.kept) | set(nb.wrong) == {k for k, x in enumerate(problem.data.X) if dotq(z, x) > 0}
        for ev in nb.deactivations:
            assert ev.t > 0 and ev.point in nb.wrong
            x = [ctx.mpf(q(c)) for c in problem.data.X[ev.point]]
            u = sum(a * b for a, b in zip(pr.early_direction(j, ev.t), x))
            assert abs(u) < ctx.mpf(10) ** -24 * ctx.sqrt(sum(c * c for c in x))
        assert sorted(ev.point for ev in nb.deactivations) == sorted(nb.wrong)
    # the jump process: the fast class at T_fast, then the slow one at T_slow (one jump if A4 fails)
    classes = [s for s in (1, -1) if pr.points(s)]
    if pr.assumptions["A4"]:
        order = sorted(classes, key=lambda s: pr.T(s))
        assert [jp.points for jp in pr.jumps] == [pr.points(s) for s in order]
        assert [jp.neurons for jp in pr.jumps] == [pr.full(s) for s in order]
        assert all(close(jp.T, pr.T(s), 25) for jp, s in zip(pr.jumps, order))
        if len(classes) == 2:
            assert pr.fast == ("+" if order[0] == 1 else "-")
    else:
        (jp,) = pr.jumps
        assert jp.points == tuple(range(problem.n)) and close(jp.T, pr.plus.T, 25)


@given(orthogonal_problems(coverage=False, max_n=5))
def test_predictions_for_random_uncovered_problems(problem):
    pr = predict(problem, dps=30)
    assert not pr.assumptions["A3"] and pr.assumptions["covered"]
    # R12: every point is fitted once, by a neuron of its sign; the norm is at least the minimum (R10)
    fitted = [k for jp in pr.jumps for k in jp.points]
    assert sorted(fitted) == list(range(problem.n))
    for jp in pr.jumps:
        for k in jp.points:
            assert any(pr.neurons[j].sign * problem.data.y[k] > 0 and k in pr.neurons[j].kept for j in jp.neurons)
    assert [jp.T for jp in pr.jumps] == sorted(jp.T for jp in pr.jumps)
    assert pr.limit_theta_sq >= pr.min_theta_sq * (1 - pr.ctx.mpf(10) ** -25)
    assert close(2 * pr.ctx.fsum(pr.limit_w_sq), pr.limit_theta_sq, 25)
    for j, _nb in enumerate(pr.neurons):
        assert (
            abs(pr.exponent(j, 100)) < 1e-20
            if j in {i for jp in pr.jumps for i in jp.neurons}
            else pr.exponent(j, 100) < 0
        )


def test_fit_time_is_when_the_engine_has_fitted():
    """fit_time (escape plus decay at 2μ_±) bounds the engine's time to reach the loss level
    within 25 % + 10 growth times, and is past the last escape."""
    Fr = Fraction
    slow = Problem(
        Dataset([[Fr(1, 2), 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]], [Fr(1, 2), 2, -2, -2]),
        Init("1e-30", [[1, 1, Fr(1, 16), Fr(1, 16)], [Fr(1, 16), Fr(1, 16), 1, 1]], [1, -1]),
    )
    for p in (e1("1e-30"), slow, e2("1e-30")):
        pr = predict(p)
        t_fit = pr.fit_time("1e-20")
        tr = solve(p, digits=20, loss_below="1e-20", t_end=math.ceil(1.25 * t_fit + 40))
        assert tr.status.value == "loss_below", p
        assert pr.jumps[-1].T * pr.log_inv_lambda < t_fit
        assert float(tr.t_end) > 0.8 * float(t_fit)  # an estimate of the fit, not a loose bound


def test_final_rate_is_the_smallest_eigenvalue_the_orbit_excites():
    """R8: points of a class with equal norms keep the orbit in an invariant subspace of J_±
    (coordinates ∝ |y_k| within the group), so μ_± is the smallest eigenvalue there; with
    distinct norms it is λ_min(J_±); with one norm, 2‖β*‖‖x‖²/n."""
    Fr = Fraction
    X = [[1, 0, 0, 0], [0, Fr(7, 4), 0, 0], [0, 0, Fr(3, 4), 0], [0, 0, 0, Fr(3, 4)]]
    y = [1, 1, Fr(1, 2), Fr(3, 4)]
    p = Problem(Dataset(X, y), Init("1e-30", [[1, 1, 1, 1]], [1]))
    pr = predict(p, dps=30)
    ctx, n = pr.ctx, 4
    q = lambda v: ctx.mpf(Fr(v).numerator) / Fr(v).denominator
    nx = [q(sum(Fr(c) ** 2 for c in x)) for x in X]
    nb = pr.plus.norm_beta
    b = [q(v) / ctx.sqrt(w) / nb for v, w in zip(y, nx)]
    M = ctx.matrix(4, 4)
    for i in range(4):
        for l in range(4):
            M[i, l] = nb * ctx.sqrt(nx[i] / n) * ((i == l) + b[i] * b[l]) * ctx.sqrt(nx[l] / n)
    full = sorted(ctx.eigsy(M, eigvals_only=True))
    # V = span{e0, e1, (|y2| e2 + |y3| e3)/‖·‖}: the antisymmetric direction of the pair (2, 3) is not excited
    assert pr.plus.mu > full[0] * (1 + ctx.mpf(10) ** -10)
    assert min(abs(pr.plus.mu - v) for v in full) < ctx.mpf(10) ** -25
    one = predict(Problem(Dataset([[2, 0], [0, 2]], [1, 3]), Init("1e-30", [[1, 1]], [1])), dps=30)
    assert abs(one.plus.mu - 2 * one.plus.norm_beta * 4 / 2) < one.ctx.mpf(10) ** -25
