"""SN1's exact gradient flow: loss against the reduced model (D3, D4), and the final bundle
angle against λ below float64's floor (D5; the arbitrary-precision extension of Fig. 1).

In the spirit of Chistikov, Englert & Lazić (2023); fixture SN1, not the paper's parameters:

    python paper_figures/sn_exact.py            # full version (about a minute)
    python paper_figures/sn_exact.py --quick    # fewer λ (seconds)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reluflow.figures import single_neuron

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer λ values (seconds)")
    ap.add_argument("--out", default=OUT, help="output folder (default: paper_figures/out)")
    args = ap.parse_args(argv)
    paths = single_neuron.make(args.out, quick=args.quick)
    for path in paths:
        print("wrote", path)
    return paths


if __name__ == "__main__":
    main()
