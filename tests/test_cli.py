"""Command line, end to end as a user runs it."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reluflow import Trajectory
from reluflow.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "two_points.toml"


def test_solve_writes_the_documented_json(tmp_path):
    out = tmp_path / "run.json"
    res = runner.invoke(app, ["solve", str(EXAMPLE), "--json", str(out), "--t-end", "120"])
    assert res.exit_code == 0, res.output
    assert "activation switches" in res.output and "loss plateaus" in res.output
    d = json.loads(out.read_text())
    for key in ("status", "t_end", "loss", "events", "a", "W"):
        assert key in d
    assert d["status"] == "t_end" and d["t_end"] == "120.0"
    assert d["events"] == [{"t": d["events"][0]["t"], "neuron": 0, "point": 1, "direction": "off"}]
    assert len(d["events"][0]["t"]) > 30  # full-precision decimal string
    assert len(d["a"]) == 1 and len(d["W"]) == 1 and len(d["W"][0]) == 4
    assert all(isinstance(v, str) for v in d["a"] + d["W"][0] + [d["loss"]])


def test_solve_json_spec_with_seeded_init_and_dense_round_trip(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "data": {"X": [[1, 0, 0], [0, 2, 0]], "y": [1, "-0.5"]},
                "init": {"lambda": "1e-20", "width": 3, "seed": 4},
            }
        )
    )
    out = tmp_path / "run.json"
    res = runner.invoke(app, ["solve", str(spec), "--dps", "30", "--loss-below", "1e-6", "--json", str(out), "--dense"])
    assert res.exit_code == 0, res.output
    tr = Trajectory.from_json(out.read_text())
    assert tr.status.value == "loss_below" and tr.dps == 30
    assert tr.to_json() == out.read_text()


@pytest.mark.parametrize(
    "text, field",
    [
        ("[data]\nX = [[1, 0]]\ny = [1, 2]\n[init]\nlambda = 1e-3\nz = [[1, 0]]\ns = [1]\n", "data.y"),
        ("[data]\nX = [[1, 0]]\ny = [1]\n[init]\nlambda = -1\nz = [[1, 0]]\ns = [1]\n", "init.lambda"),
        ("[data]\nX = [[1, 0]]\ny = [1]\n[init]\nlambda = 1e-3\nz = [[1, 0]]\ns = [0]\n", "init.s[0]"),
        ("[data]\nX = [[1, 0]\n", "spec"),
    ],
)
def test_bad_spec_gives_a_clear_error_and_exit_code_2(tmp_path, text, field):
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    res = runner.invoke(app, ["solve", str(spec)])
    assert res.exit_code == 2
    assert f"{field}:" in res.output
    assert "Traceback" not in res.output


def test_too_small_dps_is_refused(tmp_path):
    res = runner.invoke(app, ["solve", str(EXAMPLE), "--dps", "20", "--digits", "30"])
    assert res.exit_code == 2 and "dps:" in res.output and "need dps ≥" in res.output


def test_sliding_run_goes_on_and_lists_its_events(tmp_path):
    spec = tmp_path / "slide.toml"
    spec.write_text('[data]\nX = [[1, 0], [1, 1]]\ny = [1, -10]\n[init]\nlambda = "1e-3"\nz = [[1, 0.2]]\ns = [1]\n')
    res = runner.invoke(
        app, ["solve", str(spec), "--t-end", "50", "--digits", "20", "--json", str(tmp_path / "o.json")]
    )
    assert res.exit_code == 0 and "slide" in res.output and "sliding" in res.output
    events = json.loads((tmp_path / "o.json").read_text())["events"]
    assert [e["direction"] for e in events] == ["off", "slide"]


def test_reproduce_writes_report_and_figures(tmp_path, monkeypatch):
    from reluflow.figures import interpolators as interp_figures

    monkeypatch.setattr(interp_figures, "QUICK_PARAMETERS", {"ts": ("3", "4"), "lam": "1e-4"})  # two family points
    res = runner.invoke(app, ["reproduce", "--out", str(tmp_path), "--digits", "20", "--no-experiments"])
    # exit 1 for one reason only: the N14 finding (the spec's "ratio ∝ angle" measures slope 2)
    assert res.exit_code == 1, res.output
    claims = json.loads((tmp_path / "claims_single_neuron.json").read_text())
    assert [c["id"] for c in claims if c["verdict"] != "PASS"] == ["N14"]
    assert not [
        c["id"] for c in json.loads((tmp_path / "claims_orthogonal.json").read_text()) if c["verdict"] != "PASS"
    ]
    report = (tmp_path / "report.md").read_text()
    assert "PASS" in report and "Activation switches" in report and "loss_curve.png" in report
    assert "## Proof checks" in report and "| E37pos |" in report and "0 FAIL" in report
    assert "## Claims: Single neuron" in report and "| N24 |" in report and "sn_exact.png" in report
    assert "GD experiments" not in report
    assert (
        "## Minimum norm versus rank one" in report and "every check PASS" in report and "interp_family.png" in report
    )
    for name in ("loss_curve.pdf", "loss_curve.png", "loss_curve.json"):
        assert (tmp_path / name).stat().st_size > 1000
    assert (tmp_path / "loss_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reproduce_experiments_section(tmp_path, monkeypatch):
    """The GD part of reproduce on a tiny protocol (the quick one takes minutes; its pieces
    are tested in test_experiments.py): all twelve CSVs, eleven figures, the report table."""
    from reluflow.experiments import protocol
    from reluflow.figures import single_neuron_gd
    from reluflow.gd_report import gd_section

    real_config, real_params = protocol.table_config, single_neuron_gd.parameters
    monkeypatch.setattr(
        protocol, "table_config", lambda k, **o: real_config(k, **o, ds=(3,), ms=(8,), trials=1, max_iter=300)
    )

    def tiny(key, *, quick=True):
        params = real_params(key, quick=quick)
        small = (
            ("max_iter", 300),
            ("trials", 1),
            ("d", 4),
            ("m", 8),
            ("ds", [3]),
            ("ms", [8]),
            ("lambda_exponents", [-1, -3]),
            ("exact_t_end", 3.0),
            ("exact_d", 3),
            ("exact_m", 3),
            ("exact_exponents", [-2]),
            ("exact_points", 10),
            ("rhos", [1.0, 4.0]),
        )
        for name, value in small:
            if name in params:
                params[name] = value
        return params

    monkeypatch.setattr(single_neuron_gd, "parameters", tiny)
    heard: list[str] = []
    tables, figs, md, summary, verdict = gd_section(tmp_path, quick=True, progress=heard.append)
    assert sum("runs (" in h for h in heard) == 4  # the sweep's cells: (3, 8) and (4, 8), both schemes
    assert sum(h.startswith("figure data: ") for h in heard) == 5  # the other computations
    assert [p.name for p in tables] == [f"sn_table{k}_quick.csv" for k in range(1, 13)]
    assert len(figs) == 22 and all(p.stat().st_size > 1000 for p in figs)
    text = "\n".join(md)
    assert "| 12 | nuclear_norm | uncentred |" in text and "‖W‖_* → 1" in text and "angle ∝ λ" in text
    assert "trends of 8 tables" in summary and verdict in ("PASS", "FAIL", "INCONCLUSIVE")
    # the tables are the medians of the figures' sweeps: the same runs, the same cap
    import csv

    with open(tables[0], newline="") as f:
        first = list(csv.DictReader(f))
    assert {r["max_iter"] for r in first} == {"300"} and {r["lambda_exp4"] for r in first} == {"-1", "-3"}


def test_proofs_prints_the_table_and_writes_the_report(tmp_path):
    out = tmp_path / "REPORT.md"
    res = runner.invoke(app, ["proofs", "--report", str(out), "--only", "M4", "--only", "E37pos"])
    assert res.exit_code == 0, res.output
    assert "E37pos" in res.output and "PASS" in res.output
    text = out.read_text()
    assert "| M4 |" in text and "| E37pos |" in text and "2 PASS, 0 FAIL, 0 INCONCLUSIVE of 2 checks" in text


def test_proofs_unknown_id_exits_2(tmp_path):
    res = runner.invoke(app, ["proofs", "--report", str(tmp_path / "r.md"), "--only", "nope"])
    assert res.exit_code == 2 and "nope" in res.output


ROOT = Path(__file__).resolve().parents[1]


def test_example_specs_are_the_fixtures():
    from reluflow.datasets import e1, e2
    from reluflow.specfile import load_spec

    assert load_spec(ROOT / "examples" / "e1.toml") == e1("1e-30")
    assert load_spec(ROOT / "examples" / "e2.toml") == e2("1e-30")


def test_predict_writes_the_documented_json(tmp_path):
    out = tmp_path / "pred.json"
    res = runner.invoke(
        app, ["predict", str(ROOT / "examples" / "e1.toml"), "--paper", "orthogonal", "--json", str(out)]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text())
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
        "checked_digits",
    ):
        assert key in d, key
    assert d["L0"] == "0.9375" and d["L_mid"] == "0.3125"
    assert [Decimal(v) for v in d["D_plus"]] == [1, 3, 0, 0] and [Decimal(v) for v in d["D_minus"]] == [
        0,
        0,
        Decimal("1.2"),
        Decimal("0.6"),
    ]
    assert d["K"][4] is None and d["K"][5] is None and all(isinstance(v, str) for v in d["K"][:4])
    assert {(e["neuron"], e["point"]) for e in d["deactivation_times"]} == {(0, 3), (1, 2), (2, 1), (3, 0)}
    assert d["T_plus"].startswith("1.26491106406735") and d["checked_digits"] >= 28


def test_predict_digits_sets_the_checked_digits_and_dps_is_its_former_name(tmp_path):
    outs = {}
    for flag in ("--digits", "--dps"):
        outs[flag] = tmp_path / f"{flag}.json"
        res = runner.invoke(app, ["predict", str(ROOT / "examples" / "e1.toml"), flag, "50", "--json", str(outs[flag])])
        assert res.exit_code == 0, res.output
    d = json.loads(outs["--digits"].read_text())
    assert d["dps"] == 50 and 45 <= d["checked_digits"] <= 50 and len(d["T_plus"]) > 40
    assert d == json.loads(outs["--dps"].read_text())


def test_predict_refuses_non_orthogonal_data(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('[data]\nX = [[1, 0], [1, 1]]\ny = [1, -1]\n[init]\nlambda = "1e-10"\nz = [[1, 2]]\ns = [1]\n')
    res = runner.invoke(app, ["predict", str(spec)])
    assert res.exit_code == 2 and "A1" in res.output and "data.X" in res.output


def test_unknown_choices_exit_2_naming_the_choices():
    assert runner.invoke(app, ["check", "--paper", "three-layers"]).exit_code == 2
    res = runner.invoke(app, ["predict", str(ROOT / "examples" / "e1.toml"), "--paper", "three-layers"])
    assert res.exit_code == 2 and "'orthogonal', 'single-neuron'" in res.output
    res = runner.invoke(app, ["check", "--profile", "slow"])
    assert res.exit_code == 2 and "'quick', 'thorough'" in res.output
    res = runner.invoke(app, ["experiment", "fig1", "--backend", "jax"])
    assert res.exit_code == 2 and "'numpy', 'torch', 'auto'" in res.output
    help_text = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"}).output
    assert "<orthogonal|single-neuron>" in help_text and "<quick|thorough>" in help_text


def test_only_takes_the_documented_forms(tmp_path):
    """`--only M4 E37pos` (the README's form), `--only M4,E37pos` and `--only M4 --only E37pos`
    choose the same checks; ids without --only are refused."""
    outs = []
    for args in (["--only", "M4", "E37pos"], ["--only", "M4,E37pos"], ["--only", "M4", "--only", "E37pos"]):
        out = tmp_path / f"{len(outs)}.md"
        res = runner.invoke(app, ["proofs", "--report", str(out), *args])
        assert res.exit_code == 0, res.output
        outs.append(
            sorted(
                line.split("|")[1].strip()
                for line in out.read_text().splitlines()
                if line.startswith("| ") and "PASS" in line
            )
        )
    assert outs[0] == outs[1] == outs[2] == ["E37pos", "M4"]
    res = runner.invoke(app, ["proofs", "M4"])
    assert res.exit_code == 2 and "--only M4" in res.output


def test_proofs_never_writes_over_the_committed_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["proofs", "--only", "M4"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "paper_figures" / "out" / "proofs.md").exists() and not (tmp_path / "proofs_checks").exists()


def test_single_neuron_predict_writes_the_documented_json(tmp_path):
    from reluflow.datasets import sn1
    from reluflow.specfile import load_spec

    assert load_spec(ROOT / "examples" / "sn1.toml") == sn1("1e-30")
    out = tmp_path / "pred.json"
    res = runner.invoke(
        app, ["predict", str(ROOT / "examples" / "sn1.toml"), "--paper", "single-neuron", "--json", str(out)]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text())
    for key in ("gamma", "eta", "assumption1", "J_plus", "J_minus", "crossings", "T1_over_eps_log", "limit_w_sq", "M"):
        assert key in d, key
    assert all(d["assumption1"].values()) and d["J_plus"] == [0, 1, 2] and d["J_minus"] == [3, 4]
    assert [(c["neuron"], c["point"]) for c in d["crossings"]] == [
        (0, 2),
        (1, 1),
        (1, 0),
        (2, 1),
        (3, 1),
        (3, 2),
        (4, 1),
    ]
    assert Decimal(d["T1_over_eps_log"]) * Decimal(d["gamma_norm"]) == pytest.approx(1, rel=1e-25)
    assert d["M_sign"] == -1 and d["checked_digits"] >= 25
    assert sum(Decimal(v) for v in d["limit_w_sq"]) == pytest.approx(1, rel=1e-25)


def test_single_neuron_predict_needs_a_teacher():
    res = runner.invoke(app, ["predict", str(ROOT / "examples" / "e1.toml"), "--paper", "single-neuron"])
    assert res.exit_code == 2 and "data.teacher" in res.output


def test_check_writes_markdown_and_the_documented_json(tmp_path):
    report = tmp_path / "claims.md"
    res = runner.invoke(
        app,
        [
            "check",
            "--paper",
            "orthogonal",
            "--profile",
            "quick",
            "--only",
            "O5",
            "--only",
            "O21",
            "--report",
            str(report),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(report.with_suffix(".json").read_text())
    assert [r["id"] for r in rows] == ["O5", "O21"] and all(r["verdict"] == "PASS" for r in rows)
    assert set(rows[0]) >= {"id", "verdict", "predicted", "observed", "tolerance", "lambda", "dps"}
    assert "2 PASS" in report.read_text()


def test_check_explain_answers_in_one_step(tmp_path):
    """--explain N12 prints the statement, instance, tolerance, the code's place (a real line
    of a real file that defines the claim), the rule itself and the theory it calls; it runs
    nothing and writes nothing."""
    res = runner.invoke(app, ["check", "--explain", "n12"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith("N12 (single-neuron): t ≥ T1: v ∈ S")
    assert "instance:  SN1 — " in out and "tolerance: Predicates(names=('v ∈ S'," in out
    assert "notion:    the predicates" in out and "judged by: Predicates — reluflow/claims/tolerance.py:" in out
    path, line = re.search(r"code:      reluflow/(\S+):(\d+)", out).groups()
    source = (ROOT / "src" / "reluflow" / path).read_text(encoding="utf-8").splitlines()
    assert source[int(line) - 1].startswith("@claim(") and '"N12"' in source[int(line)]
    assert "def n12(s: Session, p: Problem, tol: Predicates) -> Outcome:" in out and "tol.judge(" in out
    assert "S_predicates — reluflow/theory/single_neuron/prediction.py:" in out  # where the predicates live
    assert not list(tmp_path.iterdir())
    bad = runner.invoke(app, ["check", "--explain", "N99"])
    assert bad.exit_code == 2 and "unknown claim id 'N99'" in bad.output and "N24" in bad.output


def test_check_on_a_spec_exits_1_when_a_claim_does_not_apply(tmp_path):
    out = tmp_path / "c.json"
    res = runner.invoke(
        app,
        [
            "check",
            "--spec",
            str(ROOT / "examples" / "e2.toml"),
            "--only",
            "O13",
            "--json",
            str(out),
            "--report",
            str(tmp_path / "c.md"),
        ],
    )
    assert res.exit_code == 1, res.output
    [row] = json.loads(out.read_text())
    assert row["verdict"] == "INCONCLUSIVE" and "A3" in row["detail"] and row["instance"] == "spec"


def test_interpolate_writes_the_documented_json(tmp_path):
    spec = tmp_path / "ex37.toml"
    spec.write_text('[data]\nX = [[16, 0, 0], [16, -4, 1], [16, 4, 1]]\nteacher = ["0.8", 0, "0.6"]\n')
    out = tmp_path / "interp.json"
    res = runner.invoke(app, ["interpolate", str(spec), "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert "min ‖θ‖²" in res.output and "check theorem8" in res.output
    d = json.loads(out.read_text())
    assert set(d) >= {"min_theta_sq", "rank_one_min_theta_sq", "minimiser", "rank", "certified"}
    lo, hi = Decimal(d["min_theta_sq"]["lo"]), Decimal(d["min_theta_sq"]["hi"])
    assert Decimal("1.98") < lo <= hi < 2 and hi - lo < Decimal("1e-9")
    assert Decimal(d["rank_one_min_theta_sq"]["lo"]) <= 2 <= Decimal(d["rank_one_min_theta_sq"]["hi"])
    assert d["certified"] is True and d["rank"] == 3 and d["M_sign"] == 1
    assert len(d["minimiser"]["a"]) == len(d["minimiser"]["W"]) == 3 and len(d["minimiser"]["W"][0]) == 3
    assert d["checks"] == {"theorem8": True, "below_counterexample": True}


def test_interpolate_reads_only_data_and_names_bad_fields(tmp_path):
    res = runner.invoke(app, ["interpolate", str(ROOT / "examples" / "e1.toml")])  # [init] present: ignored
    assert res.exit_code == 0, res.output
    assert "closed_form_in_minimum" in res.output
    spec = tmp_path / "bad.toml"
    spec.write_text("[data]\nX = [[1, 0], [2, 0]]\ny = [1, 1]\n")
    res = runner.invoke(app, ["interpolate", str(spec)])
    assert res.exit_code == 2 and "data.y" in res.output


def test_cli_runs_without_a_separate_click(tmp_path):
    """Recent typer vendors click and does not install it: `pip install .` then has no click
    (the test extra brings one with dask).  The CLI must not need it: help, a bad input
    (exit 2) and a solve (exit 0)."""
    import subprocess
    import sys

    spec = tmp_path / "p.toml"
    spec.write_text('[data]\nX = [[1]]\ny = [1]\n[init]\nlambda = "1e-6"\nz = [[1]]\ns = [1]\n', encoding="utf-8")
    code = "import sys; sys.modules['click'] = None; from reluflow.cli import app; sys.exit(app())"
    for args, rc in ((["--help"], 0), (["solve", str(tmp_path / "missing.toml")], 2), (["solve", str(spec)], 0)):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert out.returncode == rc, (args, out.stdout, out.stderr)
