"""E1's neurons: alignment 1 − cos∠(w_j, D_j) and exponents ln‖w_j‖/ln(1/λ).

Against rescaled time (and, for the early phase, against t), with the λ-free early flow
and its deactivations (R3) and the log-norm exponents e_j(T) (R11).

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``orth_alignment`` of reluflow.figures.catalog.

    python paper_figures/orth_alignment.py              # fewer λ values and samples (default)
    python paper_figures/orth_alignment.py --full       # the full λ ladder and samples
    python paper_figures/orth_alignment.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("orth_alignment", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
