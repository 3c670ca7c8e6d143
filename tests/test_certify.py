"""Certified enclosures (reluflow.integrate.certify): every ball contains a far more precise
reference solve; too-large steps, truncated Taylor orders and tampered trajectories are
refused; ``state(t)``; widths reported; the CLI's ``--certify``."""

import dataclasses
import importlib
import json
from fractions import Fraction
from pathlib import Path

import flint
import mpmath
import pytest
from mpmath.libmp import MPZ
from typer.testing import CliRunner

from reluflow import Dataset, Init, Problem, ProblemError, solve
from reluflow.cli import app
from reluflow.datasets import b1, e2, sn1
from reluflow.integrate.certify import CertStatus, certify
from reluflow.problem import exact
from reluflow.specfile import load_spec

# the engine module holds SAFETY and taylor_order, which integrate() looks up at call time
ENGINE = importlib.import_module("reluflow.integrate.engine")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "two_points.toml"
runner = CliRunner()


def _contains(ball, x) -> bool:
    """``ball`` contains the high-precision mpmath value ``x`` (to 100 digits)."""
    with flint.ctx.workprec(400):
        return ball.contains(flint.arb(mpmath.nstr(x, 100)))


def _two_points():
    return load_spec(EXAMPLE)


def _skew_pair():
    """Two neurons, non-orthogonal inputs: neuron 1 loses point 0 (an "off" switch)."""
    return Problem(Dataset([[1, 0], [1, 1]], [1, "0.5"]), Init("1e-10", [["0.6", "0.8"], ["0.3", "-0.9"]], [1, -1]))


def _skew_single():
    """One neuron, non-orthogonal inputs: point 1 enters (an "on" switch)."""
    return Problem(Dataset([[2, 1], [1, 1]], [1, "0.5"]), Init("1e-10", [["0.6", "-0.8"]], [1]))


CASES = {
    # name: (problem factory, t_end; None = the problem's default)
    "two_points": (_two_points, 120),
    "skew_pair": (_skew_pair, 60),
    "skew_single": (_skew_single, 60),
    "e2": (lambda: e2("1e-30"), None),  # orthogonal (X = I₄), no switches, escape to t ≈ 247
    "sn1": (lambda: sn1("1e-10"), None),  # general data, 7 switches
}


@pytest.fixture(scope="module")
def runs():
    """name → (digits-30 trajectory with certificate, dps-110 reference to the same t_end)."""
    cache = {}

    def get(name):
        if name not in cache:
            make, t_end = CASES[name]
            p = make()
            tr = solve(p, digits=30, t_end=t_end, certify=True)
            ref = solve(p, dps=110, t_end=tr.t_end)
            assert ref.t_end == tr.t_end and ref.status.ok
            cache[name] = (tr, ref)
        return cache[name]

    return get


def _check_against_reference(tr, ref, cert):
    assert cert.status is CertStatus.CERTIFIED, cert.message
    # every event certified, matched one-to-one with the reference's log
    assert [e.index for e in cert.events] == list(range(len(tr.events)))
    assert len(ref.events) == len(tr.events)
    for eb in cert.events:
        ev, rv = tr.events[eb.index], ref.events[eb.index]
        assert (eb.neuron, eb.point, eb.direction) == (ev.neuron, ev.point, ev.direction)
        assert (rv.neuron, rv.point, rv.direction) == (ev.neuron, ev.point, ev.direction)
        assert _contains(eb.t, rv.t), (eb.index, eb.t.str(50), mpmath.nstr(rv.t, 50))
    assert _contains(cert.loss_ball, ref.final_loss), (cert.loss_ball.str(50), mpmath.nstr(ref.final_loss, 50))
    assert len(cert.a_balls) == len(ref.a) and len(cert.W_balls) == len(ref.W)
    for j, (b, v) in enumerate(zip(cert.a_balls, ref.a)):
        assert _contains(b, v), ("a", j)
    for j, (row_b, row_v) in enumerate(zip(cert.W_balls, ref.W)):
        assert len(row_b) == len(row_v)
        for c, (b, v) in enumerate(zip(row_b, row_v)):
            assert _contains(b, v), ("W", j, c)
    for j, (b, v) in enumerate(zip(cert.invariant_balls, ref.invariants())):
        assert _contains(b, v), ("invariant", j)


