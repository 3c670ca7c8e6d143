"""SN1's exact gradient flow: loss against the reduced model (D3, D4), and the final bundle
angle against λ below float64's floor (D5; the arbitrary-precision extension of Fig. 1).

In the spirit of Chistikov, Englert & Lazić (2023); fixture SN1, not the paper's parameters.

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``sn_exact`` of reluflow.figures.catalog.

    python paper_figures/sn_exact.py              # fewer λ (seconds; default)
    python paper_figures/sn_exact.py --full       # four loss curves, seven angles (about a minute)
    python paper_figures/sn_exact.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("sn_exact", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
