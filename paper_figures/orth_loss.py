"""E1's loss against rescaled time T = t/ln(1/λ), λ = 1e-2 … 1e-100.

The engine's curves, the λ → 0 staircase L0 → L_mid → 0 (R6) and the heteroclinic
prediction of each λ (R7), on linear and log scales.

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``orth_loss`` of reluflow.figures.catalog.

    python paper_figures/orth_loss.py              # fewer λ values and samples (default)
    python paper_figures/orth_loss.py --full       # the full λ ladder and samples
    python paper_figures/orth_loss.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("orth_loss", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