# ----------------------------------------------------------------------------- 1. enclosures contain the reference


@pytest.mark.parametrize("name", list(CASES))
def test_balls_contain_a_110_digit_reference(runs, name):
    tr, ref = runs(name)
    cert = tr.certificate
    _check_against_reference(tr, ref, cert)
    # and they are narrow: a 30-digit run gives far better than 25 digits here
    assert float(cert.loss_ball.rad()) < 1e-25
    assert cert.max_event_width < 1e-25
    assert cert.radius < 1e-25
    assert cert.steps == len(tr.segments)
    if name in ("two_points", "sn1", "skew_pair", "skew_single"):
        assert cert.events, "the case is meant to exercise event balls"


def test_certify_is_a_pure_function_of_the_trajectory(runs):
    """certify(tr) again gives the same balls as solve(certify=True)."""
    tr, _ = runs("two_points")
    again = certify(tr)
    assert again.status is CertStatus.CERTIFIED
    assert again.loss_ball.mid() == tr.certificate.loss_ball.mid()
    assert again.loss_ball.rad() == tr.certificate.loss_ball.rad()
    assert [e.t.mid() for e in again.events] == [e.t.mid() for e in tr.certificate.events]


def test_b1_events_and_loss_to_20_digits():
    """Benchmark B1 (λ = 1e-30, T = 290, 8 switches): every ball contains the dps-110 solve and
    is narrower than 1e-20 (about 5 s)."""
    p = b1("1e-30")
    tr = solve(p, digits=30, t_end=290, certify=True)
    ref = solve(p, dps=110, t_end=tr.t_end)
    cert = tr.certificate
    _check_against_reference(tr, ref, cert)
    assert len(cert.events) == 8
    assert all(2 * float(e.t.rad()) < 1e-20 for e in cert.events)
    assert cert.max_event_width < 1e-20
    assert float(cert.loss_ball.rad()) < 1e-20


# ----------------------------------------------------------------------------- 2. too-large steps / truncated orders


def _assert_refused(cert):
    assert cert.status is CertStatus.FAILED
    assert not cert.ok
    assert cert.message  # says what could not be proven
    assert cert.loss_ball is None and cert.a_balls == [] and cert.W_balls == [] and cert.events == []
    d = cert.to_dict()
    assert d["status"] == "failed" and d["loss_ball"] is None and d["events"] == []


def _cli_refuses(tmp_path):
    out = tmp_path / "run.json"
    res = runner.invoke(
        app, ["solve", str(EXAMPLE), "--t-end", "120", "--digits", "30", "--certify", "--json", str(out)]
    )
    # exit 1 by typer.Exit (a SystemExit), not by an exception escaping the command
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "failed" in res.output
    d = json.loads(out.read_text())
    assert d["certificate"]["status"] == "failed" and d["certificate"]["message"]
    assert "loss_ball" not in d
    assert all("t_ball" not in ev for ev in d["events"])


@pytest.mark.parametrize(
    "safety",
    [
        1.0,  # e² ≈ 7.4× the Jorba–Zou step: refused cleanly
        3.0,  # these two once crashed with an OverflowError (pinned)
        10.0,
    ],
)
def test_too_large_step_is_refused(monkeypatch, tmp_path, safety):
    p = _two_points()
    normal = solve(p, digits=30, t_end=120)
    assert certify(normal).status is CertStatus.CERTIFIED  # so the refusal below is the step's doing

    monkeypatch.setattr(ENGINE, "SAFETY", safety)
    big = solve(p, digits=30, t_end=120)
    assert big.status.ok  # the engine itself does not notice
    assert len(big.segments) < len(normal.segments)  # the steps really are longer
    _assert_refused(certify(big))
    tr = solve(p, digits=30, t_end=120, certify=True)
    _assert_refused(tr.certificate)
    assert "certificate" in tr.to_dict() and "loss_ball" not in tr.to_dict()
    _cli_refuses(tmp_path)


