"""E1's neurons: alignment 1 − cos∠(w_j, D_j) and exponents ln‖w_j‖/ln(1/λ).

Against rescaled time (and, for the early phase, against t), with the λ-free early flow
and its deactivations (R3) and the log-norm exponents e_j(T) (R11).

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.
Compute (cached as JSON under paper_figures/out/, reused while the package version and the
parameters are unchanged) and plot are separate (reluflow.figures.orthogonal):

    python paper_figures/orth_alignment.py              # full version: compute if needed, then plot
    python paper_figures/orth_alignment.py --quick      # fewer λ values and samples
    python paper_figures/orth_alignment.py --recompute  # ignore the cache
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import orthogonal

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return orthogonal.script_main("alignment", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
