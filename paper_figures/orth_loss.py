"""E1's loss against rescaled time T = t/ln(1/λ), λ = 1e-2 … 1e-100.

The engine's curves, the λ → 0 staircase L0 → L_mid → 0 (R6) and the heteroclinic
prediction of each λ (R7), on linear and log scales.

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.
Compute (cached as JSON under paper_figures/out/, reused while the package version and the
parameters are unchanged) and plot are separate (reluflow.figures.orthogonal):

    python paper_figures/orth_loss.py              # full version: compute if needed, then plot
    python paper_figures/orth_loss.py --quick      # fewer λ values and samples
    python paper_figures/orth_loss.py --recompute  # ignore the cache
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import orthogonal

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return orthogonal.script_main("loss", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
