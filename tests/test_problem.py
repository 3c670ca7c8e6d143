"""Problem model: exact numbers, and a clear error naming the field for every bad input."""

from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reluflow import Dataset, Init, Problem, ProblemError, solve
from reluflow.problem import exact
from reluflow.specfile import parse_spec_text, problem_from_dict

GOOD = {"data": {"X": [[1, 0], [0, 1]], "y": [1, -0.5]}, "init": {"lambda": "1e-30", "z": [[0.6, 0.8]], "s": [1]}}


def _spec(**changes):
    spec = {"data": dict(GOOD["data"]), "init": dict(GOOD["init"])}
    for path, value in changes.items():
        table, key = path.split("__")
        if value is None:
            spec[table].pop(key, None)
        else:
            spec[table][key] = value
    return spec


def test_exact_numbers_never_pass_through_float():
    assert exact("1e-100", "x") == Fraction(1, 10**100)
    assert exact("0.1", "x") == Fraction(1, 10)
    assert exact(Decimal("-2.5"), "x") == Fraction(-5, 2)
    assert exact("3/7", "x") == Fraction(3, 7)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    third = ctx.mpf(1) / 3
    assert abs(exact(third, "x") - Fraction(1, 3)) < Fraction(1, 10**59)  # not rounded to 53 bits


def test_toml_decimals_are_exact():
    text = "[data]\nX = [[1, 0]]\ny = [0.3]\n[init]\nlambda = 1e-300\nz = [[0.1, 0.2]]\ns = [1]\n"
    p = problem_from_dict(parse_spec_text(text, "toml"))
    assert p.data.y[0] == Fraction(3, 10)
    assert p.init.lam == Fraction(1, 10**300)
    assert p.init.z[0] == (Fraction(1, 10), Fraction(1, 5))


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"data__X": [[1, 0], [0]]}, "data.X[1]"),  # ragged rows
        ({"data__y": [1]}, "data.y"),  # wrong number of labels
        ({"data__y": []}, "data.y"),  # empty
        ({"data__X": []}, "data.X"),  # empty data
        ({"data__X": [[1, 0], [0, 0]]}, "data.X[1]"),  # zero input
        ({"data__y": [1, "nan"]}, "data.y[1]"),  # NaN
        ({"data__y": [float("inf"), 1]}, "data.y[0]"),  # inf
        ({"data__X": [[1, "abc"], [0, 1]]}, "data.X[0][1]"),  # not a number
        ({"init__lambda": 0}, "init.lambda"),  # λ ≤ 0
        ({"init__lambda": "-1e-3"}, "init.lambda"),
        ({"init__lambda": None}, "init.lambda"),
        ({"init__s": [2]}, "init.s[0]"),  # s ∉ {±1}
        ({"init__s": [1, -1]}, "init.s"),  # one sign per neuron
        ({"init__z": [[0, 0]]}, "init.z[0]"),  # zero direction
        ({"init__z": [[1, 2, 3]]}, "init.z"),  # wrong dimension
        ({"init__z": None}, "init.z"),  # z and s go together
        ({"init__width": 3}, "init"),  # both explicit and seeded
        ({"data__extra": 1}, "data.extra"),  # unknown key
    ],
)
def test_bad_input_names_the_field(changes, field):
    with pytest.raises(ProblemError) as info:
        problem_from_dict(_spec(**changes))
    assert info.value.field == field
    assert str(info.value).startswith(field + ":")


def test_seeded_init_is_reproducible_and_documented_order():
    import numpy as np

    a = Init.random(width=3, seed=7, d=2)
    rng = np.random.default_rng(7)
    z = rng.normal(0.0, 1.0 / np.sqrt(2), size=(3, 2))
    s = rng.choice((-1, 1), size=3)
    assert a.z == tuple(tuple(Fraction(float(v)) for v in row) for row in z)
    assert a.s == tuple(int(v) for v in s)


def test_precision_too_small_is_a_clear_error():
    p = Problem(Dataset([[1]], [1]), Init("1e-30", [[1]], [1]))
    with pytest.raises(ProblemError) as info:
        solve(p, t_end=10, digits=30, dps=25)
    assert info.value.field == "dps" and "need dps ≥" in str(info.value)
    with pytest.raises(ProblemError) as info:
        solve(p, t_end=10, dps=5)
    assert info.value.field == "dps"
    for kwargs, field in [({"t_end": -1}, "t_end"), ({"loss_below": 0}, "loss_below"), ({"max_steps": 0}, "max_steps")]:
        with pytest.raises(ProblemError) as info:
            solve(p, **kwargs)
        assert info.value.field == field


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.just("1e-30"),
    st.just([]),
    st.just([[]]),
    st.just([[1, 0]]),
    st.just([1, -1]),
    st.lists(st.integers(-2, 2), max_size=3),
    st.lists(st.lists(st.integers(-2, 2), max_size=3), max_size=3),
)


@given(
    X=_junk,
    y=_junk,
    lam=_junk,
    z=_junk,
    s=_junk,
    drop=st.sets(st.sampled_from(["X", "y", "lambda", "z", "s"])),
)
@example(X=[[1, 0]], y=[1], lam="1e-30", z=[[0, 0]], s=[1], drop=set())
@example(X=[[1, 0]], y=[1], lam=True, z=[[1, 0]], s=[1], drop=set())
def test_fuzzed_specs_fail_only_with_problem_error(X, y, lam, z, s, drop):
    """Any spec either builds a valid Problem or raises ProblemError: never a deep traceback."""
    spec = {"data": {"X": X, "y": y}, "init": {"lambda": lam, "z": z, "s": s}}
    for key in drop:
        spec["data" if key in ("X", "y") else "init"].pop(key)
    try:
        p = problem_from_dict(spec)
    except ProblemError as exc:
        assert exc.field and str(exc).startswith(exc.field)
    else:
        assert p.init.lam > 0 and p.n == len(p.data.y) and all(sg in (1, -1) for sg in p.init.s)
