"""E2, where the coverage assumption A3 fails: incremental learning.

Loss, exponents and ‖θ‖² against the R12 jump process: several jumps, and a limit with a
larger norm than the minimum-norm interpolator's.

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.
Compute (cached as JSON under paper_figures/out/, reused while the package version and the
parameters are unchanged) and plot are separate (reluflow.figures.orthogonal):

    python paper_figures/orth_incremental.py              # full version: compute if needed, then plot
    python paper_figures/orth_incremental.py --quick      # fewer λ values and samples
    python paper_figures/orth_incremental.py --recompute  # ignore the cache
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import orthogonal

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return orthogonal.script_main("incremental", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
