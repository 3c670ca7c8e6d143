"""E1's final parameters against the minimum-norm interpolator as λ shrinks.

The errors in ‖θ‖², in h and in the per-neuron split (R9, R10), and the vanishing partial
neurons, with the predicted rates λ^{2(1−ρ)}.

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``orth_limit`` of reluflow.figures.catalog.

    python paper_figures/orth_limit.py              # fewer λ values and samples (default)
    python paper_figures/orth_limit.py --full       # the full λ ladder and samples
    python paper_figures/orth_limit.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("orth_limit", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
