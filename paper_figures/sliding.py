"""A sliding mode on generic data (outside both papers' assumptions): the exact flow — the
minimum-norm Clarke selection — holds a pair on its surface while gradient descent with
σ'(0) = 0 chatters around it, and GD's loss approaches the exact one like O(η).

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``sliding`` of reluflow.figures.catalog.

    python paper_figures/sliding.py              # t ≤ 12 (seconds; default)
    python paper_figures/sliding.py --full       # t ≤ 24, steps 8e-3, 4e-3, 2e-3
    python paper_figures/sliding.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("sliding", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