def test_truncated_taylor_order_is_refused(monkeypatch, tmp_path):
    p = _two_points()
    normal = solve(p, digits=30, t_end=120, certify=True)
    assert normal.certificate.status is CertStatus.CERTIFIED and normal.order > 3

    monkeypatch.setattr(ENGINE, "taylor_order", lambda digits: 3)
    tr = solve(p, digits=30, t_end=120, certify=True)
    assert tr.order == 3 and tr.status.ok
    _assert_refused(tr.certificate)
    _assert_refused(certify(tr))
    _cli_refuses(tmp_path)


# ----------------------------------------------------------------------------- 3. tampered trajectories


def _tamper(tr, i: int, order: int, col: int, rel: Fraction):
    """A copy of ``tr`` with coefficient ``order`` of column ``col`` (0: a_j; 1..n: u_jk;
    n+1..2n: the w coordinates C) of step ``i`` changed by the relative amount ``rel``, every neuron."""
    seg = tr.segments[i]
    Y = seg.Y.copy()
    for j in range(Y.shape[1]):
        v = int(Y[order, j, col])
        Y[order, j, col] = MPZ(v + int(v * rel))
    segments = list(tr.segments)
    segments[i] = dataclasses.replace(seg, jets=Y)
    return dataclasses.replace(tr, segments=segments, certificate=None)


@pytest.mark.parametrize(
    "name, step, order, col, rel",
    [
        # sn1 (general data: certify uses a and C): a_j(0) of the first step off by 1e-10 —
        # the tube is then far too wide to prove ⟨w_1, x_1⟩'s sign over step 2
        ("sn1", 0, 0, 0, Fraction(1, 10**10)),
        # ȧ_j of the first step off by 1e-10: the first switch can no longer be enclosed
        ("sn1", 0, 1, 0, Fraction(1, 10**10)),
        # C's linear coefficient (w's motion) of the first step off by 1e-10
        ("sn1", 0, 1, 4, Fraction(1, 10**10)),
        # two_points (orthogonal: certify uses a and U): a slope 50 % off in the middle of the run
        ("two_points", 16, 1, 0, Fraction(1, 2)),
        # ⟨w_0, x_1⟩'s slope 0.1 % off in the first step, which ends at the switch
        ("two_points", 0, 1, 2, Fraction(1, 1000)),
    ],
)
def test_tampered_trajectory_is_refused(runs, name, step, order, col, rel):
    tr, _ = runs(name)
    assert tr.certificate.status is CertStatus.CERTIFIED
    _assert_refused(certify(_tamper(tr, step, order, col, rel)))


@pytest.mark.parametrize("step", [0, 16, 32])
def test_mildly_tampered_trajectory_certifies_only_what_is_true(runs, step):
    """The certificate validates the polynomials it is given a posteriori: a 1e-10 change of
    a_j(0) in one step of two_points is a small defect/jump that the tube absorbs, so it still
    CERTIFIES (no bug) — but with balls ~20 orders wider, which still contain the reference."""
    tr, ref = runs("two_points")
    cert = certify(_tamper(tr, step, 0, 0, Fraction(1, 10**10)))
    _check_against_reference(tr, ref, cert)
    assert float(cert.loss_ball.rad()) > 1e-25 > float(tr.certificate.loss_ball.rad())


def test_grossly_tampered_trajectory_does_not_crash(runs):
    tr, _ = runs("sn1")
    _assert_refused(certify(_tamper(tr, 31, 0, 0, Fraction(1, 1000))))


def test_tampering_a_column_the_certificate_does_not_read_changes_nothing(runs):
    """On general data the certificate rebuilds w_j from C and u_jk = ⟨w_j, x_k⟩ from w_j, so the
    engine's U jets are not part of what is proven: changing them leaves the balls as they were."""
    tr, _ = runs("sn1")
    cert = certify(_tamper(tr, 0, 1, 1, Fraction(1, 2)))
    assert cert.status is CertStatus.CERTIFIED
    assert cert.loss_ball.mid() == tr.certificate.loss_ball.mid()
    assert cert.loss_ball.rad() == tr.certificate.loss_ball.rad()


