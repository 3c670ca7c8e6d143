"""Loss staircase of the orthogonal fixture E1 for several λ, against rescaled time
T = t / ln(1/λ): the plateaus L0 → L_mid → 0 sharpen into steps as λ → 0.

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.
Compute (cached as JSON under paper_figures/out/) and plot are separate:

    python paper_figures/loss_staircase.py            # compute if needed, then plot
    python paper_figures/loss_staircase.py --recompute
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reluflow import __version__, solve
from reluflow.datasets import e1
from reluflow.figures import loss_curve

OUT = Path(__file__).resolve().parent / "out"
LAMBDAS = ["1e-4", "1e-8", "1e-16", "1e-30", "1e-100"]


def compute() -> dict:
    runs = [solve(e1(lam), digits=25, loss_below="1e-16") for lam in LAMBDAS]
    return dict(loss_curve.compute(runs), version=__version__, lambdas=LAMBDAS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recompute", action="store_true", help="ignore the cached numbers")
    args = ap.parse_args()
    cache = OUT / "loss_staircase.json"
    data = None
    if cache.exists() and not args.recompute:
        data = json.loads(cache.read_text())
        if data.get("version") != __version__ or data.get("lambdas") != LAMBDAS:
            data = None
    if data is None:
        data = compute()
        OUT.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(data))
    for path in loss_curve.plot(data, OUT / "loss_staircase", title="E1 loss staircase (in the spirit of Boursier et al. 2022)"):
        print("wrote", path)


if __name__ == "__main__":
    main()
