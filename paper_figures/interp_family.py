"""Minimum norm versus rank one across 𝓜 = 0 (Chistikov, Englert & Lazić 2023, Theorem 8):
the certified minimum of ‖θ‖², the certified rank-one minimum, the §3.6 network and the exact
gradient flow's limit on a one-parameter family of the Example 37 shape.

The numbers are cached as JSON under paper_figures/out/ (reused while the package version
and the parameters are unchanged); the figure is ``interp_family`` of reluflow.figures.catalog.

    python paper_figures/interp_family.py              # 6 family points, λ = 1e-8 (under a minute; default)
    python paper_figures/interp_family.py --full       # 14 points, λ = 1e-10 (about 2 min)
    python paper_figures/interp_family.py --recompute  # ignore the cached numbers
"""

from __future__ import annotations

from pathlib import Path

from reluflow.figures import catalog

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    return catalog.script_main("interp_family", __doc__, argv, out_dir=OUT)


if __name__ == "__main__":
    main()
