"""Fig. 11 of Chistikov, Englert & Lazić (2023): One two-teacher run (uncentred, ρ = √2 − 1): two loss drops, group angles and norms.

In the spirit of the paper (float64 GD with its protocol; seeds ours).  Compute (cached as
JSON under paper_figures/out/) and plot are separate (reluflow.figures.single_neuron_gd):

    python paper_figures/sn_fig11_two_teachers_run.py              # quick: small sizes and caps (default)
    python paper_figures/sn_fig11_two_teachers_run.py --full       # the paper's protocol (meant for a GPU)
    python paper_figures/sn_fig11_two_teachers_run.py --recompute  # ignore the cache
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import single_neuron_gd

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return single_neuron_gd.script_main(11, __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
