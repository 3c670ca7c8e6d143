"""A sliding mode on generic data (outside both papers' assumptions): the exact flow — the
minimum-norm Clarke selection — holds a pair on its surface while gradient descent with
σ'(0) = 0 chatters around it, and GD's loss approaches the exact one like O(η).

    python paper_figures/sliding.py            # t ≤ 24, steps 8e-3, 4e-3, 2e-3 (seconds)
    python paper_figures/sliding.py --quick    # t ≤ 12
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reluflow.figures import sliding

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a shorter horizon")
    ap.add_argument("--out", default=OUT, help="output folder (default: paper_figures/out)")
    args = ap.parse_args(argv)
    paths, data = sliding.make(args.out, quick=args.quick)
    print(
        f"pair {tuple(data['pair'])} slides from t = {data['slide_t']:.6g}; GD max relative loss error "
        + ", ".join(f"{e:.2e} (η = {r['eta']:g})" for e, r in zip(data["errors"], data["gd"]))
        + "; Richardson "
        + ", ".join(f"{v:.2e}" for v in data["richardson"])
    )
    for path in paths:
        print("wrote", path)
    return paths


if __name__ == "__main__":
    main()
