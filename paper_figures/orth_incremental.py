"""E2, where the coverage assumption A3 fails: incremental learning.

Loss, exponents and ‖θ‖² against the R12 jump process: several jumps, and a limit with a
larger norm than the minimum-norm interpolator's.

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``orth_incremental`` of reluflow.figures.catalog.

    python paper_figures/orth_incremental.py              # fewer λ values and samples (default)
    python paper_figures/orth_incremental.py --full       # the full λ ladder and samples
    python paper_figures/orth_incremental.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("orth_incremental", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
