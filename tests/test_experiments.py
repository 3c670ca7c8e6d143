"""The GD experiments of Chistikov et al. (2023): data schemes, metrics, the GD engine,
the protocol's tables, the CLI glue and the figures, on tiny configurations."""

import csv
import json
import math
from dataclasses import replace

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from reluflow.cli.experiment import register
from reluflow.experiments import metrics as M
from reluflow.experiments.backend import get_backend, torch_available
from reluflow.experiments.data import RHO, balanced_init, centred, make_data, two_teachers, uncentred
from reluflow.experiments.gd import GDConfig, Snapshots, init_params, log_iterations, run_gd
from reluflow.experiments.protocol import (
    PARALLEL_MIN_ITER,
    QUICK_EXPONENTS,
    TABLE_COLUMNS,
    TABLES,
    default_workers,
    make_trial,
    run_sweep,
    run_table,
    table_config,
    table_rows,
    write_csv,
)
from reluflow.parallel import cores
from reluflow.plotting import written

# ----------------------------------------------------------------------------- data


@pytest.mark.parametrize("scheme", ["centred", "uncentred"])
@pytest.mark.parametrize("d", [2, 5, 16])
def test_one_teacher_schemes_satisfy_their_definitions(scheme, d):
    D = make_data(scheme, d, np.random.default_rng(d))
    assert D.X.shape == (d, d) and D.n == d  # n = d
    assert np.all(D.y > 0)  # resampled while some label is 0
    assert np.array_equal(D.y, np.maximum(D.X @ D.teacher, 0.0))
    assert math.isclose(np.linalg.norm(D.teacher), 1.0, rel_tol=1e-15)
    assert D.rho == RHO[scheme]


def test_noise_std_is_sqrt_rho_over_sqrt_d():
    d = 64
    for fn, rho in ((centred, 1.0), (uncentred, math.sqrt(2) - 1)):
        stds = []
        for seed in range(5):
            D = fn(d, np.random.default_rng(seed))
            mu = D.X.mean(axis=0)  # ≈ μ; the spread around it is the noise
            stds.append(np.std(D.X - mu, ddof=1) * math.sqrt(d / (d - 1)))
        assert abs(np.mean(stds) / (math.sqrt(rho) / math.sqrt(d)) - 1) < 0.05


def test_centred_teacher_is_the_mean_and_uncentred_teacher_an_extra_draw():
    d = 400  # the noise mean over d points is small: the sample mean is near μ
    D = centred(d, np.random.default_rng(0))
    assert np.linalg.norm(D.X.mean(axis=0) - D.teacher) < 0.1
    U = uncentred(d, np.random.default_rng(0))
    assert 0.1 < np.linalg.norm(U.X.mean(axis=0) - U.teacher) < 1.0  # x̄_0 ≠ μ: off by its own noise


def test_two_teachers_have_norms_1_and_3_and_n_2d():
    for scheme in ("centred", "uncentred"):
        D = two_teachers(6, np.random.default_rng(1), rho=0.5, scheme=scheme)
        assert D.X.shape == (12, 6) and D.n == 12
        assert math.isclose(np.linalg.norm(D.v1), 1.0, rel_tol=1e-14)
        assert math.isclose(np.linalg.norm(D.v2), 3.0, rel_tol=1e-14)
        assert np.all(D.y != 0)
        assert np.array_equal(D.y, np.maximum(D.X @ D.v1, 0) - np.maximum(D.X @ D.v2, 0))
    C = two_teachers(6, np.random.default_rng(1), scheme="centred")
    assert np.allclose(C.v2, -3 * C.v1)


def test_balanced_init_scale_and_signs():
    d, m = 8, 500
    z, s = balanced_init(m, d, np.random.default_rng(0))
    assert z.shape == (m, d) and set(s.tolist()) == {-1.0, 1.0}
    assert abs(z.var() * d * m - 1) < 0.05  # z_j ~ N(0, I/(dm))
    a, W = init_params([0.5], z, s)
    assert np.allclose(np.abs(a[0]), np.linalg.norm(W[0], axis=1)) and np.array_equal(np.sign(a[0]), s)


