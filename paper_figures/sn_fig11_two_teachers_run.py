"""Fig. 11 of Chistikov, Englert & Lazić (2023): One two-teacher run (uncentred, ρ = √2 − 1): two loss drops, group angles and norms.

In the spirit of the paper (float64 GD with its protocol; seeds ours).

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``sn_fig11_two_teachers_run`` of reluflow.figures.catalog.

    python paper_figures/sn_fig11_two_teachers_run.py              # small sizes and caps (default)
    python paper_figures/sn_fig11_two_teachers_run.py --full       # the paper's protocol (meant for a GPU)
    python paper_figures/sn_fig11_two_teachers_run.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("sn_fig11_two_teachers_run", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
