"""Write the tutorial notebooks of this folder (without outputs: the tests execute them, and so
do readers): ``python docs/tutorials/make_notebooks.py`` after editing a cell here."""

from pathlib import Path

import nbformat as nbf

OUT = Path(__file__).resolve().parent


def nb(cells):
    n = nbf.v4.new_notebook()
    n.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    n.cells = [nbf.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbf.v4.new_code_cell(c) for c in cells]
    for i, cell in enumerate(n.cells):  # stable ids: the files change only when a cell does
        cell.id = f"cell-{i:02d}"
    return n


first = nb(
    [
        """md:# A first solve and its plateaus

The orthogonal-inputs fixture E1 (four orthogonal inputs in R⁴, labels of both signs, six
neurons) at λ = 1e-30, solved exactly to 30 digits until the loss is below 1e-20. The loss
stays on plateaus while the neurons align, then drops class by class (Boursier et al. 2022).""",
        """%matplotlib inline
import matplotlib.pyplot as plt

from reluflow import solve
from reluflow.datasets import e1
from reluflow.summary import plateaus

tr = solve(e1("1e-30"), digits=30, loss_below="1e-20")
tr""",
        """md:The activation switches, exactly located (the times are exact to the run's digits):""",
        """for event in tr.events:
    print(f"t = {float(event.t):10.4f}  neuron {event.neuron}  point {event.point}  {event.direction}")""",
        """md:The plateaus the summary finds, in rescaled time T = t / ln(1/λ), and the loss curve
sampled as NumPy arrays (`log10_loss` is computed at the run's precision, so nothing
underflows):""",
        """scale = float(tr.problem.log_inv_lambda)
for p in plateaus(tr):
    print(f"T in [{float(p.t_start) / scale:.3f}, {float(p.t_stop) / scale:.3f}]: L = {p.level:.4g}")

s = tr.sample(samples=400)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(s["t"] / scale, s["log10_loss"])
ax.set_xlabel("T = t / ln(1/λ)")
ax.set_ylabel("log10 L")
ax.set_title("E1, λ = 1e-30")""",
        """md:The theory predicts the staircase: the plateau levels and the jump times T± = n/‖D±‖.""",
        """from reluflow.theory import orthogonal

pr = orthogonal.predict(tr.problem)
print("L0 =", pr.L0, " L_mid =", pr.L_mid)
print("T+ =", float(pr.plus.T), " T- =", float(pr.minus.T))""",
        """df = tr.to_dataframe(samples=50)  # the same samples as a pandas DataFrame
df[["t", "loss", "log10_loss", "a_0", "a_1"]].tail()""",
    ]
)

claim = nb(
    [
        """md:# Checking a claim

Every claim of the two papers is a registered check with a typed tolerance. `explain` shows
what a claim states and the rule its verdict is decided by; `run` checks it on its fixture.""",
        """from reluflow.claims import run
from reluflow.claims.explain import explain

print("\\n".join(explain("O21").splitlines()[:8]))""",
        """results = run("orthogonal", ids=["O21", "O7"])
for r in results:
    print(r.id, r.verdict.value, "|", r.predicted, "|", r.observed, "|", r.tolerance, "| λ =", r.lam)""",
        """md:A check must be able to fail. Here the theory is broken on purpose — the class said to be
fitted first is swapped — and the same claim reports FAIL:""",
        """from dataclasses import replace
from unittest import mock

from reluflow.theory import orthogonal

real = orthogonal.predict


def swapped(problem, dps=30):  # a wrong theory: the other class is fitted first
    pr = real(problem, dps=dps)
    return replace(pr, fast="-" if pr.fast == "+" else "+")


with mock.patch.object(orthogonal, "predict", swapped):
    [broken] = run("orthogonal", ids=["O21"])
print(broken.verdict.value, "|", broken.predicted, "|", broken.observed)""",
        """md:The single-neuron paper's claims work the same way (Chistikov et al. 2023):""",
        """[n1] = run("single-neuron", ids=["N1"])
n1.verdict.value, n1.observed, n1.tolerance""",
    ]
)

sliding = nb(
    [
        """md:# A sliding mode

Outside both papers' assumptions the flow can reach an activation surface u = ⟨w, x⟩ = 0
from both sides at once. The exact solver continues with the minimum-norm Clarke selection:
the pair slides along the surface. Gradient descent with σ'(0) = 0 chatters around it and
converges to it as the step shrinks.""",
        """%matplotlib inline
from reluflow import solve
from reluflow.figures.sliding import slider

p = slider()
tr = solve(p, t_end=40, digits=20)
tr""",
        """[(float(e.t), e.neuron, e.point, e.direction) for e in tr.events]""",
        """st = tr.final_state
print("held on the surface:", st.sliding)
print("pre-activation of the sliding pair (neuron 0, point 1):", st.U[0][1])""",
        """md:The registered figure of a sliding mode on generic data, drawn inline (computed once and
cached in the folder given):""",
        """import tempfile

from reluflow.figures.catalog import FIGURES

FIGURES["sliding"].draw(tempfile.mkdtemp())""",
    ]
)

sweep = nb(
    [
        """md:# A sweep

Many runs in parallel, stored on disk and resumable: a grid over λ and seeds, run on two
worker processes, then collected as a table.""",
        """import tempfile

from reluflow.sweep import Store, collect, expand, run

base = {
    "data": {"X": [[1, 0], [0, 1]], "y": [1, "-0.5"]},
    "init": {"lambda": "1e-10", "width": 3, "seed": 0},
    "solve": {"digits": 20, "loss_below": "1e-12", "t_end": 400},
}
specs = expand(base, {"lambda": ["1e-5", "1e-10", "1e-20"], "seed": [0, 1]})
store = Store(tempfile.mkdtemp())
result = run(specs, store, workers=2)
result.computed, result.cached""",
        """table = collect(store.root, specs)
table[["lambda", "seed", "status", "final_loss", "t_end", "events"]]""",
        """md:A second run finds every result in the store and computes nothing:""",
        """again = run(specs, store, workers=2)
again.computed, again.cached""",
    ]
)

for name, book in (
    ("01_first_solve", first),
    ("02_checking_a_claim", claim),
    ("03_sliding_mode", sliding),
    ("04_sweep", sweep),
):
    nbf.write(book, OUT / f"{name}.ipynb")
print("written")