def test_bad_data_input_names_the_option():
    with pytest.raises(ValueError, match="scheme"):
        make_data("sideways", 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="^d:"):
        centred(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rho"):
        two_teachers(4, np.random.default_rng(0), rho=-1)


# ----------------------------------------------------------------------------- metrics


def test_max_and_average_angle_on_hand_made_neurons():
    t = math.radians(60)
    W = np.array([[1.0, 0.0], [math.cos(t), math.sin(t)], [5.0, 0.0]])
    assert math.isclose(M.max_angle(W), 60.0, rel_tol=1e-9)
    # ordered pairs with the diagonal (≈ 0), divided by r(r − 1) = 6: (4 · 60 + 2 · 0)/6 = 40
    assert math.isclose(M.average_angle(W), 40.0, rel_tol=1e-6)
    mask = np.array([True, False, True])
    assert M.max_angle(W, mask) < 1e-5 and math.isnan(M.average_angle(W, np.array([True, False, False])))


def test_angles_are_in_degrees_and_clamped():
    W = np.array([[1.0, 1e-10], [1.0, -1e-10], [-1.0, 0.0]])
    A = M.angle_matrix(W)
    assert np.all(A >= 0) and np.all(A <= 180) and math.isclose(A[0, 2], 180.0, rel_tol=1e-9)


def test_chord_angle_has_no_float_floor():
    u, v = np.array([1.0, 0.0]), np.array([1.0, 1e-10])
    assert math.isclose(M.chord_angle(u, v), 1e-10, rel_tol=1e-6)
    clamp = M.angle(u, v, degrees=False)
    assert clamp == 0.0 or clamp > 1e-9  # clamp-arccos cannot resolve 1e-10 rad
    W = np.array([[1.0, 0.0], [1.0, 1e-10]])
    assert math.isclose(M.max_chord_angle(W, degrees=False), 1e-10, rel_tol=1e-6)


def test_nuclear_norm_theta_sq_and_combined_neuron():
    W = np.array([[3.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 1e-9]])  # tiny rows count
    assert math.isclose(M.nuclear_norm(W), 7.0 + 1e-9, rel_tol=1e-15)
    a = np.array([1.0, -2.0, 0.0])
    assert M.theta_sq(a, W) == 1 + 4 + 9 + 16 + 1e-18
    assert M.combined_neuron(a, W, np.array([True, True, False])).tolist() == [3.0, -8.0, 0.0]


def test_active_set_is_j_plus_at_initialisation():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    z = np.array([[1.0, 1.0], [-1.0, -1.0], [0.5, -2.0], [1.0, 0.0]])
    s = np.array([1, 1, 1, -1])
    assert M.active_plus(X, z, s).tolist() == [True, False, True, False]
    assert M.active_minus(X, z, s).tolist() == [False, False, False, True]


def test_eigenbasis_sign_fixing_and_nu_gap():
    D = uncentred(6, np.random.default_rng(3))
    eta, U = M.eigenbasis(D.X, D.teacher)
    assert np.all(np.diff(eta) <= 0) and np.allclose(U.T @ U, np.eye(6))
    assert np.all(U.T @ D.teacher >= 0)
    assert np.allclose(M.nu_gap(np.zeros(6), U, D.teacher), U.T @ D.teacher)
    assert np.allclose(M.alignment_target(D.X, D.y), D.X.T @ D.y)


def test_test_loss_allows_zero_labels():
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.maximum(X @ [1.0, 0.0], 0)  # second label is 0
    assert M.mse(np.array([1.0]), np.array([[1.0, 0.0]]), X, y) == 0.0


# ----------------------------------------------------------------------------- GD engine


def _tiny(seed=0, d=4, m=6):
    D = make_data("centred", d, np.random.default_rng(seed))
    z, s = balanced_init(m, d, np.random.default_rng(seed + 100))
    return D, z, s


def test_one_step_matches_a_hand_written_update():
    D, z, s = _tiny()
    lam = 0.7
    res = run_gd(D.X, D.y, [lam], z, s, GDConfig(max_iter=1))
    a, W = s * np.linalg.norm(lam * z, axis=1), lam * z
    U = W @ D.X.T
    r = np.maximum(U, 0).T @ a - D.y
    n = len(D.y)
    grad_a = (2 / n) * np.maximum(U, 0) @ r  # gradient of the MSE-mean (= 2L)
    grad_W = (2 / n) * a[:, None] * ((U > 0) * r) @ D.X  # σ'(0) = 0
    assert res.stop.tolist() == ["cap"] and res.iterations.tolist() == [1]
    assert np.allclose(res.a[0], a - 0.01 * grad_a, rtol=1e-14, atol=0)
    assert np.allclose(res.W[0], W - 0.01 * grad_W, rtol=1e-14, atol=1e-300)
    assert math.isclose(res.log_loss[0, 0], np.mean(r * r), rel_tol=1e-14)


def test_loss_decreases_and_stops_below_the_threshold():
    D, z, s = _tiny(d=3, m=8)
    res = run_gd(D.X, D.y, [1.0, 0.25], z, s, GDConfig(max_iter=200_000, n_log=200))
    for b in range(2):
        ll = res.log_loss[b][np.isfinite(res.log_loss[b])]
        assert ll[-1] < ll[0] and np.all(np.diff(ll) <= 1e-12 * ll[:-1])
    assert res.stop.tolist() == ["loss", "loss"] and np.all(res.loss < 1e-9)
    assert np.all(res.iterations < 200_000)
    # a member stopped early keeps its parameters: re-evaluating them gives the recorded loss
    assert np.allclose(M.mse(res.a, res.W, D.X, D.y), res.loss, rtol=1e-12)
    assert res.counts() == {"loss": 2, "cap": 0, "stall": 0, "nonfinite": 0}


def test_stall_cap_and_nonfinite_stop_reasons():
    X = np.array([[1.0, 0.1], [0.1, 1.0]])
    y = np.maximum(X @ [0.6, 0.8], 0)
    z_dead = np.array([[-1.0, -1.0]])  # inactive on every point: zero gradient, bit-identical weights
    res = run_gd(X, y, [1.0], z_dead, np.array([1.0]), GDConfig(max_iter=1000))
    assert res.stop.tolist() == ["stall"] and res.iterations[0] == 1  # the first logging points are 0 and 1
    res = run_gd(X, y, [1.0], np.array([[0.3, 0.2]]), np.array([1.0]), GDConfig(max_iter=7))
    assert res.stop.tolist() == ["cap"] and res.iterations[0] == 7
    rng = np.random.default_rng(0)  # large inputs: step 0.02 · η_1 ≫ 2, GD blows up
    Xb = 10 * rng.standard_normal((6, 3))
    z, s = balanced_init(10, 3, rng)
    res = run_gd(Xb, Xb @ [1.0, -2.0, 0.5], [1.0], z, s, GDConfig(max_iter=1000))
    assert res.stop.tolist() == ["nonfinite"] and res.iterations[0] < 1000 and not np.isfinite(res.loss[0])


def test_frozen_members_do_not_disturb_the_others():
    D, z, s = _tiny(seed=2, d=3, m=5)
    cfg = GDConfig(max_iter=3000, check_every=7)
    both = run_gd(D.X, D.y, [2.0, 4.0**-4], z, s, cfg)
    alone = run_gd(D.X, D.y, [4.0**-4], z, s, cfg)
    assert both.iterations[1] == alone.iterations[0]
    assert np.allclose(both.W[1], alone.W[0], rtol=1e-12, atol=0)


def test_per_member_data_and_snapshots():
    D1, z, s = _tiny(seed=1, d=3, m=4)
    D2, _, _ = _tiny(seed=5, d=3, m=4)
    logs = log_iterations(500, 20)
    snaps = Snapshots(2, logs)
    res = run_gd(
        np.stack([D1.X, D2.X]),
        np.stack([D1.y, D2.y]),
        [0.5, 0.5],
        z,
        s,
        GDConfig(max_iter=500, n_log=20),
        observe=snaps,
    )
    single = run_gd(D2.X, D2.y, [0.5], z, s, GDConfig(max_iter=500, n_log=20))
    assert np.allclose(res.W[1], single.W[0], rtol=1e-12)
    assert snaps.W.shape == (len(logs), 2, 4, 3) and np.allclose(snaps.W[0, 0], 0.5 * z)
    for b in range(2):  # the last snapshot of a member is its final state (NaN after it stopped)
        last = max(i for i in range(len(logs)) if np.all(np.isfinite(snaps.W[i, b])))
        if res.stop[b] == "cap":
            assert last == len(logs) - 1 and np.array_equal(snaps.W[last, b], res.W[b])
        else:
            assert logs[last] <= res.iterations[b]


def _sn1_gd(lams, lr=0.01):
    """GD on the single-neuron fixture SN1 (d = n = 3, m = 6; μ ≈ 0.61: ~2000 steps) to 2L < 1e-20."""
    from reluflow.datasets import sn1

    p = sn1()
    X = np.array([[float(c) for c in x] for x in p.data.X])
    z = np.array([[float(c) for c in row] for row in p.init.z])
    s = np.array([float(v) for v in p.init.s])
    res = run_gd(
        X, np.array([float(v) for v in p.data.y]), lams, z, s, GDConfig(lr=lr, max_iter=100_000, loss_threshold=1e-20)
    )
    assert res.stop.tolist() == ["loss"] * len(lams)
    return res, M.active_plus(X, z, s)


def _slope(lams, vals):
    return float(np.polyfit(np.log(lams), np.log(vals), 1)[0])


def test_gd_final_bundle_angle_is_proportional_to_lambda():
    """D5 / N24 on GD: the final maximum angle in J_+ is ∝ λ (log–log slope 1; here 5.98λ rad,
    the exact flow's 5.81λ shifted by the step)."""
    lams = [1e-3, 1e-4, 1e-5, 1e-6]
    res, plus = _sn1_gd(lams)
    angles = [M.max_chord_angle(res.W[b], plus, degrees=False) for b in range(len(lams))]
    assert np.all(np.diff(angles) < 0)
    assert abs(_slope(lams, angles) - 1) < 0.02
    assert all(5 < a / lam < 7 for a, lam in zip(angles, lams))


def test_gd_nuclear_norm_tends_to_one_up_to_the_step():
    """‖W‖_* − 1 ≈ 3λ + c·lr: O(λ) (slope 1 where λ dominates), down to a floor that is GD's
    own (the step breaks balancedness by O(lr): halving lr halves it), not the flow's."""
    lams = [1e-2, 1e-3, 1e-4, 1e-8]
    res, _ = _sn1_gd(lams)
    excess = [M.nuclear_norm(res.W[b]) - 1 for b in range(len(lams))]
    assert np.all(np.array(excess) > 0) and np.all(np.diff(excess) < 0)
    assert abs(_slope(lams[:3], excess[:3]) - 1) < 0.1
    assert excess[-1] < 2e-5 and abs(M.theta_sq(res.a[-1], res.W[-1]) - 2) < 1e-8
    half, _ = _sn1_gd([1e-8], lr=0.005)
    assert 0.4 < (M.nuclear_norm(half.W[0]) - 1) / excess[-1] < 0.6


def test_log_iterations_are_geometric():
    logs = log_iterations(20_000_000)
    assert logs[0] == 0 and logs[-1] == 20_000_000 and len(logs) == 1001
    assert log_iterations(30, 1000).tolist() == list(range(31))
    assert np.all(np.diff(logs) > 0)


def test_bad_engine_input_names_the_option():
    D, z, s = _tiny()
    with pytest.raises(ValueError, match="max_iter"):
        GDConfig(max_iter=-1)
    with pytest.raises(ValueError, match="lr"):
        GDConfig(lr=0)
    with pytest.raises(ValueError, match="backend"):
        GDConfig(backend="jax")
    with pytest.raises(ValueError, match="lam"):
        run_gd(D.X, D.y, [0.0], z, s)
    with pytest.raises(ValueError, match="^y:"):
        run_gd(D.X, D.y[:-1], [1.0], z, s)
    with pytest.raises(ValueError, match="^s:"):
        run_gd(D.X, D.y, [1.0], z, s[:-1])


@pytest.mark.skipif(not torch_available(), reason="PyTorch not installed (optional extra reluflow[gpu])")
def test_numpy_and_torch_agree_to_float64_rounding():
    D = make_data("uncentred", 8, np.random.default_rng(3))
    z, s = balanced_init(10, 8, np.random.default_rng(4))
    cfg = GDConfig(max_iter=400, n_log=50, check_every=100)
    lams = [1.0, 4.0**-3, 4.0**-6]
    r_np = run_gd(D.X, D.y, lams, z, s, cfg)
    r_t = run_gd(D.X, D.y, lams, z, s, cfg, backend=get_backend("torch", "cpu"))
    assert r_t.backend == "torch" and r_t.stop.tolist() == r_np.stop.tolist()
    assert np.array_equal(r_t.iterations, r_np.iterations)
    for b in range(3):
        scale = np.abs(r_np.W[b]).max()
        assert np.max(np.abs(r_t.W[b] - r_np.W[b])) <= 1e-12 * scale
    assert np.allclose(r_t.log_loss, r_np.log_loss, rtol=1e-11, equal_nan=True)


def test_torch_backend_without_torch_is_a_clear_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ValueError, match="backend: 'torch' needs PyTorch"):
        get_backend("torch")
    assert get_backend("auto").name == "numpy"


