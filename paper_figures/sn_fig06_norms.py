"""Fig. 6 of Chistikov, Englert & Lazić (2023): Nuclear norm ‖W‖_* and ‖θ‖² for one uncentred run, GD and exact flow.

In the spirit of the paper (float64 GD with its protocol; seeds ours).

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``sn_fig06_norms`` of reluflow.figures.catalog.

    python paper_figures/sn_fig06_norms.py              # small sizes and caps (default)
    python paper_figures/sn_fig06_norms.py --full       # the paper's protocol (meant for a GPU)
    python paper_figures/sn_fig06_norms.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("sn_fig06_norms", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
