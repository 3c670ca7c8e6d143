"""E1's final parameters against the minimum-norm interpolator as λ shrinks.

The errors in ‖θ‖², in h and in the per-neuron split (R9, R10), and the vanishing partial
neurons, with the predicted rates λ^{2(1−ρ)}.

In the spirit of Boursier, Pillaud-Vivien & Flammarion (2022); not the paper's parameters.
Compute (cached as JSON under paper_figures/out/, reused while the package version and the
parameters are unchanged) and plot are separate (reluflow.figures.orthogonal):

    python paper_figures/orth_limit.py              # full version: compute if needed, then plot
    python paper_figures/orth_limit.py --quick      # fewer λ values and samples
    python paper_figures/orth_limit.py --recompute  # ignore the cache
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import orthogonal

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return orthogonal.script_main("limit", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