# ----------------------------------------------------------------------------- protocol and tables


def test_table_registry():
    assert (TABLES[1].metric, TABLES[1].scheme, TABLES[1].axis) == ("max_angle", "centred", "d")
    assert (TABLES[4].metric, TABLES[4].scheme) == ("average_angle", "uncentred")
    assert (TABLES[6].metric, TABLES[6].axis) == ("nuclear_norm", "d")
    assert (TABLES[7].metric, TABLES[7].scheme, TABLES[7].axis) == ("max_angle", "centred", "m")
    assert (TABLES[12].metric, TABLES[12].scheme, TABLES[12].axis) == ("nuclear_norm", "uncentred", "m")
    full = table_config(1, quick=False)
    assert full.ds == (4, 16, 64, 256, 1024) and full.trials == 5 and full.gd.max_iter == 20_000_000
    assert full.lambda_exponents == tuple(range(2, -14, -1))
    assert table_config(9, quick=False).ds == (1024,) and table_config(9, quick=False).ms == (25, 50, 200)


def test_trials_are_seeded_and_shared_across_lambda_and_width():
    a, b = make_trial("centred", 4, 5, 1, seed=3), make_trial("centred", 4, 7, 1, seed=3)
    assert np.array_equal(a.data.X, b.data.X)  # the data of a trial do not depend on m
    assert not np.array_equal(make_trial("centred", 4, 5, 2, seed=3).data.X, a.data.X)
    assert a.entropy["data"] == [3, 0, 0, 4, 0, 1]
    assert len(a.y_test) == 4 * a.data.n


