"""Proof checks of the identities and inequalities the two papers' theory rests on.

One module per source: ``model`` (the flow itself), ``orthogonal_inputs`` (Boursier,
Pillaud-Vivien & Flammarion 2022; ids R1–R12, O1–O22 of the spec) and ``single_neuron``
(Chistikov, Englert & Lazić 2023; statement numbers of the paper, claims N1–N24).  Each
check names the statement it proves; ``run`` executes them; ``report`` formats the table.
``reluflow proofs`` is the command line.
"""

from . import model, orthogonal_inputs, single_neuron  # noqa: F401  (importing registers the checks)
from .core import REGISTRY, Check, Outcome, Result, Verdict, run
from .report import markdown

__all__ = ["REGISTRY", "Check", "Outcome", "Result", "Verdict", "markdown", "run"]
