"""Accuracy targets at benchmark scale (marked slow; run with `pytest -m slow`)."""

import pytest

from reluflow import solve
from reluflow.datasets import b1
from reluflow.summary import agreement

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("digits", [30, 50])
def test_b1_relative_error_per_neuron_within_requested_digits(digits):
    p = b1("1e-30")
    ref = solve(p, t_end=290, dps=110)
    tr = solve(p, t_end=290, digits=digits)
    assert len(tr.events) == len(ref.events) == 8
    assert agreement(tr, ref) >= digits


@pytest.mark.parametrize("lam", ["1e-100", "1e-300"])
def test_b1_at_tiny_lambda_keeps_its_digits(lam):
    T = 290 * int(lam.split("-")[1]) // 30
    p = b1(lam)
    tr = solve(p, t_end=T, digits=30)
    ref = solve(p, t_end=T, digits=45)
    assert agreement(tr, ref) >= 30