def test_quick_table_csv_columns(tmp_path):
    cfg = table_config(3, quick=True, trials=2, max_iter=300, ds=(4,), ms=(6,))
    rows = run_table(3, cfg)
    assert len(rows) == len(QUICK_EXPONENTS)  # one row per (λ, d)
    path = write_csv(rows, tmp_path / "t3.csv")
    with path.open() as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == TABLE_COLUMNS
        got = list(reader)
    assert {r["metric"] for r in got} == {"average_angle"} and {r["max_iter"] for r in got} == {"300"}
    for r in got:
        assert int(r["trials"]) == 2
        assert (
            int(r["stopped_loss"]) + int(r["stopped_cap"]) + int(r["stopped_stall"]) + int(r["stopped_nonfinite"]) == 2
        )


def test_table_cells_are_medians_of_the_records():
    cfg = table_config(7, quick=True, trials=3, max_iter=200, ds=(4,), ms=(3, 5))
    records = run_sweep(cfg)
    rows = table_rows(11, records, cfg)
    assert len(rows) == len(QUICK_EXPONENTS) * 2  # one row per (λ, m)
    r = rows[0]
    vals = [x["nuclear_norm"] for x in records if x["lambda_exp4"] == r["lambda_exp4"] and x["m"] == r["m"]]
    assert r["median"] == np.median(vals) and r["std"] == np.std(vals)


