"""One codec for numbers and problems: SPEC mappings, Trajectory JSON and sweep specs write
and read problems the same way, exactly, at any size the package accepts."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reluflow.codec import num_text, problem_from_dict, problem_to_dict
from reluflow.datasets import e1, e2, sn1
from reluflow.integrate import Trajectory, solve
from reluflow.problem import ProblemError, exact
from reluflow.sweep.spec import RunSpec


@pytest.mark.parametrize("p", [e1("1e-30"), e2("1e-100"), sn1("1e-5000"), e1("1e-5000")])
def test_problems_round_trip(p):
    d = problem_to_dict(p)
    assert problem_from_dict(d) == p
    assert all(isinstance(v, str) for row in d["data"]["X"] for v in row) and isinstance(d["init"]["lambda"], str)
    assert ("teacher" in d["data"]) == (p.data.teacher is not None)


def test_trajectory_json_and_sweep_specs_write_the_problem_as_the_codec_does():
    p = e1("1e-20")
    tr = solve(p, t_end=2, digits=15)
    assert tr.to_dict()["problem"] == problem_to_dict(p)
    run = RunSpec.from_dict(problem_to_dict(p))
    assert run.canonical()["data"] == problem_to_dict(p)["data"] and run.problem == p
    assert Trajectory.from_json(tr.to_json()).problem == p


def test_a_sweep_spec_at_a_tiny_lambda_is_written_without_huge_integers():
    """Found while unifying the codec: λ = 1e-5000 crashed the sweep spec's canonical text
    (Python refuses to print integers of over 4300 digits)."""
    run = RunSpec.from_dict({"data": {"X": [[1]], "y": [1]}, "init": {"lambda": "1e-5000", "width": 2, "seed": 0}})
    assert run.canonical()["init"]["lambda"] == "1e-5000" and run.lam == Fraction(1, 10**5000)
    assert run.lam_text == "1e-5000"


@given(st.fractions(min_value=Fraction(-(10**30)), max_value=Fraction(10**30), max_denominator=10**40))
def test_num_text_is_exact(q):
    assert exact(num_text(q), "x") == q


def test_bad_mappings_name_their_field():
    d = problem_to_dict(e1("1e-30"))
    d["init"]["lambda"] = "-1"
    with pytest.raises(ProblemError) as info:
        problem_from_dict(d)
    assert info.value.field == "init.lambda"
