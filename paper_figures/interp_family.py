"""Minimum norm versus rank one across 𝓜 = 0 (Chistikov, Englert & Lazić 2023, Theorem 8):
the certified minimum of ‖θ‖², the certified rank-one minimum, the §3.6 network and the exact
gradient flow's limit on a one-parameter family of the Example 37 shape.

    python paper_figures/interp_family.py            # 14 family points, λ = 1e-10 (about 2 min)
    python paper_figures/interp_family.py --quick    # 6 points, λ = 1e-8 (under a minute)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reluflow.figures import interpolators

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer family points")
    ap.add_argument("--out", default=OUT, help="output folder (default: paper_figures/out)")
    args = ap.parse_args(argv)
    paths, _ = interpolators.make(args.out, quick=args.quick)
    for path in paths:
        print("wrote", path)
    return paths


if __name__ == "__main__":
    main()