def test_cells_in_worker_processes_give_the_same_records():
    """Each cell is seeded on its own: run in two fresh processes (largest first) the records
    are those of one process, in the same order; the automatic choice keeps short or
    accelerator cells in this process."""
    cfg = table_config(1, quick=True, trials=2, max_iter=400, ds=(3, 4), ms=(5, 6))
    heard = []
    same = json.dumps(run_sweep(cfg, heard.append, workers=2)) == json.dumps(run_sweep(cfg, workers=1))
    assert same  # compared as JSON text, where NaN equals NaN
    assert len(heard) == 4 and all("runs (" in line and "at the cap)" in line for line in heard)
    jobs = [(cfg, 3, 5), (cfg, 4, 6)]
    assert default_workers(jobs) == 1  # 400 iterations do not repay a process start
    long = replace(cfg, gd=replace(cfg.gd, max_iter=PARALLEL_MIN_ITER))
    assert default_workers([(long, 3, 5), (long, 4, 6)]) == min(2, cores())
    torch = replace(long, gd=replace(long.gd, backend="auto"))
    assert default_workers([(torch, 3, 5), (torch, 4, 6)]) == 1
    with pytest.raises(ValueError, match="workers"):
        run_sweep(cfg, workers=0)


def test_bad_protocol_input_names_the_option():
    with pytest.raises(ValueError, match="table"):
        table_config(13)
    with pytest.raises(ValueError, match="trials"):
        table_config(1, trials=0)
    with pytest.raises(ValueError, match="ds"):
        table_config(1, ds=(1,))


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def cli():
    app = typer.Typer()

    @app.command()
    def version() -> None:  # a second command, so that typer keeps sub-command names
        """Print nothing."""

    register(app)
    return app