# ----------------------------------------------------------------------------- 4. state(t)


def _step_bounds(tr):
    one = 2**tr.F
    starts = [Fraction(int(s.t0), one) for s in tr.segments]
    ends = [Fraction(int(s.t0), one) + Fraction(int(s.s_end) * int(s.H), one * one) for s in tr.segments]
    return starts, ends


def _state_contains(cert, ref, t):
    a, W = cert.state(t)
    st = ref.evaluate(t)
    for j, (b, v) in enumerate(zip(a, st.a)):
        assert _contains(b, v), ("a", j, t)
    for j, (row_b, row_v) in enumerate(zip(W, st.W)):
        for c, (b, v) in enumerate(zip(row_b, row_v)):
            assert _contains(b, v), ("W", j, c, t)
    return a, W


@pytest.mark.parametrize("name", ["two_points", "sn1"])
def test_state_balls_contain_the_reference(runs, name):
    tr, ref = runs(name)
    cert = tr.certificate
    starts, ends = _step_bounds(tr)
    T = exact(tr.t_end, "t")
    assert tr.events
    times = [
        Fraction(0),
        starts[len(starts) // 2],  # exactly a step boundary
        exact(tr.events[0].t, "t"),  # exactly an event time (also a step boundary)
        exact(tr.events[-1].t, "t"),
        "0.1",
        T / 3,
        T * Fraction(7, 10),
        (starts[5] + ends[5]) / 2,  # inside a step
    ]
    # inside the hair between a step's end and the next step (not at a switch)
    evt = {exact(e.t, "t") for e in tr.events}
    hair = next(i for i in range(len(starts) - 1) if starts[i + 1] > ends[i] and starts[i + 1] not in evt)
    times.append((ends[hair] + starts[hair + 1]) / 2)
    for t in times:
        a, W = _state_contains(cert, ref, t)
        assert len(a) == tr.problem.m and all(len(row) == tr.problem.d for row in W)
        assert all(float(b.rad()) < 1e-25 for b in a)
    # not just wide: at t = 0 the ball is tight around the initial state
    a0, W0 = cert.state(0)
    assert all(float(b.rad()) < 1e-40 for b in a0 + [v for row in W0 for v in row])


@pytest.mark.parametrize("name", ["two_points", "sn1"])
def test_state_at_t_end(runs, name):
    tr, ref = runs(name)
    _state_contains(tr.certificate, ref, tr.t_end)


def test_state_just_before_a_switch_boundary(runs):
    tr, ref = runs("two_points")
    starts, ends = _step_bounds(tr)
    assert exact(tr.events[0].t, "t") == starts[1]
    _state_contains(tr.certificate, ref, ends[0])


def test_state_outside_the_interval_and_on_failed_certificates(runs, monkeypatch):
    tr, _ = runs("two_points")
    cert = tr.certificate
    T = exact(tr.t_end, "t")
    for t in (-1, "-1e-30", T + 1, T + Fraction(1, 2**300)):
        with pytest.raises(ProblemError, match="outside the certified interval"):
            cert.state(t)
    monkeypatch.setattr(ENGINE, "taylor_order", lambda digits: 3)
    bad = solve(_two_points(), digits=30, t_end=120, certify=True).certificate
    assert bad.status is CertStatus.FAILED
    for t in (0, 1, "60"):
        with pytest.raises(ProblemError, match="failed"):
            bad.state(t)


# ----------------------------------------------------------------------------- 5. CLI


def test_cli_certify_writes_balls(tmp_path):
    out = tmp_path / "run.json"
    res = runner.invoke(app, ["solve", str(EXAMPLE), "--t-end", "120", "--certify", "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert "certified" in res.output
    d = json.loads(out.read_text())
    assert d["certificate"]["status"] == "certified"
    lb = d["loss_ball"]
    assert set(lb) == {"mid", "rad"} and all(isinstance(v, str) for v in lb.values())
    # the engine's own loss (30 digits) agrees with the ball's midpoint to its accuracy, not to
    # the ball's width: the ball encloses the true flow, not the rounded run
    assert float(lb["rad"]) < 1e-25 and abs(float(lb["mid"]) - float(d["loss"])) <= 1e-28
    assert d["events"]
    for ev in d["events"]:
        tb = ev["t_ball"]
        assert set(tb) == {"mid", "rad"}
        assert abs(float(tb["mid"]) - float(ev["t"])) <= 2 * float(tb["rad"]) + 1e-30
        assert float(tb["rad"]) < 1e-20
    ref = solve(_two_points(), dps=110, t_end=120)
    with flint.ctx.workprec(400):  # the written decimal balls contain the 110-digit reference
        assert flint.arb(lb["mid"], lb["rad"]).contains(flint.arb(mpmath.nstr(ref.final_loss, 100)))
        for ev, rv in zip(d["events"], ref.events):
            tb = ev["t_ball"]
            assert flint.arb(tb["mid"], tb["rad"]).contains(flint.arb(mpmath.nstr(rv.t, 100)))

    plain = tmp_path / "plain.json"
    res = runner.invoke(app, ["solve", str(EXAMPLE), "--t-end", "120", "--json", str(plain)])
    assert res.exit_code == 0, res.output
    p = json.loads(plain.read_text())
    assert "loss_ball" not in p and "certificate" not in p
    assert all("t_ball" not in ev for ev in p["events"])


# ----------------------------------------------------------------------------- 6. widths reported


def test_to_dict_reports_widths(runs):
    tr, _ = runs("sn1")
    cert = tr.certificate
    d = cert.to_dict()
    assert d["status"] == "certified" and d["message"]
    assert isinstance(d["radius"], float) and 0 <= d["radius"] < 1e-25
    assert d["steps"] == len(tr.segments) and d["prec_bits"] == cert.prec > tr.F
    assert len(d["events"]) == len(tr.events)
    for e, ev in zip(d["events"], tr.events):
        assert set(e) == {"t_ball", "neuron", "point", "direction", "index"}
        assert set(e["t_ball"]) == {"mid", "rad"}
        assert (e["neuron"], e["point"], e["direction"]) == (ev.neuron, ev.point, ev.direction)
    assert set(d["loss_ball"]) == {"mid", "rad"}
    assert len(d["a_balls"]) == tr.problem.m and len(d["W_balls"]) == tr.problem.m
    assert len(d["invariant_balls"]) == tr.problem.m
    w = cert.max_event_width
    assert isinstance(w, float) and 0 < w < 1e-25
    assert w == max(2 * float(e.t.rad()) for e in cert.events)
    assert cert.seconds > 0
    json.dumps(d)  # plain JSON
    # in the trajectory's JSON too
    td = json.loads(tr.to_json(dense=False))
    assert td["certificate"]["status"] == "certified" and "loss_ball" in td
    assert all("t_ball" in ev for ev in td["events"])


def _exact(x) -> Fraction:
    man, exp = x.man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _decimal_encloses(d: dict, ball) -> bool:
    """The decimal ball {"mid", "rad"} contains the whole Arb ball (exact rational check)."""
    return abs(_exact(ball.mid()) - Fraction(d["mid"])) + _exact(ball.rad()) <= Fraction(d["rad"])


def test_ball_dict_encloses_the_ball(runs):
    from reluflow.integrate.certify import ball_dict

    tr, _ = runs("two_points")
    cert = tr.certificate
    balls = [flint.arb(1, flint.arb("4.4749").mid()), cert.loss_ball] + [e.t for e in cert.events] + cert.a_balls
    assert [b for b in balls if not _decimal_encloses(ball_dict(b), b)] == []


def test_max_event_width_is_zero_without_events(runs):
    tr, _ = runs("e2")
    assert tr.events == [] and tr.certificate.events == []
    assert tr.certificate.max_event_width == 0.0
    assert tr.certificate.to_dict()["events"] == []