def test_cli_writes_a_quick_table(cli, tmp_path):
    out = tmp_path / "t2.csv"
    res = CliRunner().invoke(
        cli, ["experiment", "table2", "--trials", "1", "--max-iter", "50", "--csv", str(out), "--seed", "4"]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert (
        len(rows) == 2 * len(QUICK_EXPONENTS)
        and {r["seed"] for r in rows} == {"4"}
        and {r["scheme"] for r in rows} == {"uncentred"}
    )
    assert "Table 2" in res.output


def test_cli_writes_a_figure(cli, tmp_path):
    res = CliRunner().invoke(cli, ["experiment", "fig10", "--trials", "1", "--max-iter", "100", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "sn_fig10_two_teachers.png").exists() and (tmp_path / "sn_fig10_two_teachers.pdf").exists()


@pytest.mark.parametrize(
    "args, option",
    [
        (["table13"], "NAME"),
        (["fig0"], "NAME"),
        (["tabel1"], "NAME"),
        (["table1", "--trials", "0"], "--trials"),
        (["table1", "--max-iter", "0"], "--max-iter"),
        (["table1", "--backend", "jax"], "--backend"),
        (["fig2", "--csv", "x.csv"], "--csv"),
        (["table1", "--seed", "-1"], "--seed"),
        (["table1", "--workers", "0"], "--workers"),
        (["fig1", "--workers", "100000"], "--workers"),
    ],
)
def test_cli_bad_input_names_the_option(cli, args, option):
    res = CliRunner().invoke(cli, ["experiment", *args])
    assert res.exit_code == 2
    assert option in res.output


# ----------------------------------------------------------------------------- figures


def test_single_run_figures_with_the_exact_flow(tmp_path):
    from reluflow.figures import single_neuron_gd as F

    data = F.compute_single(d=4, m=3, lambda_exp=-2, max_iter=400, exact_t_end=4.0, exact_points=300)
    ex = data["exact"]
    assert ex["status"] in ("t_end", "loss_below", "sliding") and len(ex["k"]) == len(ex["train"])
    # the exact flow and GD start at the same state and stay close over a few iterations
    assert ex["k"][:3] == data["log_iter"][:3] == [0, 1, 2]  # iteration k ↔ t = 0.02k
    assert ex["train"][0] == data["gd"]["train"][0]  # the same state at k = 0, to the last bit
    assert math.isclose(ex["train"][1], data["gd"]["train"][1], rel_tol=1e-3)
    for plot in (F.plot_fig3, F.plot_fig4, F.plot_fig5, F.plot_fig6):
        plot(data, tmp_path / plot.__name__)
        paths = written(tmp_path / plot.__name__)
        assert all(p.exists() and p.stat().st_size > 0 for p in paths)


def test_make_caches_and_overrides(tmp_path, monkeypatch):
    from reluflow.figures import single_neuron_gd as F

    real = F.parameters  # a small instance: the paper's (n = 32, m = 25) starts with ~400 switches
    monkeypatch.setattr(F, "parameters", lambda key, quick=True: {**real(key, quick=quick), "d": 4, "m": 3})
    over = {"trials": 1, "max_iter": 60, "seed": 1, "backend": None}
    paths = F.figure(11).make(tmp_path, overrides=over)
    cache = tmp_path / "sn_gd_two_run_quick.json"
    assert cache.exists() and paths[0].suffix == ".pdf"
    stamp = cache.stat().st_mtime_ns
    F.figure(11).make(tmp_path, overrides=over)  # same parameters: the cache is reused
    assert cache.stat().st_mtime_ns == stamp
    with pytest.raises(ValueError, match="figure"):
        F.figure(12)


def test_two_teacher_figures_carry_the_exact_flow(tmp_path):
    """Figs. 10–11 (two teachers: outside the single-neuron assumptions, the flow slides)
    draw the exact gradient flow beside GD: the same state at k = 0, close after one step."""
    from reluflow.figures import single_neuron_gd as F

    run = F.compute_two_run(d=4, m=3, max_iter=400, exact_t_end=4.0, exact_points=300)
    ex = run["exact"]
    assert ex["status"] == "t_end" and ex["k"][:3] == [0, 1, 2] and len(ex["train"]) == len(ex["k"])
    assert ex["train"][0] == run["train"][0]
    assert math.isclose(ex["train"][1], run["train"][1], rel_tol=1e-3)
    sweep = F.compute_two_sweep(
        d=4, m=3, rhos=(0.25, 4.0), trials=1, max_iter=300, exact_t_end=6.0, exact_d=3, exact_m=2, exact_max_rho=1.0
    )
    rows = sweep["exact"]["runs"]
    assert not sweep["exact"]["same_instance"] and [r["rho"] for r in rows] == [0.25]  # ρ = 4 above the cap
    assert rows[0]["t_end"] == 6.0 and "gd_max_angle_plus" in rows[0]
    for plot, data in ((F.plot_fig10, sweep), (F.plot_fig11, run)):
        plot(data, tmp_path / plot.__name__)
        assert all(p.exists() and p.stat().st_size > 0 for p in written(tmp_path / plot.__name__))


def test_the_gd_trends_can_pass_fail_and_decide_nothing():
    from reluflow.experiments.trends import judge

    def rows(values, capped=0, trials=5, nonfinite=0):
        return [
            {
                "lambda_exp4": e,
                "d": 4,
                "m": 200,
                "median": v,
                "trials": trials,
                "stopped_cap": capped,
                "stopped_nonfinite": nonfinite,
            }
            for e, v in zip((2, -4, -7), values)
        ]

    assert judge(1, rows([100.0, 4.0**-4, 4.0**-7]))[2] == "PASS"  # angle ∝ λ
    assert judge(2, rows([100.0, 4.0**-8, 4.0**-14]))[2] == "FAIL"  # ∝ λ², not λ
    assert judge(1, rows([100.0, 4.0**-4, 4.0**-7], capped=5))[2] == "INCONCLUSIVE"  # every trial capped
    assert judge(1, rows([100.0, 4.0**-4, 4.0**-7], capped=3))[2] == "INCONCLUSIVE"  # most trials capped
    assert judge(1, rows([100.0, 4.0**-4, 4.0**-7], capped=2, nonfinite=1))[2] == "INCONCLUSIVE"
    assert judge(1, rows([100.0, 4.0**-4, 4.0**-7], capped=1, trials=2))[2] == "INCONCLUSIVE"  # half is not most
    assert judge(1, rows([100.0, float("nan"), 1.0]))[2] == "INCONCLUSIVE"
    assert judge(5, rows([3.0, 1.2, 1.01]))[2] == "PASS" and judge(6, rows([3.0, 1.2, 1.2]))[2] == "FAIL"
    assert judge(5, rows([3.0, 1.2, 1.01], capped=3))[2] == "INCONCLUSIVE"
    assert judge(3, rows([1.0, 2.0, 3.0]))[1:3] == ("—", "—")  # average angle: no verdict of its own
    _, measured, verdict, capped, total = judge(1, rows([100.0, 4.0**-4, 4.0**-7], capped=2))
    assert (capped, total) == (4, 10) and "slope 1.00" in measured and verdict == "PASS"
